"""The item master: what is sold, who makes it, and how it is packed.

Categories carry the facts that differ between real merchandise groups (weight and density ranges,
price per kg, price elasticity, seasonal peak), so physical and commercial attributes stay
consistent with each other: volume follows weight, pallets respect weight and volume limits, and
a minimum order is always whole cases.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Category:
    """Facts of one merchandise group."""

    name: str
    share: float  # share of the assortment
    weight_kg: tuple[float, float]  # log-uniform range of unit weight
    density: float  # kg per m3 including packaging
    price_per_kg: float
    elasticity: tuple[float, float]  # price elasticity range (positive number)
    season_amp: float  # yearly seasonality amplitude (log scale)
    season_peak: int  # day of year of the seasonal peak
    brands: tuple[str, ...]
    nouns: tuple[str, ...]


CATEGORIES: tuple[Category, ...] = (
    Category(
        "beverages",
        0.18,
        (0.5, 12.0),
        900,
        1.1,
        (1.8, 2.6),
        0.30,
        196,
        ("Brisa", "Fonteva", "Koldbrew", "Sunvale"),
        ("Sparkling Water", "Cola", "Orange Juice", "Iced Tea", "Energy Drink", "Lemonade"),
    ),
    Category(
        "snacks",
        0.16,
        (0.1, 1.0),
        160,
        9.0,
        (2.0, 3.0),
        0.15,
        352,
        ("Crunchwell", "Nibbla", "Saltora"),
        ("Potato Chips", "Pretzels", "Chocolate Bar", "Cookies", "Mixed Nuts", "Popcorn"),
    ),
    Category(
        "household",
        0.14,
        (0.3, 10.0),
        650,
        3.5,
        (1.5, 2.2),
        0.08,
        95,
        ("Cleara", "Homely", "Brightex"),
        ("Dish Soap", "Laundry Detergent", "Paper Towels", "Surface Cleaner", "Trash Bags"),
    ),
    Category(
        "personal_care",
        0.14,
        (0.1, 1.5),
        700,
        14.0,
        (1.5, 2.2),
        0.12,
        185,
        ("Dermalis", "Purelle", "Velvo"),
        ("Shampoo", "Shower Gel", "Toothpaste", "Sunscreen", "Deodorant", "Hand Cream"),
    ),
    Category(
        "frozen",
        0.10,
        (0.3, 3.0),
        500,
        6.0,
        (1.8, 2.8),
        0.35,
        200,
        ("Frostby", "Glacia", "Polaro"),
        ("Ice Cream", "Frozen Pizza", "Fish Fingers", "Frozen Peas", "Fries"),
    ),
    Category(
        "produce",
        0.10,
        (0.2, 5.0),
        420,
        3.0,
        (1.5, 2.0),
        0.20,
        170,
        ("Greenfield", "Orchardia", "Terravita"),
        ("Apples", "Bananas", "Tomatoes", "Salad Mix", "Potatoes", "Berries"),
    ),
    Category(
        "dairy",
        0.10,
        (0.2, 4.0),
        950,
        2.5,
        (1.6, 2.4),
        0.06,
        20,
        ("Alpenmilch", "Cremora", "Lattea"),
        ("Milk", "Yoghurt", "Butter", "Cheese", "Cream"),
    ),
    Category(
        "pet_care",
        0.08,
        (0.5, 25.0),
        550,
        3.0,
        (1.5, 2.0),
        0.05,
        300,
        ("Pawsome", "Fidelio", "Whiskerly"),
        ("Dog Food", "Cat Food", "Cat Litter", "Pet Treats"),
    ),
)
CATEGORY_NAMES = tuple(c.name for c in CATEGORIES)
VARIANTS = (
    "Classic",
    "Original",
    "Lemon",
    "Family Pack",
    "Light",
    "Organic",
    "Premium",
    "Value",
    "Mini",
    "XL",
)
PALLET_MAX_KG, PALLET_MAX_M3 = 800.0, 1.5
LAUNCH_IN_HISTORY_SHARE = 0.08  # new items launched during the history (cold starts)
DISCONTINUED_SHARE = 0.04  # items delisted before the as-of date (is_active = false)


@dataclass(frozen=True)
class ItemMaster:
    """One row per SKU; day indexes count from the first history day (negative = before it)."""

    skus: list[str]
    descriptions: list[str]
    brands: list[str]
    category: np.ndarray  # index into CATEGORIES
    supplier: np.ndarray  # index into the network's suppliers
    base_price: np.ndarray  # list price on the first history day
    cost_ratio: np.ndarray  # unit cost / list price
    weight_kg: np.ndarray
    volume_m3: np.ndarray
    case_pack: np.ndarray
    units_per_pallet: np.ndarray
    min_order_qty: np.ndarray
    launch_day: np.ndarray  # int day index of launch
    end_day: np.ndarray  # int day index of the first day no longer sold (n_days if active)

    @property
    def n_skus(self) -> int:
        return len(self.skus)

    @property
    def is_active(self) -> np.ndarray:
        return self.end_day >= np.iinfo(np.int32).max


def supplier_specialties(n_suppliers: int) -> list[str]:
    """The category each supplier mainly makes (round-robin, so every category is covered)."""
    return [CATEGORY_NAMES[j % len(CATEGORIES)] for j in range(n_suppliers)]


def build_item_master(
    rng: np.random.Generator, n_skus: int, n_suppliers: int, history_days: int
) -> ItemMaster:
    """Draw ``n_skus`` items with consistent physical, commercial and sourcing attributes."""
    n_cat = len(CATEGORIES)
    share = np.array([c.share for c in CATEGORIES])
    cat = rng.choice(n_cat, size=n_skus, p=share / share.sum())
    # a category's items go to the suppliers specialised in it (or, with few suppliers, to one)
    makers = [
        [j for j in range(n_suppliers) if j % n_cat == c] or [c % n_suppliers] for c in range(n_cat)
    ]
    supplier = np.array([makers[c][rng.integers(len(makers[c]))] for c in cat])

    lo = np.log([CATEGORIES[c].weight_kg[0] for c in cat])
    hi = np.log([CATEGORIES[c].weight_kg[1] for c in cat])
    weight = np.round(np.exp(rng.uniform(lo, hi)), 3)
    density = np.array([CATEGORIES[c].density for c in cat])
    volume = np.round(weight / density * rng.uniform(0.9, 1.25, n_skus), 6)
    price_kg = np.array([CATEGORIES[c].price_per_kg for c in cat])
    base_price = np.round(
        np.maximum(0.49, price_kg * weight**0.8 * rng.lognormal(0, 0.25, n_skus)), 2
    )
    cost_ratio = rng.uniform(0.55, 0.8, n_skus)

    # heavier items come in smaller cases
    options = np.select([weight > 8, weight > 2, weight > 0.5], [0, 1, 2], default=3)
    packs = np.array([[2, 4], [6, 12], [12, 24], [24, 48]])
    case = packs[options, rng.integers(0, 2, n_skus)]
    cases_per_pallet = np.floor(
        np.minimum(PALLET_MAX_KG / (weight * case), PALLET_MAX_M3 / (volume * case))
    ).clip(1, None)
    per_pallet = (cases_per_pallet * case).astype(np.int64)
    moq = case * rng.choice([1, 2, 3, 5], n_skus, p=[0.45, 0.3, 0.15, 0.1])

    launch = -rng.integers(60, 2500, n_skus)
    new = rng.random(n_skus) < LAUNCH_IN_HISTORY_SHARE
    launch[new] = rng.integers(0, int(history_days * 0.6), new.sum())
    end = np.full(n_skus, np.iinfo(np.int32).max, dtype=np.int64)
    gone = (rng.random(n_skus) < DISCONTINUED_SHARE) & ~new
    end[gone] = history_days - rng.integers(60, 200, gone.sum())

    skus = [f"SKU{i + 1:05d}" for i in range(n_skus)]
    brands, descriptions = [], []
    for i, c in enumerate(cat):
        category = CATEGORIES[c]
        brand = category.brands[rng.integers(len(category.brands))]
        noun = category.nouns[rng.integers(len(category.nouns))]
        variant = VARIANTS[rng.integers(len(VARIANTS))]
        size = f"{weight[i]:.1f}kg" if weight[i] >= 1 else f"{weight[i] * 1000:.0f}g"
        brands.append(brand)
        descriptions.append(f"{brand} {noun} {variant} {size}")
    return ItemMaster(
        skus,
        descriptions,
        brands,
        cat,
        supplier,
        base_price,
        cost_ratio,
        weight,
        volume,
        case.astype(np.int64),
        per_pallet,
        moq.astype(np.int64),
        launch.astype(np.int64),
        end,
    )
