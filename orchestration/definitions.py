"""ai-market-ledger, table of contents.

Write:   ingest (raw.*) -> dbt: staging -> intermediate -> marts, all in a private build database
Audit:   dbt tests and Great Expectations suites, as blocking asset checks
Publish: only if every gate passed, a new read-only version of the file BI reads (published/warehouse)
Report:  charts of the published marts, PNG and HTML (report/charts); dbt docs (report/dbt_docs, job build_docs)
Runs: daily schedule, a sensor on sources/; every failed run records an alert, a sensor delivers it; one writer at a time."""

from dagster import Definitions, in_process_executor

from .checks import build_gx_checks
from .dbt_assets import dbt_models
from .docs import dbt_docs
from .jobs import build_docs, refresh_warehouse
from .publish import published_warehouse
from .report import report_charts
from .resources import build_resources
from .schedules import daily_refresh
from .sensors import deliver_alerts, source_files_changed
from .sources import ingest_sources

defs = Definitions(
    assets=[ingest_sources, dbt_models, published_warehouse, report_charts, dbt_docs],
    asset_checks=build_gx_checks(),
    jobs=[refresh_warehouse, build_docs],
    schedules=[daily_refresh],
    sensors=[source_files_changed, deliver_alerts],
    resources=build_resources(),
    # One process for the whole run: DuckDB admits one writer, and GX/dbt start-up is paid once.
    executor=in_process_executor,
)
