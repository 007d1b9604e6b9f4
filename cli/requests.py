"""`advisor requests`: the Alumni Liaison's list of alumni-advisor requests, and a CSV export for reporting."""

from __future__ import annotations

import argparse
import csv
import json
import sys

from config.settings import Settings
from store.alumni import REPORT_FIELDS, AlumniRequests, as_json


def _requests(settings: Settings) -> AlumniRequests:
    from store.db import migrated_engine

    return AlumniRequests(migrated_engine(settings.database_url))


def cmd_requests_list(args: argparse.Namespace, settings: Settings) -> int:
    requests = _requests(settings).listing(args.status)
    if args.json:
        print(json.dumps([as_json(request) for request in requests], ensure_ascii=False, indent=2))
        return 0
    if not requests:
        print("No alumni requests" + (f" with status {args.status}." if args.status else " yet."))
    for request in requests:
        about = " · ".join(part for part in (request.specialty, request.location, request.contact) if part)
        print(f"#{request.id:<5} {request.status:<10} {request.created_at:%Y-%m-%d}  {request.student_id:<12} "
              f"{about}  {request.description[:60]}")
    return 0


def cmd_requests_export(args: argparse.Namespace, settings: Settings) -> int:
    rows = [as_json(request) for request in _requests(settings).listing(args.status)]
    handle = open(args.file, "w", newline="", encoding="utf-8") if args.file else sys.stdout  # noqa: SIM115
    try:
        writer = csv.DictWriter(handle, fieldnames=REPORT_FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    finally:
        if args.file:
            handle.close()
    if args.file:
        print(f"{len(rows)} request(s) written to {args.file}.")
    return 0


def cmd_requests_show(args: argparse.Namespace, settings: Settings) -> int:
    """One request with its audit trail (who did what, when) and the messages it caused."""
    requests = _requests(settings)
    request = requests.get(args.id)
    if request is None:
        print(f"No alumni request #{args.id}.", file=sys.stderr)
        return 1
    trail = [{"at": change.at.isoformat(), "actor": change.actor, "action": change.action, "detail": change.detail}
             for change in requests.history(request.id)]
    mail = [{"kind": message.kind, "status": message.status, "attempts": message.attempts, "reason": message.reason}
            for message in requests.mail.of_request(request.id)]
    if args.json:
        print(json.dumps({**as_json(request), "history": trail, "messages": mail}, ensure_ascii=False, indent=2))
        return 0
    print(f"#{request.id} {request.status}, filed {request.created_at:%Y-%m-%d %H:%M} UTC by {request.student_id}")
    print(f"  {request.description}")
    for change in trail:
        print(f"  {change['at'][:16]}  {change['actor']:<12} {change['action']:<16} {change['detail'] or ''}")
    waiting = [message for message in mail if message["status"] != "sent"]
    if waiting:
        print(f"  {len(waiting)} message(s) not delivered yet: "
              + ", ".join(f"{m['kind']} ({m['status']}, {m['reason'] or 'queued'})" for m in waiting))
    return 0
