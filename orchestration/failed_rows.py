"""A failed expectation said the way a curator can act on it: which rows, named by their key, and
what was found in them. The check's description, its run-log line and the CLI's summary use it."""

import math
from collections.abc import Sequence

from .gx_suites import ExpectationOutcome

ROWS_NAMED = 5


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "null"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def describe_row(row: dict, key: Sequence[str]) -> str:
    """'claim_fact_id d000.x (facts/000.jsonl line 8): status inconsistent, expected_status consistent':
    the key's first column and where the row comes from, then every other value, the key's first."""
    place = ("source_file", "source_line")
    first = next((column for column in key if column in row and column not in place), None)
    head = f"{first} {_text(row[first])}" if first else "row"
    if "source_file" in row:
        line = f" line {_text(row['source_line'])}" if "source_line" in row else ""
        head += f" ({row['source_file']}{line})"
    ordered = [c for c in key if c in row] + [c for c in row if c not in key]
    found = [f"{column} {_text(row[column])}" for column in ordered if column != first and column not in place]
    return head + (": " + ", ".join(found) if found else "")


def describe_failure(outcome: ExpectationOutcome, key: Sequence[str]) -> str:
    """One line: the expectation and its column, then its failing rows (the first few) or, for an
    expectation about the whole table, what was observed."""
    head = f"{outcome.expectation}({outcome.column})"
    if not outcome.rows:
        return f"{head} observed {outcome.observed}"
    rows = "; ".join(describe_row(row, key) for row in outcome.rows[:ROWS_NAMED])
    more = f"; and {outcome.unexpected_count - ROWS_NAMED} more" if outcome.unexpected_count > ROWS_NAMED else ""
    return f"{head}: {outcome.unexpected_count} row(s) failed: {rows}{more}"


def row_table(outcomes: Sequence[ExpectationOutcome], key: Sequence[str]) -> tuple[list[str], list[tuple]]:
    """(columns, rows) of every failing row kept: the expectation, the row's key and what it held."""
    columns = ["expectation", "column", *key, "found"]
    rows = []
    for outcome in outcomes:
        for row in outcome.rows:
            found = ", ".join(f"{c} {_text(v)}" for c, v in row.items() if c not in key)
            rows.append((outcome.expectation, outcome.column, *(_cell(row.get(c)) for c in key), found))
    return columns, rows


def _cell(value: object) -> object:
    """A plain Python scalar (Dagster's metadata takes no numpy types); NaN as null."""
    value = value.item() if hasattr(value, "item") else value
    return None if isinstance(value, float) and math.isnan(value) else value
