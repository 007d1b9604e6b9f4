"""Every Slack listener family, in process: the real core and Bolt app (as `advisor run` builds them) get signed
requests through the endpoint's own checks (support/slack_app.py), their Web API calls and response_url posts go
to the loopback stand-in, and the database is real (SQLite; PostgreSQL too where storage is the point).

The fast companion of test_end_to_end.py, test_alumni.py and test_nudges.py, which run `advisor run` as a
subprocess. Wording is staff-editable, so replies are compared with what the core says (its answers and copy) or
checked for their structure, ids and numbers, never for sentences of their own.
"""

from __future__ import annotations

import itertools
import json
import os
import time

import pytest
from sqlmodel import Session, select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from bot.commands import FORGET_WORDS
from bot.core import Student
from config.settings import SETTING_NAMES
from handlers.slack import alumni_blocks
from handlers.slack.blocks import (
    ASK_PERSON_ACTION,
    ENTRY_ACTION,
    OPEN_INTAKE_ACTION,
    OPEN_PROFILE_ACTION,
    QUICK_ACTION,
    VOTE_HELPFUL,
    VOTE_NOT_HELPFUL,
    notice,
)
from handlers.slack.common import render, student
from handlers.slack.http import EVENTS_PATH, routes
from handlers.slack.markdown import escape
from handlers.slack.nudge_blocks import BUTTONS_BLOCK, NUDGE_CATEGORY, NUDGE_DONE, NUDGE_LATER
from handlers.slack.surfaces import CLASS_BLOCK, PROFILE_CALLBACK, TRACK_BLOCK
from store.models import NudgeDelivery, ProcessedEvent
from store.outbox import CARD, CARD_UPDATE, PENDING, STUDENT
from store.request_states import CLAIMED, OPEN
from support.nudge_world import make_world
from support.slack_app import FORM, InProcessSlack, Signed, command, event, interaction, listener_settings, signed
from support.slack_driver import block_action, dm, event_envelope, mention, view_submission

WAIT = 15.0  # seconds: generous for a loaded 2-core machine; a passing test takes milliseconds
LIAISON_CHANNEL, LIAISON = "C0LIAISON", "U0LIAISON"
_newcomers = itertools.count(1)
REQUEST = "an alum in dermatology in Boston, for a call about research years"


def start(slack, database_url: str, data_dir, base=None) -> InProcessSlack:
    return InProcessSlack.build(listener_settings(slack.url, database_url, data_dir, base,
                                                  alumni_liaison_channel=LIAISON_CHANNEL,
                                                  liaison_user_ids=frozenset({LIAISON})))


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    """Shared by the module's apps: it holds only the answer engine's cache (each app has its own database)."""
    return tmp_path_factory.mktemp("listeners-data")


@pytest.fixture(scope="module")
def shared_app(slack, data_dir):
    """One app on one SQLite database for the tests where storage is not the point (each uses its own users),
    built from an environment cleared of settings as `isolated_env` clears it."""
    with pytest.MonkeyPatch.context() as env:
        for name in SETTING_NAMES & set(os.environ):
            env.delenv(name)
        env.chdir(data_dir)
        running = start(slack, f"sqlite:///{data_dir / 'advisor.db'}", data_dir)
    yield running
    running.close()


@pytest.fixture
def app(shared_app):
    """The shared app; after each test its after-ack work has finished, so none lands in the next test's calls."""
    yield shared_app
    shared_app.settle(WAIT)


@pytest.fixture
def stored_app(slack, isolated_env, data_dir, database_url):
    """The listeners on a fresh database, SQLite and PostgreSQL, for tests where what is stored is the point."""
    running = start(slack, database_url, data_dir)
    yield running
    running.close()


def ok(response, status: int = 200) -> dict:
    """The acknowledgement's JSON body ({} when empty), after checking its status."""
    assert response.status == status, (response.status, response.body)
    return json.loads(response.body) if response.body else {}


def action_ids(blocks: list[dict]) -> list[str]:
    return [element.get("action_id", "") for block in blocks
            for element in [*block.get("elements", []), block.get("accessory") or {}] if element.get("type")]


def nothing_sent(slack) -> bool:
    """Nothing reached the stand-in but the app's own check of its token when it was built (auth.test)."""
    return [call.method for call in slack.calls() if call.method != "auth.test"] == []


def to(channel: str):
    return lambda call: call.params.get("channel") == channel


def newcomer() -> Student:
    """A student with no history, to ask the core directly what a student would be told."""
    return student(f"U0REFERENCE{next(_newcomers)}")


def expected_answer(app: InProcessSlack, question: str) -> dict:
    """The message the core's answer to `question` renders to, for a student with no history."""
    return render(app.core, app.core.answer(newcomer(), question))


def processed_events(app: InProcessSlack) -> list[ProcessedEvent]:
    """The events claimed (by the dedupe middleware) in the app's database."""
    with Session(app.core.profiles.engine) as db:
        return list(db.exec(select(ProcessedEvent)))


def file_by_command(app: InProcessSlack, slack, user: str = "U0STUDENT", text: str = REQUEST):
    reply = ok(app.receive(command(user, f"alumni {text}", slack.response_url("alumni"))))
    [request] = app.core.requests.mine("slack", user)
    return request, reply


# --- messages, mentions, the assistant panel ---------------------------------------------------------------

def test_a_direct_message_is_answered_in_its_conversation_with_the_cores_answer(app, slack):
    question = "what is ERAS?"
    assert ok(app.receive(event(dm("U0DM", question)))) == {}  # an empty acknowledgement: the answer follows it
    [answer] = slack.wait_for("chat.postMessage", where=to("DU0DM"), timeout=WAIT)
    expected = expected_answer(app, question)
    assert answer.params["text"] == expected["text"] and answer.params.get("thread_ts") is None
    entry = app.core.answer(newcomer(), question).reply.entry
    votes = {e["action_id"]: e["value"] for b in answer.params["blocks"] if b.get("block_id") == "vote"
             for e in b["elements"]}
    assert votes == {VOTE_HELPFUL: entry, VOTE_NOT_HELPFUL: entry}
    assert answer.params["metadata"]["event_payload"]["to"].startswith("event:")  # stamped, to be found again


def test_a_reply_in_a_dm_thread_is_answered_in_that_thread(app, slack):
    first = dm("U0THREAD", "what is ERAS?")
    app.receive(event(first))
    slack.wait_for("chat.postMessage", where=to("DU0THREAD"), timeout=WAIT)
    reply = dm("U0THREAD", "what is a RASA?", thread_ts=first["ts"])
    ok(app.receive(event(reply)))
    [_, answer] = slack.wait_for("chat.postMessage", count=2, where=to("DU0THREAD"), timeout=WAIT)
    assert answer.params["thread_ts"] == first["ts"]
    assert answer.params["text"] == expected_answer(app, "what is a RASA?")["text"]


def test_a_mention_is_answered_in_a_thread_under_it_without_the_mention(app, slack):
    said = mention("U0MENTION", "C0GENERAL", "what is ERAS?")
    ok(app.receive(event(said)))
    [answer] = slack.wait_for("chat.postMessage", where=to("C0GENERAL"), timeout=WAIT)
    assert answer.params["thread_ts"] == said["ts"]
    assert answer.params["text"] == expected_answer(app, "what is ERAS?")["text"]


def test_an_assistant_thread_gets_the_greeting_and_the_students_prompts(app, slack):
    thread = {"user_id": "U0PANEL", "channel_id": "DU0PANEL", "thread_ts": "1700000001.000001", "context": {}}
    ok(app.receive(event({"type": "assistant_thread_started", "assistant_thread": thread,
                          "event_ts": f"{time.time():.6f}"})))
    [prompts] = slack.wait_for("assistant.threads.setSuggestedPrompts", timeout=WAIT)
    [greeting] = slack.wait_for("chat.postMessage", where=to("DU0PANEL"), timeout=WAIT)
    assert greeting.params["thread_ts"] == thread["thread_ts"]
    assert greeting.params["text"] == notice(app.core.copy.greeting)["text"]
    quick = app.core.quick_questions(app.core.context(student("U0PANEL")))
    assert prompts.params["thread_ts"] == thread["thread_ts"]
    assert [p["title"] for p in prompts.params["prompts"]] == list(quick[:len(prompts.params["prompts"])])
    assert 0 < len(prompts.params["prompts"]) <= 4


def test_messages_from_bots_edits_and_channel_chatter_are_acknowledged_and_ignored(app, slack):
    for ignored in (dm("U0OTHER", "what is ERAS?", bot_id="B0OTHER"), dm("U0EDIT", "x", subtype="message_changed"),
                    {**dm("U0CHAT", "what is ERAS?", channel="C0CLASS"), "channel_type": "channel"}):
        ok(app.receive(event(ignored)))
    app.settle(WAIT)
    assert nothing_sent(slack)


# --- the App Home -------------------------------------------------------------------------------------------

def test_opening_the_app_home_publishes_the_students_home(app, slack):
    ok(app.receive(event({"type": "app_home_opened", "user": "U0HOME", "channel": "DU0HOME", "tab": "home",
                          "event_ts": f"{time.time():.6f}"})))
    [published] = slack.wait_for("views.publish", timeout=WAIT)
    view = published.params["view"]
    assert published.params["user_id"] == "U0HOME" and view["type"] == "home"
    ids = action_ids(view["blocks"])
    quick = app.core.quick_questions(app.core.context(student("U0HOME")))
    assert OPEN_PROFILE_ACTION in ids and OPEN_INTAKE_ACTION in ids
    assert sum(i.startswith(QUICK_ACTION) for i in ids) == len(quick)
    assert {f"{NUDGE_CATEGORY}_{c.category}" for c in app.core.nudge_choices(student("U0HOME"))} <= set(ids)


def test_the_messages_tab_of_the_app_home_publishes_nothing(app, slack):
    ok(app.receive(event({"type": "app_home_opened", "user": "U0HOME", "channel": "DU0HOME", "tab": "messages",
                          "event_ts": f"{time.time():.6f}"})))
    app.settle(WAIT)
    assert nothing_sent(slack)


# --- /advisor ---------------------------------------------------------------------------------------------

def test_help_empty_and_unknown_words_get_the_same_help_in_the_acknowledgement_alone(app, slack):
    replies = [ok(app.receive(command("U0HELP", text, slack.response_url(f"help{n}"))))
               for n, text in enumerate(["help", "", "launch the rockets"])]
    assert replies[0]["response_type"] == "ephemeral" and replies[0]["text"] and replies[0]["blocks"]
    assert replies[1] == replies[0] and replies[2] == replies[0]
    app.settle(WAIT)
    assert nothing_sent(slack)


def test_ask_answers_on_the_response_url_only_the_student_sees(app, slack):
    question = "when is match day"
    assert ok(app.receive(command("U0ASK", f"ask {question}", slack.response_url("ask")))) == {}
    [answered] = slack.wait_for("respond/ask", timeout=WAIT)
    assert answered.params["response_type"] == "ephemeral"
    assert answered.params["text"] == expected_answer(app, question)["text"]


def test_profile_is_set_and_forgotten_by_command_with_the_home_refreshed_each_time(stored_app, slack):
    app, who = stored_app, student("U0PROFILE")
    year = app.core.class_years()[0]
    saved = ok(app.receive(command(who.user_id, f"profile {year} hst", slack.response_url("set"))))
    profile = app.core.profile(who)  # committed before the acknowledgement
    assert (profile.class_of, profile.track) == (year, "hst")
    assert saved["response_type"] == "ephemeral" and escape(app.core.describe(profile)) in saved["text"]
    slack.wait_for("views.publish", where=lambda c: c.params["user_id"] == who.user_id, timeout=WAIT)
    forget = sorted(FORGET_WORDS)[0]
    assert ok(app.receive(command(who.user_id, f"profile {forget}", slack.response_url("forget"))))["text"]
    forgotten = app.core.profile(who)
    assert (forgotten.class_of, forgotten.track) == (None, None)
    slack.wait_for("views.publish", count=2, where=lambda c: c.params["user_id"] == who.user_id, timeout=WAIT)


def test_a_profile_that_cannot_be_saved_is_not_saved(app, slack):
    reply = ok(app.receive(command("U0BADYEAR", "profile 1999 pathways", slack.response_url("bad"))))
    assert reply["response_type"] == "ephemeral" and reply["text"]
    assert app.core.profile(student("U0BADYEAR")).class_of is None


def test_profile_alone_opens_the_profile_modal(app, slack):
    request = command("U0MODAL", "profile", slack.response_url("modal"))
    assert ok(app.receive(request)) == {}
    [opened] = slack.wait_for("views.open", timeout=WAIT)
    assert opened.params["view"]["callback_id"] == PROFILE_CALLBACK
    assert opened.params["trigger_id"] in request.body.decode()


def test_nudges_lists_the_categories_and_turns_one_off_and_all_back_on(stored_app, slack):
    app, who = stored_app, student("U0NUDGES")
    categories = [choice.category for choice in app.core.nudge_choices(who)]
    listed = ok(app.receive(command(who.user_id, "nudges", slack.response_url("list"))))
    assert listed["response_type"] == "ephemeral" and all(f"`{c}`" in listed["text"] for c in categories)
    ok(app.receive(command(who.user_id, f"nudges off {categories[0]}", slack.response_url("off"))))
    assert {c.category for c in app.core.nudge_choices(who) if not c.on} == {categories[0]}
    ok(app.receive(command(who.user_id, "nudges on all", slack.response_url("on"))))
    assert all(c.on for c in app.core.nudge_choices(who))
    # the App Home is redrawn for each change, not for the listing
    slack.wait_for("views.publish", count=2, where=lambda c: c.params["user_id"] == who.user_id, timeout=WAIT)
    app.settle(WAIT)
    assert len([c for c in slack.calls("views.publish") if c.params["user_id"] == who.user_id]) == 2


def test_alumni_with_words_files_a_request_with_its_card_queued_and_answers_with_its_number(stored_app, slack):
    app = stored_app
    request, reply = file_by_command(app, slack)
    assert f"#{request.id}" in reply["text"] and reply["response_type"] == "ephemeral"
    assert (request.status, request.description) == (OPEN, REQUEST)
    assert [(m.kind, m.status) for m in app.core.requests.outbox.of_request(request.id)] == [(CARD, PENDING)]
    app.settle(WAIT)
    assert nothing_sent(slack)  # the card leaves through the outbox worker, not the listener


def test_the_same_alumni_command_delivered_twice_files_once(stored_app, slack):
    app = stored_app
    twice = command("U0TWICE", f"alumni {REQUEST}", slack.response_url("twice"))
    first, second = ok(app.receive(twice)), ok(app.receive(twice))
    [request] = app.core.requests.mine("slack", "U0TWICE")
    assert f"#{request.id}" in first["text"] and f"#{request.id}" in second["text"]
    assert len(app.core.requests.outbox.of_request(request.id)) == 1


def test_alumni_alone_opens_the_intake_modal(app, slack):
    assert ok(app.receive(command("U0FORM", "alumni", slack.response_url("form")))) == {}
    [opened] = slack.wait_for("views.open", timeout=WAIT)
    assert opened.params["view"]["callback_id"] == alumni_blocks.INTAKE_CALLBACK
    assert app.core.requests.mine("slack", "U0FORM") == []


def test_requests_lists_the_students_own_requests_only(app, slack):
    mine, _ = file_by_command(app, slack, user="U0MINE")
    theirs, _ = file_by_command(app, slack, user="U0THEIRS", text="an alum in surgery in Chicago")
    listed = ok(app.receive(command("U0MINE", "requests", slack.response_url("requests"))))
    assert f"#{mine.id}" in listed["text"] and f"#{theirs.id}" not in listed["text"]


# --- buttons -----------------------------------------------------------------------------------------------

def test_a_vote_on_an_answer_is_stored_and_the_vote_buttons_are_replaced(stored_app, slack):
    app = stored_app
    app.receive(event(dm("U0VOTER", "what is ERAS?")))
    [answer] = slack.wait_for("chat.postMessage", where=to("DU0VOTER"), timeout=WAIT)
    entry = next(e["value"] for b in answer.params["blocks"] for e in b.get("elements", [])
                 if e.get("action_id") == VOTE_HELPFUL)
    message = {"ts": "1700000000.000100", "text": answer.params["text"], "blocks": answer.params["blocks"]}
    press = block_action("U0VOTER", VOTE_HELPFUL, entry, slack.response_url("vote"), channel="DU0VOTER",
                         message=message)
    assert ok(app.receive(interaction(press))) == {}
    [replaced] = slack.wait_for("respond/vote", timeout=WAIT)
    assert replaced.params["replace_original"] is True
    assert VOTE_HELPFUL not in action_ids(replaced.params["blocks"])
    assert len(replaced.params["blocks"]) == len(message["blocks"])
    votes = {v.entry_id: (v.helpful, v.not_helpful) for v in app.core.votes.summary()}
    assert votes == {entry: (1, 0)}


def test_suggestion_and_quick_question_buttons_answer_where_they_were_pressed(app, slack):
    entry = app.core.answer(newcomer(), "what is a RASA?").reply.entry
    ok(app.receive(interaction(block_action("U0PRESS", f"{ENTRY_ACTION}_0", entry, slack.response_url("entry"),
                                            channel="DU0PRESS"))))
    [answer] = slack.wait_for("chat.postMessage", where=to("DU0PRESS"), timeout=WAIT)
    assert answer.params["text"] == render(app.core, app.core.answer_entry(entry))["text"]
    quick = app.core.quick_questions(app.core.context(student("U0PRESS")))[0]
    ok(app.receive(interaction(block_action("U0PRESS", f"{QUICK_ACTION}_0", quick, slack.response_url("quick")))))
    [quick_answer] = slack.wait_for("chat.postMessage", where=to("U0PRESS"), timeout=WAIT)  # from the App Home
    assert quick_answer.params["text"] == expected_answer(app, quick)["text"]


def test_ask_a_person_posts_who_to_ask(app, slack):
    ok(app.receive(interaction(block_action("U0PERSON", ASK_PERSON_ACTION, "", slack.response_url("person"),
                                            channel="DU0PERSON"))))
    [pointer] = slack.wait_for("chat.postMessage", where=to("DU0PERSON"), timeout=WAIT)
    assert pointer.params["text"] == notice(escape(app.core.copy.ask_a_person))["text"]


def test_the_intake_button_opens_the_intake_modal(app, slack):
    ok(app.receive(interaction(block_action("U0BUTTON", OPEN_INTAKE_ACTION, "", slack.response_url("intake")))))
    [opened] = slack.wait_for("views.open", timeout=WAIT)
    assert opened.params["view"]["callback_id"] == alumni_blocks.INTAKE_CALLBACK


def test_the_liaison_claims_a_request_and_anyone_else_is_refused(stored_app, slack):
    app = stored_app
    request, _ = file_by_command(app, slack)
    card = {"ts": "1700000000.000200", "text": f"#{request.id}", "blocks": []}

    def claim(user: str, name: str):
        return ok(app.receive(interaction(block_action(user, alumni_blocks.CLAIM, str(request.id),
                                                       slack.response_url(name), channel=LIAISON_CHANNEL,
                                                       message=card))))

    claim("U0NOTSTAFF", "refused")
    [refused] = slack.wait_for("respond/refused", timeout=WAIT)
    assert refused.params["response_type"] == "ephemeral" and refused.params["replace_original"] is False
    assert app.core.requests.requests.get(request.id).status == OPEN
    claim(LIAISON, "claimed")
    claimed = app.core.requests.requests.get(request.id)
    assert (claimed.status, claimed.claimed_by) == (CLAIMED, LIAISON)
    # the card redrawn in place and the student told, both queued with the change
    assert sorted(m.kind for m in app.core.requests.outbox.of_request(request.id)) == sorted([CARD, CARD_UPDATE,
                                                                                              STUDENT])


# --- nudges: Done and Remind me later on a nudge the real dispatcher sent ---------------------------------------

PCE, PCE_OTHER = "U0NPCE1", "U0NPCE2"


@pytest.fixture
def nudged(monkeypatch, slack, isolated_env, data_dir):
    """Two students in the PCE, each sent the June task nudge by the real dispatcher; the listeners on the same
    database. Returns (app, world)."""
    world = make_world(monkeypatch, f"sqlite:///{isolated_env / 'advisor.db'}", slack, isolated_env,
                       {PCE: (2028, "pathways"), PCE_OTHER: (2028, "hst")}, QUIET_HOURS="off")
    world.run("2026-06-01T10:05:00-04:00")
    running = start(slack, world.settings.database_url, data_dir, base=world.settings)
    yield running, world
    running.close()


def press_nudge(app, slack, world, user: str, action: str, owner: str | None = None):
    [sent] = world.messages(owner or user)
    row = world.ledger.get(sent.params["metadata"]["event_payload"]["delivery"])
    message = {"ts": row.ts, "text": sent.params["text"], "blocks": sent.params["blocks"]}
    name = f"{action}-{user}"
    assert ok(app.receive(interaction(block_action(user, action, str(row.id), slack.response_url(name),
                                                   row.conversation, message)))) == {}
    [reply] = slack.wait_for(f"respond/{name}", timeout=WAIT)
    return row, message, reply.params


def test_done_on_a_nudge_is_recorded_and_its_buttons_replaced(nudged, slack):
    app, world = nudged
    row, message, reply = press_nudge(app, slack, world, PCE, NUDGE_DONE)
    assert world.ledger.is_done(row)
    assert reply["replace_original"] is True
    assert not {NUDGE_DONE, NUDGE_LATER} & set(action_ids(reply["blocks"]))
    kept = [block for block in message["blocks"] if block.get("block_id") != BUTTONS_BLOCK]
    assert all(block in reply["blocks"] for block in kept) and len(reply["blocks"]) == len(message["blocks"])


def test_remind_me_later_on_a_nudge_queues_a_follow_up_the_student_asked_for(nudged, slack):
    app, world = nudged
    row, _, reply = press_nudge(app, slack, world, PCE, NUDGE_LATER)
    assert reply["replace_original"] is True and NUDGE_LATER not in action_ids(reply["blocks"])
    with Session(app.core.profiles.engine) as db:
        asked = db.exec(select(NudgeDelivery).where(NudgeDelivery.nudge == row.nudge, NudgeDelivery.target == PCE,
                                                    NudgeDelivery.requested == True)).all()  # noqa: E712
    assert [(r.status, r.round > row.round) for r in asked] == [("pending", True)]
    assert not world.ledger.is_done(row)


def test_someone_elses_nudge_cannot_be_pressed(nudged, slack):
    app, world = nudged
    row, _, reply = press_nudge(app, slack, world, PCE_OTHER, NUDGE_DONE, owner=PCE)
    assert reply["response_type"] == "ephemeral" and reply["replace_original"] is False
    assert not world.ledger.is_done(row)


def test_a_reminder_switch_in_the_app_home_turns_its_category_off(app, slack):
    who = student("U0SWITCH")
    category = app.core.nudge_choices(who)[0].category
    ok(app.receive(interaction(block_action(who.user_id, f"{NUDGE_CATEGORY}_{category}", "off",
                                            slack.response_url("switch")))))
    assert {c.category for c in app.core.nudge_choices(who) if not c.on} == {category}
    [home] = slack.wait_for("views.publish", timeout=WAIT)
    switch = next(e for e in [b.get("accessory") or {} for b in home.params["view"]["blocks"]]
                  if e.get("action_id") == f"{NUDGE_CATEGORY}_{category}")
    assert switch["value"] == "on"  # the redrawn switch now turns it back on


# --- modals ------------------------------------------------------------------------------------------------

def test_the_profile_modal_submission_is_saved_then_confirmed_and_the_home_redrawn(stored_app, slack):
    app, who = stored_app, student("U0SUBMIT")
    year = app.core.class_years()[-1]
    submission = view_submission(who.user_id, PROFILE_CALLBACK, {},
                                 options={CLASS_BLOCK: str(year), TRACK_BLOCK: "pathways"})
    assert ok(app.receive(interaction(submission))) == {}
    profile = app.core.profile(who)
    assert (profile.class_of, profile.track) == (year, "pathways")
    [confirmation] = slack.wait_for("chat.postMessage", where=to(who.user_id), timeout=WAIT)
    assert escape(app.core.describe(profile)) in confirmation.params["text"]
    slack.wait_for("views.publish", where=lambda c: c.params["user_id"] == who.user_id, timeout=WAIT)


def test_an_incomplete_profile_modal_is_sent_back_with_the_error_on_its_field(app, slack):
    submission = view_submission("U0HALF", PROFILE_CALLBACK, {}, options={CLASS_BLOCK: "2028"})
    errors = ok(app.receive(interaction(submission)))
    assert errors["response_action"] == "errors" and list(errors["errors"]) == [TRACK_BLOCK]
    assert app.core.profile(student("U0HALF")).class_of is None
    app.settle(WAIT)
    assert nothing_sent(slack)


def test_the_intake_modal_files_the_request_with_its_fields_and_queues_card_and_receipt(stored_app, slack):
    app = stored_app
    submission = view_submission("U0INTAKE", alumni_blocks.INTAKE_CALLBACK,
                                 {alumni_blocks.DESCRIPTION: REQUEST, alumni_blocks.SPECIALTY: "Dermatology",
                                  alumni_blocks.LOCATION: "Boston"}, options={alumni_blocks.CONTACT: "call"})
    assert ok(app.receive(interaction(submission))) == {}
    [request] = app.core.requests.mine("slack", "U0INTAKE")
    assert (request.description, request.specialty, request.location, request.contact) == \
        (REQUEST, "Dermatology", "Boston", "call")
    assert sorted(m.kind for m in app.core.requests.outbox.of_request(request.id)) == sorted([CARD, STUDENT])
    ok(app.receive(interaction(submission)))  # submitted twice (a double click): filed once
    assert len(app.core.requests.mine("slack", "U0INTAKE")) == 1


def test_an_intake_modal_without_a_description_is_sent_back(app, slack):
    submission = view_submission("U0EMPTY", alumni_blocks.INTAKE_CALLBACK, {alumni_blocks.DESCRIPTION: " "})
    errors = ok(app.receive(interaction(submission)))
    assert errors["response_action"] == "errors" and alumni_blocks.DESCRIPTION in errors["errors"]
    assert app.core.requests.mine("slack", "U0EMPTY") == []


# --- once per event, and only what Slack signed ------------------------------------------------------------------

def test_the_same_event_delivered_twice_is_claimed_once_and_answered_once(stored_app, slack):
    app = stored_app
    question = dm("U0TWICE", "what is a RASA?")
    assert ok(app.receive(event(question, event_id="EvTwice"))) == {}
    assert ok(app.receive(event(question, event_id="EvTwice", retry=1))) == {}
    slack.wait_for("chat.postMessage", where=to("DU0TWICE"), timeout=WAIT)
    app.settle(WAIT)
    assert len(slack.calls("chat.postMessage")) == 1
    [claimed] = processed_events(app)
    assert claimed.event_id == "EvTwice" and claimed.payload is None  # answered: the kept question is dropped


def forged(kind: str) -> Signed:
    """A DM event signed wrongly in one way."""
    body = json.dumps(event_envelope(dm("U0FORGED", "what is ERAS?"), "EvForged")).encode()
    if kind == "wrong secret":
        return signed(body, "application/json", secret="not-the-secret")
    if kind == "six minutes old":
        return signed(body, "application/json", timestamp=int(time.time()) - 6 * 60)
    if kind == "body changed after signing":
        genuine = signed(body, "application/json")
        return Signed(body.replace(b"ERAS", b"MSPE"), genuine.headers)
    return Signed(body, {"content-type": "application/json"})  # unsigned


@pytest.mark.parametrize("kind", ["wrong secret", "unsigned", "six minutes old", "body changed after signing"])
def test_a_forged_request_gets_401_and_nothing_happens(app, slack, kind):
    response = app.receive(forged(kind))
    assert response.status == 401
    app.settle(WAIT)
    assert nothing_sent(slack) and "EvForged" not in {e.event_id for e in processed_events(app)}


@pytest.mark.parametrize("body, content_type", [
    (b"{not json", "application/json"),
    (b"[1, 2, 3]", "application/json"),
    (b"\xff\xfe not utf-8", FORM),
])
def test_a_signed_body_that_is_not_an_object_or_a_form_gets_400(app, slack, body, content_type):
    claims = len(processed_events(app))
    assert app.receive(signed(body, content_type)).status == 400
    app.settle(WAIT)
    assert nothing_sent(slack) and len(processed_events(app)) == claims


def malformed(slack) -> dict[str, Signed]:
    no_channel = dm("U0BAD", "what is ERAS?")
    del no_channel["channel"]
    no_actions = block_action("U0BAD", VOTE_HELPFUL, "eras", slack.response_url("bad"), channel="DU0BAD")
    no_actions["actions"] = []
    return {
        "a message event without its channel": event(no_channel),
        "a press without any action": interaction(no_actions),
        "a command whose response_url leaves Slack": command("U0BAD", "ask what is ERAS?",
                                                             "https://attacker.example/hook"),
        "an event the advisor does not handle": event({"type": "reaction_added", "user": "U0BAD"}),
    }


def test_a_signed_payload_of_the_wrong_shape_is_acknowledged_quietly_and_reaches_no_listener(app, slack):
    claims = len(processed_events(app))
    for what, request in malformed(slack).items():
        assert app.receive(request).status == 200, what
    app.settle(WAIT)
    assert nothing_sent(slack) and len(processed_events(app)) == claims
    ok(app.receive(event(dm("U0AFTER", "what is ERAS?"))))  # and the next real question is answered
    slack.wait_for("chat.postMessage", where=to("DU0AFTER"), timeout=WAIT)


def test_url_verification_echoes_the_challenge(app):
    challenge = signed(json.dumps({"type": "url_verification", "challenge": "c-123", "token": "legacy"}).encode(),
                       "application/json")
    assert ok(app.receive(challenge))["challenge"] == "c-123"


def test_requests_taken_in_process_get_what_the_http_endpoint_answers(app, slack):
    """support/slack_app.py repeats handlers/slack/http.py's checks in its order: the same requests through the
    real endpoint (Starlette, in process) get the same status and acknowledgement."""
    requests = {"help": command("U0PARITY", "help", slack.response_url("parity")), "forged": forged("wrong secret"),
                "unsigned": forged("unsigned"), "not JSON": signed(b"{not json", "application/json"),
                **malformed(slack),
                "url_verification": signed(json.dumps({"type": "url_verification", "challenge": "c-9"}).encode(),
                                           "application/json")}
    endpoint = Starlette(routes=routes(app.bot.app, app.settings.slack_signing_secret, app.settings.slack_api_url))
    with TestClient(endpoint) as client:
        for what, request in requests.items():
            over_http = client.post(EVENTS_PATH, content=request.body, headers=request.headers)
            in_process = app.receive(request)
            assert (in_process.status, ok(in_process, in_process.status)) == \
                (over_http.status_code, over_http.json() if over_http.content else {}), what
