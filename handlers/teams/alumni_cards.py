"""Adaptive Cards for alumni-advisor requests in Teams: the liaison's card with its forms, the student's notices.

Everything a student or liaison typed is escaped before it is shown.
"""

from __future__ import annotations

from handlers.teams.cards import adaptive, escape, submit, text
from handlers.teams.markdown import teams
from knowledge.schema import PHASE_LABELS, TRACK_LABELS
from store.alumni import CLOSED, CONNECTED
from store.models import AlumniRequest
from store.outbox import CHECK_IN, RELAY_TO_STUDENT

CLAIM, ASK_INFO, MARK_CONNECTED, CLOSE = "alumni_claim", "alumni_ask_info", "alumni_connected", "alumni_close"
ANSWER, CHECKED_IN = "alumni_answer", "alumni_check_in"
CONTACT_LABELS = {"email": "Email exchange", "call": "Phone call", "visit": "Visit", "shadowing": "Shadowing"}


def liaison_card(request: AlumniRequest, status_line: str) -> dict:
    """The request as the liaison sees it; its msteams.entities make "the student" a live @mention."""
    facts = [("Class and phase", " · ".join(part for part in (
                 f"Class of {request.class_of}" if request.class_of else "Class not set",
                 TRACK_LABELS.get(request.track or "", ""), PHASE_LABELS.get(request.phase or "", "")) if part)),
             ("Specialty", request.specialty or "not given"), ("Location", request.location or "any"),
             ("Kind of contact", CONTACT_LABELS.get(request.contact or "", "any"))]
    body = [text(f"**Alumni-advisor request #{request.id}**", size="Medium"),
            text("From <at>the student</at>"),
            {"type": "FactSet", "facts": [{"title": title, "value": escape(value)} for title, value in facts]},
            text(escape(request.description)), text(status_line, isSubtle=True)]
    card = adaptive(body, [] if request.status in (CONNECTED, CLOSED) else _liaison_actions(request.id))
    card["msteams"]["entities"] = [{"type": "mention", "text": "<at>the student</at>",
                                    "mentioned": {"id": request.student_id, "name": "the student"}}]
    return card


def _liaison_actions(request_id: int) -> list[dict]:
    def form(title: str, action: str, *inputs: dict) -> dict:
        return {"type": "Action.ShowCard", "title": title,
                "card": adaptive(list(inputs), [submit("Send", action, request=request_id)])}

    def field(name: str, label_text: str, required: bool = True, multiline: bool = False) -> dict:
        return {"type": "Input.Text", "id": name, "label": label_text, "isRequired": required,
                "isMultiline": multiline, "maxLength": 500, "errorMessage": f"{label_text} is needed"}

    return [submit("Claim", CLAIM, style="positive", request=request_id),
            form("Ask for more info", ASK_INFO, field("question", "Your question for the student", multiline=True)),
            form("Mark connected", MARK_CONNECTED, field("alumnus", "The alum's name"),
                 field("notes", "Notes for the student (optional)", required=False, multiline=True)),
            form("Close", CLOSE, field("reason", "Reason (the student sees it)"))]


def student_card(request: AlumniRequest, kind: str, words: str | None) -> dict:
    if kind == CHECK_IN:
        who = escape(request.alumnus or "an alum")
        return adaptive([text(f"**Checking in on request #{request.id}.** The Alumni Liaison put you in touch "
                              f"with {who}. Did you connect, and was it helpful?")],
                        [submit(title, CHECKED_IN, request=request.id, answer=answer) for answer, title in (
                            ("helpful", "Yes, and it helped"), ("not_helpful", "Yes, not much help"),
                            ("not_yet", "Not yet"))])
    if kind == RELAY_TO_STUDENT:
        return adaptive([text(f"**The Alumni Liaison, about your request #{request.id}:**"),
                         text(escape(words or "")),
                         {"type": "Input.Text", "id": "answer", "label": "Your answer", "isMultiline": True,
                          "isRequired": True, "maxLength": 2000, "errorMessage": "Write your answer"}],
                        [submit("Send to the liaison", ANSWER, style="positive", request=request.id)])
    return adaptive([text(f"**Your alumni-advisor request #{request.id}**"), text(teams(words or ""))])
