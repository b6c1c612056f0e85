"""``mesh lineage <domain.product>``: upstream and downstream products, dbt models and assets,
and, per column, the dbt models that read it (from the dbt manifest)."""

from __future__ import annotations

import argparse
import json
import sys

from supplymesh.governance.lineage import LineageGraph, lineage_graph, product_lineage
from supplymesh.registry import get_product
from supplymesh.settings import MeshPaths, mesh_paths


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("lineage", help="what a product feeds and is fed by, to column level")
    p.add_argument("product", nargs="?", help="<domain>.<product>, e.g. sales.orders")
    p.add_argument(
        "--openlineage",
        metavar="RUN_ID",
        nargs="?",
        const="latest",
        help="instead: the OpenLineage events of a run (the newest by default), each checked "
        "against the official JSON Schemas; exit 1 if one is not valid",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=run)


def mesh_lineage(paths: MeshPaths) -> LineageGraph:
    """The lineage of the mesh as its Dagster definitions wire it (products, dbt models and
    planners in one asset graph, so nothing is declared twice), from the graph's remembered copy
    when it is current: building the definitions takes about 15 s (``asset_graph_cache``)."""
    from orchestration.asset_graph_cache import mesh_asset_parents

    return lineage_graph(paths, mesh_asset_parents(paths))


def _section(title: str, names: list[str]) -> list[str]:
    return [f"{title}:", *(f"  {n}" for n in names or ["(none)"])]


def _facet_notes(event: dict) -> str:
    """The output's facets in a few words: its checks' outcome, its rows, its column lineage."""
    notes = []
    for output in event.get("outputs") or []:
        facets = output.get("facets") or {}
        if "dataQualityAssertions" in facets:
            checks = facets["dataQualityAssertions"]["assertions"]
            notes.append(f"{sum(a['success'] for a in checks)}/{len(checks)} assertions held")
        if "columnLineage" in facets:
            notes.append(f"{len(facets['columnLineage']['fields'])} columns' lineage")
        stats = (output.get("outputFacets") or {}).get("outputStatistics")
        if stats:
            notes.append(f"{stats['rowCount']:,} rows")
    return f" [{'; '.join(notes)}]" if notes else ""


def openlineage_events(run_id: str, as_json: bool) -> int:
    """Print a run's OpenLineage events (one line each, or JSON), after checking every one."""
    from supplymesh.governance.openlineage.emit import run_file
    from supplymesh.governance.openlineage.schemas import file_errors

    paths = mesh_paths()
    runs = sorted(paths.openlineage.glob("*.jsonl"), key=lambda f: f.stat().st_mtime)
    path = (runs[-1] if runs else None) if run_id == "latest" else run_file(paths, run_id)
    if path is None or not path.exists():
        print(f"mesh lineage: no OpenLineage events of run {run_id} in {paths.openlineage}")
        return 2
    events = [json.loads(line) for line in path.read_text().splitlines()]
    errors = file_errors(path)
    if as_json:
        print(json.dumps(events, indent=2))
    else:
        verdict = "all valid" if not errors else f"{len(errors)} schema errors"
        print(f"{path}: {len(events)} events, {verdict} (OpenLineage spec 2-0-2 and its facets)")
        for e in events:
            outputs = ", ".join(o["name"] for o in e.get("outputs") or [])
            line = f"  {e['eventTime'][:19]}  {e['eventType']:<8} {e['job']['name']}"
            print(line + (f" -> {outputs}" if outputs else "") + _facet_notes(e))
    for error in errors:
        print(error, file=sys.stderr)
    return 1 if errors else 0


def run(args: argparse.Namespace) -> int:
    if args.openlineage:
        return openlineage_events(args.openlineage, args.json)
    if not args.product:
        print("mesh lineage: name a product (e.g. sales.orders) or --openlineage", file=sys.stderr)
        return 2
    try:
        get_product(args.product)  # a registry name, checked before the (slow) lineage graph
        lineage = product_lineage(mesh_lineage(mesh_paths()), args.product)
    except KeyError as exc:
        print(f"mesh lineage: {exc.args[0]}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(lineage.to_dict(), indent=2))
        return 0
    lines = [f"{lineage.product} (assets {', '.join(lineage.assets)})"]
    lines += _section("upstream products", lineage.upstream_products)
    lines += _section("downstream products", lineage.downstream_products)
    lines += _section("downstream dbt models", lineage.dbt_models)
    lines += _section(
        "downstream assets",
        [a for a in lineage.downstream_assets if a not in lineage.dbt_models],
    )
    lines.append("columns read downstream (dbt, by name):")
    for asset, columns in lineage.columns.items():
        for column, readers in columns.items():
            short = ", ".join(r.split("/", 1)[1] for r in readers) or "-"
            lines.append(f"  {asset}.{column}: {short}")
    print("\n".join(lines))
    return 0
