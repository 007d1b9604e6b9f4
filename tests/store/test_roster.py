"""`advisor roster import`: all or nothing, every bad row named, idempotent, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from cli.main import main
from store.db import migrated_engine
from store.models import utcnow
from store.recipients import SLACK, TEAMS, Recipient
from store.roster import Roster, RosterError, read_roster

TODAY = date(2026, 11, 24)


def write(tmp_path, text: str):
    path = tmp_path / "roster.csv"
    path.write_text(text)
    return path


def test_every_bad_row_is_named(tmp_path):
    path = write(tmp_path, "name,slack_user_id,class_of,track\n"
                           "Ada,U0AAA1,2028,pathways\n"
                           "Bo,not-an-id,2028,pathways\n"
                           "Cy,U0AAA2,1990,hst\n"
                           "Di,U0AAA3,2028,dentistry\n"
                           "Ed,U0AAA1,2029,hst\n")
    with pytest.raises(RosterError) as error:
        read_roster(path, TODAY)
    assert [problem.split(":")[0] for problem in error.value.problems] == ["line 3", "line 4", "line 5", "line 6"]


def test_missing_columns_are_named(tmp_path):
    with pytest.raises(RosterError, match="class_of"):
        read_roster(write(tmp_path, "slack_user_id,track\nU0AAA1,hst\n"), TODAY)


def test_import_is_an_idempotent_upsert(database_url, tmp_path):
    roster = Roster(migrated_engine(database_url))
    rows = read_roster(write(tmp_path, "slack_user_id,class_of,track,email\nU0AAA1,2028,Pathways,a@x\n"
                                       "U0AAA2,'27,hst,b@x\n"), TODAY)
    first = roster.import_rows(rows)
    assert (first.added, first.updated, first.unchanged) == (2, 0, 0)
    again = roster.import_rows(rows)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 2)
    moved = read_roster(write(tmp_path, "slack_user_id,class_of,track\nU0AAA1,2029,pathways\n"), TODAY)
    result = roster.import_rows(moved)
    assert (result.added, result.updated, result.unchanged) == (0, 1, 0)
    assert roster.by_class() == {(2027, "hst"): [Recipient(SLACK, "U0AAA2")],
                                 (2029, "pathways"): [Recipient(SLACK, "U0AAA1")]}


def test_a_teams_student_is_kept_in_the_teams_column(database_url, tmp_path):
    roster = Roster(migrated_engine(database_url))
    entra = "0B8F6C1E-2D3A-4B5C-8D9E-0F1A2B3C4D5E"
    rows = read_roster(write(tmp_path, f"slack_user_id,teams_user_id,class_of,track\nU0AAA1,,2028,hst\n"
                                       f",{entra},2028,hst\n"), TODAY)
    assert [row.student for row in rows] == [Recipient(SLACK, "U0AAA1"), Recipient(TEAMS, entra.lower())]
    assert roster.import_rows(rows).added == 2
    assert roster.import_rows(rows).unchanged == 2
    teams = Recipient(TEAMS, entra.lower())
    assert set(roster.by_class()[(2028, "hst")]) == {Recipient(SLACK, "U0AAA1"), teams}
    [(found, row)] = roster.get_many({teams}).items()
    assert found == teams and row.teams_user_id == entra.lower() and row.slack_user_id is None
    roster.set_timezone(teams, "Europe/Paris")
    assert roster.get_many({teams})[teams].timezone == "Europe/Paris"
    assert roster.needing_timezone(utcnow() - timedelta(hours=1), 10) == [Recipient(SLACK, "U0AAA1")]


def test_the_command_imports_nothing_from_a_file_with_errors(isolated_env, capsys):
    bad = write(isolated_env, "slack_user_id,class_of,track\nU0AAA1,2028,pathways\nU0AAA2,20x8,hst\n")
    assert main(["roster", "import", str(bad)]) == 1
    assert "line 3" in capsys.readouterr().err
    good = write(isolated_env, "slack_user_id,class_of,track\nU0AAA1,2028,pathways\n")
    assert main(["roster", "import", str(good)]) == 0
    assert "1 added" in capsys.readouterr().out
