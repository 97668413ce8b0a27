"""exposure: a covering index for the exposure analysis of unauthorized cells

Revision ID: 0007_exposure
Revises: 0004
Create Date: 2026-11-22
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007_exposure"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Per-cell attaches, accepted or not, their times and subscribers, read from the index alone (see
    # inventory/access_events/exposure.py): on SQLite it takes the 5M-event summary from ~23 s to a few seconds.
    with op.batch_alter_table("access_event", schema=None) as batch_op:
        batch_op.create_index(
            "ix_access_event_cell_id_result_occurred_at",
            ["cell_id", "result", "occurred_at", "subscriber_pseudonym"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("access_event", schema=None) as batch_op:
        batch_op.drop_index("ix_access_event_cell_id_result_occurred_at")
