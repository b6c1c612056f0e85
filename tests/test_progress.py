"""Progress on long work: live on a terminal, silent in CI logs.

Terminal behaviour is checked on a real pseudo-terminal (``pty``), so ``isatty`` is the
kernel's answer, as it is for a person at a shell.
"""

from __future__ import annotations

import io
import os
import pty
import re
import select
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from supplymesh.progress import Progress, Stages, StepList, bar, format_seconds
from supplymesh.settings import MeshPaths
from tests.mesh_world import generate_tiny_world


class Clock:
    """Seconds that advance only when the test says so."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@contextmanager
def terminal() -> Iterator[tuple[io.TextIOWrapper, int]]:
    """A real terminal: the writable end for the code under test and the screen's fd."""
    screen, tty = pty.openpty()
    stream = open(tty, "w", encoding="utf-8", closefd=True)  # noqa: SIM115
    try:
        yield stream, screen
    finally:
        stream.close()
        os.close(screen)


def read_screen(fd: int) -> str:
    chunks = []
    while select.select([fd], [], [], 0.2)[0]:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the other end closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).decode()


# Erase line, cursor up, hide and show cursor: how rich redraws in place (the drawing is rich's)
CURSOR_CODE = re.compile(r"\r?\x1b\[[0-9;?]*[A-Za-z]")


def frames_drawn(shown: str) -> list[str]:
    """The frames a one-line live display drew, oldest first.

    rich hides the cursor and draws the first frame, erases the line before each next one, and
    draws the last frame once more when it stops (that repeat is dropped here).
    """
    plain = shown.replace("\r\n", "\n").replace("\x1b[?25l", "").replace("\x1b[?25h", "")
    frames = [f.strip() for f in plain.split("\r\x1b[2K") if f.strip()]
    return frames[:-1] if len(frames) > 1 and frames[-1] == frames[-2] else frames


def screen_lines(shown: str) -> list[str]:
    """Each line as it stays on screen: its text after the last cursor code."""
    return [CURSOR_CODE.split(line)[-1] for line in shown.replace("\r\n", "\n").split("\n")]


def test_bar_and_durations_read_at_a_glance() -> None:
    assert bar(1, 4, width=8) == "[##......]"
    assert bar(9, 4, width=8) == "[########]"
    assert bar(0, 0, width=4) == "[####]"  # nothing to count is nothing left to do
    assert format_seconds(42.04) == "42.0 s"
    assert format_seconds(185) == "3 m 05 s"


def test_progress_and_step_list_write_nothing_when_not_on_a_terminal() -> None:
    log = io.StringIO()
    with Progress("generate medium", stream=log) as progress:
        progress.update("chunks", 1, 3)
    with StepList("materialize", total=3, stream=log) as steps:
        steps.begin("sales__orders")
        steps.advance("sales__orders", 2)
        steps.finish("sales__orders")
        steps.note("check failed sales/orders_v2:contract")
    assert log.getvalue() == ""
    assert steps.done == 2 and steps.finished_steps == 1  # still counted, only not shown


def test_progress_redraws_one_line_on_a_terminal() -> None:
    clock = Clock()
    with terminal() as (stream, screen):
        with Progress("generate medium", stream=stream, clock=clock) as progress:
            progress.update("chunks", 1, 4)
            clock.now += 12.5
            progress.update("chunks", 4, 4)
        out = read_screen(screen)
    frames = frames_drawn(out)
    assert frames[0].startswith("generate medium: chunks")
    assert "[######..................] 1/4  0.0 s" in frames[0]
    assert "[########################] 4/4  12.5 s" in frames[1]
    assert CURSOR_CODE.sub("", out).endswith("\n")  # the shell prompt starts on a fresh line


def test_step_list_keeps_finished_steps_and_a_live_status_line() -> None:
    clock = Clock()
    with terminal() as (stream, screen):
        with StepList("materialize", total=4, stream=stream, clock=clock) as steps:
            assert "starting" in steps.status_line()
            steps.begin("sales__orders_v2__governance")  # a step that only runs checks
            steps.finish("sales__orders_v2__governance")
            assert "waiting" in steps.status_line()
            steps.begin("sales__orders")
            clock.now += 1.5
            steps.advance("sales__orders", 2)
            steps.finish("sales__orders", ok=False)
            steps.note("check failed sales/orders_v2:contract")
            steps.begin("demand_forecast")
            clock.now += 3.0
            status = steps.status_line()
        out = read_screen(screen)
    lines = screen_lines(out)
    assert any(
        line.split() == ["FAILED", "sales__orders", "2", "assets", "1.5", "s"] for line in lines
    )
    assert "  !      check failed sales/orders_v2:contract" in lines
    assert any(
        line.split() == ["done", "sales__orders_v2__governance", "0.0", "s"] for line in lines
    )
    assert "2/4 assets, 2 steps done, 1 failed" in status
    assert "running demand_forecast (3.0 s)" in status and "elapsed 4.5 s" in status
    assert lines[-2].startswith("materialize: [############............] 2/4 assets")


def test_stages_announce_and_time_each_stage_and_mark_a_failure() -> None:
    clock = Clock()
    with terminal() as (stream, screen):
        stages = Stages("bench", total=2, stream=stream, clock=clock)
        with stages.stage("small: generate"):
            clock.now += 2.0
        with pytest.raises(RuntimeError), stages.stage("small: materialize"):
            clock.now += 1.0
            raise RuntimeError("boom")
        out = read_screen(screen).replace("\r\n", "\n").splitlines()
    assert out == [
        "bench [1/2] small: generate ...",
        "bench [1/2] small: generate done in 2.0 s (elapsed 2.0 s)",
        "bench [2/2] small: materialize ...",
        "bench [2/2] small: materialize FAILED in 1.0 s (elapsed 3.0 s)",
    ]
    log = io.StringIO()
    with Stages("bench", total=1, stream=log).stage("quiet"):
        pass
    assert log.getvalue() == ""


def run_on_terminal(command: list[str], env: dict[str, str]) -> tuple[str, str]:
    """Run ``command`` with stderr on a pseudo-terminal: (stdout, what the terminal showed)."""
    screen, tty = pty.openpty()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=tty)
    os.close(tty)
    shown = []
    while True:
        if select.select([screen], [], [], 0.2)[0]:
            try:
                chunk = os.read(screen, 65536)
            except OSError:
                break
            if not chunk:
                break
            shown.append(chunk)
        elif process.poll() is not None:
            break
    stdout = process.stdout.read().decode()
    process.wait(30)
    os.close(screen)
    return stdout, b"".join(shown).decode()


def test_mesh_generate_shows_progress_on_a_terminal_and_none_in_a_log(tmp_path: Path) -> None:
    mesh = str(Path(sys.executable).with_name("mesh"))
    env = {**os.environ, "MESH_HOME": str(tmp_path / "mesh")}
    command = [mesh, "generate", "--scale", "tiny", "--seed", "3"]

    logged = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    assert "\r" not in logged.stderr and "generate tiny:" not in logged.stderr
    assert "world 'tiny'" in logged.stdout  # the summary still reaches the log

    # its own runtime folder: two batches written within one second would share a batch id
    stdout, shown = run_on_terminal(command, {**env, "MESH_HOME": str(tmp_path / "terminal")})
    assert "generate tiny: chunks" in shown and "\r\x1b[2K" in shown
    assert "world 'tiny'" in stdout and "generate tiny" not in stdout


@pytest.mark.slow
def test_mesh_materialize_lists_steps_live_on_a_terminal_and_stays_quiet_in_a_log(
    tmp_path: Path,
) -> None:
    home = tmp_path / "mesh"
    generate_tiny_world(MeshPaths(home))
    mesh = str(Path(sys.executable).with_name("mesh"))
    env = {**os.environ, "MESH_HOME": str(home)}
    for key in ("DAGSTER_HOME", "DBT_TARGET_PATH", "DBT_LOG_PATH"):
        env.pop(key, None)
    command = [mesh, "materialize", "--select", "catalog.products", "--select", "market.calendar"]

    stdout, shown = run_on_terminal(command, env)
    assert "succeeded" in stdout
    finished = [line.split() for line in screen_lines(shown)]
    assert ["done", "catalog__products", "1", "assets"] in [f[:4] for f in finished]
    assert ["done", "market__calendar", "1", "assets"] in [f[:4] for f in finished]
    assert "materialize: [########################] 2/2 assets, 2 steps done" in shown

    logged = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    assert "succeeded" in logged.stdout
    assert "\r" not in logged.stderr and "materialize: [" not in logged.stderr
