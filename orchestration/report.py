"""The report: charts of what BI sees, drawn from the published warehouse after each publish."""

import duckdb
from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from .alerts import RunAlerts
from .gx_suites import build_data_docs_index, prune_validations
from .ledger import charts
from .provenance import step_code
from .publish import PUBLISHED_KEY
from .resources import LedgerSettings


@asset(key=AssetKey(["report", "charts"]), deps=[PUBLISHED_KEY], group_name="report", kinds={"matplotlib", "html"})
def report_charts(context: AssetExecutionContext, settings: LedgerSettings, alerts: RunAlerts) -> MaterializeResult:
    """Charts of the published warehouse, as PNG files and one HTML page that shows them (open
    `index`): funding by period, market size series with projections marked, rankings, and the claim
    audit (stated against recomputed). chart_data.json holds exactly the series each chart draws.
    It only reads the published file, as any BI reader does, so it needs no writer lock (nor the
    Warehouse resource, which takes it): its paths come from the settings resource. It also renders
    the index of the Great Expectations Data Docs (`gx_data_docs_index`): every stored validation
    since the run of the oldest version kept for rollback, the gates this version passed among them;
    results of earlier runs are deleted (`gx_runs_pruned`), none of them a run that could still be
    validating."""
    with duckdb.connect(str(settings.published()), read_only=True) as con:
        drawn = charts.collect(con)
        cursor = con.execute("select run_id, version_id, published_at_utc from meta.publication")
        about = dict(zip([d[0] for d in cursor.description], cursor.fetchone(), strict=True))
    about["report_code_sha256"] = step_code("report")  # a change to the report's code draws it again, and only it
    context.log.info(f"drawing {len(drawn)} charts of version {about['version_id']}")
    files = charts.write_report(drawn, settings.report_dir(), about)
    layout = settings.layout()
    gx_folder = settings.gx_dir()
    pruned = prune_validations(gx_folder, {layout.run_id(version) for version in layout.version_ids()})
    if pruned:
        context.log.info(f"pruned the Great Expectations results of {len(pruned)} runs older than the versions kept")
    data_docs = build_data_docs_index(gx_folder)
    return MaterializeResult(
        metadata={
            "index": MetadataValue.path(str(files["index"])),
            "open_in_browser": MetadataValue.url(files["index"].as_uri()),
            "gx_data_docs_index": MetadataValue.path(str(data_docs)),
            "gx_runs_pruned": len(pruned),
            **{name: MetadataValue.path(str(path)) for name, path in files.items() if name != "index"},
            "version_id": about["version_id"],
        }
    )
