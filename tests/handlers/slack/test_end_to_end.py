"""The Slack adapter end to end: `advisor run` in HTTP mode, signed requests to its real endpoint, and a
loopback stand-in for the Slack Web API that records every call (no request ever leaves the machine)."""

from __future__ import annotations

import json
import time
from types import SimpleNamespace

import pytest
from sqlmodel import Session, select

from knowledge.academic_calendar import load_academic_calendar
from store.db import make_engine
from store.feedback import VoteLog
from store.models import ProcessedEvent
from support.slack_driver import BOT_USER, RunningBot, block_action, dm, institution_today, mention

WINDOW_NONE = SimpleNamespace(phase=None)


def texts(call) -> str:
    """Everything a student reads in one recorded message: fallback text and every block's text."""
    return call.params.get("text", "") + json.dumps(call.params.get("blocks", []), ensure_ascii=False)


def buttons(call) -> dict[str, str]:
    return {element["action_id"]: element.get("value", "") for block in call.params.get("blocks", [])
            for element in block.get("elements", []) + [block.get("accessory") or {}]
            if element.get("type") == "button"}


# --- answers ---------------------------------------------------------------------------------------

def test_a_direct_message_is_answered_in_block_kit_with_source_follow_ups_and_votes(bot, slack):
    response = bot.send_event(dm("U100", "When is the personal statement workshop?"))
    assert response.status == 200
    [call] = slack.wait_for("chat.postMessage", where=lambda c: c.params["channel"] == "DU100")
    assert "May" in call.params["text"] and "Source:" in texts(call)
    found = buttons(call)
    assert {"advisor_vote_helpful", "advisor_vote_not_helpful"} <= found.keys()
    assert any(action.startswith("advisor_entry_") for action in found)
    assert call.params.get("thread_ts") is None


def test_follow_ups_in_a_dm_and_its_threads_are_answered_about_the_last_answer(bot, slack):
    def next_reply(count: int):
        return slack.wait_for("chat.postMessage", count=count, where=lambda c: c.params["channel"] == "DU140")[-1]

    bot.send_event(dm("U140", "how often do pathways students meet their society advisor?"))
    assert "eight times a year" in texts(next_reply(1))
    bot.send_event(dm("U140", "and for HST?"))  # alone, this is "what is HST"
    assert "HST Academic Advisor" in texts(next_reply(2))
    question = dm("U140", "when is the ERAS workshop?")
    bot.send_event(question)
    assert "June" in texts(next_reply(3))
    bot.send_event(dm("U140", "what time does it start?", thread_ts=question["ts"]))  # in the question's thread
    reply = next_reply(4)
    assert reply.params["thread_ts"] == question["ts"]
    assert "don't give a time of day" in texts(reply) and "Applying to Residency Using ERAS" in texts(reply)
    bot.send_event(dm("U140", "what's the weather like?", thread_ts=question["ts"]))
    assert texts(next_reply(5)).startswith("I'm not sure"), "a new subject is not answered with the last topic"


def test_a_mention_is_answered_in_a_thread_under_it(bot, slack):
    event = mention("U101", "C0GENERAL", "what is ERAS?")
    assert bot.send_event(event).status == 200
    [call] = slack.wait_for("chat.postMessage", where=lambda c: c.params["channel"] == "C0GENERAL")
    assert call.params["thread_ts"] == event["ts"]
    assert "Electronic Residency Application Service" in texts(call)


def test_an_unanswerable_question_offers_suggestions_and_a_person(bot, slack):
    bot.send_event(dm("U102", "what's the best pizza near campus?"))
    [call] = slack.wait_for("chat.postMessage", where=lambda c: c.params["channel"] == "DU102")
    assert "advisor_ask_person" in buttons(call)
    assert "advisor_vote_helpful" not in buttons(call)


def test_the_profile_is_asked_for_once_and_only_when_it_would_change_the_answer(bot, slack):
    bot.send_event(dm("U103", "what is ERAS?"))
    [first] = slack.wait_for("chat.postMessage", where=lambda c: c.params["channel"] == "DU103")
    assert "advisor_open_profile" not in buttons(first)
    for n in (1, 2):
        bot.send_event(dm("U103", "what's coming up for me?"))
        slack.wait_for("chat.postMessage", count=1 + n, where=lambda c: c.params["channel"] == "DU103")
    asks = [c for c in slack.delivered("chat.postMessage") if "advisor_open_profile" in buttons(c)]
    assert len(asks) == 1


def test_messages_from_bots_and_from_the_advisor_itself_are_ignored(bot, slack):
    bot.send_event(dm("U0OTHER", "what is ERAS?", bot_id="B0OTHER"))
    bot.send_event(dm(BOT_USER, "what is ERAS?", bot_id="B0ADVISOR"))
    bot.send_event(dm("U104", "what is ERAS?", subtype="message_changed"))
    bot.send_event(dm("U104", "marker: a person's message"))
    slack.wait_for("chat.postMessage", where=lambda c: c.params["channel"] == "DU104")
    assert [c.params["channel"] for c in slack.delivered("chat.postMessage")] == ["DU104"]


# --- security ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("forgery", ["wrong secret", "unsigned", "six minutes old"])
def test_forged_unsigned_and_stale_requests_get_401_and_do_nothing(bot, slack, forgery):
    body = json.dumps({"type": "event_callback", "event_id": "EvForged", "team_id": "T0STANDIN",
                       "event": dm("U105", "what is ERAS?")}).encode()
    if forgery == "wrong secret":
        response = bot.post_signed(body, "application/json", secret="not-the-secret")
    elif forgery == "unsigned":
        response = bot.request("POST", "/slack/events", body, {"Content-Type": "application/json"})
    else:
        response = bot.post_signed(body, "application/json", timestamp=int(time.time()) - 6 * 60)
    assert response.status == 401
    time.sleep(0.3)
    assert slack.calls("chat.postMessage") == []


def test_user_text_echoed_back_is_escaped(bot, slack):
    bot.send_command("U106", "ask <!channel> <@U999> what is ERAS? & more", slack.response_url("escape"))
    [call] = slack.wait_for("respond/escape")
    shown = texts(call)
    assert "&lt;!channel&gt;" in shown and "&lt;@U999&gt;" in shown and "&amp; more" in shown
    assert "<!channel>" not in shown and "<@U999>" not in shown


# --- reliability -------------------------------------------------------------------------------------

def test_a_retried_event_is_answered_once(bot, slack):
    event = dm("U107", "what is a RASA?")
    assert bot.send_event(event, event_id="EvRetried").status == 200
    assert bot.send_event(event, event_id="EvRetried", retry=1).status == 200
    assert bot.send_event(event, event_id="EvRetried", retry=2).status == 200
    slack.wait_for("chat.postMessage", where=lambda c: c.params["channel"] == "DU107")
    time.sleep(0.5)
    assert len(slack.delivered("chat.postMessage")) == 1


def test_rate_limited_then_success_posts_one_message(bot, slack):
    slack.fail_next("chat.postMessage", 429, retry_after=0)
    bot.send_event(dm("U108", "what is a RASA?"))
    slack.wait_for("chat.postMessage", where=lambda c: c.params["channel"] == "DU108")
    assert [c.status for c in slack.calls("chat.postMessage")] == [429, 200]


def test_after_a_server_error_the_answer_is_looked_for_before_it_is_posted_again(bot, slack):
    slack.fail_next("chat.postMessage", 503, times=2)
    bot.send_event(dm("U109", "what is a RASA?"))
    slack.wait_for("chat.postMessage", where=lambda c: c.params["channel"] == "DU109", timeout=10)
    calls = [(c.method, c.status) for c in slack.calls() if c.method in ("chat.postMessage", "conversations.history")]
    assert calls == [("chat.postMessage", 503), ("conversations.history", 200)] * 2 + [("chat.postMessage", 200)]


def test_a_failing_handler_apologises_instead_of_going_silent(bot, slack):
    slack.fail_next("chat.postMessage", 400)
    bot.send_event(dm("U110", "what is a RASA?"))
    [apology] = slack.wait_for("chat.postMessage", where=lambda c: c.params["channel"] == "DU110")
    assert "Sorry" in apology.params["text"]
    assert "slack: the reply to a message was refused: invalid_request" in bot.log()


def test_url_verification_and_health(bot):
    body = json.dumps({"type": "url_verification", "challenge": "c-123", "token": "legacy"}).encode()
    response = bot.post_signed(body, "application/json")
    assert response.status == 200 and b"c-123" in response.body
    health = bot.get("/health")
    assert health.status == 200 and health.json() == {"status": "ok"}


# --- App Home, commands, buttons, modal ---------------------------------------------------------------

def test_app_home_is_published_with_phase_upcoming_quick_questions_and_settings(bot, slack):
    bot.send_event({"type": "app_home_opened", "user": "U111", "channel": "DU111", "tab": "home",
                    "event_ts": f"{time.time():.6f}"})
    [call] = slack.wait_for("views.publish")
    view = call.params["view"] if isinstance(call.params["view"], dict) else json.loads(call.params["view"])
    assert call.params["user_id"] == "U111" and view["type"] == "home"
    shown = json.dumps(view)
    assert "Profile not set" in shown and "advisor_quick_0" in shown and "advisor_open_profile" in shown


def test_slash_command_help_and_unknown_words_get_the_help_text_in_the_acknowledgement(bot, slack):
    for n, text in enumerate(["help", "", "launch the rockets"]):
        response = bot.send_command("U112", text, slack.response_url(f"help{n}"))
        assert "/advisor ask" in response.json()["text"] and response.json()["response_type"] == "ephemeral"
    assert slack.calls() == []  # nothing but the acknowledgement


def test_slash_command_ask_and_upcoming(bot, slack):
    bot.send_command("U113", "ask when is match day", slack.response_url("ask"))
    [call] = slack.wait_for("respond/ask")
    assert "March" in texts(call)
    bot.send_command("U113", "upcoming", slack.response_url("upcoming"))
    [call] = slack.wait_for("respond/upcoming")
    assert "calendar" in texts(call)


def test_profile_set_by_command_makes_answers_phase_aware(bot, slack):
    today = institution_today()
    calendar = load_academic_calendar()
    post_pce_class = next(year for year in range(today.year - 1, today.year + 3)
                          if (calendar.window_on(year, "pathways", today) or WINDOW_NONE).phase == "post-pce")
    saved = bot.send_command("U114", f"profile {post_pce_class} pathways", slack.response_url("profile")).json()
    assert f"Class of {post_pce_class} · Pathways · Post-PCE" in saved["text"]
    slack.wait_for("views.publish", where=lambda c: c.params["user_id"] == "U114")
    bad = bot.send_command("U114", "profile 1999 pathways", slack.response_url("bad")).json()
    assert "couldn't save" in bad["text"]
    assert "forgotten" in bot.send_command("U114", "profile delete", slack.response_url("forget")).json()["text"]


def test_profile_command_opens_the_modal_and_its_submission_is_saved(bot, slack):
    bot.send_command("U115", "profile", slack.response_url("modal"))
    [opened] = slack.wait_for("views.open")
    assert opened.params["view"]["callback_id"] == "advisor_profile"
    year = str(institution_today().year + 2)
    view = {"id": "V9", "callback_id": "advisor_profile", "type": "modal", "state": {"values": {
        "class_of": {"value": {"type": "static_select", "selected_option": {"value": year}}},
        "track": {"value": {"type": "radio_buttons", "selected_option": {"value": "hst"}}}}}}
    response = bot.send_interaction({"type": "view_submission", "user": {"id": "U115"}, "view": view})
    assert response.status == 200 and response.body in (b"", b"{}")
    [confirmation] = slack.wait_for("chat.postMessage", where=lambda c: c.params["channel"] == "U115")
    assert f"Class of {year} · HST" in confirmation.params["text"]
    slack.wait_for("views.publish", where=lambda c: c.params["user_id"] == "U115")


def test_an_incomplete_modal_is_sent_back_with_the_error(bot):
    view = {"id": "V9", "callback_id": "advisor_profile", "type": "modal", "state": {"values": {
        "class_of": {"value": {"type": "static_select", "selected_option": None}},
        "track": {"value": {"type": "radio_buttons", "selected_option": None}}}}}
    response = bot.send_interaction({"type": "view_submission", "user": {"id": "U116"}, "view": view})
    assert response.json()["response_action"] == "errors" and "class_of" in response.json()["errors"]


def test_suggestion_follow_up_and_quick_question_buttons_answer_where_they_were_pressed(bot, slack):
    bot.send_interaction(block_action("U117", "advisor_entry_0", "rasa", slack.response_url("b1"), channel="DU117"))
    [call] = slack.wait_for("chat.postMessage", where=lambda c: c.params["channel"] == "DU117")
    assert "Residency Application Specialty Advisor" in texts(call)
    bot.send_interaction(block_action("U117", "advisor_quick_1", "What is Careers in Medicine?",
                                      slack.response_url("b2")))
    [call] = slack.wait_for("chat.postMessage", where=lambda c: c.params["channel"] == "U117")
    assert "Careers in Medicine" in texts(call)


def test_votes_are_stored_once_per_answer_and_the_buttons_say_thanks(bot, slack, bot_database):
    message = {"ts": "1700000000.000100", "text": "answer", "blocks": [
        {"type": "section", "block_id": "a", "text": {"type": "mrkdwn", "text": "answer"}},
        {"type": "actions", "block_id": "vote", "elements": []}]}
    for action in ("advisor_vote_not_helpful", "advisor_vote_helpful"):
        bot.send_interaction(block_action("U118", action, "mspe", slack.response_url(action), channel="DU118",
                                          message=message))
        [call] = slack.wait_for(f"respond/{action}")
        assert call.params["replace_original"] is True and "Thanks" in texts(call)
    votes = {v.entry_id: v for v in VoteLog(make_engine(bot_database)).summary()}
    assert (votes["mspe"].helpful, votes["mspe"].not_helpful) == (1, 0)


def test_ask_a_person_points_to_the_right_office(bot, slack):
    bot.send_interaction(block_action("U119", "advisor_ask_person", "", slack.response_url("p"), channel="DU119"))
    [call] = slack.wait_for("chat.postMessage", where=lambda c: c.params["channel"] == "DU119")
    assert "Office of Student Affairs" in texts(call)


# --- assistant threads ----------------------------------------------------------------------------------

def test_assistant_thread_gets_phase_prompts_and_threaded_answers(bot, slack):
    thread = {"user_id": "U120", "channel_id": "DU120", "thread_ts": "1700000001.000001", "context": {}}
    bot.send_event({"type": "assistant_thread_started", "assistant_thread": thread,
                    "event_ts": f"{time.time():.6f}"})
    [prompts] = slack.wait_for("assistant.threads.setSuggestedPrompts")
    assert prompts.params["thread_ts"] == thread["thread_ts"] and len(prompts.params["prompts"]) == 4
    bot.send_event(dm("U120", "what is a RASA?", channel="DU120", thread_ts=thread["thread_ts"]))
    slack.wait_for("assistant.threads.setStatus")
    answers = slack.wait_for("chat.postMessage", count=2, where=lambda c: c.params["channel"] == "DU120")
    assert all(c.params["thread_ts"] == thread["thread_ts"] for c in answers)
    assert "Residency Application Specialty Advisor" in texts(answers[-1])


# --- across restarts, on SQLite and PostgreSQL -------------------------------------------------------------

def test_an_event_redelivered_after_a_restart_is_not_answered_again(slack, database_url, tmp_path):
    first = RunningBot(slack.url, database_url, tmp_path).start()
    try:
        first.send_event(dm("U121", "what is ERAS?"), event_id="EvRestart")
        slack.wait_for("chat.postMessage")
    finally:
        first.kill()
    second = RunningBot(slack.url, database_url, tmp_path).start()
    try:
        assert second.send_event(dm("U121", "what is ERAS?"), event_id="EvRestart", retry=1).status == 200
        second.send_event(dm("U121", "marker: a new question"), event_id="EvAfterRestart")
        slack.wait_for("chat.postMessage", count=2)
        assert len(slack.delivered("chat.postMessage")) == 2
    finally:
        second.stop()


def test_a_question_acknowledged_just_before_a_crash_is_answered_after_the_restart(slack, database_url, tmp_path):
    lease = {"EVENT_LEASE_SECONDS": "3"}
    slack.fail_next("chat.postMessage", 503, times=100)
    first = RunningBot(slack.url, database_url, tmp_path, extra_env=lease).start()
    try:
        assert first.send_event(dm("U122", "what is ERAS?"), event_id="EvCrash").status == 200
        deadline = time.monotonic() + 10
        while not slack.calls("chat.postMessage") and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        first.kill()
    slack.reset()
    second = RunningBot(slack.url, database_url, tmp_path, extra_env=lease).start()
    try:
        [answer] = slack.wait_for("chat.postMessage", timeout=20)
        assert answer.params["channel"] == "DU122" and "Electronic Residency Application Service" in texts(answer)
        time.sleep(2)
        assert len(slack.delivered("chat.postMessage")) == 1
        assert "never answered" in second.log()
    finally:
        second.stop()
    with Session(make_engine(database_url)) as db:
        [kept] = db.exec(select(ProcessedEvent.payload).where(ProcessedEvent.event_id == "EvCrash")).all()
    assert kept is None
