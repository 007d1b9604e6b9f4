"""Teams' address book for the delivery layer: where a ready nudge or message goes, from the stored references.

Teams reaches a student only in the personal chat the bot saw them in, and every conversation through its
region's service URL, both learnt from inbound activities (store/conversations.py). The resolvers look them
up here before a courier is called (the wiring configures it for the Teams platform), so the couriers only
render and post.
"""

from __future__ import annotations

from scheduler.ports import Address, DeliveryError
from store.conversations import TeamsConversations
from store.recipients import Recipient


class TeamsAddresses:
    def __init__(self, conversations: TeamsConversations, service_url: str):
        self.conversations = conversations
        self.default_service_url = service_url  # for a channel the bot has not heard from yet

    def __call__(self, to: Recipient, personal: bool) -> Address:
        """A student's personal chat (a permanent DeliveryError until they open one); a channel, as it is."""
        if personal:
            chat = self.conversations.personal_chat(to.id)
            if chat is None:
                raise DeliveryError("the student has not opened a chat with the bot in Teams", permanent=True)
            return Address(chat.conversation_id, chat.service_url)
        return Address(to.id, self.conversations.service_url(to.id, self.default_service_url))


def resolved(address: Address | None) -> tuple[str, str]:
    """The conversation and service URL a courier posts to; an error if the wiring gave Teams no address book."""
    if address is None or not address.endpoint:
        raise DeliveryError("no Teams address was resolved (the wiring configures TeamsAddresses)", permanent=False)
    return address.conversation, address.endpoint
