"""The `advisor` command line as a user (and the later issues' tests) run it: a real subprocess."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ADVISOR = [str(Path(sys.executable).parent / "advisor")]
JSON_KEYS = {"question", "answered", "text", "entry", "score", "suggestions", "nearest"}


def run(*args: str, stdin: str = "", env_dir: Path, extra_env: dict | None = None) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "DATA_DIR": str(env_dir / "data"), "HOME": str(env_dir)}
    env.update(extra_env or {})
    return subprocess.run(ADVISOR + list(args), input=stdin, capture_output=True, text=True, env=env,
                          cwd=env_dir, timeout=60)


def test_ask_json_answers_with_the_contract_keys(tmp_path):
    result = run("ask", "--json", "--phase", "post-pce", "when is the ERAS workshop?", env_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    reply = json.loads(result.stdout)
    assert set(reply) == JSON_KEYS
    assert reply["answered"] is True
    assert reply["entry"] == "eras-workshop"
    assert "June" in reply["text"] and "Source:" in reply["text"]
    assert 0.0 <= reply["score"] <= 1.0
    assert reply["nearest"] is None


def test_ask_json_names_the_nearest_entry_when_the_pages_lack_the_detail(tmp_path):
    result = run("ask", "--json", "what time does the ERAS workshop start?", env_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    reply = json.loads(result.stdout)
    assert reply["answered"] is False and reply["entry"] is None
    assert reply["nearest"] == {"id": "eras-workshop", "title": reply["nearest"]["title"]}
    assert "don't give a time of day" in reply["text"]


def test_ask_reads_one_question_per_line_in_order(tmp_path):
    questions = "what is a RASA\nwhere do I park my car\n\nwhen is match day\n"
    result = run("ask", "--json", stdin=questions, env_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    replies = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["question"] for r in replies] == ["what is a RASA", "where do I park my car", "", "when is match day"]
    assert [r["answered"] for r in replies] == [True, False, False, True]
    assert replies[1]["entry"] is None
    assert replies[3]["entry"] == "match-day"


def test_declined_questions_reach_kb_gaps(tmp_path):
    run("ask", stdin="where do i park\nparking near tmec?\nis the gym open\n", env_dir=tmp_path)
    result = run("kb", "gaps", "--json", env_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    gaps = json.loads(result.stdout)
    assert gaps[0]["count"] == 2 and "park" in gaps[0]["example"]
    assert sum(gap["count"] for gap in gaps) == 3


def test_plain_text_ask_prints_what_the_student_reads(tmp_path):
    result = run("ask", "who", "is", "the", "alumni", "liaison", env_dir=tmp_path)
    assert result.returncode == 0
    assert "Alumni Liaison" in result.stdout and "Source:" in result.stdout


def test_plain_text_ask_renders_the_markdown_for_the_terminal_and_json_keeps_it(tmp_path):
    question = ("who", "is", "my", "society", "advisor")
    shown = run("ask", *question, env_dir=tmp_path)
    raw = json.loads(run("ask", "--json", *question, env_dir=tmp_path).stdout)["text"]
    bold = raw.split("**")[1]
    assert shown.returncode == 0 and f"**{bold}**" in raw
    assert "**" not in shown.stdout and bold in shown.stdout


@pytest.mark.parametrize("args", [["--phase", "year9"], ["--track", "md-phd"], ["--date", "tomorrow"]])
def test_bad_options_get_a_clear_message(tmp_path, args):
    result = run("ask", *args, "hello", env_dir=tmp_path)
    assert result.returncode == 2
    assert "advisor:" in result.stderr and "use" in result.stderr


def test_kb_check_passes_on_the_shipped_content(tmp_path):
    result = run("kb", "check", env_dir=tmp_path)
    assert result.returncode == 0, result.stdout
    assert "0 error(s)" in result.stdout or "Content OK" in result.stdout


def _content_copy(tmp_path: Path) -> Path:
    source = Path(__file__).resolve().parents[2] / "knowledge" / "content"
    target = tmp_path / "content"
    shutil.copytree(source, target)
    return target


def _check_after_editing(tmp_path: Path, file: str, edit) -> subprocess.CompletedProcess:
    content = _content_copy(tmp_path)
    path = content / file
    data = yaml.safe_load(path.read_text())
    edit(data["entries"])
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return run("kb", "check", env_dir=tmp_path, extra_env={"KNOWLEDGE_DIR": str(content)})


def test_kb_check_names_each_problem_and_fails(tmp_path):
    def edit(entries):
        entries[0]["related"] = ["no-such-entry"]
        entries[1]["questions"] = list(entries[1]["questions"]) + list(entries[2]["questions"][:1])

    result = _check_after_editing(tmp_path, "entries/advising.yaml", edit)
    assert result.returncode == 1
    assert "no-such-entry" in result.stdout
    assert "share the phrasing" in result.stdout


def test_kb_check_validates_the_chat_language_and_the_copy_the_advisor_fills_in(tmp_path):
    content = _content_copy(tmp_path)
    chat = yaml.safe_load((content / "chat.yaml").read_text())
    chat["fillers"].append("advisor")  # would erase a word students ask about
    (content / "chat.yaml").write_text(yaml.safe_dump(chat, sort_keys=False))
    copy = yaml.safe_load((content / "smalltalk.yaml").read_text())
    copy["not_given"] = "The pages don't say."  # lost {detail} and {title}
    (content / "smalltalk.yaml").write_text(yaml.safe_dump(copy, sort_keys=False))
    result = run("kb", "check", env_dir=tmp_path, extra_env={"KNOWLEDGE_DIR": str(content)})
    assert result.returncode == 1
    assert "filler 'advisor' is a word the content uses" in result.stdout
    assert "not_given must contain {detail}" in result.stdout and "not_given must contain {title}" in result.stdout


def test_kb_check_reports_schema_errors_and_duplicate_ids(tmp_path):
    def edit(entries):
        entries.append(dict(entries[0]))
        del entries[1]["answer"]

    result = _check_after_editing(tmp_path, "entries/leadership.yaml", edit)
    assert result.returncode == 1
    assert "duplicate id" in result.stdout
    assert "answer: Field required" in result.stdout


def test_broken_content_stops_ask_with_a_pointer_to_kb_check(tmp_path):
    content = _content_copy(tmp_path)
    (content / "events.yaml").write_text("entries: [ {id: 'Bad Id'")
    result = run("ask", "hello", env_dir=tmp_path, extra_env={"KNOWLEDGE_DIR": str(content)})
    assert result.returncode == 1
    assert "kb check" in result.stderr


def test_kb_export_lists_every_entry(tmp_path):
    result = run("kb", "export", env_dir=tmp_path)
    assert result.returncode == 0
    entries = json.loads(result.stdout)
    assert len(entries) > 50
    for entry in entries:
        assert {"id", "title", "questions", "answer", "phases", "tracks", "source"} <= set(entry)
    assert len({entry["id"] for entry in entries}) == len(entries)


def test_chat_console_keeps_context_and_opens_follow_ups(tmp_path):
    script = "/phase post-pce\n/track hst\nhow often do i meet my society advisor\n1\n/phase year9\n/quit\n"
    result = run("chat", stdin=script, env_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "phase: Post-PCE · track: HST" in result.stdout
    assert "twice" in result.stdout.lower()
    assert "Sorry: unknown phase" in result.stdout


def test_chat_console_answers_follow_ups_about_the_last_answer(tmp_path):
    script = "when is the ERAS workshop?\nwhat time does it start?\nhow often do pathways students meet their " \
             "society advisor\nwhat about hst?\n/quit\n"
    result = run("chat", stdin=script, env_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "don't give a time of day for Applying to Residency Using ERAS" in result.stdout
    assert "HST Academic Advisor twice a year" in result.stdout


def test_run_without_credentials_starts_the_console(tmp_path):
    result = run("run", stdin="when is match day\n", env_dir=tmp_path)
    assert result.returncode == 0
    assert "local console" in result.stderr
    assert "March" in result.stdout


def test_kb_check_validates_copy_yaml(tmp_path):
    content = _content_copy(tmp_path)
    copy = yaml.safe_load((content / "copy.yaml").read_text())
    copy["alumni_receipt"]["slack"] = "Filed as {number}."  # lost {id}; {number} is filled by nothing
    del copy["nudge_done"]
    copy["alumni_button"] = "A button label far too long for a Teams button, which cuts titles at sixty"
    (content / "copy.yaml").write_text(yaml.safe_dump(copy, sort_keys=False))
    result = run("kb", "check", env_dir=tmp_path, extra_env={"KNOWLEDGE_DIR": str(content)})
    assert result.returncode == 1
    assert "alumni_receipt (slack) must contain {id}" in result.stdout
    assert "alumni_receipt (slack) has {number}, which nothing fills in" in result.stdout
    assert "nudge_done is missing" in result.stdout
    assert "alumni_button is 74 characters (limit 60)" in result.stdout
