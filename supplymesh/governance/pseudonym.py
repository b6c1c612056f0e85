"""Keyed pseudonyms for PII: the same value always maps to the same token, so joins still work,
but nobody without the key can recompute a token from a guessed e-mail address.

The token is HMAC-SHA256 under a per-installation key, truncated to 128 bits. The key is
generated on first use under ``MESH_HOME/secrets`` (file mode 0600) and never leaves it: it is
not in the repository, not in any catalog file and not in any view definition, because tokens
are computed when a snapshot is written, not when a consumer reads it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import replace
from pathlib import Path
from typing import Any

import duckdb

from supplymesh.governance.layout import pseudonym_key_path
from supplymesh.registry import ProductVersion
from supplymesh.settings import MeshPaths
from supplymesh.validation.report import RuleResult, ValidationReport
from supplymesh.validation.rules import literal, quote

TOKEN_HEX_CHARS = 32  # 128 bits
_BLOCK = 64  # SHA-256 block size, for HMAC's inner and outer pads
PII = "pii"


def pseudonym_key(paths: MeshPaths) -> bytes:
    """The installation's key, created (0600, in a 0700 folder) the first time it is needed."""
    path = pseudonym_key_path(paths)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process created it first: use theirs
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
    return bytes.fromhex(path.read_text().strip())


def pseudonymise(value: Any, key: bytes) -> str | None:
    """The token of one value (``None`` stays ``None``): what the catalog shows instead of PII."""
    if value is None:
        return None
    digest = hmac.new(key, str(value).encode("utf-8"), hashlib.sha256).hexdigest()
    return digest[:TOKEN_HEX_CHARS]


def pseudonym_sql(expression: str, key: bytes) -> str:
    """The same token computed by DuckDB: HMAC-SHA256 spelled out over SHA-256.

    The key appears only in the SQL that writes a snapshot's pseudonymised copy.
    """
    padded = key.ljust(_BLOCK, b"\0") if len(key) <= _BLOCK else hashlib.sha256(key).digest()
    inner = bytes(b ^ 0x36 for b in padded).hex()
    outer = bytes(b ^ 0x5C for b in padded).hex()
    message = f"encode(CAST({expression} AS VARCHAR))"
    inner_hash = f"unhex(sha256(unhex({literal(inner)}) || {message}))"
    return f"left(sha256(unhex({literal(outer)}) || {inner_hash}), {TOKEN_HEX_CHARS})"


def pii_columns(version: ProductVersion) -> list[str]:
    return [c.name for c in version.columns if c.classification == PII]


def pseudonymise_samples(
    report: ValidationReport, version: ProductVersion, key: bytes
) -> ValidationReport:
    """The report with every PII value in its sample rows replaced by its token.

    Samples travel to the Dagster UI, run logs and the audit trail, where analysts read them.
    """
    sensitive = {version.source_column(c) for c in pii_columns(version)} | set(pii_columns(version))
    if not sensitive:
        return report
    results = [pseudonymise_result(r, sensitive, key) for r in report.results]
    return replace(report, results=results)


def pseudonymise_result(result: RuleResult, columns: set[str], key: bytes) -> RuleResult:
    """The rule's result with the values of ``columns`` in its sample rows replaced by tokens."""
    sample = [
        {k: pseudonymise(v, key) if k in columns else v for k, v in row.items()}
        for row in result.sample
    ]
    return replace(result, sample=sample)


PSEUDONYMISED_FILE = "data.pseudonymised.parquet"


def pseudonymised_path(snapshot_path: Path) -> Path:
    """Where a snapshot's copy with PII replaced by tokens lives, next to its ``data.parquet``."""
    return snapshot_path.with_name(PSEUDONYMISED_FILE)


def write_pseudonymised_copy(
    con: duckdb.DuckDBPyConnection, snapshot_path: Path, version: ProductVersion, key: bytes
) -> Path | None:
    """Write the snapshot's pseudonymised copy (atomically); None when it holds no PII.

    Each distinct value is hashed once and joined back (millions of order lines share a few
    thousand customers), so the copy costs a join, not an HMAC per row.
    """
    columns = pii_columns(version)
    if not columns:
        return None
    target = pseudonymised_path(snapshot_path)
    tmp = target.with_name(f".{target.name}.tmp")
    source = f"read_parquet({literal(str(snapshot_path))})"
    tokens = " ".join(
        f"LEFT JOIN (SELECT v, {pseudonym_sql('v', key)} AS token FROM "
        f"(SELECT DISTINCT {quote(c)} AS v FROM {source})) _p{i} ON s.{quote(c)} = _p{i}.v"
        for i, c in enumerate(columns)
    )
    replaced = ", ".join(f"_p{i}.token AS {quote(c)}" for i, c in enumerate(columns))
    numbered = f"(SELECT *, row_number() OVER () AS _order FROM {source})"
    con.execute(
        f"COPY (SELECT s.* EXCLUDE (_order) REPLACE ({replaced}) FROM {numbered} s {tokens} "
        f"ORDER BY s._order) TO {literal(str(tmp))} (FORMAT parquet, COMPRESSION zstd)"
    )
    os.replace(tmp, target)
    return target
