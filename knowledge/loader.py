"""Reads the staff-edited YAML content into one immutable KnowledgeBase."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from knowledge.copy import Copy, Markdown
from knowledge.copy import problems as copy_problems
from knowledge.errors import ContentError
from knowledge.schema import (
    ChatLanguage,
    CopyFile,
    Entry,
    GlossaryFile,
    GlossaryTerm,
    SmallTalk,
    Source,
    SourcesFile,
    Synonym,
)
from knowledge.yaml_files import read_yaml

DEFAULT_CONTENT_DIR = Path(__file__).parent / "content"
GLOSSARY_FILE = "glossary.yaml"
SMALLTALK_FILE = "smalltalk.yaml"
SOURCES_FILE = "sources.yaml"
CHAT_FILE = "chat.yaml"
COPY_FILE = "copy.yaml"

Model = TypeVar("Model", bound=BaseModel)


@dataclass(frozen=True)
class KnowledgeBase:
    entries: tuple[Entry, ...]
    glossary: tuple[GlossaryTerm, ...]
    synonyms: tuple[Synonym, ...]
    neutral_words: frozenset[str]
    smalltalk: SmallTalk
    copy: Copy
    chat: ChatLanguage = field(default_factory=ChatLanguage)
    documents: dict[str, str] = field(default_factory=dict)  # source file -> label students see
    origin: dict[str, str] = field(default_factory=dict)  # entry id -> file it came from
    by_id: dict[str, Entry] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", {entry.id: entry for entry in self.entries})

    @property
    def events(self) -> tuple[Entry, ...]:
        return tuple(entry for entry in self.entries if entry.event is not None)


def _read_yaml(path: Path, problems: list[str]) -> object:
    if not path.exists():
        problems.append(f"{path.name}: missing")
        return None
    try:
        return read_yaml(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        problems.append(f"{path.name}: cannot read YAML: {error}")
        return None


def _describe(error: ValidationError, label: str) -> list[str]:
    lines = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"])
        lines.append(f"{label}: {where}: {item['msg']}" if where else f"{label}: {item['msg']}")
    return lines


def _entries_in(path: Path, data: object, problems: list[str]) -> list[Entry]:
    """Each entry validated on its own, so one mistake does not hide the others."""
    items = data.get("entries") if isinstance(data, dict) else None
    if not isinstance(items, list):
        problems.append(f"{path.name}: expected a top-level `entries:` list")
        return []
    entries = []
    for position, item in enumerate(items):
        name = item.get("id", f"#{position + 1}") if isinstance(item, dict) else f"#{position + 1}"
        try:
            entries.append(Entry.model_validate(item))
        except ValidationError as error:
            problems.extend(_describe(error, f"{path.name}: entry {name!r}"))
    return entries


def _parse(path: Path, model: type[Model], problems: list[str]) -> Model | None:
    data = _read_yaml(path, problems)
    if data is None:
        return None
    try:
        return model.model_validate(data)
    except ValidationError as error:
        problems.extend(_describe(error, path.name))
        return None


def load_content_file(name: str, model: type[Model], content_dir: Path | None = None) -> Model:
    """One validated content file (for the academic calendar and the nudge rules); ContentError names the problems."""
    problems: list[str] = []
    parsed = _parse(Path(content_dir or DEFAULT_CONTENT_DIR) / name, model, problems)
    if parsed is None:
        raise ContentError(problems)
    return parsed


def glossary_entry_id(term: GlossaryTerm) -> str:
    slug = "".join(ch if ch.isalnum() else "-" for ch in term.term.lower()).strip("-")
    return "glossary-" + "-".join(part for part in slug.split("-") if part)


def _glossary_entries(terms: tuple[GlossaryTerm, ...], last_verified: date, copy: Copy) -> list[Entry]:
    """Every term answers "what does X stand for" (copy.yaml's glossary_answer); a term without a full entry also
    answers "what is X"."""
    compiled = []
    for term in terms:
        names = (term.term, *term.aliases)
        questions = tuple(f"what does {name} stand for" for name in names) + (
            f"{term.term} meaning",
            f"{term.term} abbreviation",
        )
        if not term.entry:
            questions = tuple(f"what is {name}" for name in names) + questions
        compiled.append(
            Entry(
                id=glossary_entry_id(term),
                title=f"{term.term} ({term.expansion})",
                questions=questions,
                keywords=(term.expansion,),
                answer=copy.say("glossary_answer", term=Markdown(term.term), expansion=Markdown(term.expansion),
                                definition=Markdown(term.definition.strip())),
                source=Source(document=GLOSSARY_FILE, section=term.term),
                last_verified=last_verified,
                related=(term.entry,) if term.entry else (),
            )
        )
    return compiled


def _with_glossary_phrasings(entry: Entry, terms: list[GlossaryTerm]) -> Entry:
    """A term linked to a full entry teaches that entry "what is X" and the term's expansion."""
    if not terms:
        return entry
    extra_questions = tuple(f"what is {term.term}" for term in terms)
    extra_keywords = tuple(term.expansion for term in terms)
    return entry.model_copy(
        update={"questions": entry.questions + extra_questions, "keywords": entry.keywords + extra_keywords}
    )


def load_knowledge(content_dir: Path | None = None) -> KnowledgeBase:
    """Load and validate every content file; raise ContentError listing all problems at once."""
    root = Path(content_dir or DEFAULT_CONTENT_DIR)
    problems: list[str] = []
    entries: list[Entry] = []
    origin: dict[str, str] = {}
    entry_files = sorted((root / "entries").glob("*.yaml")) + [root / "events.yaml"]
    for path in entry_files:
        data = _read_yaml(path, problems)
        if data is None:
            continue
        for entry in _entries_in(path, data, problems):
            if entry.id in origin:
                problems.append(f"{path.name}: duplicate id {entry.id!r} (also in {origin[entry.id]})")
                continue
            origin[entry.id] = path.name
            entries.append(entry)

    glossary = _parse(root / GLOSSARY_FILE, GlossaryFile, problems)
    smalltalk = _parse(root / SMALLTALK_FILE, SmallTalk, problems)
    sources = _parse(root / SOURCES_FILE, SourcesFile, problems)
    chat = _parse(root / CHAT_FILE, ChatLanguage, problems)
    copy_file = _parse(root / COPY_FILE, CopyFile, problems)
    copy = Copy(copy_file.variants()) if copy_file is not None else None
    problems += copy_problems(copy, COPY_FILE) if copy is not None else []
    if problems or glossary is None or smalltalk is None or sources is None or chat is None or copy is None:
        raise ContentError(problems)

    linked: dict[str, list[GlossaryTerm]] = {}
    for term in glossary.terms:
        if term.entry:
            linked.setdefault(term.entry, []).append(term)
    entries = [_with_glossary_phrasings(entry, linked.get(entry.id, [])) for entry in entries]
    newest = max((entry.last_verified for entry in entries), default=date.today())
    for entry in _glossary_entries(glossary.terms, newest, copy):
        if entry.id in origin:
            problems.append(f"{GLOSSARY_FILE}: glossary id {entry.id!r} collides with an entry in {origin[entry.id]}")
            continue
        origin[entry.id] = GLOSSARY_FILE
        entries.append(entry)
    if problems:
        raise ContentError(problems)
    return KnowledgeBase(
        entries=tuple(entries),
        glossary=glossary.terms,
        synonyms=glossary.synonyms,
        neutral_words=frozenset(word.casefold() for word in glossary.neutral_words),
        smalltalk=smalltalk,
        copy=copy,
        chat=chat,
        documents=dict(sources.documents),
        origin=origin,
    )


def load_copy(content_dir: Path | None = None) -> Copy:
    """Only copy.yaml (for parts that need the sentences but not the knowledge base); ContentError names problems."""
    copy = Copy(load_content_file(COPY_FILE, CopyFile, content_dir).variants())
    found = copy_problems(copy, COPY_FILE)
    if found:
        raise ContentError(found)
    return copy
