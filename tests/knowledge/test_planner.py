"""What `advisor nudges preview` plans: the right class, inside the right phase, at the right local time."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from cli.main import main
from knowledge.academic_calendar import load_academic_calendar
from knowledge.cohorts import Cohort, load_cohorts
from knowledge.loader import ContentError
from knowledge.planner import Planner, month_runs, weekday
from knowledge.rules import load_rules, task_timing

COHORTS = tuple(Cohort(class_of=year, track=track, channel=f"C{year}{track[0].upper()}")
                for year in (2027, 2028, 2029, 2030) for track in ("pathways", "hst"))
STUDENTS = {(year, track): [("slack", f"U{year}{track[0].upper()}")] for year in (2027, 2028, 2029, 2030)
            for track in ("pathways", "hst")}


@pytest.fixture(scope="module")
def planner(kb):
    return Planner(kb, load_academic_calendar(), load_rules(kb), COHORTS, "America/New_York")


def test_month_runs_and_weekdays():
    assert month_runs((9, 10, 11, 12, 1, 2)) == [9]
    assert month_runs((9, 10, 11, 3, 4, 5)) == [9, 3]
    assert month_runs((4, 8)) == [4, 8]
    assert weekday(date(2027, 5, 1)) == date(2027, 5, 3) and weekday(date(2027, 5, 3)) == date(2027, 5, 3)
    assert weekday(date(2026, 12, 24), frozenset({"12-24", "12-25"})) == date(2026, 12, 28)


def test_nothing_is_planned_on_closed_days(planner):
    nudges = planner.plan(date(2026, 1, 1), date(2030, 6, 30), STUDENTS)
    assert not [n for n in nudges if f"{n.send_at:%m-%d}" in planner.rules.closed_days]
    assert {n.send_at.date() for n in nudges if n.nudge == "task-choose-rasa"} >= {date(2027, 1, 4)}


def test_no_nudge_is_ever_planned_outside_the_phase_it_is_for(planner, kb):
    calendar = load_academic_calendar()
    by_target = {c.channel: (c.class_of, c.track) for c in COHORTS}
    by_target |= {students[0][1]: pair for pair, students in STUDENTS.items()}
    nudges = planner.plan(date(2026, 1, 1), date(2030, 6, 30), STUDENTS)
    assert len(nudges) > 200
    tasks = {task.id: task for task in planner.rules.tasks}
    for nudge in nudges:
        class_of, track = by_target[nudge.channel]
        window = calendar.window_on(class_of, track, nudge.send_at.date())
        assert window is not None, nudge
        if nudge.nudge.startswith("announce-"):
            entry = kb.by_id[nudge.nudge.removeprefix("announce-")]
            assert not entry.phases or window.phase in entry.phases, nudge
            assert entry.applies_to_track(track)
        else:
            phase = task_timing(planner.kb, tasks[nudge.nudge]).phase
            assert window.phase == phase, nudge


def test_graduation_year_events_reach_only_the_graduating_class(planner):
    january = planner.plan(date(2026, 12, 20), date(2027, 1, 31), STUDENTS)
    rank_list = {n.channel for n in january if n.nudge == "announce-rank-list-series"}
    assert rank_list == {"C2027P", "C2027H"}
    road = {n.channel for n in january if n.nudge == "announce-road-to-residency-1"}
    assert road == {"C2028P", "C2028H"}
    rasa = {n.channel for n in january if n.nudge == "task-choose-rasa"}
    assert rasa == {"U2028P", "U2028H"}


def test_the_cim_retake_goes_to_the_pce_class_in_june(planner):
    june = planner.plan(date(2027, 5, 1), date(2027, 6, 30), STUDENTS)
    assert {n.channel for n in june if n.nudge == "task-cim-survey-retake"} == {"U2029P", "U2029H"}
    [announce] = {n.send_at for n in june if n.nudge == "announce-cim-survey-retake"}
    assert announce == datetime.fromisoformat("2027-05-25T10:00:00-04:00")


def test_send_times_follow_daylight_saving_time(planner):
    nudges = planner.plan(date(2027, 1, 1), date(2027, 12, 31), STUDENTS)
    offsets = {n.send_at.month: n.send_at.utcoffset().total_seconds() / 3600 for n in nudges}
    assert offsets[1] == -5 and offsets[6] == -4 and offsets[12] == -5
    assert all(n.send_at.hour == 10 and n.send_at.weekday() < 5 for n in nudges)


def test_rules_naming_unknown_events_are_rejected(kb, tmp_path):
    (tmp_path / "nudges.yaml").write_text("""
announcements: {lead_days: 7, send_time: "10:00", grace_hours: 72, skip: [no-such-event]}
categories: {tasks: Tasks}
tasks:
  - {id: t, event: nope, category: tasks, text: x, follow_up_days: 7, max_follow_ups: 1}
  - {id: u, event: cim-survey-retake, about: nowhere, category: chores, text: x, follow_up_days: 7,
     max_follow_ups: 1}
""")
    with pytest.raises(ContentError) as error:
        load_rules(kb, tmp_path)
    assert len(error.value.problems) == 4
    assert any("'chores'" in problem for problem in error.value.problems)


def test_cohorts_file_is_validated(tmp_path):
    path = tmp_path / "cohorts.yaml"
    path.write_text("cohorts:\n  - {class_of: 2028, track: pathways, channel: general}\n")
    with pytest.raises(ContentError, match="channel"):
        load_cohorts(path)
    assert load_cohorts(tmp_path / "missing.yaml") == ()


def test_preview_command_lists_one_json_item_per_message(isolated_env, capsys):
    (isolated_env / "cohorts.yaml").write_text("cohorts:\n  - {class_of: 2028, track: pathways, channel: C2028P}\n")
    (isolated_env / "roster.csv").write_text("slack_user_id,class_of,track\nU2028P,2028,pathways\n")
    assert main(["roster", "import", str(isolated_env / "roster.csv")]) == 0
    capsys.readouterr()
    assert main(["nudges", "preview", "--from", "2027-04-20", "--to", "2027-05-10", "--json"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert {(item["channel"], item["nudge"]) for item in items} >= {("C2028P", "announce-ps-lor-cv-workshop"),
                                                                   ("U2028P", "task-ps-lor-cv")}
    assert all(set(item) == {"send_at", "channel", "text", "nudge"} for item in items)
    assert all(datetime.fromisoformat(item["send_at"]).utcoffset() is not None for item in items)


def test_an_event_held_in_different_months_for_each_year_reaches_each_class_in_its_own(planner):
    """The Preclerkship open house: fall and spring for first-years, summer for second-years, never second-years'
    fall (the class of 2029 is in its second Preclerkship year in the fall of 2026)."""
    nudges = [n for n in planner.plan(date(2026, 1, 1), date(2027, 12, 31), STUDENTS)
              if n.nudge == "announce-open-house-preclerkship"]
    months = {(n.channel, n.occurrence) for n in nudges}
    assert ("C2030P", "2026-09") in months  # first-years' fall
    assert ("C2030P", "2027-03") in months  # spring and summer run on: one announcement
    assert not {m for m in months if m[0] == "C2029P" and m[1] >= "2026-09"}, "second-years get no fall open house"
