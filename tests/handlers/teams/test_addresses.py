"""Teams deliveries are addressed before the couriers are called: a student's personal chat or a channel, each
with its region's service URL, from the references the bot remembered; Slack needs no address book."""

from __future__ import annotations

import pytest

from config.settings import load_settings
from handlers.teams.addresses import TeamsAddresses, resolved
from handlers.teams.bot import build_sender
from handlers.teams.outbox_courier import TeamsOutboxCourier
from knowledge.loader import load_copy
from scheduler.outbox_worker import OutboxWorker
from scheduler.ports import Address, DeliveryError
from scheduler.routing import Couriers, Messengers
from store.alumni import AlumniRequests, Intake
from store.conversations import PERSONAL, ConversationRef, TeamsConversations
from store.db import migrated_engine
from store.outbox import STUDENT
from store.recipients import SLACK, TEAMS, Recipient
from support.teams_driver import APP_ID, LIAISON_CHANNEL, SECRET, TENANT

DEFAULT = "https://smba.trafficmanager.net/teams/"
EMEA = "https://smba.trafficmanager.net/emea/"
CHANNEL = "19:liaison@thread.tacv2"


@pytest.fixture
def addresses(database_url) -> TeamsAddresses:
    conversations = TeamsConversations(migrated_engine(database_url))
    conversations.remember(ConversationRef("a:chat-1", PERSONAL, EMEA, "student-1"))
    conversations.remember(ConversationRef(CHANNEL, "channel", EMEA, team_id="team"))
    return TeamsAddresses(conversations, DEFAULT)


def test_a_student_is_reached_in_their_personal_chat_and_a_channel_as_it_is(addresses):
    assert addresses(Recipient(TEAMS, "student-1"), personal=True) == Address("a:chat-1", EMEA)
    assert addresses(Recipient(TEAMS, CHANNEL), personal=False) == Address(CHANNEL, EMEA)
    unheard = "19:class2027@thread.tacv2"  # a channel the bot has not heard from: the configured connector
    assert addresses(Recipient(TEAMS, unheard), personal=False) == Address(unheard, DEFAULT)


def test_a_student_without_a_chat_with_the_bot_fails_for_good(addresses):
    with pytest.raises(DeliveryError) as raised:
        addresses(Recipient(TEAMS, "student-2"), personal=True)
    assert raised.value.permanent and not raised.value.maybe_sent


def test_the_routers_address_only_platforms_with_an_address_book(addresses):
    for router in (Messengers({}, {TEAMS: addresses}), Couriers({}, TEAMS, {TEAMS: addresses})):
        assert router.address(Recipient(TEAMS, "student-1"), personal=True) == Address("a:chat-1", EMEA)
        assert router.address(Recipient(SLACK, "U012ABCDEF"), personal=True) is None


def test_a_courier_without_a_resolved_address_does_not_post():
    assert resolved(Address("a:chat-1", EMEA)) == ("a:chat-1", EMEA)
    for missing in (None, Address("a:chat-1")):
        with pytest.raises(DeliveryError) as raised:
            resolved(missing)
        assert not raised.value.permanent


def test_the_outbox_posts_to_resolved_teams_addresses_and_fails_a_student_without_a_chat(
        identity, connector, database_url, isolated_env, monkeypatch):
    """In process, the real Teams outbox courier against the connector stand-in: the cards go to the liaison
    channel at the configured connector, a student's notice to the personal chat the bot remembered, and the
    notice owed to a chat never opened fails for good before anything is posted."""
    for name, value in {"TEAMS_CLIENT_ID": APP_ID, "TEAMS_CLIENT_SECRET": SECRET, "TEAMS_TENANT_ID": TENANT,
                        "TEAMS_LOGIN_ENDPOINT": identity.login_endpoint, "TEAMS_TOKEN_ISSUER": identity.issuer,
                        "TEAMS_OPENID_METADATA_URL": identity.openid_metadata_url,
                        "TEAMS_SERVICE_URL": connector.service_url, "REQUESTS_CA_BUNDLE": identity.ca_file}.items():
        monkeypatch.setenv(name, value)
    settings = load_settings(None)
    store = AlumniRequests(migrated_engine(database_url))
    book = TeamsAddresses(TeamsConversations(store.engine), settings.teams.service_url)
    courier = TeamsOutboxCourier(build_sender(settings), LIAISON_CHANNEL, "America/New_York", load_copy())
    worker = OutboxWorker(store, Couriers({TEAMS: courier}, TEAMS, {TEAMS: book}), workers=2)
    request, _ = store.file("k-teams", TEAMS, "student-without-chat", Intake("an alum in surgery"), 2028,
                            "pathways", "pce")
    store.mail.enqueue("k-teams-notice", STUDENT, request.id, "Your request is with the liaison.")
    book.conversations.remember(ConversationRef("a:chat-2", PERSONAL, connector.service_url, "student-with-chat"))
    other, _ = store.file("k-other", TEAMS, "student-with-chat", Intake("an alum in pediatrics"), 2028,
                          "pathways", "pce")
    store.mail.enqueue("k-other-notice", STUDENT, other.id, "Your request is with the liaison.")

    report = worker.run_once()

    assert (report.sent, report.failed) == (3, 1)
    statuses = {message.kind: (message.status, message.reason) for message in store.mail.of_request(request.id)}
    assert statuses["card"][0] == "sent"
    assert statuses["student"] == ("failed", "failed: the student has not opened a chat with the bot in Teams")
    assert {message.status for message in store.mail.of_request(other.id)} == {"sent"}
    assert len(connector.sent(LIAISON_CHANNEL)) == 2 and len(connector.sent("a:chat-2")) == 1
    assert len(connector.sent()) == 3
