"""The roster: which Slack user is in which class and track, imported from the registrar's CSV.

An import is all or nothing: every bad row is named and nothing is written from a file with errors;
a good file is an idempotent upsert (importing it again changes nothing).
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import or_, update
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from knowledge.context import InputError
from store.db import insert_or_update, session, writing
from store.models import RosterStudent, utcnow
from store.students import parse_class_of, parse_required_track

COLUMNS = ("class_of", "track")
ID_COLUMNS = ("slack_user_id", "teams_user_id")  # one of them on each row
SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")
TEAMS_USER_ID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class RosterError(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class RosterRow:
    slack_user_id: str
    class_of: int
    track: str


@dataclass(frozen=True)
class ImportResult:
    added: int
    updated: int
    unchanged: int


def read_roster(path: Path, today: date) -> list[RosterRow]:
    """Parse and validate the whole file; raise RosterError naming every bad row (line numbers as in the file)."""
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as error:
        raise RosterError([f"{path}: cannot read ({error.strerror})"]) from error
    with handle:
        reader = csv.DictReader(handle)
        header = [name.strip().lower() for name in reader.fieldnames or []]
        missing = [column for column in COLUMNS if column not in header]
        if not any(column in header for column in ID_COLUMNS):
            missing.append(" or ".join(ID_COLUMNS))
        if missing:
            raise RosterError([f"{path.name}: missing column(s) {', '.join(missing)} "
                             "(need class_of, track, and slack_user_id or teams_user_id)"])
        reader.fieldnames = header
        rows, problems, seen = [], [], {}
        for line, record in enumerate(reader, start=2):
            try:
                row = _row(record, today)
            except InputError as error:
                problems.append(f"line {line}: {error}")
                continue
            if row.slack_user_id in seen:
                problems.append(f"line {line}: {row.slack_user_id} already on line {seen[row.slack_user_id]}")
                continue
            seen[row.slack_user_id] = line
            rows.append(row)
    if problems:
        raise RosterError(problems)
    return rows


def _row(record: dict, today: date) -> RosterRow:
    user, teams_user = (record.get("slack_user_id") or "").strip(), (record.get("teams_user_id") or "").strip()
    if user and teams_user:
        raise InputError("give slack_user_id or teams_user_id, not both (one row per account)")
    if teams_user:
        if not TEAMS_USER_ID.match(teams_user):
            raise InputError(f"teams_user_id {teams_user!r} is not an Entra object id (a GUID)")
        user = f"teams:{teams_user.lower()}"
    elif not SLACK_USER_ID.match(user):
        raise InputError(f"slack_user_id {user!r} is not a Slack user id (like U012ABCDEF)")
    return RosterRow(user, parse_class_of(record.get("class_of"), today), parse_required_track(record.get("track")))


class Roster:
    def __init__(self, engine: Engine):
        self.engine = engine

    def import_rows(self, rows: list[RosterRow]) -> ImportResult:
        with writing(self.engine) as db:
            known = {r.slack_user_id: (r.class_of, r.track) for r in db.exec(select(RosterStudent))}
            added = updated = 0
            for row in rows:
                before = known.get(row.slack_user_id)
                if before == (row.class_of, row.track):
                    continue
                insert_or_update(db, RosterStudent, {"slack_user_id": row.slack_user_id, "class_of": row.class_of,
                                                     "track": row.track, "updated_at": utcnow()},
                                 keys=("slack_user_id",), update=("class_of", "track", "updated_at"))
                added, updated = (added + 1, updated) if before is None else (added, updated + 1)
            db.commit()
        return ImportResult(added=added, updated=updated, unchanged=len(rows) - added - updated)

    def by_class(self) -> dict[tuple[int, str], list[str]]:
        """Every rostered student's user id, grouped by (class_of, track), in one query."""
        classes: dict[tuple[int, str], list[str]] = defaultdict(list)
        with session(self.engine) as db:
            for user, class_of, track in db.exec(
                    select(RosterStudent.slack_user_id, RosterStudent.class_of, RosterStudent.track)
                    .order_by(RosterStudent.class_of, RosterStudent.track, RosterStudent.slack_user_id)):
                classes[(class_of, track)].append(user)
        return dict(classes)

    def changed_since(self, moment: datetime) -> set[str]:
        """Students added or moved to another class since `moment`: they may be owed today's nudges."""
        with session(self.engine) as db:
            return set(db.exec(select(RosterStudent.slack_user_id).where(RosterStudent.updated_at > moment)))

    def get_many(self, user_ids: set[str]) -> dict[str, RosterStudent]:
        found: dict[str, RosterStudent] = {}
        users = sorted(user_ids)
        with session(self.engine) as db:
            for start in range(0, len(users), 500):
                found.update((row.slack_user_id, row) for row in db.exec(
                    select(RosterStudent).where(col(RosterStudent.slack_user_id).in_(users[start:start + 500]))))
        return found

    def needing_timezone(self, checked_before: datetime, limit: int) -> list[str]:
        """Students whose time zone was never looked up, or not for a while (quiet hours use it)."""
        with session(self.engine) as db:
            stale = or_(col(RosterStudent.timezone_checked_at).is_(None),
                        RosterStudent.timezone_checked_at < checked_before)
            return list(db.exec(select(RosterStudent.slack_user_id).where(stale)
                                .order_by(RosterStudent.slack_user_id).limit(limit)))

    def set_timezone(self, user_id: str, timezone: str | None) -> None:
        with writing(self.engine) as db:
            db.execute(update(RosterStudent).where(RosterStudent.slack_user_id == user_id)
                       .values(timezone=timezone, timezone_checked_at=utcnow()))
            db.commit()
