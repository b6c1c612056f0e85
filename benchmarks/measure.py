"""Wall time and peak memory of a command, including every process it starts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass

_WRAPPER = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode
seconds = time.perf_counter() - start
peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"seconds": seconds, "peak_mib": peak_kib / 1024, "returncode": code}))
"""


@dataclass(frozen=True)
class Measurement:
    seconds: float
    peak_mib: float
    returncode: int


def measure(command: list[str], env: dict[str, str] | None = None) -> Measurement:
    """Run ``command`` in a fresh wrapper so the peak RSS is that command's own (largest
    process among it and its descendants). Its stderr stays the caller's, so on a terminal the
    command's own live progress shows, and in a log its errors do."""
    out = subprocess.run(
        [sys.executable, "-c", _WRAPPER, *command],
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    return Measurement(**json.loads(out.stdout.strip().splitlines()[-1]))
