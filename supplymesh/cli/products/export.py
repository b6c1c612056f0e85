"""``mesh products export --format odps --out DIR``: one ODPS v1.0.0 descriptor per product,
each schema-checked, with the ODCS contracts its output ports name written beside it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "export", help="write every product as an ODPS v1.0.0 descriptor, with its ODCS contracts"
    )
    p.add_argument("--format", choices=["odps"], default="odps")
    # --out is the user's own choice of folder, like a shell redirection (README, roles)
    p.add_argument("--out", type=Path, required=True, help="folder to write into")
    p.add_argument("--product", help="only this product (<domain>.<product>)")
    p.add_argument(
        "--no-contracts",
        action="store_true",
        help="write only the descriptors (their output ports still name the ODCS files)",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import yaml

    from supplymesh.cli.lineage import mesh_lineage
    from supplymesh.governance import odcs, odps
    from supplymesh.governance.contract_changes.spec import contract_spec
    from supplymesh.registry import all_products, get_product
    from supplymesh.settings import mesh_paths

    try:  # a name, never a path: checked before the (slow) lineage graph
        products = [get_product(args.product)] if args.product else list(all_products())
    except KeyError as exc:
        print(f"mesh products export: {exc.args[0]}", file=sys.stderr)
        return 2
    graph = mesh_lineage(mesh_paths())
    args.out.mkdir(parents=True, exist_ok=True)
    invalid = contracts = 0
    for product in products:
        document = odps.to_odps(product, graph)
        errors = odps.validation_errors(document)
        target = args.out / odps.file_name(product)
        target.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True))
        ports = f"{len(document['inputPorts'])} in, {len(document['outputPorts'])} out"
        verdict = "valid ODPS v1.0.0" if not errors else f"INVALID: {'; '.join(errors[:3])}"
        print(f"{target}  ({verdict}; ports {ports})")
        invalid += bool(errors)
        if args.no_contracts:
            continue
        for version in product.versions:
            spec = contract_spec(product, version)
            contract = odcs.to_odcs(spec)
            contract_errors = odcs.validation_errors(contract)
            path = args.out / odcs.file_name(spec)
            path.write_text(yaml.safe_dump(contract, sort_keys=False, allow_unicode=True))
            if contract_errors:
                print(f"{path}  (INVALID ODCS: {'; '.join(contract_errors[:3])})")
            invalid += bool(contract_errors)
            contracts += 1
    if contracts:
        noun = "contract" if contracts == 1 else "contracts"
        print(f"and {contracts} ODCS v3.1.0 {noun} beside them, as their output ports name")
    return 1 if invalid else 0
