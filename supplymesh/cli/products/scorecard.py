"""``mesh products scorecard [PRODUCT]``: each product version's scorecard, computed now from the
audit trail, the quality history, the manifest and lineage (the formula:
``supplymesh/governance/scorecards/components.py``)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from supplymesh.governance.scorecards import Scorecard


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "scorecard", help="score each product version: docs, rules, checks, freshness"
    )
    p.add_argument("product", nargs="?", help="only this product (<domain>.<product>)")
    p.add_argument("--json", action="store_true", help="print the scorecards as a JSON list")
    p.set_defaults(run=run)


def formula() -> str:
    """The score's formula as one line, from the weights themselves."""
    from supplymesh.governance.scorecards.components import WEIGHTS

    terms = " + ".join(f"{w:.2f} {name}" for name, w in WEIGHTS.items())
    return f"score = 100 x ({terms}); a component without evidence counts as 0"


def table(cards: list[Scorecard], with_consumers: bool) -> list[str]:
    """The scorecards' table (``governance.scorecards.table``), then, for one product, who
    reads each of its versions."""
    from supplymesh.governance.scorecards.table import text_table

    lines = text_table(cards)
    if with_consumers:
        lines += [f"  consumers of v{c.major}: {c.consumers}" for c in cards if c.consumers]
    return lines


def run(args: argparse.Namespace) -> int:
    from functools import partial

    from supplymesh.cli.lineage import mesh_lineage
    from supplymesh.governance.scorecards import build_scorecards
    from supplymesh.publishing.manifest import current_snapshot, read_manifest
    from supplymesh.registry import all_products, get_product
    from supplymesh.settings import mesh_paths

    try:
        products = [get_product(args.product)] if args.product else list(all_products())
    except KeyError as exc:  # a registry name, checked before the (slow) lineage graph
        print(f"mesh products scorecard: {exc.args[0]}", file=sys.stderr)
        return 2
    paths = mesh_paths()
    served = partial(current_snapshot, read_manifest(paths))
    cards = build_scorecards(paths, products, mesh_lineage(paths), served)
    if args.json:
        print(json.dumps([c.to_dict() for c in cards], indent=2))
        return 0
    print("\n".join(table(cards, with_consumers=bool(args.product))))
    print(formula())
    return 0
