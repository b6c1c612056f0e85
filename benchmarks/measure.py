"""Wall time and peak memory of a command, including every process it starts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

# argv[1] is where the command's stdout goes ("" for nowhere), the rest is the command
_WRAPPER = """
import json, resource, subprocess, sys, time
out = open(sys.argv[1], "wb") if sys.argv[1] else subprocess.DEVNULL
start = time.perf_counter()
code = subprocess.run(sys.argv[2:], stdout=out).returncode
seconds = time.perf_counter() - start
peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"seconds": seconds, "peak_mib": peak_kib / 1024, "returncode": code}))
"""


@dataclass(frozen=True)
class Measurement:
    seconds: float
    peak_mib: float
    returncode: int
    # the 1-minute load average just before and just after: on shared cores it says how far a
    # figure is from an idle machine's
    load_before: float = 0.0
    load_after: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)


def measure(
    command: list[str], env: dict[str, str] | None = None, stdout: Path | None = None
) -> Measurement:
    """Run ``command`` in a fresh wrapper so the peak RSS is that command's own (largest
    process among it and its descendants). Its stderr stays the caller's, so on a terminal the
    command's own live progress shows, and in a log its errors do; its stdout goes to the file
    ``stdout`` when given (what a caller parses afterwards, e.g. a run id), else nowhere."""
    load_before = os.getloadavg()[0]
    out = subprocess.run(
        [sys.executable, "-c", _WRAPPER, str(stdout) if stdout else "", *command],
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    return Measurement(**figures, load_before=load_before, load_after=os.getloadavg()[0])
