"""What the bot remembers per student and per event, on SQLite and PostgreSQL, and the academic calendar."""

from __future__ import annotations

import time
from datetime import date

import pytest

from knowledge.academic_calendar import load_academic_calendar
from knowledge.context import InputError, StudentContext
from knowledge.loader import ContentError
from store.db import migrated_engine
from store.events import EventLog
from store.feedback import VoteLog, message_key
from store.students import ProfileStore, parse_class_of


@pytest.fixture(scope="module")
def calendar():
    return load_academic_calendar()


@pytest.fixture
def profiles(database_url, calendar):
    return ProfileStore(migrated_engine(database_url), calendar)


@pytest.mark.parametrize(("day", "phase", "year"), [
    (date(2024, 7, 31), None, None),
    (date(2024, 8, 1), "preclerkship", 1),
    (date(2025, 12, 31), "preclerkship", 2),
    (date(2026, 1, 1), "pce", 1),
    (date(2027, 1, 1), "post-pce", 1),
    (date(2028, 3, 15), "post-pce", 2),
    (date(2028, 6, 1), None, None),
])
def test_pathways_class_of_2028_moves_through_the_phases(calendar, day, phase, year):
    window = calendar.window_on(2028, "pathways", day)
    assert (window.phase if window else None) == phase
    if window:
        assert window.year_of_phase(day) == year


def test_on_one_day_two_classes_overlap_in_the_17_month_preclerkship(calendar):
    day = date(2026, 11, 24)
    phases = {year: calendar.window_on(year, "pathways", day) for year in range(2026, 2032)}
    assert {year: window.phase for year, window in phases.items() if window} == {
        2027: "post-pce", 2028: "pce", 2029: "preclerkship", 2030: "preclerkship"}


def test_overlapping_windows_are_rejected(tmp_path):
    (tmp_path / "academic_calendar.yaml").write_text("""
tracks:
  pathways:
    preclerkship: {from: {year: -4, month: 8}, to: {year: -2, month: 3}}
    pce: {from: {year: -2, month: 1}, to: {year: -2, month: 12}}
    post-pce: {from: {year: -1, month: 1}, to: {year: 0, month: 5}}
""")
    with pytest.raises(ContentError, match="overlap"):
        load_academic_calendar(tmp_path)


def test_class_year_parsing_accepts_short_forms_and_rejects_non_current_classes():
    today = date(2026, 11, 24)
    assert parse_class_of("'28", today) == 2028 and parse_class_of(2029, today) == 2029
    for bad in ("1999", "soon", None, ""):
        with pytest.raises(InputError):
            parse_class_of(bad, today)


def test_profile_round_trip_and_forget(profiles):
    assert not profiles.get("slack", "U1").complete
    profiles.save("slack", "U1", 2028, "pathways")
    profiles.save("slack", "U1", 2029, "hst")
    profile = profiles.get("slack", "U1")
    assert (profile.class_of, profile.track) == (2029, "hst")
    assert profiles.get("teams", "U1").class_of is None
    assert profiles.context(profile, date(2027, 3, 1)) == StudentContext(phase="pce", track="hst", year_of_phase=1)
    assert profiles.context(profile, date(2030, 1, 1)) == StudentContext(track="hst")
    profiles.forget("slack", "U1")
    assert profiles.get("slack", "U1").class_of is None


def test_the_bot_asks_for_a_profile_only_once(profiles):
    assert profiles.mark_asked("slack", "U2") is True
    assert profiles.mark_asked("slack", "U2") is False
    profiles.forget("slack", "U3")
    profiles.save("slack", "U3", 2028, "pathways")
    assert profiles.mark_asked("slack", "U3") is False


def test_an_event_is_claimed_once(database_url):
    events = EventLog(migrated_engine(database_url), retention_days=7)
    assert events.claim("slack", "Ev1") is True
    assert events.claim("slack", "Ev1") is False
    assert events.claim("teams", "Ev1") is True


def test_a_second_vote_on_the_same_answer_replaces_the_first(database_url):
    votes = VoteLog(migrated_engine(database_url))
    votes.record(message_key("slack", "D1", "1.1"), "rasa", True, "post-pce", "pathways")
    votes.record(message_key("slack", "D1", "1.1"), "rasa", False, "post-pce", "pathways")
    votes.record(message_key("slack", "D1", "2.2"), "rasa", False, None, None)
    [summary] = votes.summary()
    assert (summary.entry_id, summary.helpful, summary.not_helpful) == ("rasa", 0, 2)


def test_an_unanswered_question_is_handed_to_one_taker_after_its_lease(database_url):
    events = EventLog(migrated_engine(database_url), retention_days=7, lease_seconds=0.2)
    assert events.claim("slack", "EvQ", payload='{"q": 1}')
    assert events.claim("slack", "EvHome") is True
    assert events.take_unfinished("slack") == []
    time.sleep(0.3)
    [taken] = events.take_unfinished("slack")
    assert (taken.event_id, taken.payload) == ("EvQ", '{"q": 1}')
    assert events.take_unfinished("slack") == []
    events.finished("slack", "EvQ")
    time.sleep(0.3)
    assert events.take_unfinished("slack") == []
    assert events.claim("slack", "EvQ", payload='{"q": 1}') is False


def test_a_rostered_student_without_a_profile_gets_their_rostered_class(profiles, database_url):
    from store.recipients import SLACK, Recipient
    from store.roster import Roster, RosterRow

    Roster(migrated_engine(database_url)).import_rows([RosterRow(Recipient(SLACK, "U0ROSTER"), 2028, "hst")])
    profile = profiles.get("slack", "U0ROSTER")
    assert (profile.class_of, profile.track, profile.from_roster, profile.asked_for_profile) == \
        (2028, "hst", True, True)
    assert profiles.context(profile, date(2026, 6, 1)).phase == "pce"
    profiles.save("slack", "U0ROSTER", 2029, "pathways")
    assert profiles.get("slack", "U0ROSTER").class_of == 2029, "what the student set wins"
    assert profiles.get("teams", "U0ROSTER").class_of is None, "the roster lists Slack users only"
