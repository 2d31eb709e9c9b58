"""Where things live, and the only module that reads the pipeline's environment variables.

Every function reads its variable when it is called, never when the module is imported. Inside a
run, code asks the LedgerSettings resource (resources.py), whose unset fields resolve through these
functions; outside a run (the CLI before Dagster is imported, `rollback`, `versions`) code calls them
directly. The defaults keep everything inside the project so that `make run` works on a fresh clone."""

import os
import re
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
# Every step that writes the build database or the published warehouse is in this Dagster pool; the
# instance (dagster.yaml) limits it to one run at a time, so queued runs wait for each other.
WRITER_POOL = "ai_market_warehouse"


def absolute(path: str | Path) -> Path:
    # Absolute but not resolved: the published warehouse is a link that must stay a link.
    return Path(os.path.abspath(os.path.expanduser(path)))


def _env_path(variable: str, default: Path) -> Path:
    return absolute(os.environ.get(variable) or default)


def sources_dir() -> Path:
    """Documents, article-derived facts, exclusions and reference lists."""
    return _env_path("AI_MARKET_SOURCES", PROJECT_ROOT / "sources")


def data_dir() -> Path:
    """Generated data: the warehouse, alerts, validation results."""
    return _env_path("AI_MARKET_DATA_DIR", PROJECT_ROOT / "data")


def warehouse_path(data: Path | None = None) -> Path:
    """The published DuckDB file BI tools read: a link to the current version, replaced atomically by
    each successful run (see ledger/publishing.py). `data`: the data folder, if not data_dir()."""
    return _env_path("AI_MARKET_DUCKDB", (data or data_dir()) / "ai_market.duckdb")


def report_dir(data: Path | None = None) -> Path:
    """The report: charts of the published warehouse (PNG, chart_data.json, index.html)."""
    return (data or data_dir()) / "report"


def build_path(data: Path | None = None) -> Path:
    """The private build database every run writes, tests and audits before anything is published.
    Only the pipeline opens it."""
    return _env_path("AI_MARKET_BUILD_DUCKDB", (data or data_dir()) / "build" / "ai_market.duckdb")


ENGINES = ("duckdb", "spark")


def engine() -> str:
    """What dbt builds the models on (AI_MARKET_ENGINE): duckdb, the embedded default, or spark
    (docs/spark.md). The ingest, the gates and the publish are the same on both."""
    value = (os.environ.get("AI_MARKET_ENGINE") or "duckdb").lower()
    if value not in ENGINES:
        raise ValueError(f"AI_MARKET_ENGINE={value!r}: expected one of {', '.join(ENGINES)}")
    return value


def spark_dir(build: Path | None = None) -> Path:
    """The Spark engine's build folder beside the build database: the raw tables as Parquet (raw/),
    the tables dbt builds (warehouse/<schema>.db/<table>/) and their Derby metastore."""
    return (build or build_path()).parent / "spark"


def spark_master() -> str:
    """Where the Spark engine runs (AI_MARKET_SPARK_MASTER): pyspark's local master by default;
    dbt's profile reads the same variable."""
    return os.environ.get("AI_MARKET_SPARK_MASTER") or "local[*]"


def spark_driver_memory() -> str:
    """The local Spark driver's memory (AI_MARKET_SPARK_DRIVER_MEMORY) for the gates' session;
    dbt's profile reads the same variable with the same default. On the local master the driver
    runs every task, so its heap holds the gates' scans (at 10M facts 1g, Spark's own, ran out)."""
    return os.environ.get("AI_MARKET_SPARK_DRIVER_MEMORY") or "2g"


def spark_shuffle_partitions() -> str:
    """Spark's shuffle partitions (AI_MARKET_SPARK_SHUFFLE_PARTITIONS) for dbt's session and the
    gates'; Spark's own 200 would cut a local run's small tables into 200 tasks each."""
    return os.environ.get("AI_MARKET_SPARK_SHUFFLE_PARTITIONS") or "4"


def dbt_target_path(build: Path | None = None) -> Path:
    """dbt's target folder for pipeline runs: one fixed folder beside the build database, so dbt's
    partial-parse state (valid for this build path) stays warm from one run to the next."""
    return (build or build_path()).with_name("dbt_target")


def duckdb_memory_limit() -> str:
    """DuckDB's memory limit for the pipeline's own connections and for dbt's (profiles.yml reads
    the same variable). DuckDB's default is 80% of the machine; past this limit it spills to disk."""
    return os.environ.get("AI_MARKET_DUCKDB_MEMORY_LIMIT") or "1GB"


def keep_versions(value: int | None = None) -> int:
    """How many published versions stay on disk for rollback (at least two: current and previous)."""
    return max(2, value or int(os.environ.get("AI_MARKET_KEEP_VERSIONS") or 5))


def storage_version() -> str:
    """DuckDB storage format of the published file. v1.0.0 opens in every DuckDB client from 1.0 on;
    DuckDB 2.0's own default format is refused by 1.x readers."""
    value = os.environ.get("AI_MARKET_STORAGE_VERSION") or "v1.0.0"
    if not re.fullmatch(r"v\d+\.\d+\.\d+", value):
        raise ValueError(f"AI_MARKET_STORAGE_VERSION={value!r}: expected a DuckDB release such as 'v1.0.0'")
    return value


def sensor_interval_seconds() -> int:
    """How often the sensors look (AI_MARKET_SENSOR_INTERVAL_SECONDS); read when the definitions load."""
    return int(os.environ.get("AI_MARKET_SENSOR_INTERVAL_SECONDS") or 30)


def schedule_cron() -> str:
    """When the daily refresh runs (AI_MARKET_SCHEDULE_CRON); read when the definitions load."""
    return os.environ.get("AI_MARKET_SCHEDULE_CRON") or "0 6 * * *"


def schedule_timezone() -> str:
    """The time zone of the schedule's cron expression (AI_MARKET_SCHEDULE_TZ); read when the definitions load."""
    return os.environ.get("AI_MARKET_SCHEDULE_TZ") or "UTC"


def expectations_dir() -> Path:
    """Great Expectations suites, one JSON file per gated table. Each becomes an asset check, so this
    is read when the definitions load."""
    return _env_path("AI_MARKET_EXPECTATIONS", PROJECT_ROOT / "expectations")


DBT_FILE_LOG_LEVELS = ("none", "error", "warn", "info", "debug")


def dbt_file_log_level(value: str | None = None) -> str:
    """What dbt writes to dbt.log in its target folder. Dagster already stores dbt's events (its
    JSON lines on stdout) in the run's log, so the debug file beside them (megabytes of JSON per
    build) is off by default. Set debug to see every SQL dbt sends."""
    value = (value or os.environ.get("AI_MARKET_DBT_FILE_LOG_LEVEL") or "none").lower()
    if value not in DBT_FILE_LOG_LEVELS:
        raise ValueError(f"AI_MARKET_DBT_FILE_LOG_LEVEL={value!r}: expected one of {', '.join(DBT_FILE_LOG_LEVELS)}")
    return value


def export_for_dbt(build: Path | None = None, file_log_level: str | None = None) -> None:
    """dbt runs as a subprocess and reads the build database's path from the environment (see
    dbt_project/profiles.yml). Export the resolved absolute path under a variable of dbt's own, set
    afresh before every dbt command, so that dbt and Python always agree and the export never
    overrides what AI_MARKET_DATA_DIR or AI_MARKET_BUILD_DUCKDB say later in the same process.
    The file log's level, the engine (the profile's target) and the Spark folder go the same way."""
    build = build or build_path()
    os.environ["AI_MARKET_DBT_BUILD_PATH"] = str(build)
    os.environ["DBT_LOG_LEVEL_FILE"] = dbt_file_log_level(file_log_level)
    os.environ["AI_MARKET_ENGINE"] = engine()
    os.environ["AI_MARKET_DBT_SPARK_DIR"] = str(spark_dir(build))
