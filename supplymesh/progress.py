"""Progress for long work: live on a terminal, silent in CI logs.

Two shapes, both written to stderr (so stdout stays clean for pipes) and only when stderr is a
terminal: a CI log or a redirected file gets no carriage returns, cursor codes or partial lines.

* ``Progress``: one line refreshed in place, ``title: stage [####....] done/total  12.3 s``, for
  work that advances through counted chunks (world generation, backtest origins, benchmarks).
* ``StepList``: a live list of steps, for a Dagster run: every finished step is printed once with
  its outcome, count and duration, and a status line below it shows what is running, how many
  units are done and the elapsed time, refreshed every half second so a long step visibly lives.
* ``Stages``: numbered, timed stage lines for jobs whose stages run programs with their own live
  progress (benchmarks).
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import TextIO

CLEAR_LINE = "\r\x1b[2K"
BAR_WIDTH = 24


def is_live(stream: TextIO) -> bool:
    """Whether ``stream`` is an interactive terminal (and so may be redrawn in place)."""
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def terminal_width(stream: TextIO, default: int = 120) -> int:
    """Columns of the terminal behind ``stream``: a status line wider than that would wrap, and
    a wrapped line can no longer be redrawn in place."""
    try:
        return os.get_terminal_size(stream.fileno()).columns or default
    except (AttributeError, OSError, ValueError):
        return default


def bar(done: int, total: int, width: int = BAR_WIDTH) -> str:
    """``[#####.....]``: the share of ``total`` that is done (full when total is unknown)."""
    filled = min(width, int(width * done / total)) if total > 0 else width
    return "[" + "#" * filled + "." * (width - filled) + "]"


def format_seconds(seconds: float) -> str:
    """``42.0 s`` under two minutes, ``3 m 05 s`` above: readable at a glance."""
    if seconds < 120:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes} m {rest:02d} s"


class Progress:
    """Shows ``title: stage [bar] done/total elapsed`` on one refreshed line on a terminal.

    ``update`` has the ``(stage, done, total)`` signature the world generator calls back with, so
    ``progress.update`` can be handed to any chunked loop.
    """

    def __init__(
        self,
        title: str,
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.title = title
        self.stream = stream if stream is not None else sys.stderr
        self.clock = clock
        self.start = clock()
        self.live = is_live(self.stream)
        self._drawn = False

    def __enter__(self) -> Progress:
        return self

    def line(self, stage: str, done: int, total: int) -> str:
        elapsed = format_seconds(self.clock() - self.start)
        return f"{self.title}: {stage:<16} {bar(done, total)} {done}/{total}  {elapsed}"

    def update(self, stage: str, done: int, total: int) -> None:
        if not self.live:
            return
        width = terminal_width(self.stream) - 1
        self.stream.write(CLEAR_LINE + self.line(stage, done, total)[:width])
        self.stream.flush()
        self._drawn = True

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.live and self._drawn:
            self.stream.write("\n")
            self.stream.flush()


class StepList:
    """A live step list: finished steps scroll up, a status line stays at the bottom.

    ``total`` counts units (assets for a Dagster run); ``advance`` credits units to the step that
    produced them. Everything is a no-op when the stream is not a terminal.
    """

    def __init__(
        self,
        title: str,
        total: int,
        unit: str = "assets",
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
        refresh_seconds: float = 0.5,
    ):
        self.title = title
        self.total = total
        self.unit = unit
        self.stream = stream if stream is not None else sys.stderr
        self.clock = clock
        self.refresh_seconds = refresh_seconds
        self.live = is_live(self.stream)
        self.start = clock()
        self.done = 0
        self.finished_steps = 0
        self.failed_steps = 0
        self.running: dict[str, float] = {}
        self.counts: dict[str, int] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    # -- what is shown ---------------------------------------------------------------------
    def status_line(self) -> str:
        now = self.clock()
        if self.running:
            step, since = next(iter(self.running.items()))
            more = f" +{len(self.running) - 1}" if len(self.running) > 1 else ""
            running = f"running {step}{more} ({format_seconds(now - since)})"
        else:
            running = "waiting" if self.finished_steps else "starting"
        failed = f", {self.failed_steps} failed" if self.failed_steps else ""
        return (
            f"{self.title}: {bar(self.done, self.total)} {self.done}/{self.total} {self.unit}, "
            f"{self.finished_steps} steps done{failed}  {running}  "
            f"elapsed {format_seconds(now - self.start)}"
        )

    def step_line(self, step: str, ok: bool, seconds: float, note: str = "") -> str:
        count = self.counts.get(step, 0)
        outcome = "done" if ok else "FAILED"
        produced = f"{count:>5} {self.unit}" if count else ""  # check-only steps produce none
        suffix = f"  {note}" if note else ""
        return f"  {outcome:<6} {step:<40} {produced:<13} {format_seconds(seconds):>9}{suffix}"

    # -- what happens ----------------------------------------------------------------------
    def begin(self, step: str) -> None:
        with self._lock:
            self.running.setdefault(step, self.clock())
            self.counts.setdefault(step, 0)
            self._draw_status()

    def advance(self, step: str | None = None, units: int = 1) -> None:
        with self._lock:
            self.done += units
            if step is not None:
                self.counts[step] = self.counts.get(step, 0) + units
            self._draw_status()

    def finish(self, step: str, ok: bool = True, note: str = "") -> None:
        with self._lock:
            started = self.running.pop(step, self.clock())
            self.finished_steps += 1
            if not ok:
                self.failed_steps += 1
            if self.live:
                line = self.step_line(step, ok, self.clock() - started, note)
                self.stream.write(CLEAR_LINE + line + "\n")
            self._draw_status()

    def note(self, text: str) -> None:
        """A line worth keeping on screen (a failed check) above the status line."""
        with self._lock:
            if self.live:
                self.stream.write(CLEAR_LINE + f"  {'!':<6} {text}\n")
            self._draw_status()

    def _draw_status(self) -> None:
        if self.live:
            width = terminal_width(self.stream) - 1
            self.stream.write(CLEAR_LINE + self.status_line()[:width])
            self.stream.flush()

    def _tick(self) -> None:
        while not self._stop.wait(self.refresh_seconds):
            with self._lock:
                self._draw_status()

    def __enter__(self) -> StepList:
        if self.live:
            self._draw_status()
            self._ticker = threading.Thread(target=self._tick, name="step-list", daemon=True)
            self._ticker.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
        if self.live:
            with self._lock:
                self.stream.write(CLEAR_LINE + self.status_line() + "\n")
                self.stream.flush()


class Stages:
    """Numbered stages of a long job, each announced and timed on its own line.

    For work whose stages start programs that draw their own live progress (the benchmarks run
    ``mesh generate`` and ``mesh materialize``): no line is redrawn here, so the child's live line
    is never fought over; each stage gets a heading and a closing line with its duration.
    """

    def __init__(
        self,
        title: str,
        total: int,
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.title = title
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        self.clock = clock
        self.live = is_live(self.stream)
        self.started = clock()
        self.done = 0

    def _say(self, text: str) -> None:
        if self.live:
            self.stream.write(text + "\n")
            self.stream.flush()

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        index = self.done + 1
        self._say(f"{self.title} [{index}/{self.total}] {name} ...")
        began = self.clock()
        outcome = "FAILED"
        try:
            yield
            outcome = "done"
        finally:
            self.done += 1
            total = format_seconds(self.clock() - self.started)
            self._say(
                f"{self.title} [{index}/{self.total}] {name} {outcome} in "
                f"{format_seconds(self.clock() - began)} (elapsed {total})"
            )
