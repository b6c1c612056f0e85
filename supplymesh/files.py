"""Crash-safe files under ``MESH_HOME``: one cross-process lock and one atomic write.

The manifest, the audit log, the quality history and the model registry are read-modify-write
files that several processes touch at once (Dagster steps, a sensor run, a CLI command).
``exclusive_lock`` serialises them with the ``filelock`` library (``flock`` on Unix, so an old
process holding the same lock file still excludes a new one); ``atomic_write`` replaces a file
so a reader, or the next run after a crash, sees the old content or the new, never a part.
``append_durably`` adds lines to a log (call it under the log's lock).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from filelock import FileLock


def exclusive_lock(lock_path: Path) -> FileLock:
    """An exclusive lock on ``lock_path`` across threads and processes; use it with ``with``.

    The lock file is created (with its folder) on first use and stays in place, empty, so every
    waiter locks the same inode. It is not reentrant: a holder that asks again waits forever.
    """
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    return FileLock(lock_path)


def atomic_write(path: Path, data: str | bytes) -> None:
    """Replace ``path`` with ``data`` (text is written as UTF-8) all at once, durably.

    The data goes to a temporary file in the same folder, is flushed and fsynced, then renamed
    over ``path`` (``os.replace`` is atomic on one file system) and the folder is fsynced so the
    rename itself survives a power cut. If anything fails midway, ``path`` is untouched and the
    temporary file is removed. The new file gets the mode a plain ``open`` would give it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
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
