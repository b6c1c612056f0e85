"""The ``mesh`` command: one console script, one module per verb.

A verb's module declares its arguments (``add_parser``) and runs it (``run``); it imports at
module level only what declaring the arguments needs, and the verb's implementation (pandas,
DuckDB, the planners, Dagster) inside the functions that run it. ``main`` imports the module of
the verb it is given and no other, so ``mesh validate`` never pays for the planning stack;
``mesh --help`` (or no verb, or an unknown one) imports every verb module to list them all.
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
from collections.abc import Iterable, Sequence

# verb -> the module declaring its arguments and running it, in the order `mesh --help` lists them
VERBS = {
    "generate": "supplymesh.cli.generate",
    "materialize": "supplymesh.cli.materialize",
    "products": "supplymesh.cli.products",
    "query": "supplymesh.cli.query",
    "report": "supplymesh.cli.report",
    "validate": "supplymesh.cli.validate",
    "ui": "supplymesh.cli.ui",
    "worker": "supplymesh.cli.worker",
    "contracts": "supplymesh.cli.contracts",
    "audit": "supplymesh.cli.audit",
    "access": "supplymesh.cli.access",
    "lineage": "supplymesh.cli.lineage",
    "forecast": "supplymesh.cli.forecast",
    "evaluate": "supplymesh.cli.evaluate",
}


def build_parser(verbs: Iterable[str] = VERBS) -> argparse.ArgumentParser:
    """The parser of ``mesh`` with the subcommands of ``verbs`` (default: every verb)."""
    parser = argparse.ArgumentParser(
        prog="mesh", description="supplymesh: a data mesh for supply-chain planning."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for verb in verbs:
        importlib.import_module(VERBS[verb]).add_parser(sub)
    return parser


def requested_verb(argv: Sequence[str]) -> str | None:
    """The known verb ``argv`` starts with (``mesh`` has no options of its own but ``--help``,
    which lists every verb), else None."""
    return argv[0] if argv and argv[0] in VERBS else None


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `mesh query ... | head` ends quietly
    argv = sys.argv[1:] if argv is None else argv
    verb = requested_verb(argv)
    args = build_parser([verb] if verb else VERBS).parse_args(argv)
    return int(args.run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
