"""Student profiles, processed platform events and answer votes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _timestamp(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "student_profile",
        sa.Column("platform", sa.String(length=10), primary_key=True),
        sa.Column("user_id", sa.String(length=64), primary_key=True),
        sa.Column("class_of", sa.Integer(), nullable=True),
        sa.Column("track", sa.String(length=20), nullable=True),
        sa.Column("asked_for_profile", sa.Boolean(), nullable=False),
        _timestamp("created_at"),
        _timestamp("updated_at"),
    )
    op.create_table(
        "processed_event",
        sa.Column("platform", sa.String(length=10), primary_key=True),
        sa.Column("event_id", sa.String(length=128), primary_key=True),
        _timestamp("received_at"),
    )
    op.create_index("ix_processed_event_received_at", "processed_event", ["received_at"])
    op.create_table(
        "answer_vote",
        sa.Column("message_key", sa.String(length=64), primary_key=True),
        sa.Column("entry_id", sa.String(length=100), nullable=False),
        sa.Column("helpful", sa.Boolean(), nullable=False),
        sa.Column("phase", sa.String(length=20), nullable=True),
        sa.Column("track", sa.String(length=20), nullable=True),
        _timestamp("voted_at"),
    )
    op.create_index("ix_answer_vote_entry_id", "answer_vote", ["entry_id"])


def downgrade() -> None:
    op.drop_index("ix_answer_vote_entry_id", table_name="answer_vote")
    op.drop_table("answer_vote")
    op.drop_index("ix_processed_event_received_at", table_name="processed_event")
    op.drop_table("processed_event")
    op.drop_table("student_profile")
