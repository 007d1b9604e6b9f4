"""Student profiles: class year and track, from which the academic calendar gives the phase."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, update
from sqlalchemy.engine import Engine
from sqlmodel import select

from knowledge.academic_calendar import AcademicCalendar
from knowledge.context import InputError, StudentContext, parse_track
from store.db import insert_or_update, session, writing
from store.models import RosterStudent, StudentProfile, utcnow

ROSTER_PLATFORM = "slack"  # the registrar's roster lists Slack user ids
EARLIEST_CLASS_OFFSET = -1
LATEST_CLASS_OFFSET = 6


@dataclass(frozen=True)
class Profile:
    class_of: int | None = None
    track: str | None = None
    asked_for_profile: bool = False
    from_roster: bool = False  # the student set nothing; the programme's roster says which class they are in

    @property
    def complete(self) -> bool:
        return self.class_of is not None and self.track is not None


def class_years(today: date) -> list[int]:
    """Graduation years a current student can have (a fifth year for research or a degree included)."""
    return list(range(today.year + EARLIEST_CLASS_OFFSET, today.year + LATEST_CLASS_OFFSET))


def parse_class_of(value: str | int | None, today: date) -> int:
    if value is None or str(value).strip() == "":
        raise InputError(f"choose your class year (graduation year), e.g. {today.year + 2}")
    try:
        year = int(str(value).strip().lstrip("'"))
    except (TypeError, ValueError) as error:
        raise InputError(f"class year {value!r} is not a year: use your graduation year, e.g. {today.year + 2}") \
            from error
    if year < 100:
        year += 2000
    allowed = class_years(today)
    if year not in allowed:
        raise InputError(f"class of {year} is not a current class: use {allowed[0]}–{allowed[-1]}")
    return year


def parse_required_track(value: str | None) -> str:
    track = parse_track(value)
    if track is None:
        raise InputError("choose a track: Pathways or HST")
    return track


class ProfileStore:
    def __init__(self, engine: Engine, calendar: AcademicCalendar):
        self.engine = engine
        self.calendar = calendar

    def get(self, platform: str, user_id: str) -> Profile:
        """What the student set; failing that, their class on the roster, so a rostered student is never asked."""
        with session(self.engine) as db:
            row = db.get(StudentProfile, (platform, user_id))
            if row is not None and row.class_of is not None and row.track is not None:
                return Profile(class_of=row.class_of, track=row.track, asked_for_profile=row.asked_for_profile)
            rostered = db.exec(select(RosterStudent).where(RosterStudent.slack_user_id == user_id)).first() \
                if platform == ROSTER_PLATFORM else None
            if rostered is not None:
                return Profile(class_of=rostered.class_of, track=rostered.track, asked_for_profile=True,
                               from_roster=True)
            if row is None:
                return Profile()
            return Profile(class_of=row.class_of, track=row.track, asked_for_profile=row.asked_for_profile)

    def save(self, platform: str, user_id: str, class_of: int, track: str) -> Profile:
        now = utcnow()
        values = {"platform": platform, "user_id": user_id, "class_of": class_of, "track": track,
                  "asked_for_profile": True, "created_at": now, "updated_at": now}
        with writing(self.engine) as db:
            insert_or_update(db, StudentProfile, values, keys=("platform", "user_id"),
                             update=("class_of", "track", "asked_for_profile", "updated_at"))
            db.commit()
        return Profile(class_of=class_of, track=track, asked_for_profile=True)

    def mark_asked(self, platform: str, user_id: str) -> bool:
        """Record that the bot asked for the profile; True only for the one caller that asked first."""
        now = utcnow()
        values = {"platform": platform, "user_id": user_id, "asked_for_profile": True, "created_at": now,
                  "updated_at": now}
        with writing(self.engine) as db:
            inserted = insert_or_update(db, StudentProfile, values, keys=("platform", "user_id"), update=())
            if not inserted:
                inserted = db.execute(
                    update(StudentProfile)
                    .where(StudentProfile.platform == platform, StudentProfile.user_id == user_id,
                           StudentProfile.asked_for_profile.is_(False))
                    .values(asked_for_profile=True, updated_at=now)
                ).rowcount
            db.commit()
        return inserted == 1

    def forget(self, platform: str, user_id: str) -> None:
        with writing(self.engine) as db:
            db.execute(delete(StudentProfile).where(StudentProfile.platform == platform,
                                                    StudentProfile.user_id == user_id))
            db.commit()

    def context(self, profile: Profile, today: date) -> StudentContext:
        """The phase (and year of it) the academic calendar gives the student's class today, and their track."""
        if not profile.complete:
            return StudentContext(track=profile.track)
        window = self.calendar.window_on(profile.class_of, profile.track, today)
        if window is None:
            return StudentContext(track=profile.track)
        return StudentContext(phase=window.phase, track=profile.track, year_of_phase=window.year_of_phase(today))
