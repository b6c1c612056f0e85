"""Who may read what: roles, product access levels and what each role sees of each column.

Products declare an access level (``public`` < ``internal`` < ``restricted``) and every contract
column a classification (``public``, ``internal``, ``confidential``, ``pii``). A role has a
clearance (the highest access level it may read) and, per classification, sees the raw value, a
keyed pseudonym (see ``pseudonym.py``) or nothing. Each role gets its own catalog file, so a
DuckDB client that opens the analyst's file cannot find raw PII in it at all.

Beyond its clearance a role reads the products a steward granted it (``granted``, from the access
requests under ``MESH_HOME``: ``access_requests.py``); a grant opens the product, not its columns:
the role still sees each column as its classification says.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from supplymesh.registry import ACCESS_LEVELS, Access, Column, Product
from supplymesh.settings import MeshPaths

Treatment = Literal["raw", "pseudonymised", "hidden"]


@dataclass(frozen=True)
class Role:
    """A consumer role: the products it may read and how it sees each classification."""

    name: str
    clearance: Access
    description: str
    pseudonymised: frozenset[str] = frozenset()
    hidden: frozenset[str] = frozenset()
    # products a steward granted this role beyond its clearance (see access_requests.py)
    granted: frozenset[str] = frozenset()

    def may_read(self, product: Product) -> bool:
        return product.key in self.granted or self.may_read_access(product.access)

    def with_grants(self, products: frozenset[str]) -> Role:
        """This role with ``products`` granted beyond its clearance."""
        return replace(self, granted=products)

    def may_read_access(self, access: str) -> bool:
        """Whether this role's clearance covers data at ``access`` level."""
        return ACCESS_LEVELS.index(access) <= ACCESS_LEVELS.index(self.clearance)

    def treatment(self, column: Column) -> Treatment:
        if column.classification in self.hidden:
            return "hidden"
        if column.classification in self.pseudonymised:
            return "pseudonymised"
        return "raw"

    def visible_columns(self, columns: list[Column]) -> list[dict[str, Any]]:
        """The columns this role sees, each with how (``masking``) and the type it reads (a
        pseudonym is a string): what both the catalog listing and the role's catalog file show."""
        return [
            {
                "name": c.name,
                "type": "VARCHAR" if self.treatment(c) == "pseudonymised" else c.type,
                "classification": c.classification,
                "masking": self.treatment(c),
                "nullable": c.nullable,
                "description": c.description,
            }
            for c in columns
            if self.treatment(c) != "hidden"
        ]

    @property
    def sees_raw_pii(self) -> bool:
        return "pii" not in self.pseudonymised | self.hidden


ROLES: dict[str, Role] = {
    r.name: r
    for r in (
        Role(
            "public",
            "public",
            "Anyone: public products, public columns only.",
            hidden=frozenset({"internal", "confidential", "pii"}),
        ),
        Role(
            "analyst",
            "internal",
            "Staff analysts (the default): internal products; PII as keyed pseudonyms.",
            pseudonymised=frozenset({"pii"}),
        ),
        Role(
            "steward",
            "restricted",
            "Data stewards: every product, raw values.",
        ),
    )
}
DEFAULT_ROLE = "analyst"
# raw PII files (snapshots, the steward catalog): the platform and its group (stewards) only;
# see docs/governance.md
RAW_PII_MODE = 0o640


def get_role(name: str) -> Role:
    try:
        return ROLES[name]
    except KeyError:
        raise ValueError(f"unknown role {name!r}; roles: {', '.join(ROLES)}") from None


def catalog_path(paths: MeshPaths, role: Role | str) -> Path:
    """The role's catalog file; the default role's is the documented ``MESH_HOME/mesh.duckdb``."""
    name = role if isinstance(role, str) else role.name
    get_role(name)
    if name == DEFAULT_ROLE:
        return paths.catalog_db
    return paths.catalog_dir / f"{name}.duckdb"
