"""The local console as a new user meets it: a real `advisor chat` subprocess, a peer of Slack and Teams."""

from __future__ import annotations

import re

from support.content import edited_copy
from tests.cli.test_cli import run

LOG_LINE = re.compile(r"\b(DEBUG|INFO|WARNING|ERROR)\b [\w.]+: |Traceback")


def test_the_console_answers_follows_up_files_requests_and_sets_nudges(tmp_path):
    script = ("when is the ERAS workshop?\nwhat time does it start?\n/phase post-pce\n/checklist\n"
              "/profile 2027 pathways\n/alumni an alum in dermatology in Boston for a call\n/requests\n"
              "/nudges off tasks\n/quit\n")
    result = run("chat", stdin=script, env_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "June" in out and "Source:" in out
    assert "don't give a time of day for Applying to Residency Using ERAS" in out  # the follow-up
    assert "Your Post-PCE checklist" in out and "To do in Post-PCE:" in out
    assert "**" not in out  # Markdown rendered for the terminal
    assert "Your request #1 is with the Alumni Liaison" in out
    assert "#1 (waiting for the liaison)" in out and "dermatology" in out
    assert re.search(r"Application and survey tasks \(tasks\): off", out)
    assert not LOG_LINE.search(out) and not LOG_LINE.search(result.stderr)
    assert (tmp_path / "data" / "advisor.log").read_text()  # the log lines went to the file

    listed = run("requests", "list", env_dir=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert re.search(r"#1\s+open .* local .*dermatology", listed.stdout)

    again = run("chat", stdin="/nudges\n/quit\n", env_dir=tmp_path)  # the setting is kept
    assert re.search(r"Application and survey tasks \(tasks\): off", again.stdout)
    assert "Nothing for you in" in again.stdout or "What I would send you in" in again.stdout


def test_the_console_shows_the_inbox_and_asks_for_an_alumni_request_in_words(tmp_path):
    result = run("chat", stdin="/alumni\nsomeone in pediatrics for shadowing\n/inbox\n/quit\n", env_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "What are you looking for" in result.stdout
    assert re.search(r"#1\s+open\s+console:local\s+someone in pediatrics", result.stdout)


def test_an_edited_sentence_reaches_the_console(tmp_path):
    content = edited_copy(tmp_path, "help", "**Edited help** for the `console`.", "console")
    result = run("chat", stdin="/help\n/quit\n", env_dir=tmp_path, extra_env={"KNOWLEDGE_DIR": str(content)})
    assert result.returncode == 0, result.stderr
    assert "Edited help for the console." in result.stdout


def test_the_consoles_own_lines_are_copy(tmp_path):
    content = edited_copy(tmp_path, "console_status", "**As if:** {phase} / {track} / {date}", "console")
    result = run("chat", stdin="/phase pce\n/date 2026-03-01\n/phase nonsense\n/quit\n", env_dir=tmp_path,
                 extra_env={"KNOWLEDGE_DIR": str(content)})
    assert result.returncode == 0, result.stderr
    assert "As if: PCE / not set / 2026-03-01" in result.stdout
    assert "Sorry: " in result.stdout  # console_error, unedited
