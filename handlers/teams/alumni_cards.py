"""Adaptive Cards for alumni-advisor requests in Teams: the liaison's card with its forms, the student's notices.

Every sentence is copy.yaml's Teams wording; everything a student or liaison typed is escaped before it is shown.
"""

from __future__ import annotations

from handlers.teams.cards import TeamsCopy, adaptive, clip, escape, submit, text
from handlers.teams.markdown import teams
from knowledge.copy import Copy, Markdown
from knowledge.schema import PHASE_LABELS, TRACK_LABELS
from store.alumni import CLOSED, CONNECTED, CONTACT_KINDS
from store.models import AlumniRequest
from store.outbox import CHECK_IN, RELAY_TO_STUDENT

CLAIM, ASK_INFO, MARK_CONNECTED, CLOSE = "alumni_claim", "alumni_ask_info", "alumni_connected", "alumni_close"
ANSWER, CHECKED_IN = "alumni_answer", "alumni_check_in"


def liaison_card(request: AlumniRequest, status_line: str, copy: Copy) -> dict:
    """The request as the liaison sees it; its msteams.entities make "the student" a live @mention."""
    words = TeamsCopy(copy)
    contact = words.label(f"contact_{request.contact}") if request.contact in CONTACT_KINDS else words.label("card_any")
    facts = [("card_class", " · ".join(part for part in (
                 words.label("card_class_of", year=request.class_of) if request.class_of
                 else words.label("card_class_not_set"),
                 TRACK_LABELS.get(request.track or "", ""), PHASE_LABELS.get(request.phase or "", "")) if part)),
             ("card_specialty", request.specialty or words.label("card_not_given")),
             ("card_location", request.location or words.label("card_any")), ("card_contact", contact)]
    mention = f"<at>{words.label('card_the_student')}</at>"
    body = [text(f"**{words.label('card_title', id=request.id)}**", size="Medium"),
            text(words.text("card_from", student=Markdown(mention))),
            {"type": "FactSet", "facts": [{"title": words.label(key), "value": escape(value)} for key, value in facts]},
            text(escape(request.description)), text(status_line, isSubtle=True)]
    card = adaptive(body, [] if request.status in (CONNECTED, CLOSED) else _liaison_actions(request.id, words))
    card["msteams"]["entities"] = [{"type": "mention", "text": mention,
                                    "mentioned": {"id": request.student_id, "name": words.label("card_the_student")}}]
    return card


def _liaison_actions(request_id: int, words: TeamsCopy) -> list[dict]:
    def form(title: str, action: str, *inputs: dict) -> dict:
        return {"type": "Action.ShowCard", "title": words.label(title),
                "card": adaptive(list(inputs), [submit(words.label("form_send"), action, request=request_id)])}

    def field(name: str, label_key: str, required: bool = True, multiline: bool = False) -> dict:
        label_text = words.label(label_key)
        return {"type": "Input.Text", "id": name, "label": label_text, "isRequired": required,
                "isMultiline": multiline, "maxLength": 500,
                "errorMessage": words.label("form_field_needed", field=label_text)}

    return [submit(words.label("card_claim_button"), CLAIM, style="positive", request=request_id),
            form("card_ask_info_button", ASK_INFO, field("question", "ask_info_question", multiline=True)),
            form("card_connected_button", MARK_CONNECTED, field("alumnus", "connected_alumnus"),
                 field("notes", "connected_notes", required=False, multiline=True)),
            form("card_close_button", CLOSE, field("reason", "close_reason"))]


def student_card(request: AlumniRequest, kind: str, said: str | None, copy: Copy) -> dict:
    words = TeamsCopy(copy)
    if kind == CHECK_IN:
        who = request.alumnus or copy.say("check_in_an_alum", "teams")  # ours: Markdown, not escaped
        return adaptive([text(words.text("check_in_question", id=request.id, alumnus=who))],
                        [submit(words.label(f"check_in_{answer}_button"), CHECKED_IN, request=request.id,
                                answer=answer) for answer in ("helpful", "not_helpful", "not_yet")])
    if kind == RELAY_TO_STUDENT:
        return adaptive([text(words.text("relay_heading", id=request.id)),
                         text(escape(said or "")),
                         {"type": "Input.Text", "id": "answer", "label": words.label("relay_answer_label"),
                          "isMultiline": True, "isRequired": True, "maxLength": 2000,
                          "errorMessage": words.label("relay_answer_needed")}],
                        [submit(words.label("relay_send_button"), ANSWER, style="positive", request=request.id)])
    heading = words.text("to_student_heading", id=request.id, description=clip(request.description, 80))
    return adaptive([text(heading), text(teams(said or ""))])
