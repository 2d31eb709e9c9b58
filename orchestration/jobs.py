"""The one job: ingest, dbt build, every gate and the publish, over all assets."""

from dagster import AssetSelection, define_asset_job

refresh_warehouse = define_asset_job(
    name="refresh_warehouse",
    selection=AssetSelection.all(),
    description="Validate and load the source files into the build database, build every dbt model with its tests, run every "
    "Great Expectations gate and, only if all passed, publish the marts to the file BI reads.",
)
