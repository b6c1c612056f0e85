"""A throwaway PostgreSQL server from Debian's packages: its own cluster in a temp folder.

``initdb`` and ``pg_ctl`` refuse to run as root, so as root they run as the ``postgres`` user the
package creates. The server listens on 127.0.0.1 and a private socket folder only; the mesh's
role gets a password generated for this run, never one from the repository.
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from tests.mesh_world import free_port

DATABASE = "dagster"
ROLE = "mesh"


def postgres_bin() -> Path:
    """The newest installed server's bin folder (``/usr/lib/postgresql/<major>/bin``)."""
    found = sorted(
        (Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/initdb")),
        key=lambda p: int(p.parent.name),
    )
    if not found:
        raise RuntimeError(
            "PostgreSQL server is not installed: `make test-postgres` installs it "
            "(apt-get install -y postgresql)"
        )
    return found[-1]


@dataclass
class PostgresServer:
    bin_dir: Path
    root: Path
    port: int
    password: str

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def url(self) -> str:
        """What ``MESH_DAGSTER_PG_URL`` is set to."""
        return (
            f"postgresql+psycopg2://{ROLE}:{quote(self.password, safe='')}"
            f"@127.0.0.1:{self.port}/{DATABASE}"
        )

    @property
    def dsn(self) -> str:
        """The same database for psycopg2 directly (to inspect what Dagster wrote)."""
        return (
            f"host=127.0.0.1 port={self.port} dbname={DATABASE} user={ROLE} "
            f"password={self.password}"
        )

    def _run(self, *command: str) -> subprocess.CompletedProcess:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        done = subprocess.run([*prefix, *command], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(
                f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
                f"\n{self.log()}"
            )
        return done

    def _sql(self, statement: str) -> None:
        self._run(
            str(self.bin_dir / "psql"),
            "-h",
            str(self.root),
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            statement,
        )

    def start(self) -> None:
        self._run(
            str(self.bin_dir / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
        )
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1"
        self._run(
            str(self.bin_dir / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.root / "server.log"),
            "-w",
            "start",
        )
        self._sql(f"CREATE ROLE {ROLE} LOGIN PASSWORD '{self.password}'")
        self._sql(f"CREATE DATABASE {DATABASE} OWNER {ROLE}")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run(
                str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"
            )

    def log(self) -> str:
        path = self.root / "server.log"
        return path.read_text() if path.exists() else ""


def new_server() -> PostgresServer:
    """A cluster folder the ``postgres`` user owns (pytest's own tmp folders are root-only)."""
    root = Path(tempfile.mkdtemp(prefix="mesh-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    return PostgresServer(postgres_bin(), root, free_port(), secrets.token_urlsafe(24))
