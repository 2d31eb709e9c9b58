"""dbt models as assets (staging, intermediate, marts) and dbt tests as asset checks."""

from collections.abc import Iterator, Mapping
from typing import Any

from dagster import AssetCheckResult, AssetExecutionContext, AssetKey, AssetSpec, Failure, MetadataValue, Output
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject, dbt_assets

from . import settings
from .metadata import metadata_table
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


def _with_table_metadata(context: AssetExecutionContext, events: list, warehouse: Warehouse) -> list:
    """Row counts for every model and a preview of every mart. dbt holds the DuckDB file while it
    runs, so this reads it afterwards, once, read-only."""
    outputs = [e for e in events if isinstance(e, Output)]
    if not outputs:
        return events
    enriched = {}
    with warehouse.connect(read_only=True) as con:
        for event in outputs:
            table = ".".join(context.asset_key_for_output(event.output_name).path)
            metadata = {"dagster/row_count": con.execute(f"select count(*) from {table}").fetchone()[0]}
            if table.startswith("marts."):
                metadata["preview"] = _table_preview(con, table)
            enriched[id(event)] = event.with_metadata({**event.metadata, **metadata})
    return [enriched.get(id(e), e) for e in events]


def _logging_progress(context: AssetExecutionContext, stream: Iterator) -> Iterator:
    """Pass dbt's events through, logging 'model k of n' and 'tests k of m' as they come: the
    events themselves are held back until dbt has finished (see _with_table_metadata)."""
    models, tests = len(context.selected_asset_keys), len(context.selected_asset_check_keys)
    built = checked = 0
    for event in stream:
        if isinstance(event, Output):
            built += 1
            key = context.asset_key_for_output(event.output_name).to_user_string()
            context.log.info(f"dbt: model {built} of {models} built ({key}); tests {checked} of {tests} run")
        elif isinstance(event, AssetCheckResult):
            checked += 1
        yield event


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=translator,
    name="dbt_models",
    pool=settings.WRITER_POOL,
)
def dbt_models(context: AssetExecutionContext, dbt: DbtCliResource, warehouse: Warehouse):
    """Builds staging views, intermediate views and contract-enforced mart tables with `dbt build`;
    each dbt test is reported as an asset check, and a failing test skips the models after it."""
    settings.export_for_dbt()
    invocation = dbt.cli(["build"], context=context, raise_on_error=False)
    events = list(_logging_progress(context, invocation.stream()))
    yield from _with_table_metadata(context, events, warehouse)
    if not invocation.is_successful():
        failed = [e for e in events if isinstance(e, AssetCheckResult) and not e.passed]
        names = ", ".join(f"{e.asset_key.to_user_string()}:{e.check_name}" for e in failed[:10])
        raise Failure(
            description=f"dbt build failed ({len(failed)} failing test(s){': ' + names if names else ''}); "
            "see the dbt logs in this step for the first error"
        )
