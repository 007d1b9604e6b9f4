"""One Teams activity, start to finish: remember where it came from, claim it once, answer it after the ack.

An activity is claimed in the database with its payload before the connector gets its 200; the answer (and
every other call to Teams) follows on a bounded pool. A retry or a copy at another replica finds the claim
and is dropped, and a process that dies or stops before answering leaves the payload for recovery. Teams
keeps no history a bot can read, so an answer whose fate is unknown (the connector's reply was lost) is
answered again by recovery: at least once, never silently lost (README, "Security and reliability").
"""

from __future__ import annotations

import json
import logging

from bot.commands import Verb, parse_typed
from bot.core import AdvisorCore, Answer, Student
from bot.intents import wants_alumni_contact
from handlers.teams import activities as act
from handlers.teams import cards
from handlers.teams.alumni import AlumniActions
from handlers.teams.sender import TeamsSender, message
from knowledge.copy import Markdown
from scheduler.after_ack import AfterAck
from store.alumni import Intake
from store.conversations import TeamsConversations

log = logging.getLogger(__name__)

TURN_THREADS = 8  # as Slack's: the work is database and connector waits


class TeamsTurns:
    def __init__(self, core: AdvisorCore, sender: TeamsSender, conversations: TeamsConversations):
        self.core = core
        self.sender = sender
        self.conversations = conversations
        self.alumni = AlumniActions(core, self.say)
        self.after = AfterAck(core, act.PLATFORM, TURN_THREADS)

    # ------------------------------------------------------------------ entry

    def accept(self, activity: dict) -> bool:
        """Before the acknowledgement: remember where it came from and claim it with its payload (committed).
        True when it is this process's to handle."""
        ref = act.reference(activity)
        if ref:
            self.conversations.remember(ref)
        if activity.get("type") != "message" or not activity.get("id"):
            return False
        if not self.core.first_delivery(act.PLATFORM, activity["id"], json.dumps(activity)):
            log.info("teams activity %s already handled; dropped", activity["id"])
            return False
        return True

    def after_ack(self, activity: dict) -> None:
        """Handles an accepted activity once the connector has its answer."""
        self.after.submit(lambda: self.handle(activity), activity["id"],
                          lambda: self._notice(activity, self.core.copy.apology), what="Teams activity")

    def handle(self, activity: dict) -> None:
        if activity.get("value"):
            self._submitted(activity, activity["value"])
        elif act.is_personal(activity):
            self._personal(activity, act.text_of(activity))
        else:
            self._mentioned(activity, act.text_of(activity))

    def say(self, activity: dict, card: dict, fallback: str) -> str:
        """Posts a card where the activity came from (a channel's reply chain); returns the new activity id."""
        return self.sender.post(act.reply_chain(activity), activity["serviceUrl"], message(fallback, card))

    # ------------------------------------------------------------- by place

    def _personal(self, activity: dict, text: str) -> None:
        who = act.student(activity)
        command = parse_typed(text)
        if command is None:
            if wants_alumni_contact(text):
                self._intake_form(activity, text)
            else:
                self._answer(activity, self.core.answer(who, text, act.conversation_id(activity)))
        elif command.verb is Verb.ALUMNI:
            # "alumni <what I want>" fills the form rather than filing: the form's Send files once
            self._intake_form(activity, command.text)
        elif command.verb is Verb.PROFILE:
            self._profile_form(activity, who)
        else:
            done = self.core.execute(who, command)
            if done.reply is not None:
                self.say(activity, cards.reply_card(done.reply, self.core.copy.ask_a_person, copy=self.core.texts),
                         done.reply.text)
            else:
                self._notice(activity, done.text)

    def _mentioned(self, activity: dict, text: str) -> None:
        """An @mention in a channel or group chat: answered in its reply chain, with the question quoted."""
        if not text:
            self._notice(activity, self.core.say(act.student(activity), "mention_empty"))
            return
        question = Markdown(cards.escape(cards.clip(text, 300)))  # Teams' own escaping: every Markdown character
        heading = cards.teams(self.core.say(act.student(activity), "you_asked", question=question))
        self._answer(activity, self.core.answer(act.student(activity), text), heading)

    # ------------------------------------------------------------ submits

    def _submitted(self, activity: dict, value: dict) -> None:
        who, action = act.student(activity), value.get(cards.ACTION)
        match action:
            case cards.ENTRY:
                answer = self.core.answer_entry(str(value.get("entry")))
                if answer is None:
                    self._notice(activity, self.core.say(who, "answer_gone"))
                else:
                    self._answer(activity, answer)
            case cards.VOTE:
                self.core.vote(who, (act.conversation_id(activity), str(activity.get("replyToId"))),
                               str(value.get("entry")), value.get("helpful") is True)
                self._notice(activity, self.core.say(who, "vote_helpful" if value.get("helpful") is True
                                                     else "vote_not_helpful"))
            case cards.ASK_PERSON:
                self._notice(activity, self.core.copy.ask_a_person)
            case cards.PROFILE_FORM:
                self._profile_form(activity, who)
            case cards.SAVE_PROFILE:
                self._notice(activity, self.core.save_profile(who, value.get("class_of") or None,
                                                              value.get("track") or None))
            case cards.INTAKE_FORM:
                self._intake_form(activity)
            case cards.FILE_REQUEST:
                intake = Intake(str(value.get("description") or ""), value.get("specialty") or None,
                                value.get("location") or None, value.get("contact") or None)
                self._file(activity, who, intake, f"teams-intake:{value.get('nonce') or activity['id']}")
            case cards.NUDGE_DONE:
                done = self.core.finish_task(who, act.number(value.get("delivery")))
                self._notice(activity, self.core.say(who, "nudge_done" if done else "nudge_not_yours"))
            case cards.NUDGE_LATER:
                when = self.core.remind_later(who, act.number(value.get("delivery")))
                self._notice(activity, self.core.say(who, "nudge_later", when=f"{when:%A %-d %B}") if when
                             else self.core.say(who, "nudge_not_yours"))
            case _:
                if not self.alumni.handle(activity, value):
                    self._notice(activity, self.core.say(who, "stale_button"))

    # ------------------------------------------------------------ helpers

    def _answer(self, activity: dict, answer: Answer, heading: str | None = None) -> None:
        copy = self.core.copy
        card = cards.answer_card(answer, copy.ask_a_person, copy.profile_prompt, heading, copy=self.core.texts)
        self.say(activity, card, cards.clip(answer.reply.text, 500))

    def _notice(self, activity: dict, markdown: str) -> None:
        self.say(activity, cards.notice_card(markdown), cards.clip(markdown, 500))

    def _intake_form(self, activity: dict, description: str = "") -> None:
        self.say(activity, cards.intake_card(self.core.texts, description),
                 self.core.say(act.student(activity), "alumni_button"))

    def _file(self, activity: dict, who: Student, intake: Intake, key: str) -> None:
        done = self.core.file_request(who, intake, key)
        self._notice(activity, done.text)
        if done.request is None:
            self._intake_form(activity, intake.description)

    def _profile_form(self, activity: dict, who: Student) -> None:
        profile = self.core.profile(who)
        card = cards.profile_card(self.core.class_years(), profile.class_of, profile.track,
                                  self.core.describe(profile), self.core.texts)
        self.say(activity, card, cards.plain(self.core.say(who, "profile_form_title")))
