"""The nudge delivery ledger, task completions, opt-outs, scheduler state and students' time zones.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

MOMENT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("roster_student", sa.Column("timezone", sa.String(length=64), nullable=True))
    op.add_column("roster_student", sa.Column("timezone_checked_at", MOMENT, nullable=True))
    op.create_table(
        "nudge_delivery",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("nudge", sa.String(length=100), nullable=False),
        sa.Column("occurrence", sa.String(length=7), nullable=False),
        sa.Column("target", sa.String(length=32), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("requested", sa.Boolean(), nullable=False),
        sa.Column("personal", sa.Boolean(), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("phase", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("due_at", MOMENT, nullable=False),
        sa.Column("expires_at", MOMENT, nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("claimed_at", MOMENT, nullable=True),
        sa.Column("sent_at", MOMENT, nullable=True),
        sa.Column("conversation", sa.String(length=32), nullable=True),
        sa.Column("ts", sa.String(length=32), nullable=True),
        sa.Column("updated_at", MOMENT, nullable=False),
        sa.UniqueConstraint("nudge", "occurrence", "target", "round", name="uq_nudge_delivery_key"),
    )
    op.create_index("ix_nudge_delivery_due", "nudge_delivery", ["status", "due_at"])
    op.create_index("ix_nudge_delivery_target", "nudge_delivery", ["target", "sent_at"])
    op.create_index("ix_nudge_delivery_message", "nudge_delivery", ["conversation", "ts"])
    op.create_table(
        "nudge_task_done",
        sa.Column("nudge", sa.String(length=100), primary_key=True),
        sa.Column("occurrence", sa.String(length=7), primary_key=True),
        sa.Column("user_id", sa.String(length=32), primary_key=True),
        sa.Column("done_at", MOMENT, nullable=False),
    )
    op.create_table(
        "nudge_opt_out",
        sa.Column("user_id", sa.String(length=32), primary_key=True),
        sa.Column("category", sa.String(length=20), primary_key=True),
        sa.Column("created_at", MOMENT, nullable=False),
    )
    op.create_table(
        "scheduler_state",
        sa.Column("name", sa.String(length=50), primary_key=True),
        sa.Column("value", sa.String(length=100), nullable=False),
        sa.Column("updated_at", MOMENT, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("scheduler_state")
    op.drop_table("nudge_opt_out")
    op.drop_table("nudge_task_done")
    for index in ("ix_nudge_delivery_message", "ix_nudge_delivery_target", "ix_nudge_delivery_due"):
        op.drop_index(index, table_name="nudge_delivery")
    op.drop_table("nudge_delivery")
    op.drop_column("roster_student", "timezone_checked_at")
    op.drop_column("roster_student", "timezone")
