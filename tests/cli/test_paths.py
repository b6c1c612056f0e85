"""Names from the command line never become paths outside ``MESH_HOME``.

A product name is looked up in the registry, never joined to a folder: ``../x``, an absolute
path or a name with separators is an unknown product (exit 2, with the known ones listed) and
nothing is written. Names the layout does join to a folder (a domain, a batch id) must be plain
names. ``mesh report --out`` is the user's own choice of folder and may lie anywhere.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from supplymesh.cli import main
from supplymesh.publishing.landing import is_batch_id
from supplymesh.settings import MeshPaths, plain_name

ESCAPES = ["../x", "../../etc/passwd", "/etc/passwd", "sales/orders", "sales.orders/../../x"]


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty ``MESH_HOME`` inside a folder the test watches for anything written beside it."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("MESH_HOME", str(home))
    return home


def written_outside(tmp_path: Path, home: Path) -> list[Path]:
    return [p for p in tmp_path.rglob("*") if home not in (p, *p.parents)]


@pytest.mark.parametrize("name", ESCAPES)
@pytest.mark.parametrize(
    "verb",
    [
        ["validate", "{name}", "{file}"],
        ["lineage", "{name}"],
        ["contracts", "diff", "{name}@1", "sales.orders@2"],
        ["contracts", "export", "--product", "{name}", "--out", "{home}/odcs"],
    ],
    ids=["validate", "lineage", "contracts-diff", "contracts-export"],
)
def test_a_product_name_that_is_a_path_is_an_unknown_product(
    verb: list[str], name: str, home: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    landing = home / "orders.csv"
    landing.write_text("order_id\nSO-1\n")
    argv = [a.format(name=name, file=landing, home=home) for a in verb]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert name in err and ("unknown product" in err or "no contract" in err), err
    assert not written_outside(tmp_path, home)
    assert not (home / "odcs").exists()  # refused before anything was written


@pytest.mark.parametrize("name", [*ESCAPES, "..", ".", "", "a\\b", "x\0y"])
def test_names_joined_to_a_folder_must_be_plain(name: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a plain name"):
        plain_name(name, "domain")
    with pytest.raises(ValueError, match=re.escape(f"domain {name!r} is not a plain name")):
        MeshPaths(tmp_path).landing_dir(name)


def test_plain_names_pass_unchanged(tmp_path: Path) -> None:
    assert plain_name("sales.orders", "product") == "sales.orders"
    assert MeshPaths(tmp_path).landing_dir("sales") == tmp_path / "landing" / "sales"


@pytest.mark.parametrize("name", ["../20261127T230000Z", "20261127T230000Z/..", "/x", "latest"])
def test_a_batch_is_named_by_its_timestamp_only(name: str) -> None:
    assert not is_batch_id(name)
    assert is_batch_id("20261127T230000Z")
