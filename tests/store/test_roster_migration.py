"""Migration 0010: Teams ids leave roster_student.slack_user_id for their own column, and come back on downgrade."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from store.db import MIGRATIONS_DIR, make_engine

ENTRA_ID = "0b8f6c1e-2d3a-4b5c-8d9e-0f1a2b3c4d5e"


def _to(engine, revision: str, down: bool = False) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def _rows(engine, columns: str) -> set[tuple]:
    with engine.connect() as connection:
        return set(connection.execute(text(f"SELECT {columns} FROM roster_student")).all())


def test_teams_ids_move_to_their_column_and_back(database_url):
    engine = make_engine(database_url)
    _to(engine, "0009")
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO roster_student (slack_user_id, class_of, track, updated_at, timezone) VALUES "
            "('U0SLACK1', 2028, 'pathways', '2026-11-01 10:00:00+00:00', 'America/Chicago'), "
            f"('teams:{ENTRA_ID}', 2029, 'hst', '2026-11-02 10:00:00+00:00', NULL)"))
    _to(engine, "0010")
    assert _rows(engine, "slack_user_id, teams_user_id, class_of, track, timezone") == {
        ("U0SLACK1", None, 2028, "pathways", "America/Chicago"), (None, ENTRA_ID, 2029, "hst", None)}
    with engine.begin() as connection:  # a row with both ids, or neither, is refused
        for values in ("'U0BOTH', 'x'", "NULL, NULL"):
            savepoint = connection.begin_nested()
            try:
                connection.execute(text("INSERT INTO roster_student (slack_user_id, teams_user_id, class_of, track, "
                                        f"updated_at) VALUES ({values}, 2028, 'hst', '2026-11-03 10:00:00+00:00')"))
            except IntegrityError:
                savepoint.rollback()
            else:
                raise AssertionError(f"accepted a roster row with ({values})")
    _to(engine, "0009", down=True)
    assert _rows(engine, "slack_user_id, class_of, track, timezone") == {
        ("U0SLACK1", 2028, "pathways", "America/Chicago"), (f"teams:{ENTRA_ID}", 2029, "hst", None)}
    _to(engine, "head")
    assert _rows(engine, "slack_user_id, teams_user_id") == {("U0SLACK1", None), (None, ENTRA_ID)}
    engine.dispose()
