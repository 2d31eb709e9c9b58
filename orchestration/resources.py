"""Resources: the DuckDB warehouse and the dbt CLI, both configured from environment variables with
project-local defaults (see settings.py)."""

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from dagster import ConfigurableResource
from dagster_dbt import DbtCliResource, DbtProject

from . import settings


class DuckDBWarehouse(ConfigurableResource):
    """The warehouse file. DuckDB allows one writing process and no other process beside it, so
    every connection is opened for the shortest time and closed again."""

    path: str | None = None

    def resolved_path(self) -> Path:
        return Path(self.path).resolve() if self.path else settings.warehouse_path()

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        path = self.resolved_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = duckdb.connect(str(path), read_only=read_only)
        try:
            yield connection
        finally:
            connection.close()


# dbt is a console script of this venv; dagster-dbt (including its manifest preparer under
# `dagster dev`) looks it up on PATH, which an unactivated venv does not provide.
os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"

dbt_project = DbtProject(project_dir=settings.DBT_PROJECT_DIR, profiles_dir=settings.DBT_PROJECT_DIR)
# Under `dagster dev` the manifest is re-parsed on every reload; elsewhere (tests, `make run`) the
# Makefile parses once, and a missing manifest is prepared here rather than failing the import.
dbt_project.prepare_if_dev()
if not dbt_project.manifest_path.exists():
    dbt_project.preparer.prepare(dbt_project)


def build_resources() -> dict:
    return {
        "warehouse": DuckDBWarehouse(),
        "dbt": DbtCliResource(project_dir=dbt_project, profiles_dir=str(settings.DBT_PROJECT_DIR)),
    }
