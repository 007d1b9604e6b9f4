"""The Teams alumni cards say what copy.yaml says: an edited sentence, title or label is what the liaison and the
student read, and the student's words stay escaped."""

from __future__ import annotations

from handlers.teams.alumni_cards import liaison_card, student_card
from knowledge.copy import Copy
from knowledge.loader import load_copy
from store.models import AlumniRequest
from store.outbox import CHECK_IN, RELAY_TO_STUDENT, STUDENT


def edited(**teams: str) -> Copy:
    copy = load_copy()
    variants = {key: dict(value) for key, value in copy.variants.items()}
    for key, text in teams.items():
        variants[key]["teams"] = text
    return Copy(variants)


def request(**fields: object) -> AlumniRequest:
    return AlumniRequest(id=7, intake_key="k", platform="teams", student_id="29:student", class_of=2028,
                         track="hst", description="an alum in **dermatology**", **fields)


def test_the_liaison_card_is_worded_from_copy():
    copy = edited(card_title="Request {id} for alumni", card_from="Filed by {student}", card_the_student="a student",
                  card_specialty="**Field**", card_not_given="(none)", card_claim_button="Take it",
                  connected_alumnus="Name of the alum", form_field_needed="Fill in {field}", form_send="Go")
    card = liaison_card(request(), "Open", copy)
    assert card["body"][0]["text"] == "**Request 7 for alumni**"
    assert card["body"][1]["text"] == "Filed by <at>a student</at>"
    assert card["msteams"]["entities"][0]["text"] == "<at>a student</at>"
    assert {"title": "Field", "value": "\\(none\\)"} in card["body"][2]["facts"]
    assert card["actions"][0]["title"] == "Take it"
    connected = card["actions"][2]["card"]
    assert connected["body"][0]["label"] == "Name of the alum"
    assert connected["body"][0]["errorMessage"] == "Fill in Name of the alum"
    assert connected["actions"][0]["title"] == "Go"
    assert card["body"][3]["text"] == "an alum in \\*\\*dermatology\\*\\*", "the student's words are escaped"


def test_the_students_cards_are_worded_from_copy():
    copy = edited(check_in_an_alum="someone", check_in_not_yet_button="Later",
                  relay_heading="**About #{id}:**", relay_send_button="Reply",
                  to_student_heading="**Request {id}** about {description}")
    check_in = student_card(request(), CHECK_IN, None, copy)
    assert "someone" in check_in["body"][0]["text"]
    assert [action["title"] for action in check_in["actions"]][-1] == "Later"
    relay = student_card(request(), RELAY_TO_STUDENT, "when can you talk?", copy)
    assert relay["body"][0]["text"] == "**About #7:**" and relay["actions"][0]["title"] == "Reply"
    notice = student_card(request(), STUDENT, "Hi", copy)
    assert notice["body"][0]["text"] == "**Request 7** about an alum in \\*\\*dermatology\\*\\*"
