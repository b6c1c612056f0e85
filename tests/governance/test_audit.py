"""The audit trail is append-only and tamper-evident: any edited or deleted entry is found."""

import json
import threading

import pytest

from supplymesh.cli import main
from supplymesh.governance import audit
from supplymesh.governance.layout import audit_head_path, audit_log_path
from supplymesh.settings import MeshPaths
from tests.mesh_world import mesh_environment


@pytest.fixture
def paths(tmp_path) -> MeshPaths:
    paths = MeshPaths(tmp_path / "mesh")
    for i in range(5):
        audit.record(
            paths, "publish", f"sales.orders v{i % 2 + 1}", "run:abc", "new snapshot", {"rows": i}
        )
    return paths


def lines(paths: MeshPaths) -> list[str]:
    return audit_log_path(paths).read_text().splitlines()


def rewrite(paths: MeshPaths, new_lines: list[str]) -> None:
    audit_log_path(paths).write_text("".join(line + "\n" for line in new_lines))


def test_record_returns_the_chained_entry(tmp_path):
    paths = MeshPaths(tmp_path / "mesh")
    first = audit.record(paths, "approval", "planning.inventory_plan v1", "alice", "reviewed")
    second = audit.record(
        paths, "model_promotion", "demand model hgb-1", "run:42", "beats baseline", {"mase": 0.8}
    )
    assert (first["seq"], second["seq"]) == (1, 2)
    assert first["prev_hash"] == audit.GENESIS and second["prev_hash"] == first["hash"]
    assert second["details"] == {"mase": 0.8} and second["at"].endswith("+00:00")
    assert audit.read_entries(paths) == [first, second]
    assert audit.verify(paths).ok


def test_intact_log_verifies(paths, capsys):
    assert audit.verify(paths).ok
    with mesh_environment(paths.home):
        assert main(["audit", "verify"]) == 0
    assert "5 entries" in capsys.readouterr().out


@pytest.mark.parametrize("seq", [1, 3, 5])
def test_editing_any_entry_is_detected(paths, seq, capsys):
    entries = [json.loads(line) for line in lines(paths)]
    entries[seq - 1]["reason"] = "nothing to see here"
    rewrite(paths, [json.dumps(e, sort_keys=True, separators=(",", ":")) for e in entries])
    result = audit.verify(paths)
    assert not result.ok
    assert any(f"entry {seq}: content does not match its hash" in p for p in result.problems)
    with mesh_environment(paths.home):
        assert main(["audit", "verify"]) == 1
    assert "TAMPERED" in capsys.readouterr().out


def test_editing_an_entry_and_recomputing_its_hash_breaks_the_next_link(paths):
    entries = [json.loads(line) for line in lines(paths)]
    entries[1]["details"] = {"rows": 999}
    entries[1]["hash"] = audit.entry_hash(entries[1])
    rewrite(paths, [json.dumps(e) for e in entries])
    problems = audit.verify(paths).problems
    assert any("entry 3: previous-hash link broken" in p for p in problems)


@pytest.mark.parametrize("index", [0, 2, 4])
def test_deleting_any_entry_is_detected(paths, index):
    remaining = lines(paths)
    del remaining[index]
    rewrite(paths, remaining)
    result = audit.verify(paths)
    assert not result.ok, f"deleting entry {index + 1} went unnoticed"


def test_deleting_the_head_file_is_detected(paths):
    audit_head_path(paths).unlink()
    assert "head file missing" in audit.verify(paths).problems[0]


def test_concurrent_writers_keep_one_chain(tmp_path):
    paths = MeshPaths(tmp_path / "mesh")

    def write(n: int) -> None:
        for i in range(20):
            audit.record(paths, "validation", f"p{n}", f"run:{n}", "checked", {"i": i})

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result = audit.verify(paths)
    assert result.ok and result.entries == 80


def test_cli_records_an_approval(tmp_path, capsys):
    with mesh_environment(tmp_path / "mesh") as paths:
        code = main(
            [
                "audit",
                "record",
                "approval",
                "sales.orders v3",
                "--reason",
                "consumers migrated",
                "--actor",
                "bob",
                "--details",
                '{"ticket": "GOV-7"}',
            ]
        )
        assert code == 0
        [entry] = audit.read_entries(paths)
        assert (entry["action"], entry["actor"], entry["details"]) == (
            "approval",
            "bob",
            {"ticket": "GOV-7"},
        )
        assert main(["audit", "show", "--json"]) == 0
    assert "consumers migrated" in capsys.readouterr().out


def test_every_publish_and_validation_is_audited_and_published_as_a_product(published):
    """The publisher audits each attempt; the log publishes as governance.audit_log."""
    from supplymesh.consumer import connect, run_query
    from supplymesh.governance.products import AUDIT_LOG, audit_log_frame
    from supplymesh.publishing.publish import publish_frame

    entries = audit.read_entries(published)
    actions = {(e["action"], e["subject"]) for e in entries}
    assert ("validation", "sales.orders v2") in actions and (
        "publish",
        "sales.orders v2",
    ) in actions
    assert entries[0]["actor"] == "run:test-run"
    result = publish_frame(AUDIT_LOG, audit_log_frame(published), paths=published, run_id="gov")
    assert result.published and result.rows == len(entries)
    frame = run_query(connect(published), "select * from governance.audit_log order by seq")
    assert frame["hash"].tolist() == [e["hash"] for e in entries]
    assert audit.verify(published).ok
