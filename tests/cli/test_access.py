"""``mesh access`` through the CLI on a published tiny world: a request, a steward's grant and the
role's catalog serving the product from then on (its columns still masked by classification),
deny, revoke, the refusals, and an audit entry for every request and decision."""

from __future__ import annotations

import json
import shutil

import pytest

from supplymesh.cli import main
from supplymesh.governance import audit
from supplymesh.publishing.manifest import read_manifest, snapshot_history
from supplymesh.publishing.publish import publish_landing
from supplymesh.settings import MeshPaths
from tests.mesh_world import generate_tiny_world

PRODUCT = "network.locations"  # internal: above the public role's clearance
QUERY = ["query", "--role", "public", "--format", "json", f"select * from {PRODUCT}"]


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> MeshPaths:
    """The tiny world's locations (internal) and calendar (public), published."""
    paths = MeshPaths(tmp_path_factory.mktemp("access"))
    generate_tiny_world(paths)
    for product in (PRODUCT, "market.calendar"):
        assert all(r.published for r in publish_landing(product, paths=paths))
    return paths


@pytest.fixture
def home(published, tmp_path, monkeypatch) -> MeshPaths:
    """A private copy of the published mesh for one test, as ``MESH_HOME``."""
    paths = MeshPaths(tmp_path / "home")
    shutil.copytree(published.home, paths.home)
    monkeypatch.setenv("MESH_HOME", str(paths.home))
    return paths


def _requests(capsys) -> list[dict]:
    capsys.readouterr()
    assert main(["access", "list", "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_a_granted_request_is_served_to_the_role_with_its_columns_still_masked(home, capsys):
    assert main(QUERY) == 1
    assert "cannot see network.locations" in capsys.readouterr().err

    request = ["access", "request", PRODUCT, "--role", "public", "--reason", "site map"]
    assert main([*request, "--by", "ana"]) == 0
    assert "AR-0001: ana asks for network.locations" in capsys.readouterr().out
    assert main(QUERY) == 1  # pending: nothing served yet
    assert main(["access", "grant", "AR-0001", "--by", "sam"]) == 0
    assert "role public reads network.locations" in capsys.readouterr().out

    assert main(QUERY) == 0
    rows = json.loads(capsys.readouterr().out)
    public_columns = {"location_id", "name", "location_type", "region", "country", "city"}
    assert rows and set(rows[0]) == public_columns
    assert main(["products", "--role", "public"]) == 0
    listing = capsys.readouterr().out
    assert "network.locations" in listing and "internal*" in listing
    [request] = _requests(capsys)
    assert (request["status"], request["decided_by"]) == ("granted", "sam")
    entries = [e for e in audit.read_entries(home) if e["action"].startswith("access_")]
    assert [(e["action"], e["actor"], e["details"]["request"]) for e in entries] == [
        ("access_request", "ana", "AR-0001"),
        ("access_grant", "sam", "AR-0001"),
    ]
    assert audit.verify(home).ok


def test_a_grant_outlives_the_next_publish_and_ends_when_revoked(home, capsys):
    main(["access", "request", PRODUCT, "--role", "public", "--reason", "maps", "--by", "ana"])
    main(["access", "grant", "AR-0001", "--by", "sam"])
    assert all(r.published for r in publish_landing("market.calendar", paths=home))
    assert main(QUERY) == 0  # the publish rebuilt the public catalog with the grant

    with pytest.raises(SystemExit):  # a revoke needs a reason
        main(["access", "revoke", "AR-0001", "--by", "sam"])
    capsys.readouterr()
    assert main(["access", "revoke", "AR-0001", "--by", "sam", "--reason", "project over"]) == 0
    assert "role public no longer reads network.locations" in capsys.readouterr().out
    assert main(QUERY) == 1
    assert main(["access", "grant", "AR-0001", "--by", "sam"]) == 2
    assert "AR-0001 is revoked" in capsys.readouterr().err
    assert [e["action"] for e in audit.read_entries(home)][-1] == "access_revoke"


def test_a_requester_cannot_grant_their_own_request(home, capsys):
    main(["access", "request", PRODUCT, "--role", "public", "--reason", "maps", "--by", "ana"])
    assert main(["access", "grant", "AR-0001", "--by", "ana"]) == 2
    assert "granted by someone else" in capsys.readouterr().err
    assert [r["status"] for r in _requests(capsys)] == ["pending"]
    assert main(QUERY) == 1


def test_a_denied_request_stays_denied_and_serves_nothing(home, capsys):
    main(["access", "request", PRODUCT, "--role", "public", "--reason", "maps", "--by", "ana"])
    assert main(["access", "deny", "AR-0001", "--by", "sam", "--reason", "PII nearby"]) == 0
    assert main(["access", "grant", "AR-0001", "--by", "sam"]) == 2
    assert main(QUERY) == 1
    capsys.readouterr()
    assert main(["access", "list", "--status", "denied"]) == 0
    out = capsys.readouterr().out
    assert "AR-0001  denied" in out and "decision: PII nearby" in out
    assert [e["action"] for e in audit.read_entries(home)][-1] == "access_deny"
    # a new request may follow a denied one
    assert main(["access", "request", PRODUCT, "--role", "public", "--reason", "again"]) == 0


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["market.calendar", "--role", "public"], "reads market.calendar (access public) already"),
        (["sales.nothing", "--role", "public"], "unknown product 'sales.nothing'"),
        ([PRODUCT, "--role", "public", "--reason", " "], "needs a reason"),
    ],
)
def test_a_request_the_rules_refuse_exits_2_and_records_nothing(home, capsys, argv, message):
    reason = [] if "--reason" in argv else ["--reason", "why"]
    assert main(["access", "request", *argv, *reason]) == 2
    assert message in capsys.readouterr().err
    assert _requests(capsys) == []
    assert not [e for e in audit.read_entries(home) if e["action"].startswith("access_")]


def test_a_second_open_request_for_the_same_product_and_role_is_refused(home, capsys):
    main(["access", "request", PRODUCT, "--role", "public", "--reason", "maps"])
    assert main(["access", "request", PRODUCT, "--role", "public", "--reason", "maps"]) == 2
    assert "AR-0001 already asks" in capsys.readouterr().err


def test_a_granted_product_is_read_as_of_and_listed_by_history_for_the_role(home, capsys):
    """A grant counts for the past too: ``mesh query --as-of`` and ``mesh products history``
    serve the role the product its steward granted, and stop when the grant is revoked."""
    history = ["products", "history", PRODUCT, "--role", "public", "--json"]
    (snap,) = snapshot_history(read_manifest(home), PRODUCT, 1)
    as_of = [*QUERY, "--as-of", snap["snapshot_id"]]
    assert main(as_of) == 1 and main(history) == 1
    assert "cannot see network.locations" in capsys.readouterr().err
    main(["access", "request", PRODUCT, "--role", "public", "--reason", "maps", "--by", "ana"])
    main(["access", "grant", "AR-0001", "--by", "sam"])
    capsys.readouterr()

    assert main(as_of) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == snap["rows"] and "manager_email" not in rows[0]  # pii: still hidden
    assert main(history) == 0
    (v1,) = json.loads(capsys.readouterr().out)["versions"]
    assert [s["snapshot_id"] for s in v1["snapshots"]] == [snap["snapshot_id"]]

    main(["access", "revoke", "AR-0001", "--by", "sam", "--reason", "project over"])
    assert main(as_of) == 1 and main(history) == 1
