"""The tamper-evident audit trail: every publish, validation, contract change, promotion, approval.

An append-only JSON-lines log under ``MESH_HOME``. Each entry records what happened (``action``,
``subject``), who or which run did it (``actor``), when (``at``) and why (``reason``), plus
``details``; it carries the hash of the previous entry and its own hash over all of that, so
editing any entry breaks its own hash and deleting one breaks the chain. A separate head file
holds the newest entry's sequence number and hash, so deleting the newest entries is caught too.
Appends hold an exclusive file lock, so concurrent publishers never fork the chain.

``record`` is the one way to write the log; ``verify`` checks it (``mesh audit verify``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from supplymesh.files import append_durably, atomic_write, exclusive_lock
from supplymesh.governance.layout import audit_head_path, audit_log_path, governance_dir
from supplymesh.settings import MeshPaths

GENESIS = "0" * 64
# Actions the mesh itself records; other callers may add their own (e.g. "model_promotion").
PUBLISH, VALIDATION, CONTRACT_CHANGE, APPROVAL = (
    "publish",
    "validation",
    "contract_change",
    "approval",
)


def _canonical(entry: dict[str, Any]) -> str:
    return json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def entry_hash(entry: dict[str, Any]) -> str:
    """The hash of an entry over every field except ``hash`` itself."""
    body = {k: v for k, v in entry.items() if k != "hash"}
    return hashlib.sha256(_canonical(body).encode()).hexdigest()


def _read_head(paths: MeshPaths) -> dict[str, Any]:
    head = audit_head_path(paths)
    if not head.exists():
        return {"seq": 0, "hash": GENESIS}
    return json.loads(head.read_text())


def _write_head(paths: MeshPaths, seq: int, digest: str) -> None:
    atomic_write(audit_head_path(paths), json.dumps({"seq": seq, "hash": digest}))


def record(
    paths: MeshPaths,
    action: str,
    subject: str,
    actor: str,
    reason: str,
    details: dict | None = None,
) -> dict:
    """Append one entry and return it (with its ``seq`` and ``hash``).

    ``action`` is what happened (``publish``, ``validation``, ``contract_change``,
    ``model_promotion``, ``approval``...), ``subject`` what it happened to (``sales.orders v2``),
    ``actor`` who or which run did it, ``reason`` why. ``details`` must be JSON-serialisable
    (other values are stored as their ``str``).
    """
    if not action or not subject or not actor:
        raise ValueError("an audit entry needs an action, a subject and an actor")
    clean_details = json.loads(json.dumps(details or {}, default=str))
    with exclusive_lock(governance_dir(paths) / ".audit.lock"):
        head = _read_head(paths)
        entry = {
            "seq": head["seq"] + 1,
            "at": dt.datetime.now(dt.UTC).isoformat(timespec="microseconds"),
            "action": action,
            "subject": subject,
            "actor": actor,
            "reason": reason,
            "details": clean_details,
            "prev_hash": head["hash"],
        }
        entry["hash"] = entry_hash(entry)
        append_durably(audit_log_path(paths), _canonical(entry) + "\n")
        _write_head(paths, entry["seq"], entry["hash"])
    return entry


def read_entries(paths: MeshPaths) -> list[dict[str, Any]]:
    """Every entry, oldest first (unverified: use ``verify`` before trusting them)."""
    log = audit_log_path(paths)
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line]


@dataclass
class Verification:
    """The outcome of ``verify``: problems name the entry and what is wrong with it."""

    entries: int
    head_seq: int
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(paths: MeshPaths) -> Verification:
    """Re-derive every hash and link of the chain, and compare its end with the head file."""
    log = audit_log_path(paths)
    lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    head_file = audit_head_path(paths)
    head = json.loads(head_file.read_text()) if head_file.exists() else None
    result = Verification(len(lines), head["seq"] if head else 0)
    prev_hash, last_hash = GENESIS, GENESIS
    for number, line in enumerate(lines, start=1):
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            result.problems.append(f"line {number}: not a JSON entry")
            prev_hash = None
            continue
        seq = entry.get("seq")
        if seq != number:
            result.problems.append(
                f"line {number}: sequence number {seq}, expected {number} "
                "(an entry was deleted or inserted before it)"
            )
        if entry.get("hash") != entry_hash(entry):
            result.problems.append(f"entry {seq}: content does not match its hash (edited)")
        if prev_hash is not None and entry.get("prev_hash") != prev_hash:
            result.problems.append(
                f"entry {seq}: previous-hash link broken (the entry before it was edited "
                "or deleted)"
            )
        prev_hash = last_hash = entry.get("hash")
    if head is None:
        if lines:
            result.problems.append(
                "head file missing: the log's newest entries cannot be vouched for"
            )
    elif head.get("seq") != len(lines) or head.get("hash") != last_hash:
        result.problems.append(
            f"head says {head.get('seq')} entries ending in {str(head.get('hash'))[:12]}, the log "
            f"has {len(lines)} ending in {str(last_hash)[:12]} (newest entries deleted or edited)"
        )
    return result
