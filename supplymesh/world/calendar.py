"""The market calendar: days, weekdays and each region's public holidays.

Regions are the four sales regions of the network; each follows one country's holidays (fixed-date
ones common to all, a few of its own, and Easter-based moveable ones), so a forecast has to read the
region's calendar rather than assume one holiday set. The same calendar drives demand: DCs ship
little on a holiday and stores stock up in the days before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pyarrow as pa

REGIONS = ("NORTH", "SOUTH", "EAST", "WEST")

COMMON_FIXED = {(1, 1): "New Year's Day", (5, 1): "Labour Day", (12, 25): "Christmas Day"}
REGION_FIXED: dict[str, dict[tuple[int, int], str]] = {
    "NORTH": {(10, 3): "Day of Unity", (12, 26): "St Stephen's Day"},
    "SOUTH": {
        (1, 6): "Epiphany",
        (4, 25): "Liberation Day",
        (6, 2): "Republic Day",
        (8, 15): "Assumption Day",
        (11, 1): "All Saints' Day",
        (12, 8): "Immaculate Conception",
        (12, 26): "St Stephen's Day",
    },
    "EAST": {
        (1, 6): "Epiphany",
        (5, 3): "Constitution Day",
        (8, 15): "Assumption Day",
        (11, 1): "All Saints' Day",
        (11, 11): "Independence Day",
        (12, 26): "St Stephen's Day",
    },
    "WEST": {
        (5, 8): "Victory Day",
        (7, 14): "National Day",
        (8, 15): "Assumption Day",
        (11, 1): "All Saints' Day",
        (11, 11): "Armistice Day",
    },
}
# moveable holidays: days after Easter Sunday, and the regions that keep them
EASTER_OFFSETS: dict[str, tuple[int, tuple[str, ...]]] = {
    "Good Friday": (-2, ("NORTH",)),
    "Easter Monday": (1, REGIONS),
    "Ascension Day": (39, ("NORTH", "WEST")),
    "Whit Monday": (50, ("NORTH", "WEST")),
    "Corpus Christi": (60, ("EAST",)),
}
# demand multipliers: on the holiday, and on the 1st/2nd/3rd day before it (stock-up)
HOLIDAY_MULT = 0.15
PRE_HOLIDAY_MULT = (1.35, 1.12, 1.0)
BIG_HOLIDAYS = {"Christmas Day", "New Year's Day", "Easter Monday"}
PRE_BIG_HOLIDAY_MULT = (1.6, 1.35, 1.15)


def easter_sunday(year: int) -> date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month = (h + ell - 7 * m + 114) // 31
    day = (h + ell - 7 * m + 114) % 31 + 1
    return date(year, month, day)


def region_holidays(region: str, years: range) -> dict[date, str]:
    """Every public holiday of ``region`` in ``years``; coinciding ones share one joined name."""
    out: dict[date, list[str]] = {}
    for year in years:
        for (month, day), name in {**COMMON_FIXED, **REGION_FIXED[region]}.items():
            out.setdefault(date(year, month, day), []).append(name)
        easter = easter_sunday(year)
        for name, (offset, regions) in EASTER_OFFSETS.items():
            if region in regions:
                out.setdefault(easter + timedelta(days=offset), []).append(name)
    return {d: " / ".join(sorted(names)) for d, names in sorted(out.items())}


@dataclass(frozen=True)
class Calendar:
    """Days ``start .. start + n_days - 1`` (history then horizon) and per-region holidays."""

    start: date
    history_days: int
    days: np.ndarray  # datetime64[D], history followed by the horizon
    regions: tuple[str, ...]
    is_holiday: np.ndarray  # bool (n_regions, n_days)
    holiday_name: list[list[str | None]]  # [region][day]
    demand_mult: np.ndarray  # float (n_regions, n_days): holiday closure and pre-holiday stock-up

    @property
    def n_days(self) -> int:
        return int(self.days.size)

    @property
    def weekday(self) -> np.ndarray:
        """Day of week per day, Monday = 0 (1970-01-01 was a Thursday)."""
        return (self.days.astype(np.int64) + 3) % 7

    @property
    def day_of_year(self) -> np.ndarray:
        years = self.days.astype("datetime64[Y]")
        return (self.days - years.astype("datetime64[D]")).astype(np.int64) + 1


def build_calendar(
    as_of: date, history_days: int, horizon_days: int, regions: tuple[str, ...] = REGIONS
) -> Calendar:
    """The calendar of ``history_days`` ending on ``as_of`` plus ``horizon_days`` after it."""
    start = as_of - timedelta(days=history_days - 1)
    n_days = history_days + horizon_days
    days = np.datetime64(start, "D") + np.arange(n_days)
    end = start + timedelta(days=n_days - 1)
    is_hol = np.zeros((len(regions), n_days), dtype=bool)
    mult = np.ones((len(regions), n_days))
    names: list[list[str | None]] = []
    for r, region in enumerate(regions):
        row: list[str | None] = [None] * n_days
        # one extra year so stock-up before a holiday just past the end is still applied
        for day, name in region_holidays(region, range(start.year, end.year + 2)).items():
            i = (day - start).days
            for k, lift in enumerate(
                PRE_BIG_HOLIDAY_MULT if name in BIG_HOLIDAYS else PRE_HOLIDAY_MULT, start=1
            ):
                if 0 <= i - k < n_days:
                    mult[r, i - k] *= lift
            if 0 <= i < n_days:
                is_hol[r, i], row[i] = True, name
        mult[r, is_hol[r]] = HOLIDAY_MULT
        names.append(row)
    return Calendar(start, history_days, days, tuple(regions), is_hol, names, mult)


def calendar_table(cal: Calendar) -> pa.Table:
    """The ``calendar`` extract: one row per day and region."""
    n_reg = len(cal.regions)
    return pa.table(
        {
            "calendar_date": pa.array(np.tile(cal.days, n_reg)),
            "region": pa.array(np.repeat(np.array(cal.regions), cal.n_days)),
            "is_holiday": pa.array(cal.is_holiday.reshape(-1)),
            "holiday_name": pa.array(
                [n for row in cal.holiday_name for n in row], type=pa.string()
            ),
        }
    )
