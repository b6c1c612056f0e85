"""governance.audit_log v1: the hash-chained record of what happened to the mesh, by whom, why."""

import pandera.pandas as pa
from pandera.typing import Series

from contracts.columns import column

SHA256 = r"^[0-9a-f]{64}$"


class AuditLogV1(pa.DataFrameModel):
    """One audit entry; each carries the hash of the one before it (``mesh audit verify``)."""

    seq: Series[int] = column("Position in the log, from 1.", "public", ge=1, unique=True)
    at: Series[pa.DateTime] = column("When it happened (UTC).", "public")
    action: Series[str] = column(
        "What happened: publish, validation, contract_change, model_promotion, approval...",
        "public",
    )
    subject: Series[str] = column("What it happened to, e.g. 'sales.orders v2'.", "public")
    actor: Series[str] = column("Who or which run did it.")
    reason: Series[str] = column("Why.")
    details: Series[str] = column("Everything else, as a JSON object.")
    prev_hash: Series[str] = column("Hash of the previous entry.", "public", str_matches=SHA256)
    hash: Series[str] = column(
        "SHA-256 of this entry over every other field.", "public", str_matches=SHA256, unique=True
    )

    class Config:
        name = "governance.audit_log v1"
        strict = True
