"""Where things live. Every path can be moved with an environment variable; the defaults keep
everything inside the project so that `make run` works on a fresh clone."""

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"


def _env_path(variable: str, default: Path) -> Path:
    return Path(os.environ.get(variable) or default).resolve()


def sources_dir() -> Path:
    """Documents, article-derived facts, exclusions and reference lists."""
    return _env_path("AI_MARKET_SOURCES", PROJECT_ROOT / "sources")


def data_dir() -> Path:
    """Generated data: the warehouse, alerts, validation results."""
    return _env_path("AI_MARKET_DATA_DIR", PROJECT_ROOT / "data")


def warehouse_path() -> Path:
    """The DuckDB file BI tools read."""
    return _env_path("AI_MARKET_DUCKDB", data_dir() / "ai_market.duckdb")


def expectations_dir() -> Path:
    """Great Expectations suites, one JSON file per gated table."""
    return _env_path("AI_MARKET_EXPECTATIONS", PROJECT_ROOT / "expectations")


def export_for_dbt() -> None:
    """dbt runs as a subprocess and reads the warehouse path from the environment (see
    dbt_project/profiles.yml); export the resolved absolute path so dbt and Python always agree."""
    os.environ["AI_MARKET_DUCKDB"] = str(warehouse_path())
