"""Resources: the DuckDB warehouse and the dbt CLI, both configured from environment variables with
project-local defaults (see settings.py)."""

import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property
from importlib.metadata import version
from pathlib import Path

import duckdb
from dagster import ConfigurableResource, DagsterLogManager, DagsterRunStatus, InitResourceContext
from dagster_dbt import DbtCliResource, DbtProject
from pydantic import PrivateAttr

from . import settings
from .alerts import RunAlerts, record_alert, started_by
from .ledger import publishing
from .ledger.recovery import set_aside, take_writer, unreadable
from .ledger.writer_lock import WriterLock


class Warehouse(ConfigurableResource):
    """The private build database a run writes, and the published warehouse BI reads.

    For the whole run it holds the writer lock, so no other run can write the build database beside
    it; if the previous holder died (kill -9, OOM), it first removes what that run left behind and
    marks that run failed, and a build database that cannot be opened or read is set aside, so that
    the run rebuilds it from the sources. DuckDB allows one writing process and no reader beside it, so every
    connection to the build database is opened for the shortest time and closed again."""

    published_path: str | None = None
    build_path: str | None = None
    _lock: WriterLock | None = PrivateAttr(default=None)

    def published(self) -> Path:
        return Path(os.path.abspath(self.published_path)) if self.published_path else settings.warehouse_path()

    def build(self) -> Path:
        return Path(os.path.abspath(self.build_path)) if self.build_path else settings.build_path()

    def layout(self) -> publishing.Layout:
        return publishing.Layout(self.published())

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection to the build database."""
        path = self.build()
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = duckdb.connect(str(path), read_only=read_only, config={"memory_limit": settings.duckdb_memory_limit()})
        try:
            yield connection
        finally:
            connection.close()

    def setup_for_execution(self, context: InitResourceContext) -> None:
        self._lock, dead, cleaned = take_writer(self.build(), self.layout(), context.run.run_id)
        if why := unreadable(self.build(), settings.duckdb_memory_limit()):
            cleaned.append(f"{set_aside(self.build(), why)}, and this run rebuilds it from the sources")
        for line in cleaned:
            context.log.warning(line)
        run = context.instance.get_run_by_id(dead["run_id"]) if dead and dead.get("run_id") and context.instance else None
        if run and run.status in (DagsterRunStatus.STARTING, DagsterRunStatus.STARTED):
            why = f"its process died; run {context.run.run_id} found it and cleaned up after it"
            context.instance.report_run_failed(run, why)
            record_alert(
                run.run_id, run.job_name, f"run {run.run_id} of {run.job_name} failed: {why}", [("process", why)], started_by(run.tags)
            )

    def set_aside_if_damaged(self, log: DagsterLogManager, then: str) -> bool:
        """After a step failed on the build database: if any of its blocks cannot be read, set it
        aside (saying so, and `then`: what happens next) so that it is rebuilt from the sources, and
        return True. Call only while no connection to it is open."""
        why = unreadable(self.build(), settings.duckdb_memory_limit(), every_table=True)
        if why is None:
            return False
        log.warning(f"{set_aside(self.build(), why)}, and {then}")
        return True

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        if self._lock:
            self._lock.release()


# dbt is a console script of this venv; dagster-dbt (including its manifest preparer under
# `dagster dev`) looks it up on PATH, which an unactivated venv does not provide.
os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"

dbt_project = DbtProject(project_dir=settings.DBT_PROJECT_DIR, profiles_dir=settings.DBT_PROJECT_DIR)
# Under `dagster dev` the manifest is re-parsed on every reload; elsewhere (tests, `make run`) the
# Makefile parses once, and a missing manifest is prepared here rather than failing the import.
dbt_project.prepare_if_dev()
if not dbt_project.manifest_path.exists():
    dbt_project.preparer.prepare(dbt_project)


class LedgerDbtCli(DbtCliResource):
    """dbt's CLI, without two start-up costs dagster-dbt pays before every command (measured 4 s of
    a 4-document run): it runs `dbt --version` in a subprocess to learn the CLI's version, and it
    loads dbt's adapter and macros into this process, which only its fetch_row_counts and column
    metadata helpers use. This project reads row counts itself, and the dbt it runs is this venv's
    own, so its version is dbt-core's. (dagster-dbt is pinned; the pipeline tests cover both hooks.)"""

    @cached_property
    def _cli_version(self):  # noqa: ANN202 - overrides dagster-dbt's property of the same type
        from packaging.version import Version

        return Version(version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:
        return None


def build_resources() -> dict:
    return {
        "alerts": RunAlerts(),
        "warehouse": Warehouse(),
        "dbt": LedgerDbtCli(project_dir=dbt_project, profiles_dir=str(settings.DBT_PROJECT_DIR)),
    }
