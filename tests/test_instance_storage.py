"""The Dagster instance `ai-market-ledger refresh` and `make run` set up in DAGSTER_HOME: the project's
dagster.yaml, Dagster's SQLite files in DAGSTER_HOME with the event log's connections kept
(orchestration/storage.py), and a writer pool of one run at a time. What another process stores, a
reader that keeps its connection open sees at once, and a watcher of a run (the UI's live log) is told."""

import threading
from pathlib import Path

import pytest
from dagster import AssetKey, AssetMaterialization, DagsterInstance, DagsterRun, job, op

from orchestration.home import PROJECT_CONFIG, limit_writer_pool, prepare_dagster_home
from orchestration.settings import WRITER_POOL
from orchestration.storage import KeptSqliteEventLogStorage

from .live import instance_at


@op
def say_hello() -> str:
    return "hello"


@job
def hello() -> None:
    say_hello()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    return prepare_dagster_home()


def a_stored_run(instance: DagsterInstance) -> DagsterRun:
    result = hello.execute_in_process(instance=instance)
    assert result.success
    return result.dagster_run


def test_a_fresh_dagster_home_gets_the_projects_dagster_yaml(home: Path):
    assert (home / "dagster.yaml").read_bytes() == PROJECT_CONFIG.read_bytes()


def test_runs_and_asset_events_are_stored_in_dagsters_sqlite_files_in_dagster_home(home: Path):
    with DagsterInstance.get() as instance:
        assert isinstance(instance.event_log_storage, KeptSqliteEventLogStorage)
        run = a_stored_run(instance)
        instance.report_runless_asset_event(AssetMaterialization(asset_key=AssetKey(["marts", "facts"]), description="stored"))
    history = home / "history"
    assert (history / "runs.db").is_file()
    # the index of every run's asset events, and the run's own event log
    assert {"index.db", f"{run.run_id}.db"} <= {path.name for path in (history / "runs").glob("*.db")}
    with DagsterInstance.get() as reopened:
        assert [stored.run_id for stored in reopened.get_runs()] == [run.run_id]
        latest = reopened.get_latest_materialization_event(AssetKey(["marts", "facts"]))
        assert latest is not None and latest.asset_materialization.description == "stored"


def test_a_reader_with_its_index_connection_open_sees_another_writers_materialization_at_once(home: Path):
    reader, writer = instance_at(home), instance_at(home)
    asset = AssetKey(["marts", "facts"])
    assert reader.get_latest_materialization_event(asset) is None  # opens the reader's kept connection

    writer.report_runless_asset_event(AssetMaterialization(asset_key=asset, description="from the writer"))

    latest = reader.get_latest_materialization_event(asset)
    assert latest is not None and latest.asset_materialization.description == "from the writer"


def test_a_watcher_of_a_run_is_told_of_each_event_another_writer_stores(home: Path):
    reader, writer = instance_at(home), instance_at(home)
    run = a_stored_run(writer)
    told: list[str] = []
    arrived = threading.Event()

    def on_event(entry, cursor: str) -> None:  # noqa: ANN001 - an EventLogEntry
        told.append(entry.message)
        arrived.set()

    cursor = reader.get_records_for_run(run.run_id).cursor
    reader.event_log_storage.watch(run.run_id, cursor, on_event)
    try:
        writer.report_engine_event("while watched", run)
        assert arrived.wait(timeout=10), "the watcher was not told of the new event within 10 s"
    finally:
        reader.event_log_storage.end_watch(run.run_id, on_event)
        reader.dispose()
        writer.dispose()
    assert told == ["while watched"]


def test_the_writer_pool_gets_a_limit_of_one_run_and_keeps_a_limit_already_set(home: Path):
    with DagsterInstance.get() as instance:
        limit_writer_pool(instance)
        assert instance.event_log_storage.get_concurrency_info(WRITER_POOL).slot_count == 1
        instance.event_log_storage.set_concurrency_slots(WRITER_POOL, 2)
        limit_writer_pool(instance)
        assert instance.event_log_storage.get_concurrency_info(WRITER_POOL).slot_count == 2
