"""Microsoft Teams: conversation references for proactive messages, and room for Teams ids.

Teams conversation ids ("19:...@thread.tacv2", "a:1...") and "teams:"-prefixed recipients are longer than
Slack's ids, so the columns that hold a recipient or a posted message's place are widened. None of these
tables is referenced by a foreign key, so SQLite's batch copy cannot cascade a delete; alumni_request is, and
keeps its short columns (a Teams card is recorded there as "teams" and its activity id).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

WIDENED = {
    "roster_student": ("slack_user_id",),
    "nudge_delivery": ("target", "conversation", "ts"),
    "nudge_task_done": ("user_id",),
    "nudge_opt_out": ("user_id",),
    "outbox": ("conversation", "ts"),
}
WIDE = 200


def upgrade() -> None:
    op.create_table(
        "teams_conversation",
        sa.Column("conversation_id", sa.String(length=WIDE), primary_key=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=True),
        sa.Column("team_id", sa.String(length=WIDE), nullable=True),
        sa.Column("tenant_id", sa.String(length=64), nullable=True),
        sa.Column("service_url", sa.String(length=300), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_teams_conversation_user_id", "teams_conversation", ["user_id"])
    for table, columns in WIDENED.items():
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.alter_column(column, type_=sa.String(length=WIDE))


def downgrade() -> None:
    op.drop_index("ix_teams_conversation_user_id", table_name="teams_conversation")
    op.drop_table("teams_conversation")
