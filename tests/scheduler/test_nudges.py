"""Sending nudges: once, to the right phase, at the right local time, with respect for students' settings.

Each test runs the real dispatcher against the loopback Slack stand-in over HTTP, on SQLite and PostgreSQL.
Class of 2028 (Pathways and HST) is in the PCE in 2026, class of 2029 in the Preclerkship.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from app import main
from store.ledger import Ledger
from store.recipients import SLACK, Recipient
from support.nudge_world import make_world
from support.slack_stand_in import SlackStandIn

PCE_PATHWAYS, PCE_HST, PRECLERKSHIP = "U0PCEP", "U0PCEH", "U0PRE"
STUDENTS = {PCE_PATHWAYS: (2028, "pathways"), PCE_HST: (2028, "hst"), PRECLERKSHIP: (2029, "pathways")}
JUNE_1 = "2026-06-01T10:05:00-04:00"  # the CiM retake (PCE) and a Society Advisor meeting (Preclerkship) are due


@pytest.fixture
def slack():
    with SlackStandIn(timezones={PCE_PATHWAYS: "America/Los_Angeles"}) as stand_in:
        yield stand_in


@pytest.fixture
def world(monkeypatch, database_url, slack, isolated_env):
    def build(**env):
        return make_world(monkeypatch, database_url, slack, isolated_env, STUDENTS,
                          {(2028, "pathways"): "C2028P"}, **env)
    return build


def nudges_to(world, user):
    return [call.params["metadata"]["event_payload"]["delivery"] for call in world.messages(user)]


def rule_of(world, call):
    return world.ledger.get(call.params["metadata"]["event_payload"]["delivery"]).nudge


def test_each_student_gets_their_phase_task_once_even_when_run_twice(world):
    w = world(QUIET_HOURS="off")
    first = w.run(JUNE_1)
    assert first.sent == 3
    assert {(call.params["channel"], rule_of(w, call)) for call in w.messages()} == {
        (PCE_PATHWAYS, "task-cim-survey-retake"), (PCE_HST, "task-cim-survey-retake"),
        (PRECLERKSHIP, "task-society-advisor-meeting")}
    second = w.run(JUNE_1)
    assert second.sent == 0 and len(w.messages()) == 3
    [call] = w.messages(PCE_HST)
    assert [b["elements"][0]["action_id"] for b in call.params["blocks"] if b["type"] == "actions"] == \
        ["advisor_nudge_done"]
    assert "Careers in Medicine" in call.params["text"]


def test_announcements_go_to_the_class_channel_paced_per_channel(world, slack):
    w = world(SLACK_CHANNEL_POST_RATE="1")  # a channel post is not a DM: quiet hours are the institution's
    report = w.run("2026-05-25T10:01:00-04:00")
    calls = w.messages("C2028P")
    assert report.sent == 2 and len(calls) == 2
    assert calls[1].at - calls[0].at >= 1.0, "at most one message a second into one channel"
    assert {rule_of(w, call) for call in calls} == {"announce-cim-survey-retake", "announce-open-house-pce"}
    assert all("actions" not in [b["type"] for b in call.params["blocks"]] for call in calls)


def test_slack_rate_limits_are_honoured_without_losing_anyone(world, slack):
    w = world(QUIET_HOURS="off")
    slack.fail_next("chat.postMessage", 429, times=2, retry_after=1)
    report = w.run(JUNE_1)
    assert report.sent == 3 and sorted(w.per_target().values()) == [1, 1, 1]
    assert len(slack.calls("chat.postMessage")) == 5


def test_quiet_hours_follow_the_students_own_time_zone(world):
    w = world()  # 21:00-08:00; PCE_PATHWAYS lives in Los Angeles, where 10:05 in New York is 07:05
    report = w.run(JUNE_1)
    assert report.sent == 2 and report.deferred == 1 and not w.messages(PCE_PATHWAYS)
    assert w.run("2026-06-01T10:59:00-04:00").sent == 0
    assert w.run("2026-06-01T11:00:00-04:00").sent == 1 and len(w.messages(PCE_PATHWAYS)) == 1


def test_a_user_slack_does_not_know_falls_back_to_the_institutions_zone(world, slack):
    w = world()
    slack.fail_next("users.info", 200, error="user_not_found")  # the first student looked up is PCE_HST
    report = w.run(JUNE_1)
    assert report.sent == 2 and report.deferred == 1, "the others' zones were still looked up"
    zones = {user.id: student.timezone
             for user, student in w.dispatcher.roster.get_many({Recipient(SLACK, user) for user in STUDENTS}).items()}
    assert zones == {PCE_HST: None, PCE_PATHWAYS: "America/Los_Angeles", PRECLERKSHIP: "America/New_York"}


def test_missed_nudges_catch_up_within_grace_and_stale_ones_are_skipped_and_logged(world, caplog):
    w = world(QUIET_HOURS="off")
    w.run("2026-05-29T12:00:00-04:00")  # the bot was running before the CiM nudge was due...
    late = w.run("2026-06-03T09:00:00-04:00")  # ...then down for 47 hours: within the 72-hour grace
    assert late.sent == 3

    # A second deployment whose bot was down for longer than the grace window.
    Ledger(w.ledger.engine).set_planned_until(datetime.fromisoformat("2026-09-28T12:00:00-04:00"))
    stale = w.run("2026-10-05T12:00:00-04:00")  # the Society Advisor nudge of 1 October is 4 days old
    assert stale.sent == 0 and stale.missed == 1
    assert "past their grace window" in caplog.text
    statuses = {rule.nudge: rule for rule in w.ledger.status()}
    # The October nudge was never sent; June's follow-up (due 10 June) had waited on the ledger and is too old now.
    assert statuses["task-society-advisor-meeting"].reasons == {"missed": 1, "stale": 1}


def test_the_weekly_cap_holds_back_a_fourth_message(world):
    w = world(QUIET_HOURS="off", NUDGE_WEEKLY_CAP="1")
    for moment in (JUNE_1, "2026-06-15T10:05:00-04:00", "2026-06-29T10:05:00-04:00"):
        w.run(moment)  # the CiM task and its two follow-ups, a fortnight apart
    assert len(w.messages(PCE_PATHWAYS)) == 3
    report = w.run("2026-07-01T10:05:00-04:00")  # "plan your Post-PCE" comes two days after the last follow-up
    assert report.sent == 0 and len(w.messages(PCE_PATHWAYS)) == 3
    statuses = {rule.nudge: rule for rule in w.ledger.status()}
    assert statuses["task-plan-post-pce"].reasons == {"weekly cap": 1}


def test_opting_out_of_a_category_stops_only_that_category(world):
    w = world(QUIET_HOURS="off")
    w.dispatcher.preferences.choose(PRECLERKSHIP, "advising", wanted=False)
    assert w.run(JUNE_1).sent == 2 and not w.messages(PRECLERKSHIP)
    assert {rule.nudge: rule for rule in w.ledger.status()}["task-society-advisor-meeting"].reasons == \
        {"opted out": 1}


def test_done_stops_follow_ups_and_remind_me_later_brings_it_back(world):
    w = world(QUIET_HOURS="off")
    w.run(JUNE_1)
    [hst_nudge] = nudges_to(w, PCE_HST)
    [pathways_nudge] = nudges_to(w, PCE_PATHWAYS)
    desk = _desk(w)
    assert desk.done(PCE_HST, hst_nudge)
    assert not desk.done(PCE_HST, pathways_nudge), "a student can only act on their own nudge"
    when = desk.later(PCE_PATHWAYS, pathways_nudge, datetime.fromisoformat("2026-06-02T09:00:00-04:00"))
    assert when == datetime.fromisoformat("2026-06-05T10:00:00-04:00")
    assert w.run("2026-06-05T10:05:00-04:00").sent == 1
    assert len(w.messages(PCE_PATHWAYS)) == 2 and len(w.messages(PCE_HST)) == 1
    w.run("2026-06-15T10:05:00-04:00")
    assert len(w.messages(PCE_HST)) == 1, "Done stopped the follow-ups"
    w.run("2026-06-19T10:05:00-04:00")
    assert len(w.messages(PCE_PATHWAYS)) == 3, "the follow-up came a fortnight after the reminder"
    [follow_up] = w.messages(PCE_PATHWAYS)[-1:]
    assert follow_up.params["text"].startswith("*Following up:*")


def test_a_student_who_left_the_phase_is_not_nudged(world):
    w = world()
    w.run(JUNE_1)  # PCE_PATHWAYS waits for the end of their quiet hours...
    make_preclerkship = {PCE_PATHWAYS: (2029, "pathways")}
    from support.nudge_world import roster

    roster(w.settings.database_url, make_preclerkship)  # ...and the registrar moves them to another class
    report = w.run("2026-06-01T11:05:00-04:00")
    assert report.skipped == 1 and report.sent == 1
    assert [rule_of(w, call) for call in w.messages(PCE_PATHWAYS)] == ["task-society-advisor-meeting"]
    reasons = {rule.nudge: rule.reasons for rule in w.ledger.status()}
    assert reasons["task-cim-survey-retake"] == {"not in the pce phase any more": 1}


def test_times_are_local_across_daylight_saving(world):
    w = world(QUIET_HOURS="off")
    assert w.run("2026-06-01T13:59:00+00:00").sent == 0  # 10:00 EDT is 14:00 UTC in June
    assert w.run("2026-06-01T14:00:00+00:00").sent == 3
    assert w.run("2026-12-01T14:30:00+00:00").sent == 0  # 10:00 EST is 15:00 UTC in December
    assert w.run("2026-12-01T15:00:00+00:00").sent == 1 and len(w.messages(PRECLERKSHIP)) == 2


def test_a_message_slack_took_before_a_crash_is_found_not_sent_again(world, monkeypatch):
    w = world(QUIET_HOURS="off")
    real_sent = Ledger.sent
    crashed = []

    def crash_once(self, row, *args):
        if not crashed:
            crashed.append(row.id)
            raise RuntimeError("killed between Slack's answer and the ledger update")
        return real_sent(self, row, *args)

    monkeypatch.setattr(Ledger, "sent", crash_once)
    with pytest.raises(RuntimeError):
        w.run(JUNE_1)
    monkeypatch.setattr(Ledger, "sent", real_sent)
    report = w.run(JUNE_1)
    assert report.recovered == 1
    assert sorted(w.per_target().values()) == [1, 1, 1]
    assert w.ledger.get(crashed[0]).status == "sent"


def test_status_and_send_due_commands(world, capsys):
    world(QUIET_HOURS="off")
    assert main(["nudges", "send-due", "--now", JUNE_1]) == 0
    assert "3 sent" in capsys.readouterr().out
    assert main(["nudges", "send-due", "--now", JUNE_1, "--json"]) == 0
    assert '"sent": 0' in capsys.readouterr().out
    assert main(["nudges", "status", "--json"]) == 0
    import json

    rules = {rule["nudge"]: rule for rule in json.loads(capsys.readouterr().out)}
    assert rules["task-cim-survey-retake"]["sent"] == 2
    assert rules["task-cim-survey-retake"]["pending"] == 2  # each student's first follow-up is planned
    assert main(["nudges", "status"]) == 0
    assert "task-society-advisor-meeting" in capsys.readouterr().out


def _desk(w):
    from bot.nudge_desk import NudgeDesk

    return NudgeDesk(w.ledger, w.dispatcher.preferences, w.dispatcher.planner)


def test_each_run_writes_only_new_nudges_and_students_rostered_since_get_todays(world, monkeypatch):
    from sqlalchemy import update

    from store.models import RosterStudent
    from support.nudge_world import roster

    w = world(QUIET_HOURS="off")
    w.run(JUNE_1)
    with w.ledger.engine.begin() as connection:  # the roster was imported long before
        connection.execute(update(RosterStudent).values(updated_at=datetime.fromisoformat("2026-01-05T00:00+00:00")))
    recorded = []
    real_record = Ledger.record
    monkeypatch.setattr(Ledger, "record", lambda self, nudges, now: recorded.append(
        sorted(n.channel for n in nudges)) or real_record(self, nudges, now))
    w.run("2026-06-01T10:30:00-04:00")
    roster(w.settings.database_url, {"U0LATE": (2028, "pathways")})
    report = w.run("2026-06-01T11:00:00-04:00")
    assert recorded == [[], ["U0LATE"]], "the morning's nudges were not written again"
    assert report.sent == 1 and len(w.messages("U0LATE")) == 1 and len(w.messages()) == 4
