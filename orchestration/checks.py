"""Great Expectations gates: one blocking asset check per suite file in expectations/.

dagster-ge supports only GX < 1.0, so this small factory turns each suite into an @asset_check on
the table it names. A failing suite fails the check with ERROR severity, which stops the run and
skips everything downstream; the check's metadata lists each failed expectation with what was
expected and what was observed."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetKey,
    MetadataValue,
    asset_check,
)

from . import settings
from .alerts import RunAlerts
from .failed_rows import describe_failure, row_table
from .gx_suites import Suite, load_suites, run_suite
from .metadata import metadata_table
from .resources import Warehouse
from .spark import SparkEngine


@contextmanager
def _gated_table(suite: Suite, warehouse: Warehouse, engine: SparkEngine) -> Iterator[tuple[list[str], Any, int]]:
    """(columns, frame, rows) of the table a suite gates, with only the columns it reads: a pandas
    DataFrame from the build database, or on the Spark engine a Spark DataFrame of dbt-spark's files,
    cached while the suite runs (GX reads it once per expectation) and released after it."""
    if warehouse.settings.engine_name() != "spark":
        with warehouse.connect(read_only=True) as con:
            columns = suite.columns_needed([d[0] for d in con.sql(f"select * from {suite.table} limit 0").description])
            quoted = ", ".join('"' + column.replace('"', '""') + '"' for column in columns)
            frame = con.sql(f"select {quoted} from {suite.table}").df()
        yield columns, frame, len(frame)
        return
    table = engine.read_table(warehouse.settings.spark_dir(), suite.table)
    columns = suite.columns_needed(table.columns)
    frame = table.select(*columns).cache()
    try:
        yield columns, frame, frame.count()
    finally:
        frame.unpersist()


def build_gx_check(suite: Suite, position: str = "") -> AssetChecksDefinition:
    @asset_check(
        asset=AssetKey(suite.asset_key_path),
        name=f"gx_{suite.name}",
        description=f"Great Expectations suite expectations/{suite.path.name}: {suite.description}",
        blocking=True,
        pool=settings.WRITER_POOL,
    )
    def _check(context: AssetCheckExecutionContext, warehouse: Warehouse, spark: SparkEngine, alerts: RunAlerts) -> AssetCheckResult:
        with _gated_table(suite, warehouse, spark) as (columns, frame, rows):
            outcome = run_suite(suite, frame, warehouse.settings.gx_dir(), context.run.run_id)
        met = outcome.evaluated - len(outcome.failures)
        context.log.info(f"GX suite {position} {suite.name}: {met}/{outcome.evaluated} expectations met")
        failures = [describe_failure(f, suite.row_key) for f in outcome.failures]
        for failure in failures:
            context.log.error(f"GX suite {suite.name} failed: {failure}")
        return AssetCheckResult(
            passed=outcome.success,
            severity=AssetCheckSeverity.ERROR,
            description=None if outcome.success else "; ".join(failures[:5]),
            metadata={
                "suite_file": str(suite.path),
                "data_docs_page": MetadataValue.path(str(outcome.docs_page)),
                "data_docs_url": MetadataValue.url(outcome.docs_page.as_uri()),
                "expectations_evaluated": outcome.evaluated,
                "expectations_failed": len(outcome.failures),
                "rows_validated": rows,
                "columns_validated": ", ".join(columns),
                "failed_expectations": metadata_table(
                    ["expectation", "column", "expected", "observed", "why"],
                    [(f.expectation, f.column, f.expected, f.observed, f.why) for f in outcome.failures],
                ),
                "failed_rows": metadata_table(*row_table(outcome.failures, suite.row_key)),
            },
        )

    return _check


def build_gx_checks(folder: Path | None = None) -> list[AssetChecksDefinition]:
    suites = load_suites(folder or settings.expectations_dir())
    return [build_gx_check(suite, f"{number} of {len(suites)}") for number, suite in enumerate(suites, 1)]
