"""The roster keeps a Teams id in a Teams column: `teams_user_id` beside `slack_user_id`, one of them per row.

Until now a Teams student was rostered as slack_user_id "teams:<Entra object id>". The table is rebuilt
(a new surrogate key, both id columns nullable and unique, a check that exactly one is set) and the
Teams ids move into their column; the downgrade puts them back behind the prefix. A table copy rather
than ALTERs, so SQLite and PostgreSQL take the same path. The stored prefix is spelled here, frozen as
it was at this revision (a migration must not change meaning when the code does).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

TABLE, SCRATCH = "roster_student", "roster_student_rebuilt"
OLD_TEAMS_PREFIX = "teams:"  # how 0008 and 0009 stored a Teams student in slack_user_id
SHARED = "class_of, track, updated_at, timezone, timezone_checked_at"
MOMENT = sa.DateTime(timezone=True)


def _common_columns() -> list[sa.Column]:
    return [sa.Column("class_of", sa.Integer(), nullable=False),
            sa.Column("track", sa.String(length=20), nullable=False),
            sa.Column("updated_at", MOMENT, nullable=False),
            sa.Column("timezone", sa.String(length=64), nullable=True),
            sa.Column("timezone_checked_at", MOMENT, nullable=True)]


def _swap(copy: str) -> None:
    """Fill the scratch table from the old one with `copy`, then put it in the old one's place."""
    op.execute(copy)
    op.drop_index("ix_roster_student_class_of", table_name=TABLE)
    op.drop_table(TABLE)
    op.rename_table(SCRATCH, TABLE)
    op.create_index("ix_roster_student_class_of", TABLE, ["class_of"])


def upgrade() -> None:
    op.create_table(
        SCRATCH,
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("slack_user_id", sa.String(length=200), nullable=True, unique=True),
        sa.Column("teams_user_id", sa.String(length=64), nullable=True, unique=True),
        *_common_columns(),
        sa.CheckConstraint("(slack_user_id IS NULL) <> (teams_user_id IS NULL)",
                           name="ck_roster_student_one_account"),
    )
    start = len(OLD_TEAMS_PREFIX) + 1
    _swap(f"INSERT INTO {SCRATCH} (slack_user_id, teams_user_id, {SHARED}) "
          f"SELECT CASE WHEN slack_user_id LIKE '{OLD_TEAMS_PREFIX}%' THEN NULL ELSE slack_user_id END, "
          f"CASE WHEN slack_user_id LIKE '{OLD_TEAMS_PREFIX}%' THEN SUBSTR(slack_user_id, {start}) END, "
          f"{SHARED} FROM {TABLE} ORDER BY slack_user_id")


def downgrade() -> None:
    op.create_table(
        SCRATCH,
        sa.Column("slack_user_id", sa.String(length=200), primary_key=True),
        *_common_columns(),
    )
    _swap(f"INSERT INTO {SCRATCH} (slack_user_id, {SHARED}) "
          f"SELECT COALESCE(slack_user_id, '{OLD_TEAMS_PREFIX}' || teams_user_id), {SHARED} FROM {TABLE}")
