"""Finding batches in the landing folder: the naming rule, read back.

An extract lands as ``<extract>__<batch_id>.csv|.parquet`` or a folder ``<extract>__<batch_id>/``
of parquet parts; ``batch_id`` is a UTC timestamp ``YYYYMMDDTHHMMSSZ``, so the newest batch is the
greatest id. Hidden temporaries (``.<name>.partial``) never match.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

BATCH_ID_FORMAT = "%Y%m%dT%H%M%SZ"
BATCH_ID_RE = re.compile(r"\d{8}T\d{6}Z")


def new_batch_id(now: datetime | None = None) -> str:
    """The batch id for ``now`` (default: the current UTC time)."""
    return (now or datetime.now(UTC)).astimezone(UTC).strftime(BATCH_ID_FORMAT)


def is_batch_id(value: str) -> bool:
    """Whether ``value`` is a well-formed batch id."""
    return BATCH_ID_RE.fullmatch(value) is not None


def batch_of(path: Path, extract: str) -> str | None:
    """The batch id in ``path``'s name if it is a batch of ``extract``, else None."""
    match = re.fullmatch(
        rf"{re.escape(extract)}__({BATCH_ID_RE.pattern})(\.csv|\.parquet)?", path.name
    )
    if match is None or (match.group(2) is None) != path.is_dir():
        return None  # a folder batch has no suffix, a file batch has one
    return match.group(1)


def latest_batch(landing_dir: Path, extract: str) -> Path | None:
    """The newest batch of ``extract`` directly inside ``landing_dir`` (a domain folder such as
    ``paths.landing_dir("sales")``), or None when there is none."""
    if not landing_dir.is_dir():
        return None
    found = [(b, p) for p in landing_dir.iterdir() if (b := batch_of(p, extract)) is not None]
    return max(found)[1] if found else None
