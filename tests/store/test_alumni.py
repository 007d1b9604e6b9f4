"""Alumni requests in the database: filed once, allowed steps only, an audit line per change, retention."""

from __future__ import annotations

import csv
import json
from datetime import timedelta

import pytest

from cli.main import main
from knowledge.context import InputError
from store.alumni import CLAIMED, CLOSED, CONNECTED, NEEDS_INFO, AlumniRequests, Intake
from store.db import migrated_engine
from store.models import utcnow

DERMATOLOGY = Intake("I'd like to talk to an alum in dermatology about research years.", "Dermatology",
                     "Boston", "call")


@pytest.fixture
def requests(database_url):
    return AlumniRequests(migrated_engine(database_url))


def file(requests, key="cmd-1", student="U0STUDENT", intake=DERMATOLOGY):
    return requests.file(key, "slack", student, intake, 2028, "pathways", "pce")


def test_a_request_is_filed_once_per_intake(requests):
    first, filed = file(requests)
    again, filed_again = file(requests)
    assert filed and not filed_again and first.id == again.id
    assert [change.action for change in requests.history(first.id)] == ["filed"]
    assert (first.status, first.specialty, first.contact, first.phase) == ("open", "Dermatology", "call", "pce")


@pytest.mark.parametrize(("intake", "problem"), [
    (Intake("derm"), "a little about"),
    (Intake("x" * 2001), "under 2000"),
    (Intake("An alum in surgery, please, to shadow.", contact="telepathy"), "email, call, visit or shadowing"),
])
def test_bad_intake_gets_a_clear_answer_and_files_nothing(requests, intake, problem):
    with pytest.raises(InputError, match=problem):
        file(requests, intake=intake)
    assert requests.listing() == []


def test_only_allowed_steps_are_taken_and_each_is_audited(requests):
    request, _ = file(requests)
    assert requests.change(request.id, "U0LIAISON", CLAIMED).claimed_by == "U0LIAISON"
    assert requests.change(request.id, "U0LIAISON", NEEDS_INFO, "Which city?").status == NEEDS_INFO
    connected = requests.change(request.id, "U0LIAISON", CONNECTED, alumnus="Dr. A. Alum", outcome_notes="by email")
    assert connected.alumnus == "Dr. A. Alum"
    assert requests.change(request.id, "U0LIAISON", CLOSED, close_reason="done") is None, "connected is final"
    assert [(c.actor, c.action) for c in requests.history(request.id)] == [
        ("U0STUDENT", "filed"), ("U0LIAISON", "claimed"), ("U0LIAISON", "needs_info"), ("U0LIAISON", "connected")]


def test_students_see_only_their_own_requests(requests):
    file(requests, "cmd-1", "U0ONE")
    file(requests, "cmd-2", "U0TWO")
    assert [r.student_id for r in requests.of_student("slack", "U0ONE")] == ["U0ONE"]


def test_closed_requests_are_forgotten_after_retention(requests):
    kept, _ = file(requests, "cmd-1")
    closed, _ = file(requests, "cmd-2")
    requests.change(closed.id, "U0LIAISON", CLOSED, close_reason="student found someone")
    assert requests.purge_closed(utcnow() - timedelta(days=1)) == 0
    assert requests.purge_closed(utcnow() + timedelta(seconds=1)) == 1
    assert [r.id for r in requests.listing()] == [kept.id] and requests.history(closed.id) == []


def test_list_and_export_commands(isolated_env, capsys):
    requests = AlumniRequests(migrated_engine(f"sqlite:///{isolated_env / 'data' / 'advisor.db'}"))
    file(requests)
    assert main(["requests", "list", "--json"]) == 0
    [item] = json.loads(capsys.readouterr().out)
    assert {"id", "status", "created_at", "student", "description"} <= set(item)
    assert item["student"] == "U0STUDENT" and item["status"] == "open"
    assert main(["requests", "list", "--status", "closed"]) == 0
    assert "No alumni requests with status closed." in capsys.readouterr().out
    assert main(["requests", "export", str(isolated_env / "requests.csv")]) == 0
    [row] = list(csv.DictReader((isolated_env / "requests.csv").open()))
    assert row["specialty"] == "Dermatology" and row["description"].startswith("I'd like")
    capsys.readouterr()
    requests.change(1, "U0LIAISON", CLAIMED)
    assert main(["requests", "show", "1", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert [step["action"] for step in shown["history"]] == ["filed", "claimed"]
    assert shown["history"][1]["actor"] == "U0LIAISON"
    assert {message["kind"] for message in shown["messages"]} == {"card", "card_update"}
    assert main(["requests", "show", "1"]) == 0
    assert "2 message(s) not delivered yet" in capsys.readouterr().out
    assert main(["requests", "show", "99"]) == 1
