"""The physical network: DCs, supplier sites, the lanes between them and how long goods take.

Each supplier has its own lead-time character (mean 5-20 days, its own variability) and each lane
its own transit time (mean from road distance, spread from the carrier's reliability), so lead-time
statistics learned from receipts genuinely differ by supplier and lane. The day-by-day draws live in
a ``ShippingSchedule`` drawn once for the whole world: every PO line a supplier ships to a DC on one
order day travels together, whichever SKU chunk it was simulated in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from supplymesh.world.calendar import REGIONS
from supplymesh.world.people import person_emails

# (city, country, lat, lon) per region; DCs are taken round-robin over regions
DC_SITES: dict[str, list[tuple[str, str, float, float]]] = {
    "NORTH": [
        ("Hamburg", "DE", 53.5511, 9.9937),
        ("Hannover", "DE", 52.3759, 9.7320),
        ("Berlin", "DE", 52.5200, 13.4050),
    ],
    "SOUTH": [
        ("Milan", "IT", 45.4642, 9.1900),
        ("Bologna", "IT", 44.4949, 11.3426),
        ("Verona", "IT", 45.4384, 10.9916),
    ],
    "EAST": [
        ("Warsaw", "PL", 52.2297, 21.0122),
        ("Poznan", "PL", 52.4064, 16.9252),
        ("Lodz", "PL", 51.7592, 19.4560),
    ],
    "WEST": [
        ("Lyon", "FR", 45.7640, 4.8357),
        ("Paris", "FR", 48.8566, 2.3522),
        ("Lille", "FR", 50.6292, 3.0573),
    ],
}
SUPPLIER_SITES: list[tuple[str, str, str, float, float]] = [  # city, country, region, lat, lon
    ("Rotterdam", "NL", "WEST", 51.9244, 4.4777),
    ("Barcelona", "ES", "SOUTH", 41.3874, 2.1686),
    ("Munich", "DE", "NORTH", 48.1351, 11.5820),
    ("Vienna", "AT", "EAST", 48.2082, 16.3738),
    ("Antwerp", "BE", "WEST", 51.2194, 4.4025),
    ("Turin", "IT", "SOUTH", 45.0703, 7.6869),
    ("Aarhus", "DK", "NORTH", 56.1629, 10.2039),
    ("Brno", "CZ", "EAST", 49.1951, 16.6068),
    ("Bordeaux", "FR", "WEST", 44.8378, -0.5792),
    ("Valencia", "ES", "SOUTH", 39.4699, -0.3763),
    ("Cologne", "DE", "NORTH", 50.9375, 6.9603),
    ("Budapest", "HU", "EAST", 47.4979, 19.0402),
    ("Nantes", "FR", "WEST", 47.2184, -1.5536),
    ("Parma", "IT", "SOUTH", 44.8015, 10.3279),
    ("Gothenburg", "SE", "NORTH", 57.7089, 11.9746),
    ("Gdansk", "PL", "EAST", 54.3520, 18.6466),
    ("Strasbourg", "FR", "WEST", 48.5734, 7.7521),
    ("Naples", "IT", "SOUTH", 40.8518, 14.2681),
    ("Stuttgart", "DE", "NORTH", 48.7758, 9.1829),
    ("Wroclaw", "PL", "EAST", 51.1079, 17.0385),
    ("Ghent", "BE", "WEST", 51.0543, 3.7174),
    ("Porto", "PT", "SOUTH", 41.1579, -8.6291),
    ("Bremen", "DE", "NORTH", 53.0793, 8.8017),
    ("Krakow", "PL", "EAST", 50.0647, 19.9450),
    ("Eindhoven", "NL", "WEST", 51.4416, 5.4697),
    ("Seville", "ES", "SOUTH", 37.3891, -5.9845),
    ("Leipzig", "DE", "NORTH", 51.3397, 12.3731),
    ("Bratislava", "SK", "EAST", 48.1486, 17.1077),
    ("Toulouse", "FR", "WEST", 43.6047, 1.4442),
    ("Florence", "IT", "SOUTH", 43.7696, 11.2558),
    ("Odense", "DK", "NORTH", 55.4038, 10.4024),
    ("Linz", "AT", "EAST", 48.3069, 14.2858),
    ("Reims", "FR", "WEST", 49.2583, 4.0317),
    ("Zaragoza", "ES", "SOUTH", 41.6488, -0.8891),
    ("Malmo", "SE", "NORTH", 55.6050, 13.0038),
    ("Graz", "AT", "EAST", 47.0707, 15.4395),
    ("Dusseldorf", "DE", "NORTH", 51.2277, 6.7735),
    ("Bari", "IT", "SOUTH", 41.1171, 16.8719),
    ("Plzen", "CZ", "EAST", 49.7384, 13.3736),
    ("Liege", "BE", "WEST", 50.6326, 5.5797),
]
LEGAL_FORM = {
    "NL": "B.V.",
    "BE": "NV",
    "ES": "S.L.",
    "DE": "GmbH",
    "DK": "A/S",
    "SE": "AB",
    "AT": "GmbH",
    "CZ": "s.r.o.",
    "HU": "Kft.",
    "PL": "Sp. z o.o.",
    "IT": "S.p.A.",
    "FR": "SAS",
    "SK": "s.r.o.",
    "PT": "Lda.",
}
# carrier name and transit-time spread (std in days per sqrt(mean day)): reliability differs
CARRIERS = (
    ("NordFreight", 0.25),
    ("Alpina Logistics", 0.40),
    ("EuroHaul", 0.60),
    ("Vistula Trans", 0.80),
    ("Atlantic Road", 0.50),
)
TRUCK_MAX_WEIGHT_KG = 24_000.0
TRUCK_MAX_PALLETS = 33
ROAD_FACTOR = 1.25  # road km per great-circle km


@dataclass(frozen=True)
class Network:
    """DCs and suppliers with their attributes; lanes are every supplier x DC pair."""

    dc_ids: list[str]
    dc_region: np.ndarray  # index into REGIONS per DC
    dc_handling: np.ndarray  # int days from receipt to sellable stock, per DC
    supplier_ids: list[str]
    supplier_names: list[str]
    supplier_review_days: np.ndarray  # bool (n_suppliers, 7): weekdays POs are placed
    lead_mean: np.ndarray  # per supplier, days from order to shipment
    lead_cv: np.ndarray  # per supplier
    fill_short_prob: np.ndarray  # per supplier: share of PO lines delivered short
    transit_mean: np.ndarray  # (n_suppliers, n_dcs) days
    transit_std: np.ndarray  # (n_suppliers, n_dcs) days
    locations: pa.Table
    lanes: pa.Table

    @property
    def n_dcs(self) -> int:
        return len(self.dc_ids)

    @property
    def n_suppliers(self) -> int:
        return len(self.supplier_ids)


def haversine_km(
    lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray
) -> np.ndarray:
    """Great-circle distance in km."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dl, dp = np.radians(lon2 - lon1), p2 - p1
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 6371.0 * 2 * np.arcsin(np.sqrt(a))


def dc_names(n_dcs: int) -> list[str]:
    """The location ids of ``n_dcs`` distribution centres, in DC order."""
    return [f"DC{i + 1:02d}" for i in range(n_dcs)]


def build_network(
    rng: np.random.Generator, n_dcs: int, n_suppliers: int, supplier_specialty: list[str]
) -> Network:
    """DCs round-robin over the regions, suppliers at distinct sites, one lane per pair."""
    dcs = [
        (REGIONS[i % len(REGIONS)], DC_SITES[REGIONS[i % len(REGIONS)]][i // len(REGIONS) % 3])
        for i in range(n_dcs)
    ]
    sups = [SUPPLIER_SITES[i % len(SUPPLIER_SITES)] for i in range(n_suppliers)]
    dc_ids = dc_names(n_dcs)
    sup_ids = [f"SUP{i + 1:02d}" for i in range(n_suppliers)]
    sup_names = [
        f"{city} {supplier_specialty[i].replace('_', ' ').title()} {LEGAL_FORM[country]}"
        + (f" {i // len(SUPPLIER_SITES) + 1}" if i >= len(SUPPLIER_SITES) else "")
        for i, (city, country, *_rest) in enumerate(sups)
    ]
    handling = rng.integers(0, 3, n_dcs)
    lead_mean, lead_cv, fill_short, review = _supplier_terms(rng, n_suppliers)

    dc_lat = np.array([DC_SITES[r][i // len(REGIONS) % 3][2] for i, (r, _s) in enumerate(dcs)])
    dc_lon = np.array([DC_SITES[r][i // len(REGIONS) % 3][3] for i, (r, _s) in enumerate(dcs)])
    reused_site = np.arange(n_suppliers) >= len(SUPPLIER_SITES)  # nudge a second site in a city
    sup_lat = np.array([s[3] for s in sups]) + reused_site * 0.05
    sup_lon = np.array([s[4] for s in sups])
    road_km = ROAD_FACTOR * haversine_km(
        sup_lat[:, None], sup_lon[:, None], dc_lat[None, :], dc_lon[None, :]
    )
    carrier = rng.integers(0, len(CARRIERS), (n_suppliers, n_dcs))
    spread = np.array([c[1] for c in CARRIERS])[carrier]
    transit_mean = np.round(np.clip(0.8 + road_km / 550.0, 1.0, 6.0), 2)
    transit_std = np.round(spread * np.sqrt(transit_mean), 2)

    managers = person_emails(rng, n_dcs + n_suppliers)
    dc_domains = [f"{c[1][0].lower()}-dc.supplymesh.example" for c in dcs]
    sup_domains = [
        f"{name.split()[0].lower()}-{sid.lower()}.example.com"
        for name, sid in zip(sup_names, sup_ids, strict=True)
    ]
    locations = pa.table(
        {
            "location_id": dc_ids + sup_ids,
            "name": [f"{c[1][0]} DC" for c in dcs] + sup_names,
            "location_type": ["dc"] * n_dcs + ["supplier"] * n_suppliers,
            "region": [r for r, _s in dcs] + [s[2] for s in sups],
            "country": [s[1] for _r, s in dcs] + [s[1] for s in sups],
            "city": [s[0] for _r, s in dcs] + [s[0] for s in sups],
            "latitude": np.round(np.concatenate([dc_lat, sup_lat]), 4),
            "longitude": np.round(np.concatenate([dc_lon, sup_lon]), 4),
            "manager_email": [
                f"{m}@{d}" for m, d in zip(managers, dc_domains + sup_domains, strict=True)
            ],
            "handling_days": pa.array(
                np.concatenate([handling, np.zeros(n_suppliers, np.int64)]), type=pa.int64()
            ),
        }
    )
    lanes = _lanes_table(rng, sup_ids, dc_ids, carrier, road_km, transit_mean, transit_std)
    dc_region = np.array([REGIONS.index(r) for r, _s in dcs])
    return Network(
        dc_ids,
        dc_region,
        handling,
        sup_ids,
        sup_names,
        review,
        lead_mean,
        lead_cv,
        fill_short,
        transit_mean,
        transit_std,
        locations,
        lanes,
    )


def _supplier_terms(
    rng: np.random.Generator, n_suppliers: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each supplier's mean lead time, its spread, short-shipment rate and weekly order days."""
    # suppliers spread over the whole 5-20 day range so they clearly differ, then shuffled
    lead_mean = np.round(
        rng.permutation(np.linspace(5, 20, n_suppliers)) + rng.uniform(-1, 1, n_suppliers), 1
    ).clip(5, 20)
    lead_cv = np.round(rng.uniform(0.1, 0.45, n_suppliers), 2)
    fill_short = np.round(rng.uniform(0.05, 0.18, n_suppliers), 3)
    review = np.zeros((n_suppliers, 7), dtype=bool)
    for j in range(n_suppliers):  # 1-3 order days a week, Monday to Friday
        review[j, rng.choice(5, size=int(rng.integers(1, 4)), replace=False)] = True
    return lead_mean, lead_cv, fill_short, review


def _lanes_table(
    rng: np.random.Generator,
    sup_ids: list[str],
    dc_ids: list[str],
    carrier: np.ndarray,
    road_km: np.ndarray,
    transit_mean: np.ndarray,
    transit_std: np.ndarray,
) -> pa.Table:
    """One truck lane per supplier x DC pair, priced by road distance."""
    n_dcs = len(dc_ids)
    n_lanes = len(sup_ids) * n_dcs
    ftl = np.round(350.0 + 1.55 * road_km * rng.uniform(0.9, 1.1, road_km.shape), 2)
    return pa.table(
        {
            "lane_id": [lane_id(s, d) for s in sup_ids for d in dc_ids],
            "origin_id": np.repeat(sup_ids, n_dcs).tolist(),
            "destination_id": dc_ids * len(sup_ids),
            "carrier": [CARRIERS[c][0] for c in carrier.reshape(-1)],
            "max_weight_kg": np.full(n_lanes, TRUCK_MAX_WEIGHT_KG),
            "max_volume_m3": rng.choice([82.0, 86.0, 90.0], n_lanes),
            "max_pallets": pa.array(np.full(n_lanes, TRUCK_MAX_PALLETS), type=pa.int64()),
            "transit_days_mean": transit_mean.reshape(-1),
            "transit_days_std": transit_std.reshape(-1),
            "ftl_cost": ftl.reshape(-1),
            "ltl_cost_per_kg": np.round(0.035 + 0.00011 * road_km, 4).reshape(-1),
            "ltl_min_charge": np.round(rng.uniform(60, 150, n_lanes), 2),
            "currency": ["EUR"] * n_lanes,
        }
    )


def lane_id(supplier_id: str, dc_id: str) -> str:
    """Lane id of the supplier -> DC lane, e.g. ``L-SUP01-DC01``."""
    return f"L-{supplier_id}-{dc_id}"


@dataclass(frozen=True)
class ShippingSchedule:
    """Whole days from order to shipment (supplier) and shipment to receipt (lane), per order day.

    Indexed ``[supplier, dc, day]``: every PO line placed with a supplier for a DC on one day shares
    the shipment, so they share its dates.
    """

    lead: np.ndarray  # int (n_suppliers, n_dcs, n_days), >= 1
    transit: np.ndarray  # int (n_suppliers, n_dcs, n_days), >= 1


def draw_schedule(rng: np.random.Generator, net: Network, n_days: int) -> ShippingSchedule:
    """Lognormal supplier lead times and gamma lane transit times, rounded to whole days."""
    shape = (net.n_suppliers, net.n_dcs, n_days)
    sigma = np.sqrt(np.log1p(net.lead_cv**2))[:, None, None]
    mu = np.log(net.lead_mean)[:, None, None] - sigma**2 / 2
    lead = np.rint(np.exp(mu + sigma * rng.standard_normal(shape))).clip(1, 60)
    m, sd = net.transit_mean[:, :, None], np.maximum(net.transit_std, 0.05)[:, :, None]
    k = (m / sd) ** 2
    transit = np.rint(rng.gamma(k, m / k, shape)).clip(1, 30)
    return ShippingSchedule(lead.astype(np.int64), transit.astype(np.int64))
