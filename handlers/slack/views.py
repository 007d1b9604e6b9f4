"""The profile modal's submission: validated and saved before the acknowledgement, then the App Home and the
student are updated."""

from __future__ import annotations

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.core import AdvisorCore
from handlers.slack.blocks import notice
from handlers.slack.common import interaction_place, post_reply, publish_home, student
from handlers.slack.surfaces import CLASS_BLOCK, PROFILE_CALLBACK, TRACK_BLOCK, submitted_profile
from handlers.slack.work import ListenerWork
from knowledge.context import InputError


def register(app: App, core: AdvisorCore, work: ListenerWork) -> None:
    @app.view(PROFILE_CALLBACK)
    def save_profile(ack: Ack, body: dict, view: dict, client: WebClient) -> None:
        class_of, track = submitted_profile(view)
        user_id = body["user"]["id"]
        try:
            core.set_profile(student(user_id), class_of, track)
        except InputError as error:
            block = TRACK_BLOCK if class_of and not track else CLASS_BLOCK
            ack(response_action="errors", errors={block: str(error)[:150]})
            return
        ack()

        def tell() -> None:
            publish_home(core, client, user_id)
            post_reply(client, interaction_place(body), notice(core.save_profile(student(user_id), class_of, track)))

        work.after_ack(body, tell)
