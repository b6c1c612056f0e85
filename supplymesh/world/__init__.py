"""The synthetic supply-chain world: source-system extracts for the mesh to publish.

``generate_world`` writes one batch of every extract (see docs/architecture.md, "World") into the
landing folder, named by the landing layout of ``supplymesh.publishing.landing`` (the
consumer of the files owns their naming rule).

The names below are imported from their modules on first use, so reading ``world.scales`` (the
choices of ``mesh generate --scale``) does not import the generator (numpy, pyarrow).
"""

from __future__ import annotations

import importlib
from typing import Any

_HOMES = {
    "DEFAULT_AS_OF": "supplymesh.world.generate",
    "EXTRACTS": "supplymesh.world.extracts",
    "SCALES": "supplymesh.world.scales",
    "Scale": "supplymesh.world.scales",
    "WorldSummary": "supplymesh.world.generate",
    "generate_world": "supplymesh.world.generate",
    "get_scale": "supplymesh.world.scales",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)
