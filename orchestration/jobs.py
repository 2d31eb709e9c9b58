"""Jobs: the refresh (ingest, dbt build, every gate, the publish and the report) and the dbt docs."""

from dagster import AssetKey, AssetSelection, define_asset_job

DBT_DOCS = AssetSelection.assets(AssetKey(["report", "dbt_docs"]))

refresh_warehouse = define_asset_job(
    name="refresh_warehouse",
    selection=AssetSelection.all() - DBT_DOCS,
    description="Validate and load the source files into the build database, build every dbt model with its tests, run every "
    "Great Expectations gate and, only if all passed, publish the marts to the file BI reads; then draw the report.",
)

build_docs = define_asset_job(
    name="build_docs",
    selection=DBT_DOCS,
    description="Generate dbt's documentation site (models, columns, tests, lineage) from the build database.",
)
