"""`advisor kb`: the curators' tools: check the content, see what students asked that it could not answer, the
votes on answers, and an export."""

from __future__ import annotations

import argparse
import json

from config.settings import Settings


def cmd_kb_check(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.checks import check_content

    problems = check_content(settings.knowledge_dir, stale_days=args.stale_days)
    errors = [p for p in problems if p.level == "error"]
    for problem in problems:
        print(problem)
    warnings = len(problems) - len(errors)
    print(f"{len(errors)} error(s), {warnings} warning(s)" if problems else "Content OK: no problems found.")
    return 1 if errors else 0


def cmd_kb_gaps(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.gaps import group_gaps
    from store.curation import DeclinedLog
    from store.db import migrated_engine

    log = DeclinedLog(migrated_engine(settings.database_url), settings.declined_retention_days)
    gaps = group_gaps(log.questions())[: args.limit]
    if args.json:
        print(json.dumps([{"count": g.count, "example": g.example, "questions": g.questions} for g in gaps],
                         ensure_ascii=False, indent=2))
        return 0
    if not gaps:
        print("No declined questions on record.")
    for gap in gaps:
        others = sorted(set(gap.questions) - {gap.example})[:3]
        print(f"{gap.count:5}  {gap.example}" + "".join(f"\n       · {q}" for q in others))
    return 0


def cmd_kb_feedback(args: argparse.Namespace, settings: Settings) -> int:
    from store.db import migrated_engine
    from store.feedback import VoteLog

    summary = VoteLog(migrated_engine(settings.database_url)).summary()
    if args.json:
        print(json.dumps([vars(item) for item in summary], indent=2))
        return 0
    if not summary:
        print("No votes on record yet.")
    for item in summary:
        print(f"{item.not_helpful:5} not helpful {item.helpful:5} helpful  {item.entry_id}")
    return 0


def cmd_kb_export(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.loader import load_knowledge

    kb = load_knowledge(settings.knowledge_dir)
    items = [entry.model_dump(mode="json", exclude_none=True) for entry in kb.entries]
    print(json.dumps(items, ensure_ascii=False, indent=2))
    return 0
