"""The synthetic supply-chain world: source-system extracts for the mesh to publish.

``generate_world`` writes one batch of every extract (see docs/architecture.md, "World") into the
landing folder; ``latest_batch`` finds the newest batch of an extract again.
"""

from supplymesh.world.extracts import EXTRACTS
from supplymesh.world.generate import DEFAULT_AS_OF, WorldSummary, generate_world
from supplymesh.world.landing import latest_batch, new_batch_id
from supplymesh.world.scales import SCALES, Scale, get_scale

__all__ = [
    "DEFAULT_AS_OF",
    "EXTRACTS",
    "SCALES",
    "Scale",
    "WorldSummary",
    "generate_world",
    "get_scale",
    "latest_batch",
    "new_batch_id",
]
