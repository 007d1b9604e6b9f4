"""Nudges as students meet them in Slack: Done and Remind me later, replies in the nudge's thread, reminder
settings in `/advisor nudges` and the App Home. The real bot (`advisor run`, HTTP mode) gets signed requests;
the nudges it acts on were sent by the real dispatcher into the same database.
"""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest

from scheduler.ticks import start_jobs
from support.nudge_world import class_in_pce_today, make_world
from support.slack_driver import RunningBot, block_action, dm
from support.slack_stand_in import SlackStandIn

PCE, PCE_OTHER, PRECLERKSHIP = "U0NPCE1", "U0NPCE2", "U0NPRE"
STUDENTS = {PCE: (2028, "pathways"), PCE_OTHER: (2028, "hst"), PRECLERKSHIP: (2029, "pathways")}
JUNE_1 = "2026-06-01T10:05:00-04:00"


@pytest.fixture
def slack():
    with SlackStandIn() as stand_in:
        yield stand_in


@pytest.fixture
def world(monkeypatch, slack, isolated_env):
    w = make_world(monkeypatch, f"sqlite:///{isolated_env / 'advisor.db'}", slack, isolated_env, STUDENTS,
                   QUIET_HOURS="off")
    w.run(JUNE_1)
    return w


@pytest.fixture
def bot(world, slack, isolated_env):
    running = RunningBot(slack.url, world.settings.database_url, isolated_env / "bot",
                         extra_env={"NUDGES_ENABLED": "false"}).start()
    yield running
    running.stop()


def the_nudge(world, user):
    [call] = world.messages(user)
    row = world.ledger.get(call.params["metadata"]["event_payload"]["delivery"])
    return row, {"ts": row.ts, "text": call.params["text"], "blocks": call.params["blocks"]}


def press(bot, slack, world, user, action, owner=None, name="press"):
    row, message = the_nudge(world, owner or user)
    bot.send_interaction(block_action(user, action, str(row.id), slack.response_url(name), row.conversation,
                                      message))
    [reply] = slack.wait_for(f"respond/{name}", timeout=10)
    return row, reply.params


def test_done_replaces_the_buttons_and_stops_follow_ups(bot, slack, world):
    _row, reply = press(bot, slack, world, PCE, "advisor_nudge_done")
    assert reply["replace_original"] in (True, "true")
    shown = json.dumps(reply["blocks"])
    assert "Marked done" in shown and "advisor_nudge_done" not in shown and "Careers in Medicine" in shown
    assert world.run("2026-06-15T10:05:00-04:00").sent == 1  # only the other PCE student's follow-up
    assert len(world.messages(PCE)) == 1 and len(world.messages(PCE_OTHER)) == 2


def test_the_checklist_ticks_the_tasks_marked_done(bot, slack, world):
    press(bot, slack, world, PCE, "advisor_nudge_done")  # the CiM survey retake
    bot.send_command(PCE, f"profile {class_in_pce_today()} pathways", slack.response_url("profile"))
    bot.send_event(dm(PCE, "what should i be doing right now?"))
    [checklist] = slack.wait_for("chat.postMessage", where=lambda c: c.params["channel"] == f"D{PCE}"
                                 and "checklist" in c.params["text"], timeout=10)
    lines = checklist.params["text"].splitlines()
    assert any(line.startswith("✓") and "Careers in Medicine survey" in line and "(done)" in line for line in lines)
    assert any(line.startswith("☐") and "Post-PCE" in line for line in lines), "tasks not done stay open"


def test_someone_elses_nudge_cannot_be_pressed(bot, slack, world):
    row, reply = press(bot, slack, world, PCE_OTHER, "advisor_nudge_done", owner=PCE)
    assert reply.get("response_type") == "ephemeral" and "not one of yours" in reply["text"]
    assert not world.ledger.is_done(row)


def test_remind_me_later_says_when(bot, slack, world):
    _, reply = press(bot, slack, world, PCE, "advisor_nudge_later")
    assert "remind you again on" in json.dumps(reply["blocks"])


def test_a_reply_in_the_nudges_thread_is_answered_about_it(bot, slack, world):
    row, _ = the_nudge(world, PRECLERKSHIP)
    bot.send_event(dm(PRECLERKSHIP, "how often?", channel=row.conversation, thread_ts=row.ts))
    [answer] = slack.wait_for("chat.postMessage", where=lambda c: c.params.get("thread_ts") == row.ts, timeout=10)
    assert "Society Advisor" in answer.params["text"]
    bot.send_event(dm(PRECLERKSHIP, "what's the weather like?", channel=row.conversation, thread_ts=row.ts))
    [_, decline] = slack.wait_for("chat.postMessage", count=2, where=lambda c: c.params.get("thread_ts") == row.ts,
                                  timeout=10)
    assert decline.params["text"].startswith("I'm not sure"), "a new subject is not answered with the nudge's topic"


def test_advisor_nudges_turns_categories_off_and_on(bot, slack, world):
    reply = bot.send_command(PRECLERKSHIP, "nudges off advising", slack.response_url("off")).json()
    assert "Advisor meeting reminders (`advising`): *off*" in reply["text"]
    assert world.dispatcher.preferences.opted_out(PRECLERKSHIP) == {"advising"}
    bad = bot.send_command(PRECLERKSHIP, "nudges off horoscopes", slack.response_url("bad")).json()
    assert "no reminder category" in bad["text"]
    bot.send_command(PRECLERKSHIP, "nudges on all", slack.response_url("on"))
    assert world.dispatcher.preferences.opted_out(PRECLERKSHIP) == set()  # committed before the acknowledgement


def test_the_app_home_switches_a_category(bot, slack, world):
    bot.send_interaction(block_action(PCE, "advisor_nudge_category_tasks", "off", slack.response_url("home")))
    [view] = slack.wait_for("views.publish", timeout=10)
    assert world.dispatcher.preferences.opted_out(PCE) == {"tasks"}
    switches = [block["accessory"] for block in view.params["view"]["blocks"]
                if (block.get("accessory") or {}).get("action_id", "").startswith("advisor_nudge_category_")]
    assert {s["action_id"]: s["value"] for s in switches} == {"advisor_nudge_category_tasks": "on",
                                                              "advisor_nudge_category_advising": "off"}


def test_the_scheduler_ticks_on_its_own():
    ticked = threading.Semaphore(0)
    scheduler = start_jobs({"nudges": (ticked.release, 1)}, first_tick=timedelta(0))
    try:
        assert ticked.acquire(timeout=10) and ticked.acquire(timeout=10)
    finally:
        scheduler.shutdown(wait=False)
