"""A scheduled run and a sensor run submitted at the same moment, under the real dagster-daemon and
the project's dagster.yaml: the writer pool makes one wait in the queue until the other has finished,
both publish, and BI readers querying all the while see no error and never a mix of two runs."""

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from dagster import DagsterRunStatus

from .live import Deployment, deployment, kill_group, wait_until

# A BI client in a loop. "held" keeps one read-only connection for the whole test (it must go on
# reading the version it opened); "fresh" opens a new one for every query (it must see each new
# version). Every query reads the marts and the self-description in one statement and checks they
# belong to the same run.
READER = """
import json, sys, time, duckdb
from pathlib import Path
published, mode, out, stop = sys.argv[1], sys.argv[2], open(sys.argv[3], "w"), Path(sys.argv[4])
QUERY = '''
select p.run_id,
       (select count(*) from marts.facts) = (select row_count from meta.mart_rows where mart = 'facts'),
       (select count(*) from marts.claim_audit) = (select row_count from meta.mart_rows where mart = 'claim_audit'),
       (select count(*) from meta.gate_results where run_id <> p.run_id) = 0,
       (select count(*) from meta.mart_rows where run_id <> p.run_id) = 0,
       (select amount_usd from marts.funding_by_period where scope = 'generative AI companies' and period = '2024')
from meta.publication p
'''
held = duckdb.connect(published, read_only=True) if mode == "held" else None
while not stop.exists():
    try:
        con = held or duckdb.connect(published, read_only=True)
        run_id, *checks, amount = con.execute(QUERY).fetchone()
        if held is None:
            con.close()
        out.write(json.dumps({"run_id": run_id, "consistent": all(checks) and amount == 56e9}) + "\\n")
    except Exception as error:
        out.write(json.dumps({"error": repr(error)}) + "\\n")
    out.flush()
    time.sleep(0.05)
"""


def _start_reader(made: Deployment, mode: str) -> tuple[subprocess.Popen, Path]:
    out = made.root / f"reader_{mode}.jsonl"
    process = subprocess.Popen([sys.executable, "-c", READER, str(made.published), mode, str(out), str(made.root / "stop")])
    return process, out


def _launch(made: Deployment, tags: dict[str, str], log_name: str) -> None:
    command = ["dagster", "job", "launch", "-m", "orchestration.definitions", "-j", "refresh_warehouse", "--tags", json.dumps(tags)]
    command += ["-c", str(made.rebuild_config)]
    assert made.start(command, log_name).wait(timeout=120) == 0, made.log(log_name)


@pytest.mark.live
def test_scheduled_and_sensor_runs_at_once_queue_behind_the_writer_pool_and_readers_never_fail(built, tmp_path: Path):
    _, session_published = built
    made = deployment(tmp_path, session_published)
    with duckdb.connect(str(made.published), read_only=True) as con:
        (seed_run,) = con.execute("select run_id from meta.publication").fetchone()
    readers = [_start_reader(made, mode) for mode in ("held", "fresh")]
    wait_until(lambda: all(out.exists() and out.stat().st_size for _, out in readers), "the readers to start")

    _launch(made, {"dagster/schedule_name": "daily_refresh"}, "launch_schedule")
    _launch(made, {"dagster/sensor_name": "source_files_changed"}, "launch_sensor")
    instance = made.instance()
    assert {r.status for r in instance.get_runs()} == {DagsterRunStatus.QUEUED}

    daemon = made.start(["dagster-daemon", "run", "-m", "orchestration.definitions"], "daemon")
    observed: list[list[DagsterRunStatus]] = []
    try:

        def both_finished() -> bool:
            observed.append([r.status for r in made.instance().get_runs()])
            return all(s in (DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE) for s in observed[-1])

        wait_until(both_finished, "both runs to finish", timeout=420, interval=1)
    finally:
        kill_group(daemon)
        (made.root / "stop").touch()
        for process, _ in readers:
            process.wait(timeout=30)

    runs = sorted(made.instance().get_run_records(), key=lambda r: r.start_time)
    assert [r.dagster_run.status for r in runs] == [DagsterRunStatus.SUCCESS] * 2, made.log("daemon")[-3000:]
    assert runs[0].end_time <= runs[1].start_time  # one waited for the other
    assert max(statuses.count(DagsterRunStatus.STARTED) for statuses in observed) == 1
    assert any({DagsterRunStatus.STARTED, DagsterRunStatus.QUEUED} <= set(statuses) for statuses in observed)  # seen waiting
    tags = {key for r in runs for key in r.dagster_run.tags}
    assert {"dagster/schedule_name", "dagster/sensor_name"} <= tags

    held = [json.loads(line) for line in (made.root / "reader_held.jsonl").read_text().splitlines()]
    fresh = [json.loads(line) for line in (made.root / "reader_fresh.jsonl").read_text().splitlines()]
    assert [r for r in held + fresh if "error" in r] == []
    assert all(r["consistent"] for r in held + fresh)
    assert {r["run_id"] for r in held} == {seed_run}  # an open connection keeps its version
    later = runs[1].dagster_run.run_id
    assert {r["run_id"] for r in fresh} == {seed_run, runs[0].dagster_run.run_id, later}
    assert fresh[-1]["run_id"] == later
