"""`mesh products scorecard` on a tiny world whose source products the real publisher
published, with the mesh's real lineage (Dagster asset graph and dbt manifest)."""

import json

import pytest

from supplymesh.cli import main
from supplymesh.governance.scorecards.components import WEIGHTS
from supplymesh.publishing.publish import publish_landing
from supplymesh.registry import all_products
from tests.mesh_world import generate_tiny_world, mesh_environment


@pytest.fixture(scope="module")
def mesh(tmp_path_factory, dbt_manifest):
    """Every source product of a tiny world published once; nothing downstream of them."""
    with mesh_environment(tmp_path_factory.mktemp("scorecard"), dbt_manifest) as paths:
        generate_tiny_world(paths)
        for product in all_products():
            if product.source_kind == "landing":
                for result in publish_landing(product.key, paths=paths, run_id="test-run"):
                    assert result.published, result.report.summary()
        yield paths


def scorecards(capsys, *args: str) -> dict[str, dict]:
    assert main(["products", "scorecard", *args, "--json"]) == 0
    return {f"{c['product']} v{c['major']}": c for c in json.loads(capsys.readouterr().out)}


def test_a_published_source_product_scores_its_check_freshness_and_consumers(mesh, capsys):
    cards = scorecards(capsys, "sales.orders")
    assert set(cards) == {"sales.orders v1", "sales.orders v2"}
    v2 = cards["sales.orders v2"]
    assert v2["pass_rate"] == 1.0 and v2["validations"] == 1
    assert v2["freshness"] == 1.0 and v2["hours_since_publish"] < 1
    assert v2["quality_trend"] == "new" and v2["documentation"] == 1.0
    assert "planning.demand_forecast" in v2["consumers"].split(", ")
    assert v2["score"] > 80
    v1 = cards["sales.orders v1"]
    assert v1["status"] == "deprecated" and v1["sunset_on"]


def test_a_product_never_published_has_no_evidence_and_a_low_score(mesh, capsys):
    plan = scorecards(capsys, "planning.inventory_plan")["planning.inventory_plan v1"]
    assert plan["pass_rate"] is None and plan["validations"] == 0
    assert plan["freshness"] == 0.0 and plan["quality_trend"] == "unknown"
    assert plan["score"] <= 100 * (WEIGHTS["documentation"] + WEIGHTS["rule_coverage"])


def test_the_table_lists_every_product_version_and_the_formula(mesh, capsys):
    assert main(["products", "scorecard"]) == 0
    out = capsys.readouterr().out
    rows = [line.split()[0] for line in out.splitlines()[1:] if "." in line.split()[0]]
    versions = sum(len(p.versions) for p in all_products())
    assert len(rows) == versions
    assert "score = 100 x (0.15 documentation + 0.15 rule_coverage + 0.30 pass_rate" in out


def test_an_unknown_product_is_refused(mesh, capsys):
    assert main(["products", "scorecard", "sales.nothing"]) == 2
    assert "unknown product" in capsys.readouterr().err
