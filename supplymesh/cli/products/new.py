"""``mesh products new DOMAIN.PRODUCT --from SAMPLE``: scaffold a product from a sample extract.

Writes the product YAML, the v1 contract and a test into this checkout, regenerates the dbt
sources file, makes the landing folder (``--land`` also lands the sample as the first batch) and
prints what the owner must still decide. The logic is ``supplymesh.scaffold``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("new", help="scaffold a product (YAML, contract, test) from a sample file")
    p.add_argument("product", help="DOMAIN.PRODUCT, e.g. yard.dock_appointments")
    p.add_argument(
        "--from", dest="sample", type=Path, required=True, help="a sample extract (.csv, .parquet)"
    )
    p.add_argument(
        "--land",
        action="store_true",
        help="also land the sample as the product's first batch (default: only the folder)",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from supplymesh.scaffold.project import ScaffoldError, scaffold_product
    from supplymesh.scaffold.render import decisions
    from supplymesh.scaffold.sample import SampleError
    from supplymesh.settings import PROJECT_ROOT, mesh_paths

    try:
        done = scaffold_product(
            args.product, args.sample, root=PROJECT_ROOT, paths=mesh_paths(), land=args.land
        )
    except (ScaffoldError, SampleError) as exc:
        print(f"mesh products new: {exc}", file=sys.stderr)
        return 2
    inferred = done.inferred
    print(
        f"scaffolded {done.product.key} from {args.sample.name}: {len(inferred.columns)} columns, "
        f"key {' + '.join(inferred.key) or 'none'}, inferred from {inferred.rows:,} rows"
    )
    for path in done.written:
        print(f"  wrote {path.relative_to(PROJECT_ROOT)}")
    if done.landed:
        print(f"  landed the sample as {done.landed}")
    else:
        batches = f"{done.product.name}__<batch_id>.csv|.parquet"
        print(f"  landing folder {done.landing_dir} (batches land as {batches})")
    print("The owner must still decide:")
    for line in decisions(done.product, inferred):
        print(f"  - {line}")
    print(f"Then: mesh materialize --select {done.product.key}")
    return 0
