"""Structure checks: every line is a JSON object that satisfies its JSON Schema."""

import json
import re
from pathlib import Path

import duckdb
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from .schema_sql import schema_predicate
from .violations import Violation

_QUOTED = re.compile(r"'([^']+)'")
_SAFE_TABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?")


def load_validator(schema_path: Path) -> Draft202012Validator:
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


def _field_of(error: ValidationError) -> str:
    """The field a curator has to edit: the failing path, or the property a message names."""
    path = ".".join(str(part) for part in error.absolute_path)
    if error.validator in ("required", "additionalProperties", "dependentRequired"):
        named = _QUOTED.search(error.message)
        if named:
            return f"{path}.{named.group(1)}" if path else named.group(1)
    return path or "(record)"


def _leaf_errors(error: ValidationError) -> list[ValidationError]:
    # if/then and allOf wrap the useful error in context; report what actually failed.
    if error.context:
        return [leaf for sub in error.context for leaf in _leaf_errors(sub)]
    return [error]


def parse_and_check(rows: list[tuple[str, int, str]], validator: Draft202012Validator) -> tuple[list[dict], list[Violation]]:
    """Parse (file, row, line) triples; return the records (with _file/_row) and the violations."""
    records, problems = [], []
    for source_file, line_number, line in rows:
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            problems.append(
                Violation(source_file, line_number, "(record)", "valid_json", f"not valid JSON: {error.msg} at column {error.colno}")
            )
            continue
        if not isinstance(record, dict):
            problems.append(Violation(source_file, line_number, "(record)", "json_object", "each line must be one JSON object"))
            continue
        errors = [leaf for error in validator.iter_errors(record) for leaf in _leaf_errors(error)]
        for error in errors:
            problems.append(Violation(source_file, line_number, _field_of(error), f"schema:{error.validator}", error.message))
        if not errors:
            records.append({**record, "_file": source_file, "_row": line_number})
    return records, problems


def check_lines(
    con: duckdb.DuckDBPyConnection, table: str, validator: Draft202012Validator, schema: dict | None = None
) -> tuple[list[Violation], int]:
    """parse_and_check over every row of temp table `table` (source_file varchar, line_number
    bigint, line varchar) in (source_file, line_number) order: its violations, and how many rows
    needed Python. One query picks the rows that SQL cannot vouch for under `schema` (default: the
    validator's); only those are parsed in Python, so a valid corpus costs no Python per row."""
    if not _SAFE_TABLE.fullmatch(table):
        raise ValueError(f"not a table name: {table!r}")
    schema = validator.schema if schema is None else schema
    # parse_and_check wants an object whatever the schema says; allOf keeps it to one parse.
    checker = validator.format_checker
    formats = frozenset(checker.checkers) if checker is not None else frozenset()
    vouched = schema_predicate({"type": "object", "allOf": [schema]}, "line", formats)
    rows = con.execute(
        f"select source_file, line_number, line from {table} where not {vouched} order by source_file, line_number"
    ).fetchall()
    _, violations = parse_and_check(rows, validator)
    return violations, len(rows)
