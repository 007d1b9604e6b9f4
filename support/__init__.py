"""Stand-ins for Slack, Teams and their identity providers, drivers for the real bot, and the question sets:
shared by tests/ and benchmarks/."""

from pathlib import Path

QUESTIONS_DIR = Path(__file__).resolve().parent / "question_sets"
