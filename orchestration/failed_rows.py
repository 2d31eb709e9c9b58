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
    """'claim_fact_id d000.x, facts/000.jsonl line 7: status inconsistent, expected_status consistent':
    the key first (a source file and line as such), then every other value of the row."""
    named = [f"{column} {_text(row[column])}" for column in key if column in row and column not in ("source_file", "source_line")]
    if "source_file" in row:
        named.append(f"{row['source_file']}" + (f" line {_text(row['source_line'])}" if "source_line" in row else ""))
    found = [f"{column} {_text(value)}" for column, value in row.items() if column not in key]
    return ", ".join(named) + (": " + ", ".join(found) if found else "")


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
    return None if isinstance(value, float) and math.isnan(value) else value
