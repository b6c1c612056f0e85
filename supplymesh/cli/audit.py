"""``mesh audit``: read, verify and append to the tamper-evident audit trail.

mesh audit verify             exit 1 if any entry was edited or deleted
mesh audit show [--last N]    the newest entries
mesh audit record ACTION SUBJECT --reason WHY [--actor WHO] [--details JSON]
                              e.g. an approval given outside the mesh
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from supplymesh.governance import audit
from supplymesh.settings import mesh_paths


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("audit", help="verify, show or append to the audit trail")
    verbs = p.add_subparsers(dest="verb", required=True)
    verify = verbs.add_parser("verify", help="check every hash and link of the audit log")
    verify.add_argument("--json", action="store_true")
    verify.set_defaults(run=run_verify)
    show = verbs.add_parser("show", help="print the newest entries")
    show.add_argument("--last", type=int, default=20)
    show.add_argument("--json", action="store_true")
    show.set_defaults(run=run_show)
    rec = verbs.add_parser("record", help="append an entry (e.g. an approval)")
    rec.add_argument("action", help="e.g. approval")
    rec.add_argument("subject", help="what it is about, e.g. 'sales.orders v3'")
    rec.add_argument("--reason", required=True, help="why")
    rec.add_argument("--actor", default=f"cli:{os.environ.get('USER', 'unknown')}")
    rec.add_argument("--details", type=json.loads, default=None, help="a JSON object")
    rec.set_defaults(run=run_record)


def run_verify(args: argparse.Namespace) -> int:
    result = audit.verify(mesh_paths())
    if args.json:
        print(json.dumps({"ok": result.ok, **result.__dict__}, indent=2))
    elif result.ok:
        print(f"audit log intact: {result.entries} entries, every hash and link verified")
    else:
        print(f"audit log TAMPERED ({len(result.problems)} problems in {result.entries} entries):")
        for problem in result.problems:
            print(f"  {problem}")
    return 0 if result.ok else 1


def run_show(args: argparse.Namespace) -> int:
    entries = audit.read_entries(mesh_paths())[-args.last :]
    if args.json:
        print(json.dumps(entries, indent=2))
        return 0
    for e in entries:
        print(f"{e['seq']:>6} {e['at'][:19]} {e['action']:<16} {e['subject']:<32} {e['actor']}")
        print(f"{'':>7}{e['reason']}")
    return 0


def run_record(args: argparse.Namespace) -> int:
    if args.details is not None and not isinstance(args.details, dict):
        print("mesh audit record: --details must be a JSON object", file=sys.stderr)
        return 2
    entry = audit.record(
        mesh_paths(), args.action, args.subject, args.actor, args.reason, args.details
    )
    print(f"recorded entry {entry['seq']} ({entry['hash'][:12]})")
    return 0
