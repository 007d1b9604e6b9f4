"""Teams deliveries are addressed before the couriers are called: a student's personal chat or a channel, each
with its region's service URL, from the references the bot remembered; Slack needs no address book."""

from __future__ import annotations

import pytest

from handlers.teams.addresses import TeamsAddresses, resolved
from scheduler.ports import Address, DeliveryError
from scheduler.routing import Couriers, Messengers
from store.conversations import PERSONAL, ConversationRef, TeamsConversations
from store.db import migrated_engine
from store.recipients import SLACK, TEAMS, Recipient

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
