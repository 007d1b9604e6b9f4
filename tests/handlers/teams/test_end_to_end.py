"""The Teams adapter end to end: the real `advisor run` with Teams credentials, activities POSTed to
/api/messages with tokens from a loopback identity provider (local JWKS), replies recorded by the loopback
connector stand-in, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import time

import pytest
from sqlmodel import select

from store.db import migrated_engine, session
from store.models import AlumniRequest
from support.teams_driver import (
    APP_ID,
    CLASS_CHANNEL,
    LIAISON,
    LIAISON_CHANNEL,
    TeamsBot,
    card_of,
    card_text,
    in_channel,
    person,
    personal,
)
from support.teams_driver import start_bot as start
from support.teams_stand_in import TeamsConnector

STUDENT, STRANGER = person(1), person(3)
QUESTION = "When should I retake the Careers in Medicine survey?"


def test_a_personal_question_is_answered_once_as_a_card(bot, connector, identity):
    activity = personal(STUDENT, QUESTION)
    bot.ask(activity)
    assert bot.send(activity).status == 200  # the connector's retry of the same activity
    time.sleep(0.5)
    sent = connector.sent(activity["conversation"]["id"])
    assert len(sent) == 1
    card = card_of(sent[0])
    assert card["type"] == "AdaptiveCard"
    text = card_text(sent[0])
    assert "June/July" in text and "Source:" in text
    assert any(action["data"]["advisor"] == "vote" for action in card["actions"])
    assert sent[0].authorization == f"Bearer {identity.bot_token}"  # the token MSAL fetched from the stand-in


def test_a_related_question_button_and_feedback_are_answered(bot, connector):
    [answer] = bot.ask(personal(STUDENT, QUESTION))
    entry = next(action["data"] for block in card_of(answer)["body"] if block["type"] == "ActionSet"
                 for action in block["actions"])
    bot.ask(personal(STUDENT, value=entry))
    bot.ask(personal(STUDENT, value={"advisor": "vote", "entry": entry["entry"], "helpful": True}))
    texts = [card_text(call) for call in connector.sent()]
    assert len(texts) == 3 and "Thanks for the feedback" in texts[2]


@pytest.mark.parametrize("claims", [
    {"audience": "11111111-2222-4333-8444-555555555555"},
    {"issuer": "https://sts.example.org"},
    {"expires_in": -600},
    {"service_url": "https://smba.evil.example/teams/"},
    {"foreign_key": True},
], ids=["wrong-audience", "wrong-issuer", "expired", "other-service-url", "forged-signature"])
def test_tokens_that_do_not_check_out_get_401(bot, connector, identity, claims):
    claims = dict(claims)  # the parameter is shared by the SQLite and PostgreSQL runs
    audience = claims.pop("audience", APP_ID)
    service_url = claims.pop("service_url", connector.service_url)
    token = identity.mint(audience, service_url=service_url, **claims)
    assert bot.send(personal(STUDENT, QUESTION), token=token).status == 401
    assert connector.sent() == []


def test_a_request_without_a_token_gets_401(bot, connector):
    response = bot.request("POST", "/api/messages", b'{"type": "message", "text": "hi"}',
                           {"Content-Type": "application/json"})
    assert response.status == 401
    assert connector.sent() == []


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b'"text"', b"\xff\xfe", b"{" + b" " * (1024 * 1024) + b"}"],
                         ids=["bad json", "array", "string", "not utf-8", "over 1 MB"])
def test_the_token_is_checked_before_the_body_is_read(bot, connector, body):
    marker = b"zebra-marker"
    unauthenticated = bot.request("POST", "/api/messages", body + marker, {"Content-Type": "application/json"})
    assert unauthenticated.status == 401
    forged = bot.request("POST", "/api/messages", body, {"Content-Type": "application/json",
                                                         "Authorization": "Bearer not.a.token"})
    assert forged.status == 401
    signed = bot.request("POST", "/api/messages", body, {"Content-Type": "application/json",
                                                         "Authorization": f"Bearer {bot.token()}"})
    assert signed.status in (400, 413)
    assert connector.calls == [] and "zebra-marker" not in bot.log() and "Traceback" not in bot.log()


def test_a_channel_mention_is_answered_in_its_reply_chain_with_the_question_escaped(bot, connector):
    activity = in_channel(STUDENT, CLASS_CHANNEL, "when is ERAS? [click](https://evil.example) **now**")
    bot.ask(activity)
    sent = connector.sent()
    assert len(sent) == 1
    assert sent[0].conversation_id == f"{CLASS_CHANNEL};messageid={activity['id']}"
    heading = card_of(sent[0])["body"][0]["text"]
    assert "\\[click\\]\\(https://evil\\.example\\)" in heading and "\\*\\*now\\*\\*" in heading


@pytest.mark.parametrize("status", [429, 412])
def test_the_connector_refusing_for_a_moment_is_retried_with_backoff(bot, connector, status):
    connector.fail_next(status, times=2, retry_after=0.3 if status == 429 else None)
    bot.ask(personal(STUDENT, QUESTION))
    calls = connector.calls
    assert [call.status for call in calls] == [status, status, 201]
    assert calls[2].at - calls[1].at >= 0.25  # Retry-After (0.3 s), or at least half the 0.5 s backoff base


def test_a_server_error_is_not_retried_blindly_and_recovery_answers_later(identity, connector, database_url,
                                                                          isolated_env):
    """A 502 may come after the connector posted: the sender does not repeat it; the question goes back to
    recovery, which answers it (Teams has no history to look in: at least once, README)."""
    bot = start(identity, connector, database_url, isolated_env, EVENT_LEASE_SECONDS="2")
    try:
        connector.fail_next(502)
        assert bot.send(personal(STUDENT, QUESTION)).status == 200
        assert connector.wait_for(lambda c: c.sent(), timeout=60), bot.log()[-3000:]
        assert [call.status for call in connector.calls] == [502, 201]
        assert connector.calls[1].at - connector.calls[0].at >= 25  # not at once: after ANSWER_AGAIN_AFTER
    finally:
        bot.stop()


def test_profile_and_upcoming(bot, connector):
    assert "Saved." in card_text(bot.ask(personal(STUDENT, "profile 2028 pathways"))[0])
    # the saved class and track decide the phase
    assert "PCE (Pathways)" in card_text(bot.ask(personal(STUDENT, "upcoming"))[0])
    [summary] = bot.ask(personal(STUDENT, "nudges off all"))
    assert "**off**" in card_text(summary) and "**on**" not in card_text(summary)
    assert "no reminder category called that" in card_text(bot.ask(personal(STUDENT, "nudges off astrology"))[0])
    form = card_of(bot.ask(personal(STUDENT, "profile"))[0])
    assert [item["id"] for item in form["body"] if item["type"].startswith("Input.")] == ["class_of", "track"]
    assert next(item for item in form["body"] if item.get("id") == "class_of")["value"] == "2028"


def test_an_alumni_request_reaches_the_liaison_channel_and_its_status_the_student(bot, connector, database_url):
    bot.send(personal(STUDENT, "hello"))  # the student's personal chat is now known
    intake = personal(STUDENT, value={"advisor": "file_request", "nonce": "n-1", "specialty": "Dermatology",
                                      "description": "An alum in dermatology <at>everyone</at> [x](https://e.x)"})
    bot.ask(intake)
    bot.ask({**intake, "id": intake["id"] + "0"})  # a double-pressed Send files once (each press a receipt)
    with session(migrated_engine(database_url)) as db:
        requests = db.exec(select(AlumniRequest)).all()
    assert len(requests) == 1
    assert connector.wait_for(lambda c: c.sent(LIAISON_CHANNEL), timeout=15)
    posted = connector.sent(LIAISON_CHANNEL)[0]
    text = card_text(posted)
    assert "\\<at\\>everyone\\</at\\>" in text and "\\[x\\]\\(https://e\\.x\\)" in text
    assert card_of(posted)["msteams"]["entities"][0]["mentioned"]["id"] == STUDENT["aadObjectId"]
    claim = {"advisor": "alumni_claim", "request": requests[0].id}

    bot.send(in_channel(STRANGER, LIAISON_CHANNEL, value=claim, mention=False, thread=posted.response_id))
    assert connector.wait_for(lambda c: any("Only the Alumni Liaison" in card_text(call) for call in c.sent()))
    assert connector.updates() == []

    bot.send(in_channel(LIAISON, LIAISON_CHANNEL, value=claim, mention=False, thread=posted.response_id))
    assert connector.wait_for(lambda c: c.updates(LIAISON_CHANNEL), timeout=15)
    assert connector.updates(LIAISON_CHANNEL)[0].activity_id == posted.response_id
    chat = intake["conversation"]["id"]
    assert connector.wait_for(lambda c: any("picked up" in card_text(call) for call in c.sent(chat)), timeout=15)


def test_a_proactive_message_reaches_a_student_after_a_restart(identity, connector, database_url, isolated_env):
    first = start(identity, connector, database_url, isolated_env)
    try:
        first.ask(personal(STUDENT, value={"advisor": "file_request", "nonce": "restart-1",
                                           "description": "an alum in radiology in Boston for a call"}))
    finally:
        first.stop()
    with session(migrated_engine(database_url)) as db:
        request = db.exec(select(AlumniRequest)).one()
    second = start(identity, connector, database_url, isolated_env)
    try:
        close = {"advisor": "alumni_close", "request": request.id, "reason": "no alum in radiology yet"}
        second.send(in_channel(LIAISON, LIAISON_CHANNEL, value=close, mention=False))
        chat = f"a:chat-{STUDENT['aadObjectId']}"
        assert connector.wait_for(lambda c: any("no alum in radiology" in card_text(call) for call in c.sent(chat)),
                                  timeout=15), second.log()
    finally:
        second.stop()


def test_nudges_reach_a_teams_class_channel_and_a_students_personal_chat_once(identity, connector, database_url,
                                                                               isolated_env):
    from store.conversations import PERSONAL, ConversationRef, TeamsConversations
    from store.recipients import TEAMS, Recipient
    from store.roster import Roster, RosterRow
    from support.nudge_world import class_in_pce_today, send_due_process

    engine = migrated_engine(database_url)
    student_id = STUDENT["aadObjectId"]
    Roster(engine).import_rows([RosterRow(Recipient(TEAMS, student_id), 2028, "pathways")])
    chat = f"a:chat-{student_id}"
    TeamsConversations(engine).remember(ConversationRef(chat, PERSONAL, connector.service_url, student_id))
    cohorts = isolated_env / "cohorts.yaml"
    cohorts.write_text(f"cohorts:\n  - {{class_of: 2028, track: pathways, teams_channel: '{CLASS_CHANNEL}'}}\n")
    env = {**TeamsBot(api_url="", database_url=database_url, data_dir=isolated_env, identity=identity,
                      connector=connector).environment(), "COHORTS_FILE": str(cohorts)}

    def send_due(now: str) -> None:
        process = send_due_process(env, now, isolated_env / "send-due")
        assert process.wait(60) == 0

    send_due("2026-05-25T10:01:00-04:00")  # two announcements for the class
    assert len(connector.sent(CLASS_CHANNEL)) == 2
    send_due("2026-06-01T11:05:00-04:00")  # the CiM retake task, personal
    personal_nudges = connector.sent(chat)
    assert len(personal_nudges) == 1 and "Careers in Medicine" in card_text(personal_nudges[0])
    assert [action["data"]["advisor"] for action in card_of(personal_nudges[0])["actions"]] == \
        ["nudge_done", "nudge_later"]
    send_due("2026-06-01T11:10:00-04:00")  # a later run sends nothing again
    assert len(connector.sent(CLASS_CHANNEL)) == 2 and len(connector.sent(chat)) == 1

    bot = start(identity, connector, database_url, isolated_env / "bot")  # the student presses Done, and asks
    try:
        done = card_of(personal_nudges[0])["actions"][0]["data"]
        bot.ask(personal(STUDENT, value=done, service_url=connector.service_url))
        bot.ask(personal(STUDENT, f"profile {class_in_pce_today()} pathways", service_url=connector.service_url))
        [checklist] = bot.ask(personal(STUDENT, "what should i be doing right now?",
                                       service_url=connector.service_url))
        lines = card_text(checklist).splitlines()
        assert any(line.startswith("✓") and "Careers in Medicine survey" in line for line in lines), lines
        assert any(line.startswith("☐") and "Post-PCE" in line for line in lines), lines
    finally:
        bot.stop()


def test_the_local_development_switch_accepts_unauthenticated_activities(identity, database_url, isolated_env):
    with TeamsConnector() as connector:
        no_credentials = {"TEAMS_CLIENT_ID": "", "TEAMS_CLIENT_SECRET": "", "TEAMS_TENANT_ID": "",
                          "TEAMS_ALLOW_UNAUTHENTICATED": "true"}
        local = start(identity, connector, database_url, isolated_env, **no_credentials)
        try:
            activity = personal(STUDENT, QUESTION, service_url=connector.service_url)
            response = local.request("POST", "/api/messages", json.dumps(activity).encode(),
                                     {"Content-Type": "application/json"})
            assert response.status == 200
            assert connector.wait_for(lambda c: c.sent(), timeout=15)
            assert len(connector.sent()) == 1 and connector.sent()[0].authorization is None
        finally:
            local.stop()


def test_the_liaisons_question_reaches_the_student_and_the_answer_the_cards_reply_chain(bot, connector,
                                                                                        database_url):
    form = card_of(bot.ask(personal(STUDENT, "alumni an alum in pediatrics who did a research year"))[0])
    assert next(item for item in form["body"] if item.get("id") == "description")["value"].startswith("an alum")
    send = form["actions"][0]["data"]
    bot.ask(personal(STUDENT, value={**send, "description": "an alum in pediatrics who did a research year"}))
    assert connector.wait_for(lambda c: c.sent(LIAISON_CHANNEL), timeout=15)
    card = connector.sent(LIAISON_CHANNEL)[0]
    with session(migrated_engine(database_url)) as db:
        request_id = db.exec(select(AlumniRequest)).one().id
    ask = {"advisor": "alumni_ask_info", "request": request_id, "question": "Which city? *soon*"}
    bot.send(in_channel(LIAISON, LIAISON_CHANNEL, value=ask, mention=False, thread=card.response_id))
    chat = f"a:chat-{STUDENT['aadObjectId']}"
    assert connector.wait_for(lambda c: any("Which city" in card_text(call) for call in c.sent(chat)), timeout=15)
    question = next(call for call in connector.sent(chat) if "Which city" in card_text(call))
    assert "Which city? \\*soon\\*" in card_text(question)
    answer = next(action["data"] for action in card_of(question)["actions"])
    bot.send(personal(STUDENT, value={**answer, "answer": "Boston, please"}))
    thread = f"{LIAISON_CHANNEL};messageid={card.response_id}"
    assert connector.wait_for(lambda c: any("Boston, please" in card_text(call) for call in c.sent(thread)),
                              timeout=15)


def test_a_question_about_the_alumni_liaison_is_answered_not_filed(bot, connector, database_url):
    [answer] = bot.ask(personal(STUDENT, "alumni liaison, how do I reach them?"))
    time.sleep(0.3)
    assert len(connector.sent()) == 1 and "file_request" not in str(card_of(answer))
    with session(migrated_engine(database_url)) as db:
        assert db.exec(select(AlumniRequest)).all() == []
