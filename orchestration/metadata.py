"""Rows as a table in the Dagster UI (asset previews, ingest violations, failed expectations)."""

from collections.abc import Iterable, Sequence

from dagster import MetadataValue, TableColumn, TableRecord, TableSchema


def _cell(value):
    # TableRecord takes scalars only; dates, decimals and lists are shown as text.
    return value if value is None or isinstance(value, (int, float, bool, str)) else str(value)


def metadata_table(columns: Sequence[str], rows: Iterable[Sequence]) -> MetadataValue:
    return MetadataValue.table(
        records=[TableRecord({c: _cell(v) for c, v in zip(columns, row, strict=True)}) for row in rows],
        schema=TableSchema(columns=[TableColumn(c) for c in columns]),
    )
