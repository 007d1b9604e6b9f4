"""Declined questions, for the curators.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "declined_question",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("phase", sa.String(length=20), nullable=True),
        sa.Column("track", sa.String(length=20), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_declined_question_created_at", "declined_question", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_declined_question_created_at", table_name="declined_question")
    op.drop_table("declined_question")
