"""The outbox and the liaison's service level, in process: real databases, the real Slack courier against the
loopback stand-in. Order within a request, orphans found in Slack instead of re-sent, refusals, concurrent
workers, reminders, the digest, check-ins and retention.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import update
from sqlmodel import select

from bot.alumni_desk import Liaisons, RequestDesk
from handlers.slack.client import web_client
from handlers.slack.outbox_courier import SlackOutboxCourier
from handlers.slack.pacing import Pacer
from knowledge.academic_calendar import load_academic_calendar
from knowledge.loader import load_copy
from scheduler.outbox_worker import OutboxWorker
from scheduler.service_level import ServiceLevel
from store.alumni import AlumniRequests, Intake
from store.db import migrated_engine, session, writing
from store.models import AlumniRequest, OutboxMessage, utcnow
from store.outbox import CARD, NOTE, SENDING
from store.students import ProfileStore
from support.slack_stand_in import SlackStandIn

CHANNEL, LIAISON, STUDENT = "C0LIAISON", "U0LIAISON", "U0STUDENT"
ZONE = "America/New_York"


@pytest.fixture
def slack():
    with SlackStandIn() as stand_in:
        yield stand_in


@pytest.fixture
def store(database_url):
    return AlumniRequests(migrated_engine(database_url))


@pytest.fixture
def worker(store, slack, isolated_env, monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("SLACK_API_URL", slack.url)
    from config.settings import load_settings

    client = web_client(load_settings(None), retry_rate_limits=False, retry_server_errors=False)
    courier = SlackOutboxCourier(client, Pacer(100, 100), CHANNEL, ZONE, load_copy())
    return OutboxWorker(store, courier, workers=4)


@pytest.fixture
def desk(store):
    profiles = ProfileStore(store.engine, load_academic_calendar())
    return RequestDesk(store, profiles, Liaisons(frozenset({LIAISON})), timedelta(0),
                       lambda: datetime.now(UTC).date())


def file(store, key="k1", student=STUDENT, created: datetime | None = None) -> AlumniRequest:
    request, _ = store.file(key, "slack", student, Intake("an alum in dermatology for a call"), 2028, "pathways",
                            "pce")
    if created is not None:
        with writing(store.engine) as db:
            db.execute(update(AlumniRequest).where(AlumniRequest.id == request.id).values(created_at=created))
            db.commit()
    return store.get(request.id)


def posts(slack, **where):
    return [call for call in slack.delivered("chat.postMessage")
            if all(call.params.get(name) == value for name, value in where.items())]


def test_a_note_waits_for_its_card_and_messages_keep_their_order(store, desk, worker, slack):
    request = file(store)
    desk.claim(request.id, LIAISON)
    report = worker.run_once()
    assert report.sent == 3 and report.waiting == 0  # card, card update, student notice: in that order
    methods = [call.method for call in slack.delivered() if call.method.startswith("chat.")]
    assert methods == ["chat.postMessage", "chat.update", "chat.postMessage"]
    assert store.get(request.id).card_ts is not None


def test_a_thread_message_before_its_card_waits_without_losing_an_attempt(store, worker, slack):
    request = file(store)
    with writing(store.engine) as db:  # the card went out before, but its place was never recorded
        db.execute(update(OutboxMessage).where(OutboxMessage.kind == CARD).values(status="failed"))
        db.commit()
    store.mail.enqueue("note:x", NOTE, request.id, "Check-in: fine")
    report = worker.run_once()
    [note] = [m for m in store.mail.of_request(request.id) if m.kind == NOTE]
    assert report.waiting == 1 and note.status == "pending" and note.attempts == 0


def test_an_orphan_already_in_slack_is_recorded_not_sent_again(store, worker, slack):
    posted, lost = file(store, "k1"), file(store, "k2")
    [posted_card, lost_card] = [store.mail.of_request(r.id)[0] for r in (posted, lost)]
    slack_answer = worker.courier.client.chat_postMessage(  # what the dead sender got through
        channel=CHANNEL, text="card", metadata={"event_type": "advisor_outbox",
                                                "event_payload": {"outbox": posted_card.id}})
    long_ago = utcnow() - timedelta(minutes=5)
    with writing(store.engine) as db:
        db.execute(update(OutboxMessage).where(OutboxMessage.kind == CARD)
                   .values(status=SENDING, claimed_at=long_ago))
        db.commit()
    report = worker.run_once()
    assert report.recovered == 1 and report.sent == 1
    assert store.get(posted.id).card_ts == slack_answer["ts"]
    stamps = [call.params["metadata"]["event_payload"]["outbox"] for call in posts(slack, channel=CHANNEL)]
    assert sorted(stamps) == sorted([posted_card.id, lost_card.id])  # the lost one sent, the other not again


def test_refusals_a_student_dm_fails_for_good_a_liaison_channel_one_is_kept(store, desk, worker, slack):
    request = file(store)
    slack.fail_next("chat.postMessage", 200, error="channel_not_found")
    report = worker.run_once()
    assert report.retrying == 1 and store.mail.of_request(request.id)[0].status == "pending"
    worker.outbox.postpone(store.mail.of_request(request.id)[0].id, utcnow(), "now")
    worker.run_once()
    desk.claim(request.id, LIAISON)
    slack.fail_next("chat.postMessage", 200, error="user_not_found")
    report = worker.run_once()
    assert report.failed == 1
    statuses = {message.kind: message.status for message in store.mail.of_request(request.id)}
    assert statuses == {"card": "sent", "card_update": "sent", "student": "failed"}


def test_two_workers_at_once_send_each_message_once(store, worker, slack):
    for n in range(30):
        file(store, f"k{n}", student=f"U{n:04d}")
    twin = OutboxWorker(store, worker.courier, workers=4)
    threads = [threading.Thread(target=w.run_once) for w in (worker, twin)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stamps = [call.params["metadata"]["event_payload"]["outbox"] for call in posts(slack, channel=CHANNEL)]
    assert len(stamps) == 30 == len(set(stamps))


def test_a_connected_student_gets_a_check_in_and_their_answer_reaches_the_thread(store, desk, worker, slack):
    request = file(store)
    desk.connect(request.id, LIAISON, "Dr. Grace Hopper", None)
    worker.run_once()
    [check_in] = [call for call in posts(slack, channel=STUDENT) if "Checking in" in call.params["text"]]
    assert [b["action_id"] for b in check_in.params["blocks"][-1]["elements"]][-1] == "alumni_check_in_not_yet"
    assert not desk.check_in("slack", "U0SOMEONE", request.id, "helpful")  # not theirs
    assert desk.check_in("slack", STUDENT, request.id, "not_yet")
    worker.run_once()
    [note] = posts(slack, thread_ts=store.get(request.id).card_ts)
    assert "not connected yet" in note.params["text"]


# ----------------------------------------------------------------- the service level

def service_level(store, digest_at=time(9, 0)) -> ServiceLevel:
    return ServiceLevel(store, 3, digest_at, ZONE, frozenset({"12-25"}), timedelta(days=365))


MONDAY_10AM = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)


def test_business_days_skip_weekends_and_closed_days(store):
    level = service_level(store)
    friday = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
    assert level.business_days(friday, MONDAY_10AM) == 1
    assert level.business_days(datetime(2026, 12, 23, 15, tzinfo=UTC), datetime(2026, 12, 28, 15, tzinfo=UTC)) == 2


def test_an_unclaimed_request_brings_one_reminder_per_round(store, desk, worker, slack):
    late = file(store, "late", created=MONDAY_10AM - timedelta(days=7))  # 5 business days
    claimed = file(store, "claimed", created=MONDAY_10AM - timedelta(days=7))
    file(store, "fresh", created=MONDAY_10AM - timedelta(days=1))
    desk.claim(claimed.id, LIAISON)
    level = service_level(store, digest_at=None)
    level.run(MONDAY_10AM)
    level.run(MONDAY_10AM + timedelta(minutes=1))
    reminders = [m for m in store.mail.of_request(late.id) if m.kind == "reminder"]
    assert len(reminders) == 1 and "waited 5 business days" in reminders[0].text
    assert all(m.kind != "reminder" for r in (claimed, ) for m in store.mail.of_request(r.id))
    worker.run_once()
    [posted] = [call for call in posts(slack, channel=CHANNEL) if "Waiting to be claimed" in call.params["text"]]
    assert posted.params["thread_ts"] == store.get(late.id).card_ts and posted.params["reply_broadcast"] in (True, "1")


def test_the_digest_goes_once_on_business_days_after_its_time(store, worker, slack):
    file(store, "old", created=MONDAY_10AM - timedelta(days=21))
    file(store, "new", created=MONDAY_10AM - timedelta(hours=3))
    level = service_level(store)
    level.run(MONDAY_10AM - timedelta(hours=2))  # 08:00 local: not yet
    assert not [m for m in store.mail.due(utcnow(), 100) if m.kind == "digest"]
    level.run(MONDAY_10AM)
    level.run(MONDAY_10AM + timedelta(hours=1))
    [digest] = [m for m in store.mail.due(utcnow(), 100) if m.kind == "digest"]
    assert "2 request(s)" in digest.text and digest.text.index("#1") < digest.text.index("#2")
    assert "10 or more business days" in digest.text
    level.run(MONDAY_10AM - timedelta(days=2))  # Saturday: none
    assert len([m for m in store.mail.due(utcnow(), 100) if m.kind == "digest"]) == 1
    worker.run_once()
    [posted] = [call for call in posts(slack, channel=CHANNEL) if "Open alumni-advisor requests" in call.params["text"]]
    assert "thread_ts" not in posted.params
    service_level(store, digest_at=None).run(utcnow() + timedelta(days=366))  # retention: the digest goes too
    with session(store.engine) as db:
        assert db.exec(select(OutboxMessage).where(OutboxMessage.kind == "digest")).all() == []


def test_finished_requests_are_deleted_after_retention(store, desk):
    old = file(store, "old")
    desk.close(old.id, LIAISON, "The student found someone themselves")
    kept = file(store, "kept")
    service_level(store, digest_at=None).run(utcnow() + timedelta(days=366))
    assert store.get(old.id) is None and store.mail.of_request(old.id) == [] and store.history(old.id) == []
    assert store.get(kept.id) is not None


def test_mail_is_resolved_to_its_recipients_platform(store, desk, worker, slack):
    """A request filed in Teams, with only Slack running: the card reaches the Slack liaison channel, the
    student's notice (owed to their Teams chat) fails for good instead of going to a Slack user of that id."""
    request, _ = store.file("k-teams", "teams", "0b8f6c1e-2d3a-4b5c-8d9e-0f1a2b3c4d5e",
                            Intake("an alum in surgery"), 2028, "pathways", "pce")
    desk.claim(request.id, LIAISON)
    report = worker.run_once()
    assert (report.sent, report.failed) == (2, 1)
    statuses = {message.kind: (message.status, message.reason) for message in store.mail.of_request(request.id)}
    assert statuses["card"][0] == statuses["card_update"][0] == "sent"
    assert statuses["student"] == ("failed", "failed: Teams is not configured")
    assert not posts(slack, channel="0b8f6c1e-2d3a-4b5c-8d9e-0f1a2b3c4d5e")


def test_liaison_mail_waits_while_the_liaison_channel_is_not_set(store, slack, isolated_env, monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("SLACK_API_URL", slack.url)
    from config.settings import load_settings

    client = web_client(load_settings(None), retry_rate_limits=False, retry_server_errors=False)
    unset = OutboxWorker(store, SlackOutboxCourier(client, Pacer(100, 100), "", ZONE, load_copy()), workers=2)
    request = file(store)
    report = unset.run_once()
    [card] = store.mail.of_request(request.id)
    assert report.retrying == 1 and report.halted and card.status == "pending"
    assert card.reason == "retrying: ALUMNI_LIAISON_CHANNEL is not set" and not slack.delivered("chat.postMessage")
