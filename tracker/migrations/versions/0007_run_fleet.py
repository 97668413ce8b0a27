"""run fleet: each control run keeps the fleet figures it saw

Revision ID: 0007_run_fleet
Revises: 0006_replacement
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_run_fleet"
down_revision: str | None = "0006_replacement"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable: runs recorded before this revision have no figures, and the reports scan the fleet for them.
    with op.batch_alter_table("control_run") as batch:
        batch.add_column(sa.Column("fleet", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("control_run") as batch:
        batch.drop_column("fleet")
