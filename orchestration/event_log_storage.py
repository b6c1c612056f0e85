"""Dagster's SQLite event log, writing each event through one connection per database file.

Dagster's ``SqliteEventLogStorage`` keeps one SQLite file per run and an index file, and opens a
new SQLAlchemy engine and connection for every statement: storing one asset check's evaluation
opened four connections (the run's file, the index twice, and a table check on each event), and
each close of a WAL database checkpoints it. A daily run writes about 770 events, two thirds of
them the planned, output and evaluation events of its 186 checks. This storage keeps an engine
per recently used file and, while it stores an event (or a batch: Dagster batches the planned
events of a new run when ``DAGSTER_EVENT_BATCH_SIZE`` is set, as supplymesh.dagster_home does),
shares one connection and transaction per file among the statements Dagster's own code runs for
it. What is stored is Dagster's, unchanged.

Connections still close after each event: the webserver follows a live run by watching its
file change, which happens when the closing connection checkpoints the write-ahead log.
Built on members of dagster 1.13.27 (``_connect``, ``_initdb``, ``_db_lock``), which the
project pins; revisit on a Dagster upgrade (tests/orchestration/test_event_log_storage.py).
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from typing import Any

import dagster as dg
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    INDEX_SHARD_NAME,
    SQLITE_BUSY_TIMEOUT_SECONDS,
    SqliteEventLogStorage,
)
from dagster._serdes import ConfigurableClassData
from sqlalchemy import Connection, Engine, create_engine
from sqlalchemy.pool import NullPool

# engines kept (each holds a cache of compiled statements): the index's and the latest runs'; a
# webserver reading hundreds of runs' files does not keep an engine for each
KEPT_ENGINES = 16


def default_base_dir() -> str:
    """Where Dagster's default SQLite instance keeps its event logs: ``$DAGSTER_HOME/history/runs``."""
    home = os.environ.get("DAGSTER_HOME")
    if not home:
        raise dg.DagsterInvariantViolationError(
            "MeshSqliteEventLogStorage needs base_dir in its config or DAGSTER_HOME set"
        )
    return os.path.join(home, "history", "runs", "")


class MeshSqliteEventLogStorage(SqliteEventLogStorage):
    """``SqliteEventLogStorage`` with kept engines and one connection per file per event."""

    def __init__(self, base_dir: str | None = None, inst_data: ConfigurableClassData | None = None):
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._engines_lock = threading.Lock()  # has_table reaches them without the _db_lock
        self._existing_tables: set[str] = set()
        self._shared = threading.local()  # this thread's open connections, while storing
        super().__init__(base_dir or default_base_dir(), inst_data)

    @classmethod
    def config_type(cls) -> dict[str, Any]:
        return {"base_dir": dg.Field(dg.StringSource, is_required=False)}

    @classmethod
    def from_config_value(
        cls, inst_data: ConfigurableClassData | None, config_value: dict[str, Any]
    ) -> MeshSqliteEventLogStorage:
        return cls(config_value.get("base_dir"), inst_data)

    def _engine(self, shard: str) -> Engine:
        with self._engines_lock:
            engine = self._engines.get(shard)
            if engine is None:
                engine = create_engine(
                    self.conn_string_for_shard(shard),
                    poolclass=NullPool,  # a connection lives for one event, as in Dagster's
                    connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
                )
                self._engines[shard] = engine
                if len(self._engines) > KEPT_ENGINES:  # NullPool: dropping one closes nothing
                    self._engines.popitem(last=False)
            self._engines.move_to_end(shard)
            return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        shared: dict[str, Connection] | None = getattr(self._shared, "connections", None)
        if shared is not None:  # inside _sharing_connections: this thread holds the lock
            if shard not in shared:
                shared[shard] = self._shared.stack.enter_context(self._open(shard))
            yield shared[shard]
            return
        with self._db_lock, self._open(shard) as conn:
            yield conn

    @contextmanager
    def _open(self, shard: str) -> Iterator[Connection]:
        engine = self._engine(shard)
        if shard not in self._initialized_dbs:
            self._initdb(engine)
            self._initialized_dbs.add(shard)
        with engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def _sharing_connections(self) -> Iterator[None]:
        """Every ``_connect`` of this thread inside shares one connection per file; at the end
        all commit, in reverse order of opening (the run's file, opened first, last: whoever
        sees it change finds the index written), or all roll back."""
        if getattr(self._shared, "connections", None) is not None:
            yield
            return
        with self._db_lock, ExitStack() as stack:
            self._shared.connections, self._shared.stack = {}, stack
            try:
                yield
            finally:
                self._shared.connections = None

    def store_event(self, event: dg.EventLogEntry) -> None:
        with self._sharing_connections():
            super().store_event(event)

    def store_event_batch(self, events: Sequence[dg.EventLogEntry]) -> None:
        with self._sharing_connections():
            for event in events:
                super().store_event(event)

    def has_table(self, table_name: str) -> bool:
        """Dagster asks before every asset check event; a table, once there, stays. Asked inside
        an open connection too, so it takes no lock (as Dagster's own)."""
        if table_name not in self._existing_tables:
            engine = self._engine(INDEX_SHARD_NAME)
            with engine.connect() as conn:
                if engine.dialect.has_table(conn, table_name):
                    self._existing_tables.add(table_name)
        return table_name in self._existing_tables

    def dispose(self) -> None:
        super().dispose()
        with self._engines_lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()
