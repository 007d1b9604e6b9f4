"""The outbox: messages owed to the liaison and to students, kept until delivered.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

MOMENT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(length=160), nullable=False, unique=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("request_id", sa.Integer(), sa.ForeignKey("alumni_request.id", ondelete="CASCADE"), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("due_at", MOMENT, nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("claimed_at", MOMENT, nullable=True),
        sa.Column("sent_at", MOMENT, nullable=True),
        sa.Column("conversation", sa.String(length=32), nullable=True),
        sa.Column("ts", sa.String(length=32), nullable=True),
        sa.Column("created_at", MOMENT, nullable=False),
    )
    op.create_index("ix_outbox_due", "outbox", ["status", "due_at"])
    op.create_index("ix_outbox_message", "outbox", ["conversation", "ts"])
    op.create_index("ix_outbox_request_id", "outbox", ["request_id"])


def downgrade() -> None:
    for index in ("ix_outbox_request_id", "ix_outbox_message", "ix_outbox_due"):
        op.drop_index(index, table_name="outbox")
    op.drop_table("outbox")
