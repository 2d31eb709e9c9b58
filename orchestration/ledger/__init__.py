"""Plain-Python core of the ledger: reading, validating and loading the source files.

Nothing here imports Dagster, dbt or Great Expectations, so it is quick to import and to test."""
