"""Automation: the daily schedule, evaluated in-process as the daemon evaluates it at its cron
minute, requests a run that rebuilds and republishes even when nothing changed, and the report of
such runs prunes the GX results of versions no longer kept; the file sensor, under the real
dagster-daemon (temp DAGSTER_HOME, the project's dagster.yaml), launches a run after a new source
file that updates the published marts. Bounded in time; every process it starts is stopped."""

import os
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from dagster import DagsterInstance, DagsterRunStatus, build_schedule_context
from dagster._core.scheduler.instigation import InstigatorType, TickStatus

from benchmarks.corpus import add_one_document
from orchestration.schedules import REBUILD_UNCHANGED

from .conftest import SourceCopy, published_fingerprint
from .live import deployment, stop_group, wait_until


def _runs_tagged(made, tag: str) -> list:
    return [run for run in made.instance().get_runs() if tag in run.tags]


def _stored_gx_runs(gx: Path) -> dict[str, set[str]]:
    """Run names with a stored result, and run names with a Data Docs page, over every suite."""
    return {
        kind: {run.name for suite in folder.iterdir() if suite.is_dir() for run in suite.iterdir()}
        for kind, folder in (("results", gx / "validations"), ("pages", gx / "data_docs" / "validations"))
    }


def _run_the_schedules_request(instance: DagsterInstance, at: datetime):
    """Evaluate daily_refresh's tick at `at`, as the daemon does, and execute the run it requests."""
    from orchestration.definitions import defs

    schedule = defs.resolve_schedule_def("daily_refresh")
    (request,) = schedule.evaluate_tick(build_schedule_context(instance=instance, scheduled_execution_time=at)).run_requests
    assert request.run_config == REBUILD_UNCHANGED
    job = defs.resolve_job_def(schedule.job_name)
    return job.execute_in_process(run_config=request.run_config, tags=request.tags, instance=instance, raise_on_error=False)


@pytest.mark.slow
def test_the_daily_schedule_republishes_unchanged_sources_and_prunes_gx_results_of_versions_no_longer_kept(
    built, pipeline_env: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("AI_MARKET_KEEP_VERSIONS", "2")
    instance = DagsterInstance.ephemeral()
    before = published_fingerprint(pipeline_env)

    first = _run_the_schedules_request(instance, datetime(2026, 1, 5, 6, 0, tzinfo=UTC))
    assert first.success
    assert "published/warehouse" in {e.asset_key.to_user_string() for e in first.get_asset_materialization_events()}
    assert published_fingerprint(pipeline_env) != before

    second = _run_the_schedules_request(instance, datetime(2026, 1, 6, 6, 0, tzinfo=UTC))
    assert second.success
    pruned = {e.asset_key.to_user_string(): e.materialization.metadata for e in second.get_asset_materialization_events()}
    assert pruned["report/charts"]["gx_runs_pruned"].value == 1  # the session run's, whose version is no longer kept
    runs = {first.run_id, second.run_id}
    gx = pipeline_env.parent / "gx"
    assert _stored_gx_runs(gx) == {"results": runs, "pages": runs}
    assert built[0].run_id not in (gx / "data_docs" / "index.html").read_text(encoding="utf-8")


@pytest.mark.live
def test_a_new_source_file_makes_the_daemons_sensor_launch_a_run_that_updates_the_marts(built, sources: SourceCopy, tmp_path: Path):
    made = deployment(tmp_path, built[1], sources.root)
    daemon = made.start(["dagster-daemon", "run", "-m", "orchestration.definitions"], "daemon", AI_MARKET_SENSOR_INTERVAL_SECONDS="5")
    try:
        # The sensor's first tick records the current files; only a change after it starts a run.
        def sensor_ticks() -> list:
            states = made.instance().all_instigator_state(instigator_type=InstigatorType.SENSOR)
            state = next((s for s in states if s.name == "source_files_changed"), None)
            return made.instance().get_ticks(state.instigator_origin_id, state.selector_id) if state else []

        wait_until(lambda: any(t.status == TickStatus.SKIPPED for t in sensor_ticks()), "the sensor's first tick", timeout=120)
        new_document = add_one_document(sources.root, number=0, facts_per_document=6)

        sensor_run = wait_until(lambda: _runs_tagged(made, "dagster/sensor_name"), "the sensor to launch a run", timeout=120)[0]
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
