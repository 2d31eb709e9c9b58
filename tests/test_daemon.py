"""The schedule and the file sensor under the real dagster-daemon (temp DAGSTER_HOME, the project's
dagster.yaml): a new source file makes the sensor launch a run that updates the published marts,
and the schedule's tick launches a run. Bounded in time; every process it starts is stopped."""

import os
from pathlib import Path

import duckdb
from dagster import DagsterRunStatus
from dagster._core.scheduler.instigation import InstigatorType, TickStatus

from benchmarks.corpus import add_one_document

from .conftest import SourceCopy
from .live import deployment, stop_group, wait_until


def _runs_tagged(made, tag: str) -> list:
    return [run for run in made.instance().get_runs() if tag in run.tags]


def test_a_new_source_file_makes_the_sensor_run_update_the_marts_and_the_schedule_ticks(built, sources: SourceCopy, tmp_path: Path):
    made = deployment(tmp_path, built[1], sources.root)
    daemon = made.start(
        ["dagster-daemon", "run", "-m", "orchestration.definitions"],
        "daemon",
        AI_MARKET_SENSOR_INTERVAL_SECONDS="5",
        AI_MARKET_SCHEDULE_CRON="* * * * *",  # a tick every minute
    )
    try:
        # The sensor's first tick records the current files; only a change after it starts a run.
        def sensor_ticks() -> list:
            states = made.instance().all_instigator_state(instigator_type=InstigatorType.SENSOR)
            state = next((s for s in states if s.name == "source_files_changed"), None)
            return made.instance().get_ticks(state.instigator_origin_id, state.selector_id) if state else []

        wait_until(lambda: any(t.status == TickStatus.SKIPPED for t in sensor_ticks()), "the sensor's first tick", timeout=120)
        new_document = add_one_document(sources.root, number=0, facts_per_document=6)

        sensor_run = wait_until(lambda: _runs_tagged(made, "dagster/sensor_name"), "the sensor to launch a run", timeout=120)[0]
        wait_until(lambda: _runs_tagged(made, "dagster/schedule_name"), "the schedule to tick and launch a run", timeout=150)
        finished = wait_until(
            lambda: (run := made.instance().get_run_by_id(sensor_run.run_id)).is_finished and run, "the sensor's run to finish", timeout=300
        )
        assert finished.status == DagsterRunStatus.SUCCESS, made.log("daemon")[-3000:]
        assert finished.tags["dagster/sensor_name"] == "source_files_changed"
        with duckdb.connect(str(made.published), read_only=True) as con:
            assert con.execute("select run_id from meta.publication").fetchone()[0] in {r.run_id for r in made.instance().get_runs()}
            assert con.execute("select count(*) from marts.documents where document_id = ?", [new_document]).fetchone()[0] == 1
    finally:
        stop_group(daemon)
    # The runs the daemon launched are in its process group too; killed, they are gone once reaped.
    wait_until(lambda: not _alive(daemon.pid), "every process of the daemon's group to end", timeout=30)


def _alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
        return True
    except ProcessLookupError:
        return False
