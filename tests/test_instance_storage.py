"""The Dagster instance made from the project's dagster.yaml: Dagster's SQLite files in DAGSTER_HOME, with
the event log's connections kept (orchestration/storage.py). What another process stores, a reader
that keeps its connection open sees at once, and a watcher of a run (the UI's live log) is told."""

import logging
import shutil
import threading
import time
from pathlib import Path

from dagster import AssetKey, AssetMaterialization, DagsterInstance
from dagster._core.events.log import EventLogEntry

from orchestration.storage import KeptSqliteEventLogStorage, LedgerSqliteStorage

from .conftest import PROJECT
from .live import instance_at


def project_instance(home: Path) -> DagsterInstance:
    home.mkdir(exist_ok=True)
    shutil.copy(PROJECT / "orchestration" / "dagster.yaml", home / "dagster.yaml")
    return instance_at(home)


def log_line(run_id: str, message: str) -> EventLogEntry:
    return EventLogEntry(error_info=None, level=logging.INFO, user_message=message, run_id=run_id, timestamp=time.time())


def test_the_projects_instance_keeps_dagsters_files_in_dagster_home(tmp_path):
    instance = project_instance(tmp_path / "home")

    instance.handle_new_event(log_line("run-1", "first"))

    assert instance.get_ref().storage_data.class_name == LedgerSqliteStorage.__name__
    assert isinstance(instance.event_log_storage, KeptSqliteEventLogStorage)
    history = tmp_path / "home" / "history"
    assert (history / "runs.db").is_file()
    assert sorted(path.name for path in (history / "runs").glob("*.db")) == ["index.db", "run-1.db"]
    assert [record.event_log_entry.user_message for record in instance.get_records_for_run("run-1").records] == ["first"]


def test_a_reader_with_its_index_connection_open_sees_another_writers_materialization_at_once(tmp_path):
    reader, writer = project_instance(tmp_path / "home"), project_instance(tmp_path / "home")
    asset = AssetKey(["marts", "facts"])
    assert reader.get_latest_materialization_event(asset) is None  # opens the reader's kept connection

    writer.report_runless_asset_event(AssetMaterialization(asset_key=asset, description="from the writer"))

    latest = reader.get_latest_materialization_event(asset)
    assert latest is not None and latest.asset_materialization.description == "from the writer"


def test_a_watcher_of_a_run_is_told_of_each_event_another_writer_stores(tmp_path):
    reader, writer = project_instance(tmp_path / "home"), project_instance(tmp_path / "home")
    writer.handle_new_event(log_line("run-1", "before the watch"))
    told: list[str] = []
    arrived = threading.Event()

    def on_event(entry: EventLogEntry, cursor: str) -> None:
        told.append(entry.user_message)
        arrived.set()

    cursor = reader.get_records_for_run("run-1").cursor
    reader.event_log_storage.watch("run-1", cursor, on_event)
    try:
        writer.handle_new_event(log_line("run-1", "while watched"))
        assert arrived.wait(timeout=10), "the watcher was not told of the new event within 10 s"
    finally:
        reader.event_log_storage.end_watch("run-1", on_event)
        reader.dispose()
        writer.dispose()
    assert told == ["while watched"]
