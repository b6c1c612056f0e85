"""The synthetic supply-chain world: source-system extracts for the mesh to publish.

``generate_world`` writes one batch of every extract (see docs/architecture.md, "World") into the
landing folder, named by the landing layout of ``supplymesh.publishing.landing`` (the
consumer of the files owns their naming rule).
"""

from supplymesh.world.extracts import EXTRACTS
from supplymesh.world.generate import DEFAULT_AS_OF, WorldSummary, generate_world
from supplymesh.world.scales import SCALES, Scale, get_scale

__all__ = [
    "DEFAULT_AS_OF",
    "EXTRACTS",
    "SCALES",
    "Scale",
    "WorldSummary",
    "generate_world",
    "get_scale",
]
