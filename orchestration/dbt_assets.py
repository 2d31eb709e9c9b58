"""dbt models as assets (staging, intermediate, marts) and dbt tests as asset checks."""

import importlib
import threading
from collections.abc import Iterator, Mapping
from typing import Any

from dagster import AssetCheckResult, AssetExecutionContext, AssetKey, AssetSpec, Failure, MetadataValue, Output
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject, dbt_assets

from . import dbt_state, settings, spark
from .alerts import RunAlerts
from .metadata import metadata_table
from .provenance import step_code
from .resources import Warehouse, dbt_project
from .schedules import DAILY_FRESHNESS

PREVIEW_ROWS = 25


class LedgerTranslator(DagsterDbtTranslator):
    """Models are keyed by schema and name (marts/funding_by_period) and grouped by layer."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "model":
            return AssetKey([dbt_resource_props["config"]["schema"], dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None) -> AssetSpec:
        """Marts declare the daily freshness policy (visible in the UI, evaluated by the daemon)."""
        spec = super().get_asset_spec(manifest, unique_id, project)
        return spec.replace_attributes(freshness_policy=DAILY_FRESHNESS) if spec.key.path[0] == "marts" else spec

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "model":
            return dbt_resource_props["config"]["schema"]
        return super().get_group_name(dbt_resource_props)


translator = LedgerTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


def _table_preview(con, table: str) -> MetadataValue:
    cursor = con.execute(f"select * from {table} limit {PREVIEW_ROWS}")
    return metadata_table([d[0] for d in cursor.description], cursor.fetchall())


def _with_table_metadata(context: AssetExecutionContext, outputs: list[Output], warehouse: Warehouse) -> list[Output]:
    """Row counts for every model and a preview of every mart. dbt holds the DuckDB file while it
    runs, so this reads it afterwards, once, read-only; on Spark it reads the tables' Parquet files
    (a Spark view has no rows of its own, and no count)."""
    if not outputs:
        return outputs
    on_spark = warehouse.settings.engine_name() == "spark"
    enriched = []
    with warehouse.connect(read_only=True) as con:
        for event in outputs:
            relation = ".".join(context.asset_key_for_output(event.output_name).path)
            table = relation
            if on_spark:
                spark_dir = warehouse.settings.spark_dir()
                table = spark.duckdb_relation(spark_dir, relation) if spark.table_folder(spark_dir, relation).is_dir() else None
            metadata = {}
            if table:
                metadata["dagster/row_count"] = con.execute(f"select count(*) from {table}").fetchone()[0]
            if table and relation.startswith("marts."):
                metadata["preview"] = _table_preview(con, table)
            enriched.append(event.with_metadata({**event.metadata, **metadata}))
    return enriched


def _passing_through(context: AssetExecutionContext, stream: Iterator, outputs: list[Output]) -> Iterator:
    """dbt's test results and observations as they come, so Dagster stores them while dbt is still
    building; the models' outputs are kept in `outputs`, to be yielded with their row counts once
    dbt has finished. Logs 'model k of n' and 'tests k of m' on the way."""
    models, tests = len(context.selected_asset_keys), len(context.selected_asset_check_keys)
    checked = 0
    for event in stream:
        if isinstance(event, Output):
            outputs.append(event)
            key = context.asset_key_for_output(event.output_name).to_user_string()
            context.log.info(f"dbt: model {len(outputs)} of {models} built ({key}); tests {checked} of {tests} run")
            continue
        if isinstance(event, AssetCheckResult):
            checked += 1
        yield event


def _import_in_background(*modules: str) -> None:
    """dbt builds in a subprocess while this process mostly waits for its events; importing what the
    steps after it need (GX takes seconds, matplotlib about one) in that time takes it off the run."""
    threading.Thread(target=lambda: [importlib.import_module(m) for m in modules], name="warm-imports", daemon=True).start()


def _plan_build(context: AssetExecutionContext, warehouse: Warehouse, ingest_code: str) -> dbt_state.Plan:
    """`dbt build`, with --full-refresh when nothing vouches for the incremental models' rows, else
    after dropping the incremental models that changed or come after a model that did
    (dbt_state.py); those not in this run's selection are left as they are. On Spark every model
    is a table or a view built whole, so there is nothing to plan."""
    if warehouse.settings.engine_name() == "spark":
        context.log.info("Spark engine: every model is built whole; running dbt build")
        return dbt_state.Plan(full_refresh=False, rebuilt=(), why="every model is built whole on Spark")
    plan = dbt_state.plan(dbt_project().manifest_path, ingest_code, dbt_state.state_dir(warehouse.build()))
    selected = {".".join(key.path) for key in context.selected_asset_keys}
    dropped = tuple(relation for relation in plan.rebuilt if relation in selected)
    if dropped:
        with warehouse.connect() as con:
            dbt_state.drop_for_rebuild(con, dropped)
    context.log.info(f"{plan.why}; running dbt {' '.join(plan.arguments)}")
    return plan


@dbt_assets(
    manifest=dbt_project().manifest_path,
    project=dbt_project(),
    dagster_dbt_translator=translator,
    name="dbt_models",
    pool=settings.WRITER_POOL,
)
def dbt_models(context: AssetExecutionContext, dbt: DbtCliResource, warehouse: Warehouse, alerts: RunAlerts):
    """Builds staging views, intermediate tables and contract-enforced mart tables with `dbt build`;
    each dbt test is reported as an asset check, and a failing test skips the models after it. The
    per-fact models are incremental by document: only documents whose sources (or the rates and
    inputs they use) changed are rebuilt; every dbt test still runs over every row."""
    warehouse.settings.export_for_dbt()
    _import_in_background("great_expectations", "pandas", "matplotlib.figure", "matplotlib.backends.backend_agg")
    ingest_code = step_code("ingest")
    plan = _plan_build(context, warehouse, ingest_code)
    invocation = dbt.cli(plan.arguments, context=context, raise_on_error=False, target_path=warehouse.settings.dbt_target_path())
    outputs, failed = [], []
    for event in _passing_through(context, invocation.stream(), outputs):
        if isinstance(event, AssetCheckResult) and not event.passed:
            failed.append(event)
        yield event
    yield from _with_table_metadata(context, outputs, warehouse)
    if invocation.is_successful() and not context.is_subset and warehouse.settings.engine_name() == "duckdb":
        # only a build of every model vouches that no incremental model holds rows of older code
        dbt_state.remember(warehouse.settings.dbt_target_path(), ingest_code, dbt_state.state_dir(warehouse.build()))
    if not invocation.is_successful():
        # dbt reads the incremental models of earlier runs; if it failed on a damaged block of them,
        # every later build would too, so the database is set aside for the next run to rebuild.
        warehouse.set_aside_if_damaged(context.log, "the next run rebuilds it from the sources")
        names = ", ".join(f"{e.asset_key.to_user_string()}:{e.check_name}" for e in failed[:10])
        raise Failure(
            description=f"dbt build failed ({len(failed)} failing test(s){': ' + names if names else ''}); "
            "see the dbt logs in this step for the first error"
        )
