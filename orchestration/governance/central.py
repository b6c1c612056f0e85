"""Central governance, applied once to the whole mesh by the root ``definitions.py``: the
checks of ``checks.py`` on every product version the definitions build, the governance
products of ``assets.py`` after them, and the scorecards of ``scorecards.py`` last."""

from typing import Any

import dagster as dg

from orchestration.governance.assets import GOVERNANCE_PRODUCTS, governance_products_asset
from orchestration.governance.checks import freshness_checks, governance_checks
from orchestration.governance.scorecards import SCORECARDS_PRODUCT, scorecards_asset
from orchestration.metadata import asset_key
from supplymesh.registry import all_products


def governance_definitions(assets: list[dg.AssetsDefinition]) -> dict[str, Any]:
    """Assets and checks to add to the mesh's ``Definitions``, for the product versions that
    ``assets`` (and the governance products themselves) materialize: a product declared in YAML
    but not built yet gets no check, rather than a phantom asset."""
    built = {key for a in assets for key in a.keys}
    governance = (*GOVERNANCE_PRODUCTS, SCORECARDS_PRODUCT)
    versions = [
        (p, v)
        for p in all_products()
        for v in p.versions
        if asset_key(v) in built or p in governance
    ]
    return {
        "assets": [
            governance_products_asset(
                sorted((asset_key(v) for p, v in versions if p not in governance), key=str)
            ),
            scorecards_asset([asset_key(p.latest) for p in GOVERNANCE_PRODUCTS]),
        ],
        "asset_checks": [
            *(governance_checks(p, v) for p, v in versions),
            *freshness_checks(versions),
        ],
    }
