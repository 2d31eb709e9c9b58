"""Helpers for tests that start the real programs (dagster CLI, dagster-daemon, reader processes)
against a private DAGSTER_HOME and data folder, and kill them like an operator or the OOM killer would."""

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dagster import DagsterEventType, DagsterInstance, DagsterRun
from dagster_shared.utils import environ

from orchestration.schedules import REBUILD_UNCHANGED
from orchestration.settings import WRITER_POOL

from .conftest import PROJECT, SOURCES

BIN = Path(sys.executable).parent


def instance_at(home: Path) -> DagsterInstance:
    """The Dagster instance of `home` and its dagster.yaml, made as Dagster's own processes make it:
    the project's dagster.yaml places its storage by DAGSTER_HOME."""
    with environ({"DAGSTER_HOME": str(home)}):
        return DagsterInstance.get()


@dataclass
class Deployment:
    """A private DAGSTER_HOME (with the project's dagster.yaml) and data folder holding a copy of
    the session's published warehouse."""

    root: Path
    sources: Path = SOURCES

    @property
    def home(self) -> Path:
        return self.root / "dagster_home"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def published(self) -> Path:
        return self.data / "ai_market.duckdb"

    def env(self, **extra: str) -> dict[str, str]:
        return {
            **os.environ,
            "DAGSTER_HOME": str(self.home),
            "AI_MARKET_SOURCES": str(self.sources),
            "AI_MARKET_DATA_DIR": str(self.data),
            "AI_MARKET_DUCKDB": str(self.published),
            **extra,
        }

    @property
    def rebuild_config(self) -> Path:
        """Run config of a refresh that builds although its sources are those of the copied
        publication (test_unchanged_sources.py covers the no-op short-cut)."""
        return self.root / "rebuild_unchanged.json"

    def instance(self) -> DagsterInstance:
        return instance_at(self.home)

    def start(self, arguments: list[str], log_name: str, **extra_env: str) -> subprocess.Popen:
        """Start a command of the venv in its own process group, output to a log file."""
        log = (self.root / f"{log_name}.log").open("w")
        return subprocess.Popen(
            [str(BIN / arguments[0]), *arguments[1:]],
            cwd=PROJECT,
            env=self.env(**extra_env),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def log(self, log_name: str) -> str:
        return (self.root / f"{log_name}.log").read_text(errors="replace")


def deployment(root: Path, published: Path, sources: Path = SOURCES) -> Deployment:
    made = Deployment(root, sources)
    made.home.mkdir(parents=True)
    # As `make run` / `make ui` set up DAGSTER_HOME: the project's dagster.yaml and the pool's limit.
    shutil.copy(PROJECT / "orchestration" / "dagster.yaml", made.home / "dagster.yaml")
    setting = ["dagster", "instance", "concurrency", "set", WRITER_POOL, "1"]
    assert made.start(setting, "set_pool_limit").wait(timeout=120) == 0, made.log("set_pool_limit")
    shutil.copytree(
        published.parent,
        made.data,
        symlinks=True,
        ignore=shutil.ignore_patterns("build", "alerts.jsonl", "alert_deliveries.jsonl", "writer.lock"),
    )
    made.rebuild_config.write_text(json.dumps(REBUILD_UNCHANGED), encoding="utf-8")
    return made


def execute_job(made: Deployment, log_name: str, job: str = "refresh_warehouse", **extra_env: str) -> subprocess.Popen:
    config = ["-c", str(made.rebuild_config)] if job == "refresh_warehouse" else []
    return made.start(["dagster", "job", "execute", "-m", "orchestration.definitions", "-j", job, *config], log_name, **extra_env)


def kill_group(process: subprocess.Popen) -> None:
    """kill -9 the process and every process it started (dbt included)."""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def wait_until(condition: Callable[[], object], what: str, timeout: float = 180, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def only_run(instance: DagsterInstance, exclude: set[str]) -> DagsterRun | None:
    runs = [r for r in instance.get_runs() if r.run_id not in exclude]
    return runs[0] if runs else None


def events(instance: DagsterInstance, run_id: str, kind: DagsterEventType) -> list:
    return [entry.dagster_event for entry in instance.all_logs(run_id, of_type=kind)]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop_group(process: subprocess.Popen, timeout: float = 20) -> None:
    """Stop a server and everything it started: SIGINT (what Ctrl-C sends; dagster shuts its
    children down on it), then SIGKILL for whatever is left."""
    try:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        pass
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
