"""Progress for long work: live on a terminal, silent in CI logs.

Three shapes, all written to stderr (so stdout stays clean for pipes) and only when that stream
is a terminal: a CI log or a redirected file gets no carriage returns, cursor codes or partial
lines (the callers print their summaries to stdout either way). rich's ``Live`` display does the
drawing: it redraws in place, keeps printed lines above the live one and refreshes on a timer.

* ``Progress``: one line redrawn in place, ``title: stage [####....] done/total  12.3 s``, for
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
from typing import Any, TextIO

from rich.console import Console
from rich.live import Live
from rich.text import Text

BAR_WIDTH = 24


def is_live(stream: TextIO) -> bool:
    """Whether ``stream`` is an interactive terminal (and so may be redrawn in place)."""
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def terminal_width(stream: TextIO, default: int = 120) -> int:
    """Columns of the terminal behind ``stream`` (a fresh pseudo-terminal reports none)."""
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


def one_line(text: str) -> Text:
    """A live line cut at the terminal's edge: a wrapped line could not be redrawn in place."""
    return Text(text, no_wrap=True, overflow="ellipsis")


def live_display(
    stream: TextIO,
    render: Callable[[], Text],
    refresh_seconds: float | None = None,
    transient: bool = False,
) -> Live:
    """A started rich ``Live`` on ``stream`` (a terminal) showing ``render()``.

    Plain text, as wide as that terminal (rich would measure the process's own streams), no
    capture of stdout or stderr (the caller's summary stays on stdout); redrawn every
    ``refresh_seconds``, or only when the caller asks when that is None; erased when stopped if
    ``transient``.
    """
    console = Console(
        file=stream,
        force_terminal=True,  # the caller checked; FORCE_COLOR or TTY_COMPATIBLE do not decide
        color_system=None,
        highlight=False,
        width=terminal_width(stream),
    )
    display = Live(
        get_renderable=render,
        console=console,
        auto_refresh=refresh_seconds is not None,
        refresh_per_second=1 / refresh_seconds if refresh_seconds else 4,
        redirect_stdout=False,
        redirect_stderr=False,
        transient=transient,
    )
    display.start(refresh=True)
    return display


class Progress:
    """Shows ``title: stage [bar] done/total elapsed`` on one redrawn line on a terminal.

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
        self._current = ""
        self._display: Live | None = None

    def __enter__(self) -> Progress:
        return self

    def line(self, stage: str, done: int, total: int) -> str:
        elapsed = format_seconds(self.clock() - self.start)
        return f"{self.title}: {stage:<16} {bar(done, total)} {done}/{total}  {elapsed}"

    def update(self, stage: str, done: int, total: int) -> None:
        if not self.live:
            return
        self._current = self.line(stage, done, total)
        if self._display is None:  # nothing is drawn before the first update
            self._display = live_display(self.stream, lambda: one_line(self._current))
        else:
            self._display.refresh()

    def __exit__(self, *exc_info: Any) -> None:
        if self._display is not None:
            self._display.stop()  # the last line stays; the shell prompt starts below it


class StepList:
    """A live step list: finished steps scroll up, a status line stays at the bottom.

    ``total`` counts units (assets for a Dagster run); ``advance`` credits units to the step that
    produced them. Nothing is shown when the stream is not a terminal (the counts still move).
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
        # guards the counts against rich's refresh thread; never held while calling rich
        self._lock = threading.Lock()
        self._display: Live | None = None

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

    def _status(self) -> Text:
        with self._lock:
            return one_line(self.status_line())

    # -- what happens ----------------------------------------------------------------------
    def begin(self, step: str) -> None:
        with self._lock:
            self.running.setdefault(step, self.clock())
            self.counts.setdefault(step, 0)
        self._redraw()

    def advance(self, step: str | None = None, units: int = 1) -> None:
        with self._lock:
            self.done += units
            if step is not None:
                self.counts[step] = self.counts.get(step, 0) + units
        self._redraw()

    def finish(self, step: str, ok: bool = True, note: str = "") -> None:
        with self._lock:
            started = self.running.pop(step, self.clock())
            self.finished_steps += 1
            if not ok:
                self.failed_steps += 1
            line = self.step_line(step, ok, self.clock() - started, note)
        self._keep(line)

    def note(self, text: str) -> None:
        """A line worth keeping on screen (a failed check) above the status line."""
        self._keep(f"  {'!':<6} {text}")

    def _keep(self, line: str) -> None:
        """Print ``line`` above the status line, which rich redraws below it."""
        if self._display is not None:
            self._display.refresh()  # rich redraws the status it last rendered: bring it up to date
            self._display.console.print(Text(line), soft_wrap=True)

    def _redraw(self) -> None:
        if self._display is not None:
            self._display.refresh()

    def __enter__(self) -> StepList:
        if self.live:
            self._display = live_display(
                self.stream, self._status, self.refresh_seconds, transient=True
            )
        return self

    def __exit__(self, *exc_info: Any) -> None:
        if self._display is not None:
            self._display.stop()  # erases the live status line, cut at the terminal's edge...
            with self._lock:
                final = self.status_line()
            self._display.console.print(Text(final), soft_wrap=True)  # ...for the whole one


def follow_steps(steps: StepList) -> Callable[[Any], None]:
    """A Dagster instance event listener that feeds a run's step events into ``steps`` as they
    happen (``supplymesh.headless``; it reads the events' fields, so Dagster is not imported)."""

    def on_event(entry) -> None:
        event = entry.dagster_event
        if event is None or event.step_key is None:
            return
        kind = event.event_type_value
        if kind == "STEP_START":
            steps.begin(event.step_key)
        elif kind == "ASSET_MATERIALIZATION":
            steps.advance(event.step_key)
        elif kind == "STEP_SUCCESS":
            steps.finish(event.step_key, ok=True)
        elif kind == "STEP_FAILURE":
            steps.finish(event.step_key, ok=False)
        elif kind == "ASSET_CHECK_EVALUATION" and not event.event_specific_data.passed:
            check = event.event_specific_data
            steps.note(f"check failed {check.asset_key.to_user_string()}:{check.check_name}")

    return on_event


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
            print(text, file=self.stream, flush=True)

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
