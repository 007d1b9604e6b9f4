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

from bot.command_words import ALUMNI_VERBS, FORGET_WORDS, profile_words
from bot.core import AdvisorCore, Answer, Student
from bot.intents import wants_alumni_contact
from handlers.teams import activities as act
from handlers.teams import cards
from handlers.teams.alumni import AlumniActions
from handlers.teams.conversations import TeamsConversations
from handlers.teams.sender import TeamsSender, message
from knowledge.context import InputError
from scheduler.after_ack import AfterAck
from store.alumni import Intake

log = logging.getLogger(__name__)

RECEIPT = ("Your request #{id} is with the Alumni Liaison, who will look for an alum who fits. I'll message you "
           "here when it moves on; type **requests** to see where it stands.")
NOT_YOURS = "That reminder is not one of yours, or it no longer exists."
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
        verb, _, rest = text.partition(" ")
        verb, rest = verb.lower(), rest.strip()
        if verb in ALUMNI_VERBS and not rest.endswith("?"):
            # "alumni <what I want>" fills the form rather than filing: a question like "alumni liaison, who is
            # it?" must not reach the liaison as a request, and the form's Send files once
            self.say(activity, cards.intake_card(rest), "Ask for an alumni advisor")
        elif not rest and verb in ("request", "intake"):
            self.say(activity, cards.intake_card(), "Ask for an alumni advisor")
        elif verb in ("requests", "request") and not rest:
            self._notice(activity, self.alumni.requests_of(who))
        elif verb == "help" and not rest:
            self._notice(activity, cards.HELP)
        elif verb == "upcoming" and not rest:
            reply = self.core.upcoming(self.core.context(who))
            self.say(activity, cards.reply_card(reply, self.core.copy.ask_a_person), reply.text)
        elif verb == "profile" and rest.lower() in FORGET_WORDS:
            self.core.forget_profile(who)
            self._notice(activity, "Done: I've forgotten your class year and track.")
        elif verb == "profile" and rest:
            self._notice(activity, self._save_profile(who, *profile_words(rest)))
        elif verb == "profile":
            self._profile_form(activity, who)
        elif verb == "nudges":
            self._notice(activity, self._nudges(who, rest))
        elif wants_alumni_contact(text):
            self.say(activity, cards.intake_card(text), "Ask for an alumni advisor")
        else:
            self._answer(activity, self.core.answer(who, text, act.conversation_id(activity)))

    def _mentioned(self, activity: dict, text: str) -> None:
        """An @mention in a channel or group chat: answered in its reply chain, with the question quoted."""
        if not text:
            self._notice(activity, "Mention me with a question, like *@Career Advisor when is ERAS due?*")
            return
        heading = f"You asked: {cards.escape(cards.clip(text, 300))}"
        self._answer(activity, self.core.answer(act.student(activity), text), heading)

    # ------------------------------------------------------------ submits

    def _submitted(self, activity: dict, value: dict) -> None:
        who, action = act.student(activity), value.get(cards.ACTION)
        match action:
            case cards.ENTRY:
                answer = self.core.answer_entry(str(value.get("entry")))
                if answer is None:
                    self._notice(activity, "That answer is no longer available. Ask me in your own words?")
                else:
                    self._answer(activity, answer)
            case cards.VOTE:
                self.core.vote(who, (act.conversation_id(activity), str(activity.get("replyToId"))),
                               str(value.get("entry")), value.get("helpful") is True)
                self._notice(activity, "Thanks for the feedback: it goes to the programme staff who keep "
                                       "these answers up to date.")
            case cards.ASK_PERSON:
                self._notice(activity, self.core.copy.ask_a_person)
            case cards.PROFILE_FORM:
                self._profile_form(activity, who)
            case cards.SAVE_PROFILE:
                self._notice(activity, self._save_profile(who, value.get("class_of") or None,
                                                          value.get("track") or None))
            case cards.INTAKE_FORM:
                self.say(activity, cards.intake_card(), "Ask for an alumni advisor")
            case cards.FILE_REQUEST:
                intake = Intake(str(value.get("description") or ""), value.get("specialty") or None,
                                value.get("location") or None, value.get("contact") or None)
                self._file(activity, who, intake, f"teams-intake:{value.get('nonce') or activity['id']}")
            case cards.NUDGE_DONE:
                done = self.core.finish_task(who, act.number(value.get("delivery")))
                self._notice(activity, "✅ Marked done. No more reminders about this one." if done else NOT_YOURS)
            case cards.NUDGE_LATER:
                when = self.core.remind_later(who, act.number(value.get("delivery")))
                self._notice(activity, f"⏰ Got it: I'll remind you again on {when:%A %-d %B}." if when
                             else NOT_YOURS)
            case _:
                if not self.alumni.handle(activity, value):
                    self._notice(activity, "That button is from an older version of me; try typing *help*.")

    # ------------------------------------------------------------ helpers

    def _answer(self, activity: dict, answer: Answer, heading: str | None = None) -> None:
        copy = self.core.copy
        card = cards.answer_card(answer, copy.ask_a_person, copy.profile_prompt, heading)
        self.say(activity, card, cards.clip(answer.reply.text, 500))

    def _notice(self, activity: dict, markdown: str) -> None:
        self.say(activity, cards.notice_card(markdown), cards.clip(markdown, 500))

    def _file(self, activity: dict, who: Student, intake: Intake, key: str) -> None:
        try:
            request, _ = self.core.requests.file(who.platform, who.user_id, intake, key)
        except InputError as error:
            self._notice(activity, f"I couldn't send that yet: {cards.escape(str(error))}.")
            self.say(activity, cards.intake_card(intake.description), "Ask for an alumni advisor")
            return
        self._notice(activity, RECEIPT.format(id=request.id))

    def _profile_form(self, activity: dict, who: Student) -> None:
        profile = self.core.profile(who)
        card = cards.profile_card(self.core.class_years(), profile.class_of, profile.track,
                                  self.core.describe(profile))
        self.say(activity, card, "Your profile")

    def _save_profile(self, who: Student, class_of: str | None, track: str | None) -> str:
        try:
            profile = self.core.set_profile(who, class_of, track)
        except InputError as error:
            return f"I couldn't save that: {cards.escape(str(error))}. For example: *profile 2028 pathways*."
        return f"Saved. {cards.escape(self.core.describe(profile))}."

    def _nudges(self, who: Student, text: str) -> str:
        settings = self.core.change_nudges(who, text)
        if settings.problem == "unknown":
            known = ", ".join(f"*{choice.category}*" for choice in settings.choices)
            return f"There is no reminder category called that. Try one of {known}, or *all*."
        usage = "Type *nudges*, *nudges off <name>* or *nudges on <name>*.\n\n" if settings.problem == "usage" else ""
        return usage + cards.reminder_summary(settings.choices)
