"""``mesh products``: the catalog of data products, and what an owner does with one.

``mesh products`` alone lists the products (``listing.py``); each subcommand is one module of
this package, declared in ``SUBCOMMANDS`` and imported only to declare its arguments: like every
verb, a subcommand imports its implementation inside the function that runs it.
"""

from __future__ import annotations

import argparse
import importlib

from supplymesh.cli.products import listing

# subcommand -> the module declaring its arguments (``add_parser``) and running it (``run``)
SUBCOMMANDS: dict[str, str] = {
    "new": "supplymesh.cli.products.new",
    "history": "supplymesh.cli.products.history",
    "export": "supplymesh.cli.products.export",
    "scorecard": "supplymesh.cli.products.scorecard",
}


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("products", help="list the data products and what they publish")
    listing.add_arguments(p)
    p.set_defaults(run=listing.run)
    if SUBCOMMANDS:
        products_sub = p.add_subparsers(dest="products_command", metavar="SUBCOMMAND")
        for module in SUBCOMMANDS.values():
            importlib.import_module(module).add_parser(products_sub)
