"""Which SKU x DC pairs a landed batch replans, and why.

A landing batch is a full extract, so what an event changes is found by comparison: the pairs
whose rows are new, changed or removed against the snapshot the batch replaced are *changed*
(their history or their position moved), and their forecast and policy are recomputed. Trucks
consolidate every SKU of a supplier -> DC lane, so a changed pair's lane is re-loaded as a whole:
the pairs sharing it are replanned too (their policy from unchanged inputs, their orders
re-coordinated on the lane's trucks). Every other pair keeps its served rows. When the batch
moves the as-of date, every forecast origin moves, and so the whole network is in scope; the
same holds when no earlier snapshot can be compared with.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from supplymesh.planning.frames import SERIES_KEYS

SCOPE_COLUMNS = [*SERIES_KEYS, "supplier_id", "changed", "reason"]


@dataclass(frozen=True)
class ReplanScope:
    """The pairs one event replans: ``changed`` (sku, location_id, rows: the compared rows that
    differ, per pair, whether planned or not) and ``pairs`` (``SCOPE_COLUMNS``: every planned
    pair in scope with the reason it is)."""

    product: str
    changed: pd.DataFrame
    pairs: pd.DataFrame
    whole_network: str | None = None  # why every pair is in scope, when it is

    @property
    def lanes(self) -> int:
        """How many supplier -> DC lanes the scope re-loads."""
        return int(self.pairs[["supplier_id", "location_id"]].drop_duplicates().shape[0])

    def summary(self) -> dict:
        """What the audit entry and the run's metadata record."""
        return {
            "product": self.product,
            "changed_pairs": len(self.changed),
            "replanned_pairs": len(self.pairs),
            "lanes": self.lanes,
            "whole_network": self.whole_network,
            "pairs": self.pairs[[*SERIES_KEYS, "reason"]].to_dict("records"),
        }

    def to_record(self) -> dict:
        """The scope as plain JSON values: the first planning step of a run records it, so the
        next plans exactly the pairs the forecast re-forecast (``from_record`` reads it back)."""
        return {
            "product": self.product,
            "whole_network": self.whole_network,
            "changed": self.changed[[*SERIES_KEYS, "rows"]].to_dict("records"),
            "pairs": self.pairs[SCOPE_COLUMNS].to_dict("records"),
        }

    @classmethod
    def from_record(cls, record: dict) -> ReplanScope:
        """The scope ``to_record`` wrote, with its column types."""
        changed = pd.DataFrame.from_records(record["changed"], columns=[*SERIES_KEYS, "rows"])
        pairs = pd.DataFrame.from_records(record["pairs"], columns=SCOPE_COLUMNS)
        return cls(
            record["product"],
            _keys(changed).astype({"rows": "int64"}),
            _keys(pairs).astype({"supplier_id": str, "changed": bool, "reason": str}),
            record["whole_network"],
        )


def _keys(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype({"sku": str, "location_id": str})


def whole_network_reason(
    product: str, comparable: bool, served_date: str, as_of: str | None
) -> str | None:
    """Why a batch of ``product`` puts every pair in scope, or None when it does not: nothing
    to compare it with (``comparable`` false), or an as-of date (``YYYY-MM-DD``; None: unknown)
    other than the served plan's. The landing sensor asks the same before it asks for a run."""
    if not comparable:
        return f"no earlier snapshot of {product} to compare the batch with"
    if as_of is None:
        return f"the as-of date after the batch of {product} is unknown: every forecast may move"
    if served_date != as_of:
        return f"{product} moved the as-of date from {served_date} to {as_of}: every forecast moves"
    return None


def replan_scope(
    product: str,
    changed: pd.DataFrame | None,
    positions: pd.DataFrame,
    served_date: str,
    as_of: str,
) -> ReplanScope:
    """The scope of a batch of ``product``: ``changed`` (sku, location_id, rows; None when no
    earlier snapshot could be compared), ``positions`` (sku, location_id, supplier_id: every
    planned pair), the plan date served now and the as-of date of the marts just rebuilt."""
    planned = _keys(positions[[*SERIES_KEYS, "supplier_id"]]).drop_duplicates(SERIES_KEYS)
    planned = planned.astype({"supplier_id": str}).sort_values(SERIES_KEYS, kind="stable")
    whole = whole_network_reason(product, changed is not None, served_date, as_of)
    if whole is not None:
        every = planned.assign(changed=True, reason=whole).reset_index(drop=True)
        return ReplanScope(product, every[SERIES_KEYS].assign(rows=0), every[SCOPE_COLUMNS], whole)
    changed = _keys(changed[[*SERIES_KEYS, "rows"]])
    hit = planned.merge(changed, on=SERIES_KEYS, how="left")
    is_changed = hit["rows"].notna()
    changed_rows = hit[is_changed]
    lanes = set(zip(changed_rows["supplier_id"], changed_rows["location_id"], strict=True))
    on_lane = pd.Series(
        [(s, loc) in lanes for s, loc in zip(hit["supplier_id"], hit["location_id"], strict=True)],
        index=hit.index,
    )
    reasons = [
        f"{int(rows)} rows of {product} new, changed or removed"
        if hit_changed
        else f"shares the {supplier} -> {dc} lane with a changed pair: its trucks carry every "
        "SKU of the lane"
        for rows, hit_changed, supplier, dc in zip(
            hit["rows"].fillna(0), is_changed, hit["supplier_id"], hit["location_id"], strict=True
        )
    ]
    hit = hit.assign(changed=is_changed, reason=reasons)[is_changed | on_lane]
    return ReplanScope(product, changed, hit[SCOPE_COLUMNS].reset_index(drop=True))
