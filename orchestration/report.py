"""The report: charts of what BI sees, drawn from the published warehouse after each publish."""

from pathlib import Path

import duckdb
from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from . import settings
from .gx_suites import build_data_docs_index
from .ledger import charts
from .publish import PUBLISHED_KEY


def report_dir() -> Path:
    return settings.data_dir() / "report"


@asset(key=AssetKey(["report", "charts"]), deps=[PUBLISHED_KEY], group_name="report", kinds={"matplotlib", "html"})
def report_charts(context: AssetExecutionContext) -> MaterializeResult:
    """Charts of the published warehouse, as PNG files and one HTML page that shows them (open
    `index`): funding by period, market size series with projections marked, rankings, and the claim
    audit (stated against recomputed). chart_data.json holds exactly the series each chart draws.
    It only reads the published file, as any BI reader does, so it needs no writer lock. It also
    renders the index of the Great Expectations Data Docs (`gx_data_docs_index`): every stored
    validation, the gates this version passed among them."""
    with duckdb.connect(str(settings.warehouse_path()), read_only=True) as con:
        drawn = charts.collect(con)
        cursor = con.execute("select run_id, version_id, published_at_utc from meta.publication")
        about = dict(zip([d[0] for d in cursor.description], cursor.fetchone(), strict=True))
    context.log.info(f"drawing {len(drawn)} charts of version {about['version_id']}")
    files = charts.write_report(drawn, report_dir(), about)
    data_docs = build_data_docs_index(settings.data_dir() / "gx")
    return MaterializeResult(
        metadata={
            "index": MetadataValue.path(str(files["index"])),
            "open_in_browser": MetadataValue.url(files["index"].as_uri()),
            "gx_data_docs_index": MetadataValue.path(str(data_docs)),
            **{name: MetadataValue.path(str(path)) for name, path in files.items() if name != "index"},
            "version_id": about["version_id"],
        }
    )
