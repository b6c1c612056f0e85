"""``mesh validate``: check a producer's file against a product's contract (for CI).

Every rule is reported with its severity, failing count and sample rows (PII as pseudonyms): an
ERROR failure exits 1, WARN failures are shown but exit 0. A file that cannot be read (empty,
compressed, binary, a broken CSV) gets one paragraph naming the file, the line and what to do;
one with no rows fails the volume rule unless the product's YAML says it may be empty. A daily product is reported per day,
and the contract's cross-product rules run against the products the mesh serves, when it has
published them.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from supplymesh.registry import Product, get_product
from supplymesh.settings import mesh_paths

if TYPE_CHECKING:
    from supplymesh.validation.report import ValidationReport


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "validate",
        help="validate a CSV/Parquet file against a product contract; exit 1 on violations",
    )
    p.add_argument("product", help="<domain>.<product>, e.g. sales.orders")
    p.add_argument("file", type=Path)
    p.add_argument("--major", type=int, help="contract major version (default: the latest)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument(
        "--no-cross-product",
        action="store_true",
        help="skip the rules that compare with other published products",
    )
    p.set_defaults(run=run)


def with_volume_rule(report: ValidationReport, product: Product) -> ValidationReport:
    """The report with the volume rule's emptiness half: a file with no rows would be refused
    by the publish unless the product may be empty. (Its shrink bound needs the served version
    and is judged when the file is published.)"""
    from supplymesh.governance import volume

    what_to_do = (
        "Publishing it would be refused; if an empty product is right, a steward can let it "
        f"through with `mesh materialize --allow-shrink {product.key}`."
    )
    report, _ = volume.apply(report, product, None, allow=False, what_to_do=what_to_do)
    return report


def run(args: argparse.Namespace) -> int:
    from supplymesh.governance.pseudonym import pii_columns, pseudonym_key, pseudonymise_samples
    from supplymesh.publishing.manifest import served_tables
    from supplymesh.validation.engine import validate_file

    try:
        product = get_product(args.product)
        version = product.version(args.major) if args.major else product.latest
    except KeyError as exc:
        print(f"mesh validate: {exc.args[0]}", file=sys.stderr)
        return 2
    if not args.file.exists():
        print(f"mesh validate: no such file {args.file}", file=sys.stderr)
        return 2
    paths = mesh_paths()
    report = validate_file(
        args.file,
        version,
        partition_column=product.governance.partition_column,
        resolve=None if args.no_cross_product else served_tables(paths),
    )
    report = with_volume_rule(report, product)
    if pii_columns(version):
        report = pseudonymise_samples(report, version, pseudonym_key(paths))
    if args.json:
        print(json.dumps(report.to_dict(), indent=2, default=str))
    else:
        print(report.summary())
    return 0 if report.passed else 1
