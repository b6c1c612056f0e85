"""Where governance keeps its runtime state under ``MESH_HOME``: located once, here.

| path | what |
|---|---|
| ``governance/audit_log.jsonl`` (+ ``audit_log.head.json``) | the hash-chained audit trail |
| ``governance/quality_metrics.jsonl`` (+ ``quality_latest/``) | quality metrics of every publish (and each version's newest) |
| ``governance/partitions/<domain>/<name>/v<major>.json`` | per-partition validation ledger |
| ``governance/contracts/<domain>.<name>.v<major>.json`` | the contract spec last published |
| ``governance/access_requests.json`` (+ ``.access.lock``) | access requests and their decisions |
| ``secrets/pseudonym.key`` | the key of the PII pseudonyms (mode 0600, never in the repo) |
| ``catalog/<role>.duckdb`` | consumer catalog per role (``mesh.duckdb`` is the analyst one) |
"""

from __future__ import annotations

from pathlib import Path

from supplymesh.settings import MeshPaths


def governance_dir(paths: MeshPaths) -> Path:
    return paths.home / "governance"


def audit_log_path(paths: MeshPaths) -> Path:
    return governance_dir(paths) / "audit_log.jsonl"


def audit_head_path(paths: MeshPaths) -> Path:
    return governance_dir(paths) / "audit_log.head.json"


def quality_log_path(paths: MeshPaths) -> Path:
    return governance_dir(paths) / "quality_metrics.jsonl"


def partition_ledger_path(paths: MeshPaths, product: str, major: int) -> Path:
    domain, name = product.split(".")
    return governance_dir(paths) / "partitions" / domain / name / f"v{major}.json"


def published_spec_path(paths: MeshPaths, product: str, major: int) -> Path:
    return governance_dir(paths) / "contracts" / f"{product}.v{major}.json"


def access_requests_path(paths: MeshPaths) -> Path:
    return governance_dir(paths) / "access_requests.json"


def pseudonym_key_path(paths: MeshPaths) -> Path:
    return paths.home / "secrets" / "pseudonym.key"
