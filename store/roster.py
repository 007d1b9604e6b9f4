"""The roster: which student (a Slack or Teams account) is in which class and track, from the registrar's CSV.

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
from store.recipients import SLACK, TEAMS, Recipient
from store.students import parse_class_of, parse_required_track

COLUMNS = ("class_of", "track")
ID_COLUMNS = {SLACK: "slack_user_id", TEAMS: "teams_user_id"}  # one of them on each row
SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")
TEAMS_USER_ID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class RosterError(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class RosterRow:
    student: Recipient
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
        if not any(column in header for column in ID_COLUMNS.values()):
            missing.append(" or ".join(ID_COLUMNS.values()))
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
            if row.student in seen:
                problems.append(f"line {line}: {row.student.id} already on line {seen[row.student]}")
                continue
            seen[row.student] = line
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
        student = Recipient(TEAMS, teams_user.lower())
    elif SLACK_USER_ID.match(user):
        student = Recipient(SLACK, user)
    else:
        raise InputError(f"slack_user_id {user!r} is not a Slack user id (like U012ABCDEF)")
    return RosterRow(student, parse_class_of(record.get("class_of"), today), parse_required_track(record.get("track")))


def recipient_of(row: RosterStudent) -> Recipient:
    return Recipient(SLACK, row.slack_user_id) if row.slack_user_id else Recipient(TEAMS, row.teams_user_id)


def _is(student: Recipient):
    """The WHERE clause for one student's row."""
    return getattr(RosterStudent, ID_COLUMNS[student.platform]) == student.id


def _among(students: list[Recipient]):
    """The WHERE clause for any of these students' rows."""
    by_platform: dict[str, list[str]] = defaultdict(list)
    for student in students:
        by_platform[student.platform].append(student.id)
    return or_(*(col(getattr(RosterStudent, ID_COLUMNS[platform])).in_(ids) for platform, ids in by_platform.items()))


class Roster:
    def __init__(self, engine: Engine):
        self.engine = engine

    def import_rows(self, rows: list[RosterRow]) -> ImportResult:
        with writing(self.engine) as db:
            known = {recipient_of(r): (r.class_of, r.track) for r in db.exec(select(RosterStudent))}
            added = updated = 0
            for row in rows:
                before = known.get(row.student)
                if before == (row.class_of, row.track):
                    continue
                column = ID_COLUMNS[row.student.platform]
                insert_or_update(db, RosterStudent, {column: row.student.id, "class_of": row.class_of,
                                                     "track": row.track, "updated_at": utcnow()},
                                 keys=(column,), update=("class_of", "track", "updated_at"))
                added, updated = (added + 1, updated) if before is None else (added, updated + 1)
            db.commit()
        return ImportResult(added=added, updated=updated, unchanged=len(rows) - added - updated)

    def by_class(self) -> dict[tuple[int, str], list[Recipient]]:
        """Every rostered student, grouped by (class_of, track), in one query."""
        classes: dict[tuple[int, str], list[Recipient]] = defaultdict(list)
        with session(self.engine) as db:
            for row in db.exec(select(RosterStudent).order_by(RosterStudent.class_of, RosterStudent.track,
                                                              RosterStudent.slack_user_id,
                                                              RosterStudent.teams_user_id)):
                classes[(row.class_of, row.track)].append(recipient_of(row))
        return dict(classes)

    def changed_since(self, moment: datetime) -> set[Recipient]:
        """Students added or moved to another class since `moment`: they may be owed today's nudges."""
        with session(self.engine) as db:
            return {recipient_of(row) for row in db.exec(select(RosterStudent)
                                                         .where(RosterStudent.updated_at > moment))}

    def get_many(self, students: set[Recipient]) -> dict[Recipient, RosterStudent]:
        found: dict[Recipient, RosterStudent] = {}
        wanted = sorted(students)
        with session(self.engine) as db:
            for start in range(0, len(wanted), 500):
                found.update((recipient_of(row), row) for row in db.exec(
                    select(RosterStudent).where(_among(wanted[start:start + 500]))))
        return found

    def needing_timezone(self, checked_before: datetime, limit: int) -> list[Recipient]:
        """Students whose time zone was never looked up, or not for a while (quiet hours use it)."""
        with session(self.engine) as db:
            stale = or_(col(RosterStudent.timezone_checked_at).is_(None),
                        RosterStudent.timezone_checked_at < checked_before)
            return [recipient_of(row) for row in db.exec(select(RosterStudent).where(stale)
                                                         .order_by(RosterStudent.slack_user_id,
                                                                   RosterStudent.teams_user_id).limit(limit))]

    def set_timezone(self, student: Recipient, timezone: str | None) -> None:
        with writing(self.engine) as db:
            db.execute(update(RosterStudent).where(_is(student))
                       .values(timezone=timezone, timezone_checked_at=utcnow()))
            db.commit()
