"""``mesh generate``: write a synthetic supply-chain world into the landing folders."""

from __future__ import annotations

import argparse
import datetime as dt

from supplymesh.settings import mesh_paths
from supplymesh.world.scales import SCALES


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("generate", help="generate source-system extracts into the landing folders")
    p.add_argument("--scale", choices=sorted(SCALES), default="small")
    p.add_argument(
        "--world",
        choices=["synthetic", "completejourney"],
        default="synthetic",
        help="synthetic (generated) or completejourney (real grocery sales, as of 2017-12-31)",
    )
    p.add_argument("--seed", type=int, default=7)
    p.add_argument(
        "--as-of",
        type=dt.date.fromisoformat,
        default=dt.date(2026, 11, 27),
        help="last day of history (default 2026-11-27)",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from supplymesh.progress import Progress
    from supplymesh.world.completejourney import generate_completejourney
    from supplymesh.world.generate import generate_world

    paths = mesh_paths()
    with Progress(f"generate {args.scale}") as progress:
        if args.world == "completejourney":
            summary = generate_completejourney(
                paths, scale=args.scale, seed=args.seed, progress=progress.update
            )
        else:
            summary = generate_world(
                paths, scale=args.scale, seed=args.seed, as_of=args.as_of, progress=progress.update
            )
    print(
        f"world '{summary.scale}' (seed {summary.seed}, as of {summary.as_of}) "
        f"batch {summary.batch_id} in {summary.seconds:.1f} s -> {paths.landing}"
    )
    for extract, rows in summary.rows.items():
        print(f"  {extract:<18} {rows:>12,} rows")
    return 0
