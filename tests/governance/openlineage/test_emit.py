"""A run's events file is written once and whole: a write that fails midway leaves nothing, so
the next emitter writes it; the file has the mode of the mesh's other governance files without
PII (what a plain ``open`` gives), since its events carry no values of the data."""

import os
import stat

import pytest

from supplymesh.governance.openlineage.emit import emit_events, run_file
from supplymesh.governance.openlineage.events import run_events
from supplymesh.governance.openlineage.schemas import file_errors
from supplymesh.settings import MeshPaths
from tests.governance.openlineage.test_events import CATALOG, broken_orders_run


@pytest.fixture
def paths(tmp_path, monkeypatch) -> MeshPaths:
    for name in [k for k in os.environ if k.startswith("OPENLINEAGE")]:
        monkeypatch.delenv(name)  # the file only: no server, not switched off
    return MeshPaths(tmp_path)


def test_a_write_that_fails_midway_leaves_no_file_and_the_next_emitter_writes_it(paths):
    run = broken_orders_run()
    events = run_events(run, CATALOG)
    with pytest.raises(ValueError, match="only accepts"):  # the client refuses the third
        emit_events(paths, run.run_id, [*events[:2], "not an event"])
    assert list(paths.openlineage.iterdir()) == []  # neither the run's file nor a temporary one

    emitted = emit_events(paths, run.run_id, events)
    assert emitted is not None and emitted.transports == ["file"]
    assert emitted.path == run_file(paths, run.run_id)
    assert len(emitted.path.read_text().splitlines()) == len(events)
    assert file_errors(emitted.path) == []
    assert emit_events(paths, run.run_id, events) is None  # written once
    assert [p.name for p in paths.openlineage.iterdir()] == [emitted.path.name]


def test_the_events_file_gets_the_mode_a_plain_open_gives(paths):
    umask = os.umask(0o022)
    os.umask(umask)
    run = broken_orders_run()
    emitted = emit_events(paths, run.run_id, run_events(run, CATALOG))
    assert stat.S_IMODE(emitted.path.stat().st_mode) == 0o666 & ~umask
