"""Crash-safe files under ``MESH_HOME``: cross-process locks that name their owner, one atomic
write, and the names of what a writer leaves behind only while it works.

The manifest, the audit log, the quality history and the model registry are read-modify-write
files that several processes touch at once (Dagster steps, a sensor run, a CLI command).
``exclusive_lock`` serialises them with the ``filelock`` library (``flock`` on Unix, so an old
process holding the same lock file still excludes a new one); ``atomic_write`` replaces a file
so a reader, or the next run after a crash, sees the old content or the new, never a part.
``append_durably`` adds lines to a log (call it under the log's lock).

The kernel drops a ``flock`` when its process dies, so a lock file left by a killed run never
blocks anyone: it is the lock's inode, kept on purpose. What a crash does leave is the owner
record next to it (``<lock>.owner``: pid, host, start time, command), which the holder removes
when it lets go. A waiter names the holder from it; whoever acquires a lock whose record is
still there knows its previous holder died holding it, says so in one line ("stale, taken
over") and writes its own. Temporary files carry their writer's pid (``temp_name``), so the
next run can tell a dead writer's leftovers from a live writer's work in progress.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import re
import secrets
import socket
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from filelock import FileLock, Timeout

LOG = logging.getLogger("supplymesh.locks")
OWNER_SUFFIX = ".owner"
# a temporary file or folder of a writer: `.<what>.<pid>.<random>.<kind>` (see temp_name)
TEMP_NAME = re.compile(r"^\.(?P<what>.+)\.(?P<pid>\d+)\.(?P<token>[0-9a-f]+)\.(?P<kind>[a-z]+)$")


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` runs on this host (a zombie, dead but not yet reaped, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's live process
    with contextlib.suppress(OSError, IndexError):
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state not in ("Z", "X")
    return True


def temp_name(final_name: str, kind: str = "tmp") -> str:
    """The hidden name a writer gives work in progress next to ``final_name``: it carries the
    writer's pid, so ``temp_writer`` can tell whether the writer still lives."""
    return f".{final_name}.{os.getpid()}.{secrets.token_hex(4)}.{kind}"


def temp_writer(name: str) -> int | None:
    """The pid of the writer of a ``temp_name``; None for any other name."""
    match = TEMP_NAME.match(name)
    return int(match["pid"]) if match else None


@dataclass(frozen=True)
class LockOwner:
    """Who holds (or last held, if it died holding it) a lock."""

    pid: int
    host: str
    started_at: str
    command: str
    run_id: str | None = None

    @classmethod
    def of_this_process(cls, run_id: str | None = None) -> LockOwner:
        return cls(
            os.getpid(),
            socket.gethostname(),
            dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            " ".join([Path(sys.argv[0]).name, *sys.argv[1:]])[:200] if sys.argv else "python",
            run_id,
        )

    def describe(self) -> str:
        run = f", run {self.run_id}" if self.run_id else ""
        return f"pid {self.pid} on {self.host} since {self.started_at} (`{self.command}`{run})"

    def gone(self) -> bool:
        """Whether the owner is known dead: a pid of this host that no longer runs."""
        return self.host == socket.gethostname() and not pid_alive(self.pid)


def read_owner(lock_path: Path) -> LockOwner | None:
    """The owner record of ``lock_path``; None when there is none (or it is unreadable)."""
    try:
        return LockOwner(**json.loads(owner_path(lock_path).read_text()))
    except (OSError, ValueError, TypeError):
        return None


def owner_path(lock_path: Path) -> Path:
    return lock_path.with_name(lock_path.name + OWNER_SUFFIX)


class LockBusyError(RuntimeError):
    """A lock asked for without waiting is held by a live process (named in the message)."""

    def __init__(self, what: str, lock_path: Path, holder: LockOwner | None) -> None:
        self.holder = holder
        who = holder.describe() if holder else "a process that left no owner record"
        super().__init__(f"{what} is held by {who} (lock {lock_path})")


class OwnedLock:
    """An exclusive ``flock`` whose holder is recorded beside it; use it with ``with``.

    Not reentrant: a holder that asks again waits forever. ``report`` gets the one-line
    messages (waiting for a holder, a stale lock taken over); by default they are logged as
    warnings on ``supplymesh.locks``. ``taken_over`` is the dead previous owner, if any.
    """

    def __init__(
        self,
        lock_path: Path,
        what: str | None = None,
        *,
        run_id: str | None = None,
        report: Callable[[str], None] | None = None,
    ) -> None:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        self.path = lock_path
        self.what = what or f"lock {lock_path.name}"
        self.run_id = run_id
        self.report = report or LOG.warning
        self.taken_over: LockOwner | None = None
        self._lock = FileLock(lock_path)

    def acquire(self, *, wait: bool = True) -> OwnedLock:
        """Take the lock, waiting for a live holder (named once) unless ``wait`` is False, in
        which case a held lock raises ``LockBusyError``."""
        try:
            self._lock.acquire(blocking=False)
        except Timeout:
            holder = read_owner(self.path)
            if not wait:
                raise LockBusyError(self.what, self.path, holder) from None
            who = holder.describe() if holder else "a process that left no owner record"
            self.report(f"{self.what}: waiting for {who} to finish")
            self._lock.acquire()
        previous = read_owner(self.path)
        if previous is not None:
            how = "its process is gone" if previous.gone() else "it did not let go"
            self.report(
                f"{self.what}: stale, taken over from {previous.describe()} ({how}; a killed "
                "process leaves its record, the kernel already freed the lock)"
            )
        self.taken_over = previous
        atomic_write(
            owner_path(self.path), json.dumps(asdict(LockOwner.of_this_process(self.run_id)))
        )
        return self

    def release(self) -> None:
        """Remove the owner record, then let go (a crash between the two reads as stale)."""
        with contextlib.suppress(FileNotFoundError):
            owner_path(self.path).unlink()
        self._lock.release()

    def __enter__(self) -> OwnedLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def exclusive_lock(lock_path: Path, what: str | None = None) -> OwnedLock:
    """An exclusive lock on ``lock_path`` across threads and processes; use it with ``with``.

    The lock file is created (with its folder) on first use and stays in place, empty, so every
    waiter locks the same inode; the holder's record is ``<lock_path>.owner`` (``OwnedLock``).
    """
    return OwnedLock(lock_path, what)


def atomic_write(path: Path, data: str | bytes) -> None:
    """Replace ``path`` with ``data`` (text is written as UTF-8) all at once, durably.

    The data goes to a temporary file in the same folder, is flushed and fsynced, then renamed
    over ``path`` (``os.replace`` is atomic on one file system) and the folder is fsynced so the
    rename itself survives a power cut. If anything fails midway, ``path`` is untouched and the
    temporary file is removed. The new file gets the mode a plain ``open`` would give it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    tmp = path.with_name(temp_name(path.name))
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    fsync_directory(path.parent)


def append_durably(path: Path, text: str) -> None:
    """Append ``text`` (whole lines) to ``path`` and fsync it; hold the log's lock around it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def fsync_directory(folder: Path) -> None:
    """Make a rename or a new file in ``folder`` durable (its entry is in the folder's data)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def durable_replace(source: Path, target: Path) -> None:
    """Rename a finished file, or a folder of finished files, over ``target`` durably.

    For what another writer produced (a DuckDB file, Parquet written by DuckDB): its contents
    are fsynced first, then the rename, then the folder holding ``target``.
    """
    for path in [*source.rglob("*"), source] if source.is_dir() else [source]:
        if path.is_dir():
            fsync_directory(path)
        else:
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())
    os.replace(source, target)
    fsync_directory(target.parent)
