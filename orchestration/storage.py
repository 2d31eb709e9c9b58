"""The Dagster instance's storage: Dagster's own SQLite storage, with the event log's connections kept.

Kept, as measured (docs/performance.md; benchmarks/instance_storage.py), because it still pays for
the event volume of a run: it subclasses Dagster's private SQLite storage. Dagster's SQLite event
log builds a new SQLAlchemy engine for every statement batch, opens a new SQLite connection on it
and closes it again. Closing the last connection to a database in WAL mode checkpoints it, so each
event costs a checkpoint of the run's file and, for asset and check events, up to three more of
the shared index file.

Kept here: one engine per file, and one open connection to the index file. Each run's own file is
still opened and closed per write, because the UI's live log view watches that file for changes,
and a write that stays in the WAL would not touch it. Everything else (files, schema, migrations,
transactions, the lock that keeps threads apart) is Dagster's. Selected in `dagster.yaml`:

    storage:
      custom: {module: orchestration.storage, class: LedgerSqliteStorage, config: {base_dir: ...}}
"""

from collections.abc import Iterator
from contextlib import contextmanager

from dagster._core.storage.event_log.sqlite.sqlite_event_log import INDEX_SHARD_NAME, SqliteEventLogStorage
from dagster._core.storage.sql import create_engine
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._core.storage.sqlite_storage import DagsterSqliteStorage, _event_logs_directory
from dagster._serdes import ConfigurableClassData
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool, StaticPool


class KeptSqliteEventLogStorage(SqliteEventLogStorage):
    """SqliteEventLogStorage with an engine per file and the index file's connection kept open."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        # Set before Dagster's constructor: it already connects to the index file.
        self._engines: dict[str, Engine] = {}
        self._tables_seen: set[str] = set()
        super().__init__(base_dir, inst_data=inst_data)

    def _engine(self, shard: str) -> Engine:
        if shard not in self._engines:
            # The index: one connection kept, used under Dagster's _db_lock by one thread at a time.
            # A run's file: a connection per write, as Dagster does (its watcher needs the checkpoint).
            kept = shard == INDEX_SHARD_NAME
            self._engines[shard] = create_engine(
                self.conn_string_for_shard(shard),
                poolclass=StaticPool if kept else NullPool,
                # SQLAlchemy's default for files; the kept connection is handed from thread to thread.
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
            )
        return self._engines[shard]

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        # Dagster's _connect, less the engine built and disposed of each time.
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as connection, connection.begin():
                yield connection

    def has_table(self, table_name: str) -> bool:
        # Asked before most asset and check writes, each time on a new engine; a table once there stays.
        if table_name not in self._tables_seen and super().has_table(table_name):
            self._tables_seen.add(table_name)
        return table_name in self._tables_seen

    def dispose(self) -> None:
        super().dispose()
        for engine in self._engines.values():
            engine.dispose()
        self._engines.clear()


class LedgerSqliteStorage(DagsterSqliteStorage):
    """Dagster's SQLite storage (same files under base_dir) with KeptSqliteEventLogStorage as its event log."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        # Dagster's constructor makes the plain event log (cheap once the index file exists); it is replaced.
        super().__init__(base_dir, inst_data=inst_data)
        self._event_log_storage = KeptSqliteEventLogStorage(_event_logs_directory(base_dir))

    @classmethod
    def from_config_value(cls, inst_data: ConfigurableClassData, config_value: dict) -> "LedgerSqliteStorage":
        return cls.from_local(inst_data=inst_data, **config_value)
