"""replacement: waves of legacy-equipment replacement

Revision ID: 0006_replacement
Revises: 0004 (the governance migration, file 0004_governance.py)
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import tracker.types

revision: str = "0006_replacement"
down_revision: str | None = "0005_controls"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "replacement_wave",
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("name_ko", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("name_en", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("target_start", sa.Date(), nullable=False),
        sa.Column("target_end", sa.Date(), nullable=False),
        sa.Column("budget_line_id", sa.Integer(), nullable=True),
        sa.Column("milestone_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", tracker.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", tracker.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["budget_line_id"],
            ["budget_line.id"],
        ),
        sa.ForeignKeyConstraint(
            ["milestone_id"],
            ["milestone.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    with op.batch_alter_table("replacement_wave", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_replacement_wave_budget_line_id"), ["budget_line_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_replacement_wave_milestone_id"), ["milestone_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("replacement_wave", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_replacement_wave_milestone_id"))
        batch_op.drop_index(batch_op.f("ix_replacement_wave_budget_line_id"))

    op.drop_table("replacement_wave")
