"""The ``mesh`` command: one console script, one module per verb."""

from __future__ import annotations

import argparse
import signal
import sys

from supplymesh.cli import (
    audit,
    contracts,
    evaluate,
    forecast,
    generate,
    lineage,
    materialize,
    products,
    query,
    report,
    ui,
    validate,
)

COMMANDS = {
    "generate": generate,
    "materialize": materialize,
    "products": products,
    "query": query,
    "report": report,
    "validate": validate,
    "ui": ui,
    "contracts": contracts,
    "audit": audit,
    "lineage": lineage,
    "forecast": forecast,
    "evaluate": evaluate,
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mesh", description="supplymesh: a data mesh for supply-chain planning."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for module in COMMANDS.values():
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `mesh query ... | head` ends quietly
    args = build_parser().parse_args(argv)
    return int(args.run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
