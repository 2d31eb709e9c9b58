"""Whether orchestration/storage.py still pays: the time a run takes to store its events on the
project's instance (dagster.yaml as shipped) and on Dagster's default SQLite storage (the same
dagster.yaml without its storage section), interleaved, in fresh DAGSTER_HOMEs.

Each run is a job whose one op logs a line and reports an asset materialization `--events` times,
the two kinds of event a refresh stores most (its dbt tests' and gates' check results are stored
like materializations: in the run's file and in the index).

    python -m benchmarks.instance_storage --events 150 500 --repeat 3
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

PROJECT = Path(__file__).resolve().parents[1]

CHILD = """
import sys
from dagster import AssetMaterialization, DagsterInstance, Output, job, op

EVENTS = int(sys.argv[1])


@op
def emit(context):
    for number in range(EVENTS):
        context.log.info(f"line {number}")
        yield AssetMaterialization(asset_key=["bench", f"a{number % 30}"], metadata={"number": number})
    yield Output(None)


@job
def events():
    emit()


with DagsterInstance.get() as instance:
    quiet = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
    result = events.execute_in_process(instance=instance, run_config=quiet)
    print(len(instance.all_logs(result.run_id)))
"""


def homes(root: Path) -> dict[str, Path]:
    """A DAGSTER_HOME with the project's dagster.yaml and one with Dagster's default storage."""
    config = yaml.safe_load((PROJECT / "orchestration" / "dagster.yaml").read_text(encoding="utf-8"))
    made = {}
    for name, text in (("project", config), ("dagster_default", {k: v for k, v in config.items() if k != "storage"})):
        home = root / name
        home.mkdir()
        (home / "dagster.yaml").write_text(yaml.safe_dump(text), encoding="utf-8")
        made[name] = home
    return made


def timed_run(home: Path, events: int) -> tuple[float, int]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(events)],
        cwd=PROJECT,
        env={**os.environ, "DAGSTER_HOME": str(home)},
        capture_output=True,
        text=True,
        check=True,
    )
    return time.perf_counter() - started, int(done.stdout.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, nargs="+", default=[150, 500])
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as root:
        made = homes(Path(root))
        for round_number in range(1, arguments.repeat + 1):
            for events in arguments.events:
                for name, home in made.items():
                    seconds, stored = timed_run(home, events)
                    print(f"round {round_number}  {name:<16} {stored:>5} events stored  {seconds:6.2f} s", flush=True)


if __name__ == "__main__":
    main()
