"""Alumni-advisor requests and their audit trail.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

MOMENT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "alumni_request",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("intake_key", sa.String(length=128), nullable=False, unique=True),
        sa.Column("platform", sa.String(length=10), nullable=False),
        sa.Column("student_id", sa.String(length=64), nullable=False),
        sa.Column("class_of", sa.Integer(), nullable=True),
        sa.Column("track", sa.String(length=20), nullable=True),
        sa.Column("phase", sa.String(length=20), nullable=True),
        sa.Column("specialty", sa.String(length=100), nullable=True),
        sa.Column("location", sa.String(length=100), nullable=True),
        sa.Column("contact", sa.String(length=20), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("alumnus", sa.String(length=200), nullable=True),
        sa.Column("outcome_notes", sa.Text(), nullable=True),
        sa.Column("close_reason", sa.String(length=300), nullable=True),
        sa.Column("card_channel", sa.String(length=32), nullable=True),
        sa.Column("card_ts", sa.String(length=32), nullable=True),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("updated_at", MOMENT, nullable=False),
    )
    op.create_index("ix_alumni_request_student", "alumni_request", ["platform", "student_id"])
    op.create_index("ix_alumni_request_status", "alumni_request", ["status"])
    op.create_index("ix_alumni_request_created_at", "alumni_request", ["created_at"])
    op.create_table(
        "alumni_request_change",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("request_id", sa.Integer(), sa.ForeignKey("alumni_request.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("detail", sa.String(length=500), nullable=True),
        sa.Column("at", MOMENT, nullable=False),
    )
    op.create_index("ix_alumni_request_change_request_id", "alumni_request_change", ["request_id"])


def downgrade() -> None:
    op.drop_index("ix_alumni_request_change_request_id", table_name="alumni_request_change")
    op.drop_table("alumni_request_change")
    for index in ("ix_alumni_request_created_at", "ix_alumni_request_status", "ix_alumni_request_student"):
        op.drop_index(index, table_name="alumni_request")
    op.drop_table("alumni_request")
