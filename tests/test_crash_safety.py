"""kill -9 of a real `dagster job execute` mid-build, mid-check and mid-publish: the published
warehouse stays intact and openable each time, a second writer beside a live one is refused with a
clear message, and each next run cleans up after the dead one; the last one publishes."""

import json
from pathlib import Path

import duckdb
import pytest
from dagster import DagsterEventType, DagsterRunStatus

from .conftest import published_fingerprint, run_refresh
from .live import deployment, events, execute_job, kill_group, only_run, wait_until
from .test_publishing import published_run_id


def _started(made, seen: set[str]):
    return wait_until(lambda: only_run(made.instance(), seen), "the run to be recorded")


def _materialised(made, run_id: str, layer: str) -> list:
    return [e for e in events(made.instance(), run_id, DagsterEventType.ASSET_MATERIALIZATION) if e.asset_key.path[0] == layer]


def _tested(made, run_id: str, layer: str) -> bool:
    evaluations = events(made.instance(), run_id, DagsterEventType.ASSET_CHECK_EVALUATION)
    return any(e.asset_check_evaluation_data.asset_key.path[0] == layer for e in evaluations)


def _gx_evaluated(made, run_id: str) -> bool:
    evaluations = events(made.instance(), run_id, DagsterEventType.ASSET_CHECK_EVALUATION)
    return any(e.asset_check_evaluation_data.check_name.startswith("gx_") for e in evaluations)


def _alerts(made) -> dict[str, dict]:
    """The alerts recorded in the deployment, by run id."""
    lines = (made.data / "alerts.jsonl").read_text(encoding="utf-8").splitlines()
    return {alert["run_id"]: alert for alert in map(json.loads, lines)}


def _assert_published_intact(published: Path, fingerprint: str) -> None:
    assert published_fingerprint(published) == fingerprint
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select count(*) from marts.facts").fetchone()[0] == 65


@pytest.mark.live
def test_kill_9_mid_build_mid_check_and_mid_publish_never_harms_the_published_warehouse(built, tmp_path: Path, monkeypatch):
    _, session_published = built
    made = deployment(tmp_path, session_published)
    fingerprint = published_fingerprint(made.published)
    seen: set[str] = set()

    # 1. Mid-build: dbt has built and tested its first intermediate model and is still going (test results
    # are recorded as dbt reports them; the models' materialisations once dbt has finished).
    building = execute_job(made, "mid_build")
    first = _started(made, seen)
    seen.add(first.run_id)
    wait_until(lambda: _tested(made, first.run_id, "intermediate"), "dbt to build and test an intermediate model")
    # A second writer that bypasses the queue is refused, naming the live one.
    for variable, value in made.env().items():
        if variable.startswith("AI_MARKET_"):
            monkeypatch.setenv(variable, value)
    refused, _ = run_refresh()
    assert not refused.success
    message = "\n".join(str(e.message) + str(getattr(e.event_specific_data, "error", "")) for e in refused.all_events)
    assert "another run is writing the warehouse build" in message and first.run_id in message
    assert "another run is writing the warehouse build" in _alerts(made)[refused.run_id]["step_errors"][0]  # refused: alerted
    assert building.poll() is None
    marts_built = _materialised(made, first.run_id, "marts")
    kill_group(building)
    assert len(marts_built) < 10  # killed before dbt finished the marts
    _assert_published_intact(made.published, fingerprint)

    # 2. Mid-check: the next run cleans up after the first, then dies after its first GX suite.
    checking = execute_job(made, "mid_check")
    second = _started(made, seen)
    seen.add(second.run_id)
    wait_until(lambda: _gx_evaluated(made, second.run_id), "a Great Expectations suite to finish")
    kill_group(checking)
    assert made.instance().get_run_by_id(first.run_id).status == DagsterRunStatus.FAILURE
    assert f"run {first.run_id}" in made.log("mid_check") and "died while writing" in made.log("mid_check")
    assert _alerts(made)[first.run_id]["step_errors"] == [f"its process died; run {second.run_id} found it and cleaned up after it"]
    _assert_published_intact(made.published, fingerprint)

    # 3. Mid-publish: the new version is fully written but not yet renamed into place.
    pause_file = tmp_path / "paused"
    publishing = execute_job(made, "mid_publish", AI_MARKET_PAUSE_AT="publish:written", AI_MARKET_PAUSE_FILE=str(pause_file))
    third = _started(made, seen)
    seen.add(third.run_id)
    wait_until(pause_file.exists, "the publish to write its version", timeout=240)
    kill_group(publishing)
    assert [p.name for p in (made.data / "versions").iterdir() if p.name.startswith(".tmp-")]
    _assert_published_intact(made.published, fingerprint)

    # 4. The next run cleans up after the third, passes every gate and publishes.
    assert execute_job(made, "recovering").wait(timeout=300) == 0, made.log("recovering")[-3000:]
    fourth = only_run(made.instance(), seen)
    assert made.instance().get_run_by_id(fourth.run_id).status == DagsterRunStatus.SUCCESS
    assert {made.instance().get_run_by_id(r).status for r in (first.run_id, second.run_id, third.run_id)} == {DagsterRunStatus.FAILURE}
    assert "left by a publish that did not finish" in made.log("recovering")
    assert not [p for p in (made.data / "versions").iterdir() if p.name.startswith(".tmp-")]
    assert published_run_id(made.published) == fourth.run_id
