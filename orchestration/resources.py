"""Resources: the pipeline's settings, the DuckDB warehouse, the gates' Spark session and the dbt CLI."""

import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache, cached_property
from importlib.metadata import version
from pathlib import Path

import duckdb
from dagster import ConfigurableResource, DagsterLogManager, DagsterRunStatus, InitResourceContext
from dagster_dbt import DbtCliResource, DbtProject
from pydantic import Field, PrivateAttr

from . import settings as environment
from .alerts import RunAlerts, record_alert, started_by
from .ledger import publishing
from .ledger.recovery import set_aside, take_writer, unreadable
from .ledger.writer_lock import WriterLock
from .spark import SparkEngine


class LedgerSettings(ConfigurableResource):
    """Where a run reads and writes, and how it publishes. Every step reads these through this
    resource. A field left unset (the default) is read from its environment variable when the run
    asks for it, not when the code loads, and falls back to the project's default (settings.py);
    a field set in the run's config (resources.settings.config) wins over the environment.

    Three settings are the environment's only, because something outside a run's Python reads them
    too: AI_MARKET_DUCKDB_MEMORY_LIMIT (dbt's profile), and AI_MARKET_STORAGE_VERSION and
    AI_MARKET_ENGINE (build inputs the CLI compares before Dagster is imported; the engine is also
    the profile's target)."""

    sources_dir: str | None = Field(default=None, description="Source files (default: AI_MARKET_SOURCES, else sources/).")
    data_dir: str | None = Field(default=None, description="Generated data (default: AI_MARKET_DATA_DIR, else data/).")
    published_path: str | None = Field(
        default=None, description="The published DuckDB file BI reads (default: AI_MARKET_DUCKDB, else <data>/ai_market.duckdb)."
    )
    build_path: str | None = Field(
        default=None,
        description="The private build database (default: AI_MARKET_BUILD_DUCKDB, else <data>/build/ai_market.duckdb).",
    )
    keep_versions: int | None = Field(
        default=None, description="Published versions kept for rollback, at least 2 (default: AI_MARKET_KEEP_VERSIONS, else 5)."
    )
    dbt_file_log_level: str | None = Field(
        default=None, description="What dbt writes to its dbt.log (default: AI_MARKET_DBT_FILE_LOG_LEVEL, else none)."
    )

    def sources(self) -> Path:
        return environment.absolute(self.sources_dir) if self.sources_dir else environment.sources_dir()

    def data(self) -> Path:
        return environment.absolute(self.data_dir) if self.data_dir else environment.data_dir()

    def published(self) -> Path:
        return environment.absolute(self.published_path) if self.published_path else environment.warehouse_path(self.data())

    def build(self) -> Path:
        return environment.absolute(self.build_path) if self.build_path else environment.build_path(self.data())

    def report_dir(self) -> Path:
        return environment.report_dir(self.data())

    def gx_dir(self) -> Path:
        """Great Expectations' project folder: stored validations and Data Docs."""
        return self.data() / "gx"

    def dbt_docs_dir(self) -> Path:
        return self.data() / "docs" / "dbt"

    def layout(self) -> publishing.Layout:
        return publishing.Layout(self.published())

    def publication_format(self) -> tuple[str, int]:
        """(DuckDB storage version, versions kept) of what the publish writes."""
        return environment.storage_version(), environment.keep_versions(self.keep_versions)

    def dbt_target_path(self) -> Path:
        # one folder per engine: dbt's partial-parse state is valid for one profile target only
        target = environment.dbt_target_path(self.build())
        return target if self.engine_name() == "duckdb" else target.with_name(f"{target.name}_{self.engine_name()}")

    def engine_name(self) -> str:
        return environment.engine()

    def spark_dir(self) -> Path:
        return environment.spark_dir(self.build())

    def export_for_dbt(self) -> None:
        """Before every dbt command: the build database's path, the file log's level and the engine, for dbt."""
        environment.export_for_dbt(self.build(), self.dbt_file_log_level)


class Warehouse(ConfigurableResource):
    """The private build database a run writes, and the published warehouse BI reads.

    For the whole run it holds the writer lock, so no other run can write the build database beside
    it; if the previous holder died (kill -9, OOM), it first removes what that run left behind and
    marks that run failed, and a build database that cannot be opened or read is set aside, so that
    the run rebuilds it from the sources. DuckDB allows one writing process and no reader beside it, so every
    connection to the build database is opened for the shortest time and closed again. Its paths
    are those of `settings`, the same LedgerSettings every step reads."""

    settings: LedgerSettings
    _lock: WriterLock | None = PrivateAttr(default=None)

    def published(self) -> Path:
        return self.settings.published()

    def build(self) -> Path:
        return self.settings.build()

    def layout(self) -> publishing.Layout:
        return self.settings.layout()

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection to the build database."""
        path = self.build()
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = duckdb.connect(str(path), read_only=read_only, config={"memory_limit": environment.duckdb_memory_limit()})
        try:
            yield connection
        finally:
            connection.close()

    def setup_for_execution(self, context: InitResourceContext) -> None:
        self._lock, dead, cleaned = take_writer(self.build(), self.layout(), context.run.run_id)
        if why := unreadable(self.build(), environment.duckdb_memory_limit()):
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
        why = unreadable(self.build(), environment.duckdb_memory_limit(), every_table=True)
        if why is None:
            return False
        log.warning(f"{set_aside(self.build(), why)}, and {then}")
        return True

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        if self._lock:
            self._lock.release()


@cache
def dbt_project() -> DbtProject:
    """The dbt project, with its manifest: under `dagster dev` it is re-parsed on every reload;
    elsewhere (tests, `make run`) the Makefile parses once, and a missing manifest is prepared here."""
    # dbt is a console script of this venv; dagster-dbt (including its manifest preparer) looks it
    # up on PATH, which an unactivated venv does not provide.
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"
    project = DbtProject(project_dir=environment.DBT_PROJECT_DIR, profiles_dir=environment.DBT_PROJECT_DIR)
    project.prepare_if_dev()
    if not project.manifest_path.exists():
        project.preparer.prepare(project)
    return project


class LedgerDbtCli(DbtCliResource):
    """dbt's CLI. Kept, as measured (docs/performance.md), because it still pays: it overrides two
    private members of dagster-dbt (pinned; the pipeline tests cover both) to skip work it does
    before every command that this project never uses: a `dbt --version` subprocess (which imports
    dbt and its adapters and asks PyPI for the latest release) to learn a version that is this
    venv's dbt-core, and loading dbt's adapter and macros into this process, which only dagster-dbt's
    row-count and column-metadata helpers need (this project reads row counts itself)."""

    @cached_property
    def _cli_version(self):  # noqa: ANN202 - overrides dagster-dbt's property of the same type
        from packaging.version import Version

        return Version(version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:
        return None


def build_resources() -> dict:
    # Configured at launch, so that settings given in a run's config reach the Warehouse too.
    ledger_settings = LedgerSettings.configure_at_launch()
    return {
        "settings": ledger_settings,
        "alerts": RunAlerts(),
        "warehouse": Warehouse(settings=ledger_settings),
        "spark": SparkEngine(),
        "dbt": LedgerDbtCli(project_dir=dbt_project(), profiles_dir=str(environment.DBT_PROJECT_DIR)),
    }
