"""Row-for-row comparison of the marts of two published warehouses (the parity of the engines)."""

import math
from pathlib import Path

import duckdb

# Spark and DuckDB round the last bits of floating-point sums and quotients differently.
RELATIVE_TOLERANCE = 1e-9


def _sorted_rows(con: duckdb.DuckDBPyConnection, table: str) -> tuple[list[str], list[tuple]]:
    cursor = con.execute(f"select * from {table}")
    columns = [d[0] for d in cursor.description]
    return columns, sorted(cursor.fetchall(), key=lambda row: tuple((value is None, str(value)) for value in row))


def _same(left: object, right: object) -> bool:
    if isinstance(left, float) and isinstance(right, float):
        return math.isclose(left, right, rel_tol=RELATIVE_TOLERANCE, abs_tol=1e-12)
    return left == right


def mart_differences(left: Path, right: Path) -> dict[str, list[str]]:
    """Every mart of `left` against `right`, by mart: the columns, the row counts and each differing
    value, each as one line; a mart that agrees has an empty list."""
    con = duckdb.connect()
    con.execute(f"attach '{left}' as left_warehouse (read_only)")
    con.execute(f"attach '{right}' as right_warehouse (read_only)")
    marts = con.execute(
        "select table_name from duckdb_tables() where database_name = 'left_warehouse' and schema_name = 'marts' order by 1"
    ).fetchall()
    differences = {}
    for (mart,) in marts:
        left_columns, left_rows = _sorted_rows(con, f'left_warehouse.marts."{mart}"')
        right_columns, right_rows = _sorted_rows(con, f'right_warehouse.marts."{mart}"')
        found = []
        if left_columns != right_columns:
            found.append(f"columns {left_columns} != {right_columns}")
        if len(left_rows) != len(right_rows):
            found.append(f"{len(left_rows)} rows != {len(right_rows)} rows")
        for left_row, right_row in zip(left_rows, right_rows, strict=False):
            for column, a, b in zip(left_columns, left_row, right_row, strict=False):
                if not _same(a, b):
                    found.append(f"{column}: {a!r} != {b!r}")
        differences[mart] = found
    return differences
