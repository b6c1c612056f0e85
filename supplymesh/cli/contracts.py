"""``mesh contracts``: export contracts as ODCS, diff two versions, and gate changes in CI.

    mesh contracts export --format odcs --out DIR      one ODCS v3.1.0 file per product version
    mesh contracts diff OLD NEW [--json]               classify every change (exit 1 if breaking)
    mesh contracts check [--base GIT_REF] [--json]     definitions, policies and the semver gate
    mesh contracts sources [--write]                   the dbt sources file the products generate

A contract reference is an ODCS file, ``<domain>.<product>@<major>`` (this checkout) or
``<git-ref>:<domain>.<product>@<major>`` (that commit, branch or tag of this repository).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from supplymesh.governance.contract_changes.project_tree import (
    DefinitionsError,
    load_ref,
    load_tree,
)
from supplymesh.governance.dbt_sources import SOURCES_PATH
from supplymesh.settings import PROJECT_ROOT, mesh_paths

if TYPE_CHECKING:
    from supplymesh.governance.contract_changes.project_tree import ProjectDefinitions
    from supplymesh.governance.contract_changes.spec import ContractSpec

# Declaring the verbs imports the definitions' readers (YAML only); the contracts themselves
# (pandera), ODCS (jsonschema) and the gate are imported by the verb that needs them.


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("contracts", help="export, diff and check the product contracts")
    verbs = p.add_subparsers(dest="verb", required=True)

    export = verbs.add_parser("export", help="write every contract as an ODCS v3.1.0 file")
    export.add_argument("--format", choices=["odcs"], default="odcs")
    export.add_argument("--out", type=Path, required=True, help="folder to write into")
    export.add_argument("--product", help="only this product (<domain>.<product>)")
    export.set_defaults(run=run_export)

    diff = verbs.add_parser("diff", help="classify the changes between two contract versions")
    diff.add_argument("old", help="ODCS file, sales.orders@1 or <git-ref>:sales.orders@2")
    diff.add_argument("new")
    diff.add_argument("--json", action="store_true")
    diff.set_defaults(run=run_diff)

    gate = verbs.add_parser("check", help="validate definitions, run policies, gate semver")
    gate.add_argument("--base", help="git ref to compare against (e.g. origin/main)")
    gate.add_argument(
        "--project", type=Path, default=PROJECT_ROOT, help="checkout to check (default: this one)"
    )
    gate.add_argument(
        "--today", type=dt.date.fromisoformat, default=None, help="date for sunset rules"
    )
    gate.add_argument("--json", action="store_true")
    gate.add_argument(
        "--no-dbt",
        action="store_true",
        help="skip what needs the dbt project parsed: affected consumers and the check that "
        "public marts agree with the contracts",
    )
    gate.set_defaults(run=run_check)

    sources = verbs.add_parser(
        "sources", help=f"generate {SOURCES_PATH} from the product YAML and contracts"
    )
    sources.add_argument(
        "--write", action="store_true", help="write the file (default: print it to stdout)"
    )
    sources.add_argument(
        "--project", type=Path, default=PROJECT_ROOT, help="checkout to generate for"
    )
    sources.set_defaults(run=run_sources)


def run_sources(args: argparse.Namespace) -> int:
    from supplymesh.governance.dbt_sources import render_sources, write_sources

    defs = load_tree(args.project)
    for subject, message in defs.errors:
        print(f"mesh contracts sources: {subject}: {message}", file=sys.stderr)
    if defs.errors:
        return 1
    if args.write:
        print(f"wrote {write_sources(defs, args.project)}")
    else:
        sys.stdout.write(render_sources(defs))
    return 0


def run_export(args: argparse.Namespace) -> int:
    from supplymesh.governance.odcs import file_name, to_odcs, validation_errors

    defs = load_tree(PROJECT_ROOT)
    known = sorted({product for product, _ in defs.specs})
    if args.product and args.product not in known:  # a name, never a path: checked first
        print(
            f"mesh contracts export: unknown product {args.product!r}; known products: "
            f"{', '.join(known)}",
            file=sys.stderr,
        )
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    invalid = 0
    for (product, _), spec in sorted(defs.specs.items()):
        if args.product and product != args.product:
            continue
        document = to_odcs(spec)
        errors = validation_errors(document)
        target = args.out / file_name(spec)
        target.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True))
        verdict = "valid ODCS v3.1.0" if not errors else f"INVALID: {'; '.join(errors[:3])}"
        print(f"{target}  ({verdict})")
        invalid += bool(errors)
    for subject, message in defs.errors:
        print(f"mesh contracts export: {subject}: {message}", file=sys.stderr)
    return 1 if invalid or defs.errors else 0


def resolve_contract(reference: str, repo: Path = PROJECT_ROOT) -> ContractSpec:
    """An ODCS file, ``domain.product@major`` or ``git-ref:domain.product@major``."""
    path = Path(reference)
    if path.suffix in (".yaml", ".yml", ".json") and path.exists():
        from supplymesh.governance.odcs import from_odcs

        return from_odcs(yaml.safe_load(path.read_text()))
    ref, _, target = reference.rpartition(":")
    product, at, major = target.partition("@")
    if not at or not major.isdigit():
        raise ValueError(
            f"{reference!r} is neither an ODCS file nor <domain>.<product>@<major> "
            "(optionally prefixed by <git-ref>:)"
        )
    defs = load_ref(repo, ref) if ref else load_tree(repo)
    spec = defs.specs.get((product, int(major)))
    if spec is None:
        where = f" at {ref}" if ref else ""
        raise ValueError(f"no contract {product} v{major}{where}")
    return spec


def run_diff(args: argparse.Namespace) -> int:
    from supplymesh.governance.contract_changes.diff import diff_contracts
    from supplymesh.governance.odcs import OdcsError

    try:
        old, new = resolve_contract(args.old), resolve_contract(args.new)
    except (ValueError, OdcsError, DefinitionsError) as exc:
        print(f"mesh contracts diff: {exc}", file=sys.stderr)
        return 2
    diff = diff_contracts(old, new)
    print(json.dumps(diff.to_dict(), indent=2, default=str) if args.json else diff.summary())
    return 1 if diff.breaking else 0


def _consumers():
    """Affected consumers from the mesh's lineage, built once and only when a change needs it."""
    graph = None

    def lookup(product: str, major: int, columns: list[str] | None) -> dict[str, list[str]]:
        nonlocal graph
        from supplymesh.cli.lineage import mesh_lineage
        from supplymesh.governance.lineage import affected_consumers

        if graph is None:
            graph = mesh_lineage(mesh_paths())
        try:
            return affected_consumers(graph, product, major, columns)
        except KeyError:
            return {}

    return lookup


def run_check(args: argparse.Namespace) -> int:
    from supplymesh.governance.contract_changes.gate import check
    from supplymesh.governance.dbt_sources import sources_drift
    from supplymesh.governance.mart_contracts import mart_violations
    from supplymesh.publishing.manifest import read_manifest
    from supplymesh.transforms_project import load_dbt_manifest

    today = args.today or dt.date.today()
    try:
        head = load_tree(args.project)
        base: ProjectDefinitions | None = load_ref(args.project, args.base) if args.base else None
    except DefinitionsError as exc:
        print(f"mesh contracts check: {exc}", file=sys.stderr)
        return 2
    paths = mesh_paths()
    extra = [v for v in [sources_drift(head, args.project)] if v is not None]
    if not args.no_dbt:
        extra += mart_violations(load_dbt_manifest(paths))
    report = check(
        head,
        today,
        base=base,
        base_label=args.base,
        consumers=None if args.no_dbt else _consumers(),
        published=set(read_manifest(paths)["products"]),
        extra=extra,
    )
    print(json.dumps(report.to_dict(), indent=2, default=str) if args.json else report.summary())
    return 0 if report.passed else 1
