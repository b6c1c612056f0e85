"""Resources: where the mesh lives, read when the resource is built (never at import)."""

from __future__ import annotations

import dagster as dg

from supplymesh.settings import MeshPaths, mesh_home


class MeshResource(dg.ConfigurableResource):
    """The runtime folder of the mesh (``MESH_HOME``)."""

    home: str = ""

    @property
    def paths(self) -> MeshPaths:
        from pathlib import Path

        return MeshPaths(Path(self.home) if self.home else mesh_home())
