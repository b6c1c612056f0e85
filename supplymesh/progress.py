"""Progress for long work: a live line on a terminal, silence in CI logs."""

from __future__ import annotations

import sys
import time
from types import TracebackType


class Progress:
    """Shows ``stage done/total elapsed`` on one refreshed line when stderr is a terminal."""

    def __init__(self, title: str):
        self.title = title
        self.start = time.monotonic()
        self.live = sys.stderr.isatty()

    def __enter__(self) -> Progress:
        return self

    def update(self, stage: str, done: int, total: int) -> None:
        if not self.live:
            return
        elapsed = time.monotonic() - self.start
        width = 24
        filled = int(width * done / total) if total else width
        bar = "#" * filled + "." * (width - filled)
        sys.stderr.write(f"\r{self.title}: {stage:<16} [{bar}] {done}/{total} {elapsed:6.1f}s")
        sys.stderr.flush()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.live:
            sys.stderr.write("\n")
