"""dbt's documentation site, for browsing models, columns, tests and lineage."""

import shutil

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset
from dagster_dbt import DbtCliResource

from . import settings
from .alerts import RunAlerts
from .publish import PUBLISHED_KEY
from .resources import Warehouse


@asset(key=AssetKey(["report", "dbt_docs"]), deps=[PUBLISHED_KEY], group_name="report", kinds={"dbt", "html"}, pool=settings.WRITER_POOL)
def dbt_docs(context: AssetExecutionContext, dbt: DbtCliResource, warehouse: Warehouse, alerts: RunAlerts) -> MaterializeResult:
    """`dbt docs generate --static` over the build database: one self-contained HTML page (open
    `index`) with every model, column and test and its description, and the lineage graph from the
    raw sources through staging and intermediate to the marts. Built by the `build_docs` job
    (`make docs`), not by every refresh: generating the catalog costs a dbt parse and a scan of the
    warehouse's schema."""
    warehouse.settings.export_for_dbt()
    invocation = dbt.cli(["docs", "generate", "--static"], raise_on_error=True)
    invocation.wait()
    target = warehouse.settings.dbt_docs_dir()
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(invocation.target_path / "static_index.html", target / "index.html")
    for name in ("manifest.json", "catalog.json"):
        shutil.copyfile(invocation.target_path / name, target / name)
    context.log.info(f"dbt docs written to {target}")
    return MaterializeResult(
        metadata={
            "index": MetadataValue.path(str(target / "index.html")),
            "open_in_browser": MetadataValue.url((target / "index.html").as_uri()),
        }
    )
