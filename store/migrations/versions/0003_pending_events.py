"""Unanswered questions keep their event payload until answered, for recovery after a crash.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("processed_event") as table:
        table.add_column(sa.Column("payload", sa.Text(), nullable=True))
        table.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_processed_event_pending", "processed_event", ["lease_until"],
                    postgresql_where=sa.text("payload IS NOT NULL"), sqlite_where=sa.text("payload IS NOT NULL"))


def downgrade() -> None:
    op.drop_index("ix_processed_event_pending", table_name="processed_event")
    with op.batch_alter_table("processed_event") as table:
        table.drop_column("lease_until")
        table.drop_column("payload")
