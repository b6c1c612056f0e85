"""`make docs` on a port still taken (dbt's server does not reuse it) says what to do."""

import os
import socket
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_make_docs_on_a_taken_port_prints_the_hint_and_stops(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            ["make", "--no-print-directory", "docs", f"DOCS_PORT={port}"],
            cwd=ROOT,
            env={**os.environ, "MESH_HOME": str(tmp_path)},
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert done.returncode != 0
    assert f"port {port} is in use" in done.stderr
    assert "DOCS_PORT=8081 make docs" in done.stderr
    assert "dbt docs generate" not in done.stdout  # stopped before dbt ran
