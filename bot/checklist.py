"""What should I be doing now? The student's personal tasks for their phase, and what's coming up.

The tasks are the nudge rules' personal reminders (nudges.yaml), so the checklist and the DMs that
remind students of each task never disagree; Slack and Teams pass the tasks a student has marked
Done, and the checklist ticks them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.calendar import month_name
from knowledge.copy import Copy, Markdown
from knowledge.loader import KnowledgeBase
from knowledge.rules import NudgeRules, task_timing
from knowledge.schema import PHASE_LABELS
from knowledge.text import fold

_ASKS = re.compile(
    r"\bwhat\s+(?:(?:should|do|must)\s+i|i\s+should)\s+(?:be\s+)?(?:doing|do|working\s+on|focus(?:ing)?\s+on|prioriti[sz]e|"
    r"knock\s+out|get\s+done|have\s+done|plan|on\s+top\s+of|be\s+on\s+top\s+of)\b"
    r"|\bwhat\s+(?:do\s+)?i\s+(?:still\s+)?(?:need|have)\s+to\s+(?:do|get\s+done|finish)\b"
    r"|\b(?:anything|things|stuff)\s+i\s+(?:still\s+)?(?:need|should|have|must)\s+(?:to\s+)?(?:be\s+)?"
    r"(?:do|doing|get\s+done|finish)\b"
    r"|\bsupposed\s+to\s+(?:be\s+)?doing\b|\bto-dos?\b|\btodos?\b|\bto\s+do\s+list\b|\bto\s+dos\b"
    r"|\bmy\s+checklist\b|\bchecklist\s+(?:for|pls|please)\b|^checklist\b"
    r"|\bon\s+my\s+(?:plate|list|radar)\b|\bleft\s+on\s+my\s+list\b"
    r"|\bwhat(?:s|\s+is)\s+next\s+for\s+me\b|\bwhat\s+comes\s+next\s+for\s+me\b|\bam\s+i\s+behind\b"
    r"|\bam\s+i\s+on\s+track\b"
)
# After the ask, words that make it a question about one thing ("what should I do about my personal statement?").
_SUBJECT = re.compile(r"^.*?\b(?:for|about|with)\s+(?:my|the|a|an)\s+(?!career|month|year|week|phase|rotation)\w+")


def asks_for_checklist(question: str) -> bool:
    """"what should I be doing now?", "what's next for me", "am I behind?": not "what should I do about X?"."""
    folded = " ".join(fold(question).split())
    asked = _ASKS.search(folded)
    return asked is not None and not _SUBJECT.search(folded[asked.end():])


@dataclass(frozen=True)
class Item:
    task_id: str
    months: tuple[int, ...]
    title: str


def tasks_for(kb: KnowledgeBase, rules: NudgeRules, phase: str, track: str | None) -> list[Item]:
    """The phase's personal tasks for the track, in calendar order within the phase."""
    items = []
    for task in rules.tasks:
        timing = task_timing(kb, task)
        if timing.phase != phase or (track and timing.tracks and track not in timing.tracks):
            continue
        subject = kb.by_id.get(task.about or task.event or "")
        items.append(Item(task.id, timing.months, subject.title if subject else task.id))
    return sorted(items, key=lambda item: _academic_order(item.months))


def _academic_order(months: tuple[int, ...]) -> int:
    return min(((m - 1) % 12 for m in months), default=12)


def task_line(item: Item, done: bool, done_word: str, copy: Copy) -> str:
    """One task as copy.yaml words it: its months and title (the programme's own, so not escaped), ticked if done."""
    when = ", ".join(month_name(m) for m in item.months)
    if done:
        return copy.say("checklist_task_done", when=when, title=Markdown(item.title), done=Markdown(done_word))
    return copy.say("checklist_task", when=when, title=Markdown(item.title))


def phase_label(phase: str) -> str:
    return PHASE_LABELS[phase]
