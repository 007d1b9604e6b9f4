"""Conversation topics: the entry each conversation was last answered from, for follow-up questions.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversation_topic",
        sa.Column("conversation_key", sa.String(length=64), primary_key=True),
        sa.Column("entry_id", sa.String(length=100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_conversation_topic_updated_at", "conversation_topic", ["updated_at"])


def downgrade() -> None:
    op.drop_index("ix_conversation_topic_updated_at", table_name="conversation_topic")
    op.drop_table("conversation_topic")
