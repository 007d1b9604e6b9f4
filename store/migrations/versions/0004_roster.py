"""The roster of students for personal nudges.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "roster_student",
        sa.Column("slack_user_id", sa.String(length=32), primary_key=True),
        sa.Column("class_of", sa.Integer(), nullable=False),
        sa.Column("track", sa.String(length=20), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_roster_student_class_of", "roster_student", ["class_of"])


def downgrade() -> None:
    op.drop_index("ix_roster_student_class_of", table_name="roster_student")
    op.drop_table("roster_student")
