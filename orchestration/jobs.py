"""The one job: ingest, dbt build and every gate, over all assets."""

from dagster import AssetSelection, define_asset_job

refresh_warehouse = define_asset_job(
    name="refresh_warehouse",
    selection=AssetSelection.all(),
    description="Validate and load the source files, build every dbt model with its tests, and run every Great Expectations gate.",
)
