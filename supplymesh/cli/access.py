"""``mesh access``: ask for a product above a role's clearance; a steward grants, denies, revokes.

mesh access request PRODUCT --role ROLE --reason WHY [--by NAME]
mesh access grant|deny|revoke REQUEST --by NAME [--reason WHY]   (deny and revoke need a reason)
mesh access list [--status STATUS] [--json]

A grant or revoke rebuilds the role catalogs at once (under the catalog lock, as a publish does),
so ``mesh query --role ROLE`` reads the product from then on. The rules (no self-grant, no
expiry, ``--by`` recorded, not authenticated): ``supplymesh/governance/access_requests.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import asdict
from typing import get_args

from supplymesh.governance.access import ROLES
from supplymesh.governance.access_requests import Status


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("access", help="request, grant, deny, revoke and list access to products")
    verbs = p.add_subparsers(dest="access_command", required=True)
    ask = verbs.add_parser("request", help="ask for a product above a role's clearance")
    ask.add_argument("product", help="e.g. sales.orders")
    ask.add_argument("--role", required=True, choices=sorted(ROLES))
    ask.add_argument("--reason", required=True, help="why the role needs it")
    ask.add_argument(
        "--by", default=os.environ.get("USER", "unknown"), help="who asks (default $USER)"
    )
    ask.set_defaults(run=run_request)
    for decision, text in (
        ("grant", "let the role read the product"),
        ("deny", "refuse the request"),
        ("revoke", "withdraw a grant"),
    ):
        d = verbs.add_parser(decision, help=text)
        d.add_argument("request", help="the request id, e.g. AR-0001")
        d.add_argument("--by", required=True, help="the steward deciding (recorded)")
        d.add_argument("--reason", required=decision != "grant", default="", help="why")
        d.set_defaults(run=run_decision, decision=decision)
    ls = verbs.add_parser("list", help="the requests and their decisions")
    ls.add_argument("--status", choices=get_args(Status), help="only requests in this status")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(run=run_list)


def _refuse(message: str) -> int:
    print(f"mesh access: {message}", file=sys.stderr)
    return 2


def run_request(args: argparse.Namespace) -> int:
    from supplymesh.governance.access import get_role
    from supplymesh.governance.access_requests import AccessRequestError, request_access
    from supplymesh.registry import get_product
    from supplymesh.settings import mesh_paths

    try:
        product = get_product(args.product)
        made = request_access(mesh_paths(), product, get_role(args.role), args.reason, args.by)
    except (KeyError, AccessRequestError) as exc:
        return _refuse(str(exc.args[0]))
    print(
        f"{made.id}: {made.requested_by} asks for {made.product} (access {product.access}) for "
        f"role {made.role}; pending a steward's decision (mesh access grant|deny {made.id} --by NAME)"
    )
    return 0


def run_decision(args: argparse.Namespace) -> int:
    from supplymesh.governance.access_requests import AccessRequestError, decide
    from supplymesh.publishing.consumer_catalog import rebuild_catalog
    from supplymesh.publishing.manifest import catalog_lock, read_manifest
    from supplymesh.settings import mesh_paths

    paths = mesh_paths()
    try:
        done = decide(paths, args.request, args.decision, args.by, args.reason)
    except AccessRequestError as exc:
        return _refuse(str(exc))
    print(f"{done.id} {done.status} by {done.decided_by}: {done.product} for role {done.role}")
    if done.status in ("granted", "revoked"):
        if not paths.manifest.exists():
            print("nothing published yet: the first publish builds the role catalogs with it")
            return 0
        with catalog_lock(paths):
            rebuild_catalog(paths, read_manifest(paths))
        print(f"role catalogs rebuilt: role {done.role} {_effect(done.status)} {done.product}")
    return 0


def _effect(status: str) -> str:
    return "reads" if status == "granted" else "no longer reads"


def run_list(args: argparse.Namespace) -> int:
    from supplymesh.governance.access_requests import read_requests
    from supplymesh.settings import mesh_paths

    requests = [
        r for r in read_requests(mesh_paths()) if not args.status or r.status == args.status
    ]
    if args.json:
        print(json.dumps([asdict(r) for r in requests], indent=2))
        return 0
    if not requests:
        print("no access requests" + (f" {args.status}" if args.status else ""))
        return 0
    print(f"{'request':<8} {'status':<8} {'product':<28} {'role':<8} {'by':<12} decided by")
    for r in requests:
        decided = f"{r.decided_by} {r.decided_at}" if r.decided_by else "-"
        print(f"{r.id:<8} {r.status:<8} {r.product:<28} {r.role:<8} {r.requested_by:<12} {decided}")
        print(f"{'':<9}why: {r.reason}")
        if r.decision_reason:
            print(f"{'':<9}decision: {r.decision_reason}")
    return 0
