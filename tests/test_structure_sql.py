"""The JSON Schema check compiled to DuckDB SQL (schema_sql.schema_predicate / check_lines), against
jsonschema itself: the SQL may send a valid row to Python, but must never vouch for a bad one."""

import json
import random
import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from jsonschema import Draft202012Validator, FormatChecker

from benchmarks.corpus import generate
from orchestration.ledger import schema_sql, structure

from .conftest import SOURCES

SCHEMA_OF = {"documents": "document", "facts": "fact", "exclusions": "exclusion"}


@pytest.fixture(scope="module")
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    yield connection
    connection.close()


def schema(name: str, root: Path = SOURCES) -> dict:
    return json.loads((root / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8"))


def validator(name: str, root: Path = SOURCES) -> Draft202012Validator:
    return structure.load_validator(root / "schemas" / f"{name}.schema.json")


def source_lines(root: Path) -> dict[str, list[str]]:
    """Every line of every JSON-lines source file, by schema name."""
    lines: dict[str, list[str]] = {name: [] for name in SCHEMA_OF.values()}
    for folder, name in SCHEMA_OF.items():
        for path in sorted((root / folder).glob("*.jsonl")):
            lines[name] += [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return lines


def evaluate(con: duckdb.DuckDBPyConnection, predicate: str, lines: list[str]) -> list[bool]:
    """`predicate` (over column `line`) for each line, in order, in one query."""
    rows = con.execute(
        f"select {predicate} from (select unnest(?::varchar[]) as line, unnest(range(len(?::varchar[]))) as i) order by i",
        [lines, lines],
    ).fetchall()
    return [vouched for (vouched,) in rows]


def make_table(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple[str, int, str]]) -> None:
    """A temp table shaped as reading.read_lines makes them, filled in one statement."""
    files, numbers, lines = (list(column) for column in zip(*rows, strict=True))
    con.execute(
        f"""create or replace temp table {table} as
        select unnest(?::varchar[]) as source_file, unnest(?::bigint[]) as line_number, unnest(?::varchar[]) as line""",
        [files, numbers, lines],
    )


def vouched(con: duckdb.DuckDBPyConnection, the_schema: dict, lines: list[str]) -> list[bool]:
    return evaluate(con, schema_sql.schema_predicate(the_schema, "line"), lines)


def python_accepts(check: Draft202012Validator, line: str) -> bool:
    try:
        record = json.loads(line)
    except (ValueError, RecursionError):  # ValueError for integers past 4300 digits too
        return False
    return check.is_valid(record)


# --- The fast path is really taken --------------------------------------------------------------


def test_every_source_line_is_vouched_for_in_sql(con):
    for name, lines in source_lines(SOURCES).items():
        assert lines, name
        assert all(vouched(con, schema(name), lines)), name


def test_every_generated_line_is_vouched_for_in_sql(con, tmp_path):
    root = generate(tmp_path / "corpus", 3, 100)
    lines = source_lines(root)
    assert len(lines["fact"]) > 300
    for name, these in lines.items():
        assert all(vouched(con, schema(name, root), these)), name


# --- Soundness: SQL true => jsonschema accepts ---------------------------------------------------

WRONG_TYPES = [1, 1.5, -3, "x", "", None, [], ["a"], {}, {"a": 1}, True, False]
BAD_DATES = ["2023-02-30", "2023-2-3", "0000-01-01", " 2023-01-01", "2023-01-01T00:00", "1900-02-29", "2023-01-01\n", "２０２３-01-01"]
GOOD_AUDIT = {"expected_status": "consistent", "why": "the numbers add up"}


def field_values(value: object) -> list[object]:
    """Replacements for one field: wrong types and near misses of `value`."""
    # Lengths count code points: multi-byte characters around minLength and maxLength.
    values = [*WRONG_TYPES, *BAD_DATES, "x" * 300, "é" * 81, "é" * 200, "é" * 201, "🙂" * 2, "🙂" * 4, "🙂" * 5, "🙂" * 9]
    if isinstance(value, str):
        values += [value + "\n", value.upper(), value.capitalize(), value.title(), " " + value, value + " ", value[:-1], value * 3]
        values += [value[:2], value[:4], value[:9], value.replace("-", "_"), value + "\u0000", "٣" * len(value)]
    if isinstance(value, int | float) and not isinstance(value, bool):
        values += [float(value), value + 0.5, -value, 10**20, 1899, 2101, 1900, 2100, 1900.0, 2100.5, str(value)]
    return values


def record_mutations(record: dict) -> Iterator[dict]:
    for key, value in record.items():
        yield {k: v for k, v in record.items() if k != key}
        for replacement in field_values(value):
            yield {**record, key: replacement}
    yield {**record, "colour": "red"}
    yield {**record, "": 1}
    yield {}
    for derived in [["a", "a"], ["a", 1], [], "a", [None], [["a"]], ["a", "b"], ["a", "A"], ["a\u0000", "a"]]:
        yield {**record, "derived_from": derived}
        yield {**record, "derived_from": derived, "derivation": "growth", "audit": GOOD_AUDIT}
    for audit in [{}, {"expected_status": "consistent"}, {**GOOD_AUDIT, "x": 1}, {**GOOD_AUDIT, "expected_status": "Consistent"}]:
        yield {**record, "audit": audit}
        yield {**record, "derivation": "share", "derived_from": ["a"], "audit": audit}
    for audit in [{**GOOD_AUDIT, "why": "abc"}, {**GOOD_AUDIT, "why": 5}, {"why": "long enough"}, GOOD_AUDIT, []]:
        yield {**record, "derivation": "share", "derived_from": ["a"], "audit": audit}
    yield {**record, "derivation": "growth"}
    yield {k: v for k, v in record.items() if k != "period_text"} | {"period_basis": "relative"}
    yield {**record, "period_basis": "relative", "period_text": "last year"}
    for unit, value in [("event", 5), ("event", None), ("event", 0), ("USD", None), ("Event", None), ("event\n", None)]:
        yield {**record, "unit": unit, "value": value}


def text_mutations(record: dict) -> Iterator[str]:
    """Lines that json.dumps would not write: duplicate keys, escapes, and what DuckDB reads more
    leniently than Python's json."""
    line = json.dumps(record)
    body = line[1:-1]
    for key in record:
        for clash in ["x" * 300, 5, None, "", "2023-02-30", []]:
            yield "{" + body + ", " + json.dumps(key) + ": " + json.dumps(clash) + "}"  # Python keeps the last
            yield "{" + json.dumps(key) + ": " + json.dumps(clash) + ", " + body + "}"  # DuckDB reads the first
        escaped = "".join(f"\\u{ord(c):04x}" for c in key)
        yield line.replace(json.dumps(key) + ":", '"' + escaped + '":', 1)
    yield line[:-1] + ",}"
    yield line[:-1] + ', "derived_from": ["a",]}'
    for token in ["NaN", "Infinity", "-Infinity", "nan", "inf", "1e400", "-0", "1E2", "1" * 400]:
        yield line[:-1] + ', "value": ' + token + "}"
        yield line[:-1] + ', "reference_year": ' + token + "}"
    yield " \t" + line + " "
    yield "\ufeff" + line
    yield line.replace('"', '"\\u0041', 1)
    yield line + line
    yield "[" + line + "]"
    yield "{" + '"audit": ' + "[" * 300 + "]" * 300 + ", " + body + "}"


NOT_OBJECTS = ["{", "[]", "42", "", " ", "null", '"x"', "{}", "{'a': 1}", "[{}]", "true", "{]", "\\"]


def mutated_lines(records: list[dict]) -> list[str]:
    lines = []
    for record in records:
        lines += [json.dumps(mutation, ensure_ascii=False) for mutation in record_mutations(record)]
        lines += [json.dumps(mutation) for mutation in record_mutations(record)][:40]  # \u escapes
        lines += list(text_mutations(record))
    return lines + NOT_OBJECTS


def varied_records(name: str) -> list[dict]:
    """The real records, or for the many facts one per set of fields (and unit event or not): the
    mutations of all of them would only repeat each other, slowly."""
    records = [json.loads(line) for line in source_lines(SOURCES)[name]]
    if len(records) <= 20:
        return records
    by_shape: dict[frozenset, dict] = {}
    for record in records:
        by_shape.setdefault(frozenset(record) | {record.get("unit") == "event"}, record)
    return list(by_shape.values())


@pytest.mark.parametrize("name", sorted(SCHEMA_OF.values()))
def test_sql_never_vouches_for_a_record_jsonschema_refuses(con, name):
    records = varied_records(name)
    lines = mutated_lines(records)
    check = validator(name)
    verdicts = vouched(con, schema(name), lines)
    wrongly = [line for line, ok in zip(lines, verdicts, strict=True) if ok and not python_accepts(check, line)]
    assert wrongly == []
    # The mutations are not all refused wholesale: SQL still vouches for the valid ones it can.
    assert sum(verdicts) > len(records)


@pytest.mark.parametrize("name", sorted(SCHEMA_OF.values()))
def test_check_lines_reports_exactly_what_parse_and_check_reports(con, name):
    records = [json.loads(line) for line in source_lines(SOURCES)[name]]
    lines = [json.dumps(r) for r in records] + mutated_lines(records[:3]) + NOT_OBJECTS
    random.Random(7).shuffle(lines)
    rows = [(f"{name}s/{index % 3}.jsonl", index, line) for index, line in enumerate(lines, 1)]
    make_table(con, "src_test", rows)
    check = validator(name)

    violations, slow = structure.check_lines(con, "src_test", check)

    _, expected = structure.parse_and_check(sorted(rows), check)
    assert violations == expected
    assert len(expected) > 0
    assert slow < len(rows)  # the valid records did not need Python


def test_lines_python_cannot_load_are_not_vouched_for(con):
    # DuckDB reads all of these; json.loads refuses them or raises (digits, depth). NaN Python
    # takes, but nothing needs it vouched for.
    lines = [
        '{"a": 1,}',
        '{"a": [1,]}',
        '{"a": nan}',
        '{"a": inf}',
        '{"a": NaN}',
        '{"a": -Infinity}',
        '{"a": ' + "1" * 5000 + "}",
        '{"a": ' + "[" * 1500 + "]" * 1500 + "}",
        "\ufeff{}",
    ]
    assert vouched(con, {"type": "object"}, lines) == [False] * len(lines)
    assert vouched(con, {"type": "object"}, ['{"a": [1, {"b": null}], "c": -0.5e-3}', " {} "]) == [True, True]


def test_check_lines_on_a_clean_table_needs_no_python(con):
    lines = source_lines(SOURCES)["fact"]
    make_table(con, "src_clean", [("facts/x.jsonl", index, line) for index, line in enumerate(lines, 1)])
    assert structure.check_lines(con, "src_clean", validator("fact")) == ([], 0)


def test_check_lines_refuses_a_table_name_that_is_not_one(con):
    with pytest.raises(ValueError):
        structure.check_lines(con, "t; drop table x", validator("fact"))


# --- Unsupported keywords go to the slow path ----------------------------------------------------


@pytest.mark.parametrize(
    "unsupported",
    [
        {"type": "object", "properties": {"n": {"multipleOf": 2}}},
        {"$ref": "#/$defs/thing", "$defs": {"thing": {"type": "object"}}},
        {"type": "object", "patternProperties": {"^x": {"type": "string"}}},
        {"type": "object", "properties": {"n": {"type": "string", "pattern": "(?=x)"}}},
        {"type": "object", "properties": {"n": {"type": "string", "format": "email"}}},
        {"type": "object", "properties": {"a*b": {"type": "string"}}},
        {"type": "object", "someUnknownKeyword": 1},
    ],
)
def test_a_keyword_sql_does_not_compile_sends_rows_to_jsonschema(con, unsupported):
    lines = ['{"n": 4, "a*b": "x", "x1": "y"}', '{"n": "x@y.z", "a*b": "y", "x1": 1}']
    assert vouched(con, unsupported, lines) == [False, False]
    make_table(con, "src_unsupported", [("f.jsonl", i, line) for i, line in enumerate(lines, 1)])
    check = Draft202012Validator(unsupported, format_checker=FormatChecker())
    violations, slow = structure.check_lines(con, "src_unsupported", check)
    assert slow == 2
    assert violations == structure.parse_and_check([("f.jsonl", i, line) for i, line in enumerate(lines, 1)], check)[1]


# --- Bounds: lower => jsonschema accepts => upper, on small schemas --------------------------------

SMALL_SCHEMAS = [
    {
        "if": {"properties": {"k": {"const": "x"}}, "required": ["k"]},
        "then": {"required": ["t"]},
        "else": {"properties": {"t": {"type": "null"}}},
    },
    {"not": {"type": "string", "pattern": "^a+$"}},
    {"not": {"type": "integer"}},
    {"oneOf": [{"type": "string"}, {"type": "string", "minLength": 3}, {"type": "number"}]},
    {"anyOf": [{"const": 1}, {"const": "1"}, {"enum": [None, True, 2.5]}]},
    {"not": {"enum": [1, "a", False]}},
    {"type": "number", "minimum": 1, "exclusiveMaximum": 3},
    {"not": {"minimum": 1, "maximum": 2}},
    {
        "type": "array",
        "items": {"type": "object", "required": ["a"], "additionalProperties": False, "properties": {"a": {"type": "integer"}}},
    },
    {"not": {"type": "array", "uniqueItems": True, "minItems": 1, "maxItems": 2}},
    {"not": {"properties": {"a": {"format": "date"}}}},
    {"properties": {"a": {"pattern": "[0-9]{2}$"}, "b": {"maxLength": 2}}, "additionalProperties": False},
    {"not": {"properties": {"a": {"pattern": "[0-9]{2}$"}}}},
    {"not": {"properties": {"a": {"pattern": "\\d"}}}},
    {"if": {"type": "object", "properties": {"a": {"type": "object", "required": ["b"]}}}, "then": {"required": ["c"]}, "else": False},
    {"not": {"additionalProperties": False, "properties": {"a": True}}},
    {"if": {"type": "integer"}, "then": {"minimum": 5}, "else": {"type": "number"}},
    {"type": ["string", "integer"], "minLength": 2, "minimum": 2},
    {"not": {"type": ["string", "null"], "maxLength": 1}},
    {"additionalProperties": False, "properties": {"a": True}, "allOf": [{"properties": {"b": {"type": "string"}}}]},
    {"additionalProperties": False, "properties": {"a": True}, "required": ["a", "c"]},
    {"if": {"properties": {"a": {"pattern": "^1$"}}}, "then": {"required": ["b"]}},
    True,
    False,
    {},
]
SMALL_INSTANCES = [
    "{}",
    '{"k": "x"}',
    '{"k": "x", "t": 1}',
    '{"k": "y", "t": null}',
    '{"k": "y", "t": 1}',
    '{"k": "x", "k": "y"}',
    '{"k": "y", "k": "x", "t": null}',
    '{"k": "y", "k": "x"}',
    "NaN",
    "Infinity",
    "-Infinity",
    "1e400",
    "18446744073709551616",
    '"aaa"',
    '"aaa\\n"',
    '"ab"',
    '"abcd"',
    '""',
    "1",
    "1.0",
    "2",
    "2.5",
    "3",
    "0.5",
    "-1",
    "true",
    "false",
    "null",
    '"1"',
    "[]",
    '[{"a": 1}]',
    '[{"a": 1.0}]',
    '[{"a": 1, "b": 2}]',
    '["x", "x"]',
    '["x", "y"]',
    '["x", "y", "z"]',
    "[1, 1.0]",
    '{"a": "2024-02-29"}',
    '{"a": "2023-02-29"}',
    '{"a": 7}',
    '{"a": "12"}',
    '{"a": "12\\n"}',
    '{"a": "1\\n"}',
    '{"a": "1\\n", "b": 0}',
    '{"a": "1", "b": "xyz"}',
    '{"a": "٣٣"}',
    '{"a": {"b": 1}}',
    '{"a": {"b": 1}, "c": 0}',
    '{"a": {}}',
    '{"a": 1, "a": 2}',
    '{"b": 1}',
    '{"a": 1, "b": "x"}',
    '{"a": 1, "c": 2}',
]


@pytest.mark.parametrize("small", SMALL_SCHEMAS, ids=[json.dumps(s)[:60] for s in SMALL_SCHEMAS])
def test_lower_and_upper_bounds_hold_on_both_sides(con, small):
    bounds = schema_sql.compile_schema(small, "line")
    check = Draft202012Validator(small, format_checker=FormatChecker())
    lower = evaluate(con, f"coalesce({bounds.lower}, false)", SMALL_INSTANCES)
    upper = evaluate(con, f"coalesce({bounds.upper}, true)", SMALL_INSTANCES)
    for line, low, up in zip(SMALL_INSTANCES, lower, upper, strict=True):
        accepted = check.is_valid(json.loads(line))
        assert not low or accepted, f"lower vouches for {line}"
        assert accepted <= up, f"upper rules out {line}"


def test_both_branches_of_the_fact_schemas_ifs_are_decided_in_sql(con):
    fact = json.loads(source_lines(SOURCES)["fact"][0])
    fact = {k: v for k, v in fact.items() if k not in ("period_text", "derived_from", "derivation", "audit")} | {"period_basis": "stated"}
    cases = {
        "relative with its words": ({**fact, "period_basis": "relative", "period_text": "last year"}, True),
        "stated without words": ({**fact, "period_basis": "stated"}, True),
        "relative without words": ({**fact, "period_basis": "relative"}, False),
        "derivation with inputs and audit": ({**fact, "derivation": "share", "derived_from": ["a"], "audit": GOOD_AUDIT}, True),
        "derivation without inputs": ({**fact, "derivation": "share", "audit": GOOD_AUDIT}, False),
        "inputs without derivation": ({**fact, "derived_from": ["a"]}, False),
        "event without value": ({**fact, "unit": "event", "value": None}, True),
        "amount with value": ({**fact, "unit": "USD", "value": 5}, True),
        "event with value": ({**fact, "unit": "event", "value": 5}, False),
        "amount without value": ({**fact, "unit": "USD", "value": None}, False),
    }
    lines = [json.dumps(record) for record, _ in cases.values()]
    check = validator("fact")
    assert [python_accepts(check, line) for line in lines] == [expected for _, expected in cases.values()]
    assert vouched(con, schema("fact"), lines) == [expected for _, expected in cases.values()]


# --- Pieces the compiler relies on ---------------------------------------------------------------


def test_date_format_matches_python_day_by_day(con):
    checker = FormatChecker()
    texts = [
        f"{y}-{m:02d}-{d:02d}"
        for y in ["0000", "0001", "0004", "0100", "1900", "2000", "2023", "2024", "9999"]
        for m in range(14)
        for d in range(33)
    ]
    texts += ["2023-2-3", "02023-01-01", "2023-01-01 ", "2023-01-01T00:00", "+2023-01-01", "2023/01/01", "２０２３-01-01"]
    sql = evaluate(con, schema_sql.schema_predicate({"format": "date"}, "line"), [json.dumps(t) for t in texts])
    assert sql == [checker.conforms(t, "date") for t in texts]


PATTERNS = [
    "^[A-Za-z0-9_-]+$",
    "^[a-z0-9]+(?:[._-][a-z0-9]+)*$",
    "^(?:[A-Z]{2}|GLOBAL)$",
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
    "^[a-z]{2}$",
    "^(?:[0-9]{4}|[0-9]{4}-Q[1-4]|FY[0-9]{4}|[0-9]{4}-[0-9]{2})$",
    "^(?:[A-Z]{3}|count|percent)$",
    "a.c",
    "^a*?b{2,}c?$",
    "x|y",
    "[^a-c]",
    "\\d+",
    "^\\w+$",
    "\\s",
    "[\\d.]+",
    "^$",
    "",
    "a$",
    "\\.",
    "[-a]",
    "[a-]",
    "(a)(b)?",
]
NOT_COMPILED = [
    "[[:digit:]",
    "[[a]",
    "(?=a)",
    "(?i)a",
    "\\bword",
    "\\D",
    "[^\\d]",
    "[[:alpha:]]",
    "a{,2}",
    "a++",
    "a**",
    "[]a]",
    "(a",
    "a)",
    "*a",
    "\\x41",
    "a{2000}",
    "[z-a]",
    "[a-c-e]",
    "\\Z",
    "(?P<n>a)",
]
SUBJECTS = [
    "",
    "a",
    "abc",
    "ac",
    "a\nc",
    "abc\n",
    "AB",
    "GLOBAL",
    "GLOBAL\n",
    "2024-Q4",
    "FY2025",
    "2014-06",
    "٣",
    "a_b-c",
    "a..b",
    "bb",
    "abbc",
    "é",
    "x y",
    "\n",
    "--",
    "]",
    "USD",
    "count\n",
]


def test_compiled_patterns_match_as_python_re_search(con):
    for pattern in PATTERNS:
        bounds = schema_sql.compile_schema({"pattern": pattern}, "line")
        instances = [json.dumps(s) for s in SUBJECTS]
        lower = evaluate(con, bounds.lower, instances)
        upper = evaluate(con, bounds.upper, instances)
        python = [re.search(pattern, s) is not None for s in SUBJECTS]
        for subject, low, up, accepted in zip(SUBJECTS, lower, upper, python, strict=True):
            assert low <= accepted <= up, (pattern, subject)
        if bounds.exact:
            assert lower == python, pattern


def test_patterns_outside_the_shared_syntax_are_not_compiled(con):
    strings = [json.dumps(s) for s in SUBJECTS]
    for pattern in NOT_COMPILED:
        bounds = schema_sql.compile_schema({"pattern": pattern}, "line")
        assert "regexp" not in bounds.lower + bounds.upper, pattern  # RE2 would fail on some of them
        assert not any(evaluate(con, bounds.lower, strings)), pattern


def test_duckdb_json_semantics_the_compiler_relies_on(con):
    # A JSON null and a missing key differ; types are checked before casts, which would convert.
    (row,) = con.execute(
        """select json_type(j -> '$."a"'), j -> '$."b"', json_type(j, ['$."a"', '$."b"']), try_cast('"1.5"'::json as double),
                  json_keys('{"a": 1, "a": 2}'), '{"a": 1, "a": 2}'::json ->> '$."a"', json_keys('{"\\u0061": 1}')
           from (select '{"a": null}'::json as j)"""
    ).fetchall()
    assert row == ("NULL", None, ["NULL", None], 1.5, ["a", "a"], "1", ["a"])
    # DuckDB's reader is more lenient than Python's json, and its date cast than date.fromisoformat.
    lenient = con.execute(
        "select json_valid('{\"a\": 1,}'), json_valid('{\"a\": NaN}'), try_cast('2023-2-3' as date) is not null"
    ).fetchone()
    assert lenient == (True, True, True)
    # RE2 searches like re.search but its $ does not match before a final newline; length() counts code points.
    assert con.execute("select regexp_matches('ab', 'b$'), regexp_matches('ab' || chr(10), 'b$'), length('e\u0301🙂')").fetchone() == (
        True,
        False,
        3,
    )


def test_the_predicate_takes_a_json_column_too(con):
    predicate = schema_sql.schema_predicate(schema("exclusion"))  # over `j`
    line = source_lines(SOURCES)["exclusion"][0]
    assert con.execute(f"select {predicate} from (select ?::json as j)", [line]).fetchone() == (True,)
    assert con.execute(f"select {predicate} from (select null::json as j)").fetchone() == (False,)
