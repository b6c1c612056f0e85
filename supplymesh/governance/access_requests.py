"""Access requests: a role asks for a product above its clearance, a steward grants or denies it.

A request names a product, a role and why; it stays ``pending`` until someone decides it. A grant
lets the role read the product from the next build of the role catalogs (every publish, and
``mesh access grant`` / ``revoke`` themselves): ``roles_with_grants`` is what the catalogs and
``mesh products --role`` read. What the role sees of the product's columns does not change: a
grant opens the product, each column is still shown as its classification says for that role.

The rules, kept simple on purpose:

- the mesh has no login: ``--by`` names the person deciding and is recorded, not authenticated.
  Whoever may write ``MESH_HOME`` may decide; the audit log (tamper-evident) says who did;
- nobody grants their own request (``--by`` equal to the requester is refused);
- only a pending request is granted or denied, only a granted one revoked; a denied or revoked
  request stays on record, and a new request may follow it;
- a grant does not expire: a steward revokes it.

Every request and decision is one audit entry (``access_request``, ``access_grant``,
``access_deny``, ``access_revoke``). The requests live in one JSON file under ``governance/``,
rewritten atomically under its lock (``files.py``).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, replace
from typing import Literal

from supplymesh.files import atomic_write, exclusive_lock
from supplymesh.governance import audit
from supplymesh.governance.access import ROLES, Role, get_role
from supplymesh.governance.layout import access_requests_path, governance_dir
from supplymesh.registry import Product
from supplymesh.settings import MeshPaths

Status = Literal["pending", "granted", "denied", "revoked"]
Decision = Literal["grant", "deny", "revoke"]
# decision -> (the status it needs, the status it sets)
TRANSITIONS: dict[str, tuple[Status, Status]] = {
    "grant": ("pending", "granted"),
    "deny": ("pending", "denied"),
    "revoke": ("granted", "revoked"),
}
REQUEST_ACTION = "access_request"


class AccessRequestError(ValueError):
    """A request or decision the rules refuse; the message says why."""


@dataclass(frozen=True)
class AccessRequest:
    """One request and, once decided, its decision."""

    id: str
    product: str
    role: str
    reason: str
    requested_by: str
    requested_at: str
    status: Status = "pending"
    decided_by: str | None = None
    decided_at: str | None = None
    decision_reason: str | None = None


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def read_requests(paths: MeshPaths) -> list[AccessRequest]:
    """Every request on record, oldest first."""
    path = access_requests_path(paths)
    if not path.exists():
        return []
    return [AccessRequest(**r) for r in json.loads(path.read_text())["requests"]]


def _write(paths: MeshPaths, requests: list[AccessRequest]) -> None:
    document = {"requests": [asdict(r) for r in requests]}
    atomic_write(access_requests_path(paths), json.dumps(document, indent=2))


def _lock(paths: MeshPaths):
    return exclusive_lock(governance_dir(paths) / ".access.lock", "the access requests lock")


def request_access(
    paths: MeshPaths, product: Product, role: Role, reason: str, requested_by: str
) -> AccessRequest:
    """Record a pending request (and its audit entry); refused when the role reads the product
    already or an open request for the same product and role exists."""
    if not reason.strip():
        raise AccessRequestError("a request needs a reason (--reason)")
    if role.may_read_access(product.access):
        raise AccessRequestError(
            f"role {role.name} (clearance {role.clearance}) reads {product.key} "
            f"(access {product.access}) already"
        )
    with _lock(paths):
        requests = read_requests(paths)
        for r in requests:
            if (r.product, r.role) == (product.key, role.name) and r.status in ("pending", "granted"):
                raise AccessRequestError(
                    f"{r.id} already asks for {product.key} for role {role.name} ({r.status})"
                )
        new = AccessRequest(
            id=f"AR-{len(requests) + 1:04d}",
            product=product.key,
            role=role.name,
            reason=reason.strip(),
            requested_by=requested_by,
            requested_at=_now(),
        )
        _write(paths, [*requests, new])
        audit.record(
            paths,
            REQUEST_ACTION,
            product.key,
            requested_by,
            new.reason,
            {"request": new.id, "role": role.name, "product_access": product.access},
        )
    return new


def decide(
    paths: MeshPaths, request_id: str, decision: Decision, by: str, reason: str = ""
) -> AccessRequest:
    """Grant, deny or revoke a request (and audit it); refused when its status does not allow
    that decision, or when the requester would grant their own request."""
    needed, result = TRANSITIONS[decision]
    if not by.strip():
        raise AccessRequestError("a decision names who takes it (--by)")
    with _lock(paths):
        requests = read_requests(paths)
        found = [r for r in requests if r.id == request_id]
        if not found:
            known = ", ".join(r.id for r in requests) or "none yet"
            raise AccessRequestError(f"no access request {request_id!r}; requests: {known}")
        request = found[0]
        if request.status != needed:
            raise AccessRequestError(
                f"{request.id} is {request.status}: only a {needed} request can be "
                f"{'revoked' if decision == 'revoke' else decision + 'ed'}"
            )
        if decision == "grant" and by == request.requested_by:
            raise AccessRequestError(
                f"{by} asked for {request.id}: a request is granted by someone else"
            )
        decided = replace(
            request, status=result, decided_by=by, decided_at=_now(), decision_reason=reason
        )
        _write(paths, [decided if r.id == request_id else r for r in requests])
        audit.record(
            paths,
            f"access_{decision}",
            request.product,
            by,
            reason or f"{decision} {request.id}",
            {"request": request.id, "role": request.role, "requested_by": request.requested_by},
        )
    return decided


def roles_with_grants(paths: MeshPaths) -> dict[str, Role]:
    """Every role as the catalogs serve it: its clearance plus what stewards granted it."""
    requests = read_requests(paths)
    return {
        name: role.with_grants(
            frozenset(r.product for r in requests if r.role == name and r.status == "granted")
        )
        for name, role in ROLES.items()
    }


def role_with_grants(paths: MeshPaths, name: str) -> Role:
    """One role as its catalog serves it (a ValueError naming the roles for an unknown one)."""
    get_role(name)
    return roles_with_grants(paths)[name]
