"""The fast structure check (jsonschema-rs in structure.check_lines), against jsonschema itself: it may
send a valid row to jsonschema, but must never accept a row jsonschema refuses."""

import json
import random
import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import jsonschema_rs
import pytest
from jsonschema import Draft202012Validator, FormatChecker

from benchmarks.corpus import generate
from orchestration.ledger import structure

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


def make_table(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple[str, int, str]]) -> None:
    """A temp table shaped as reading.read_lines makes them, filled in one statement."""
    files, numbers, lines = (list(column) for column in zip(*rows, strict=True))
    con.execute(
        f"""create or replace temp table {table} as
        select unnest(?::varchar[]) as source_file, unnest(?::bigint[]) as line_number, unnest(?::varchar[]) as line""",
        [files, numbers, lines],
    )


def accepted_fast(the_schema: dict | Draft202012Validator, lines: list[str]) -> list[bool]:
    """The fast validator's verdict on each line, for a schema as load_validator checks it (none
    accepted where structure.fast_validator leaves the schema to jsonschema)."""
    check = the_schema if isinstance(the_schema, Draft202012Validator) else Draft202012Validator(the_schema, format_checker=FormatChecker())
    fast = structure.fast_validator(check)
    return [False] * len(lines) if fast is None else [structure.fast_accepts(fast, line) for line in lines]


def left_to_jsonschema(line: str) -> bool:
    """Valid lines the fast validator leaves to jsonschema on purpose (structure.fast_accepts)."""
    return '\\n"' in line or "0000-" in line or "\\u" in line


def python_accepts(check: Draft202012Validator, line: str) -> bool:
    """The authority: parse_and_check's verdict, which reads a line as strictly as DuckDB loads it.
    It refuses a line exactly when _decode refuses it, its value is no object, or jsonschema finds
    an error; is_valid stops at the first error where parse_and_check words them all (half the
    time over the mutations). test_check_lines_reports_exactly_what_parse_and_check_reports holds
    parse_and_check itself to its messages."""
    record, refused = structure._decode("f.jsonl", 1, line)
    return not refused and isinstance(record, dict) and check.is_valid(record)


# --- The fast path is really taken --------------------------------------------------------------


def test_every_source_line_is_accepted_by_the_fast_validator():
    for name, lines in source_lines(SOURCES).items():
        assert lines, name
        assert all(accepted_fast(validator(name), lines)), name


def test_every_generated_line_is_accepted_by_the_fast_validator(tmp_path):
    root = generate(tmp_path / "corpus", 3, 100)
    lines = source_lines(root)
    assert len(lines["fact"]) > 300
    for name, these in lines.items():
        assert all(accepted_fast(validator(name, root), these)), name


# --- Soundness: fast accepts => jsonschema accepts -----------------------------------------------

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
def test_the_fast_validator_never_accepts_a_record_jsonschema_refuses(name):
    records = varied_records(name)
    lines = mutated_lines(records)
    check = validator(name)
    verdicts = accepted_fast(check, lines)
    python = [python_accepts(check, line) for line in lines]
    wrongly = [line for line, ok, right in zip(lines, verdicts, python, strict=True) if ok and not right]
    assert wrongly == []
    # The mutations are not all refused wholesale: the fast validator accepts every valid one but
    # those it leaves to jsonschema on purpose.
    assert sum(verdicts) > len(records)
    disagree = [line for line, ok, right in zip(lines, verdicts, python, strict=True) if ok != right]
    assert all(left_to_jsonschema(line) for line in disagree), disagree[:3]


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
    assert slow < len(rows)  # the valid records did not need jsonschema


def test_lines_python_cannot_load_are_not_accepted_fast():
    # DuckDB reads all of these. json.loads refuses some or raises (digits, depth); structure
    # refuses a repeated key and deep nesting; NaN, Infinity and numbers no DOUBLE holds are no
    # numbers, which only a schema that constrains them refuses (here none does).
    lines = [
        '{"a": 1,}',
        '{"a": [1,]}',
        '{"a": nan}',
        '{"a": inf}',
        '{"a": NaN}',
        '{"a": -Infinity}',
        '{"a": ' + "1" * 5000 + "}",
        '{"a": ' + "[" * 1500 + "]" * 1500 + "}",
        '{"a": 1e400}',
        '{"a": 1, "a": 1}',
        '{"a": {"b": 1, "b": 1}}',
        '{"a": ' + "[" * 33 + "]" * 33 + "}",
        "\ufeff{}",
    ]
    check = Draft202012Validator({"type": "object"}, format_checker=FormatChecker())
    python = [python_accepts(check, line) for line in lines]
    assert python == [False] * 4 + [True] * 3 + [False, True] + [False] * 4
    fast = accepted_fast(check, lines)
    assert [accepted for accepted, right in zip(fast, python, strict=True) if not right] == [False] * 9
    assert accepted_fast({"type": "object"}, ['{"a": [1, {"b": null}], "c": -0.5e-3}', " {} "]) == [True, True]


def test_check_lines_on_a_clean_table_needs_no_jsonschema(con):
    lines = source_lines(SOURCES)["fact"]
    make_table(con, "src_clean", [("facts/x.jsonl", index, line) for index, line in enumerate(lines, 1)])
    assert structure.check_lines(con, "src_clean", validator("fact")) == ([], 0)


def test_check_lines_refuses_a_table_name_that_is_not_one(con):
    with pytest.raises(ValueError):
        structure.check_lines(con, "t; drop table x", validator("fact"))


# --- Keywords beyond the fact schema's: the same messages ------------------------------------------


@pytest.mark.parametrize(
    "other",
    [
        {"type": "object", "properties": {"n": {"multipleOf": 2}}},
        {"$ref": "#/$defs/thing", "$defs": {"thing": {"type": "object", "required": ["n"]}}},
        {"type": "object", "patternProperties": {"^x": {"type": "string"}}},
        {"type": "object", "properties": {"n": {"type": "string", "pattern": "(?=x)"}}},
        {"type": "object", "properties": {"n": {"type": "string", "format": "email"}}},
        {"type": "object", "properties": {"a*b": {"type": "string"}}},
        {"type": "object", "someUnknownKeyword": 1},
    ],
)
def test_check_lines_reports_what_jsonschema_reports_under_any_keyword(con, other):
    lines = ['{"n": 4, "a*b": "x", "x1": "y"}', '{"n": "x@y.z", "a*b": "y", "x1": 1}', '{"n": 3, "a*b": 1, "x1": 1}']
    rows = [("f.jsonl", i, line) for i, line in enumerate(lines, 1)]
    make_table(con, "src_other", rows)
    check = Draft202012Validator(other, format_checker=FormatChecker())
    violations, slow = structure.check_lines(con, "src_other", check)
    assert violations == structure.parse_and_check(rows, check)[1]
    assert slow == sum(not python_accepts(check, line) for line in lines)  # only refused rows needed jsonschema


@pytest.mark.parametrize("pattern", ["\\Z", "a{,2}"])
def test_a_schema_jsonschema_rs_cannot_build_sends_every_row_to_jsonschema(con, pattern):
    # Python's re reads these patterns; jsonschema-rs refuses them.
    check = Draft202012Validator({"properties": {"n": {"pattern": pattern}}}, format_checker=FormatChecker())
    assert structure.fast_validator(check) is None
    rows = [("f.jsonl", 1, '{"n": "aaa"}'), ("f.jsonl", 2, '{"n": ""}')]
    make_table(con, "src_python_only", rows)
    violations, slow = structure.check_lines(con, "src_python_only", check)
    assert slow == 2
    assert violations == structure.parse_and_check(rows, check)[1]


# --- Small schemas: the fast verdict is jsonschema's -----------------------------------------------

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
def test_the_fast_verdict_is_jsonschemas_on_small_schemas(small):
    check = Draft202012Validator(small, format_checker=FormatChecker())
    # parse_and_check wants an object whatever the schema says; the fast path does too.
    lines = [line for line in SMALL_INSTANCES if line.startswith("{")]
    fast = accepted_fast(check, lines)
    for line, accepted in zip(lines, fast, strict=True):
        assert accepted <= python_accepts(check, line), f"fast accepts {line}"
    disagree = [line for line, accepted in zip(lines, fast, strict=True) if accepted != python_accepts(check, line)]
    assert all(left_to_jsonschema(line) for line in disagree), disagree
    # and on every instance as a member of an object
    member = Draft202012Validator({"properties": {"v": small}}, format_checker=FormatChecker())
    wrapped = ['{"v": ' + line + "}" for line in SMALL_INSTANCES]
    for line, accepted in zip(wrapped, accepted_fast(member, wrapped), strict=True):
        assert accepted <= python_accepts(member, line), f"fast accepts {line}"


def test_both_branches_of_the_fact_schemas_ifs_are_decided_fast():
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
    assert accepted_fast(check, lines) == [expected for _, expected in cases.values()]


# --- Pieces the fast path relies on --------------------------------------------------------------


def test_date_format_matches_python_day_by_day():
    checker = FormatChecker()
    texts = [
        f"{y}-{m:02d}-{d:02d}"
        for y in ["0000", "0001", "0004", "0100", "1900", "2000", "2023", "2024", "9999"]
        for m in range(14)
        for d in range(33)
    ]
    texts += ["2023-2-3", "02023-01-01", "2023-01-01 ", "2023-01-01T00:00", "+2023-01-01", "2023/01/01", "２０２３-01-01"]
    fast = accepted_fast({"properties": {"d": {"format": "date"}}}, [json.dumps({"d": t}) for t in texts])
    assert fast == [checker.conforms(t, "date") for t in texts]


def test_a_year_zero_date_is_refused_with_its_row_and_field_though_jsonschema_rs_takes_it(con):
    # jsonschema-rs's own date format accepts year 0000 (escaped, too); Python's dates start at year 1.
    assert jsonschema_rs.Draft202012Validator({"format": "date"}, validate_formats=True).is_valid("0000-01-01")
    dated = {"properties": {"d": {"format": "date"}}}
    assert accepted_fast(dated, ['{"d": "0001-01-01"}', '{"d": "0000-01-01"}', '{"d": "\\u0030000-01-01"}']) == [True, False, False]
    fact = json.loads(source_lines(SOURCES)["fact"][0]) | {"period_start": "0000-01-01", "period_end": "0000-12-31"}
    make_table(con, "src_year_zero", [("facts/doc.jsonl", 3, json.dumps(fact))])
    violations, slow = structure.check_lines(con, "src_year_zero", validator("fact"))
    assert slow == 1
    assert [str(v) for v in violations] == [
        "facts/doc.jsonl, row 3, field 'period_start': '0000-01-01' is not a 'date' [rule: schema:format]",
        "facts/doc.jsonl, row 3, field 'period_end': '0000-12-31' is not a 'date' [rule: schema:format]",
    ]


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


def pattern_verdicts(pattern: str) -> list[bool] | None:
    """The fast validator's verdict on each of SUBJECTS under `pattern`; None if it cannot build it."""
    check = Draft202012Validator({"properties": {"s": {"pattern": pattern}}}, format_checker=FormatChecker())
    fast = structure.fast_validator(check)
    return None if fast is None else [structure.fast_accepts(fast, json.dumps({"s": s})) for s in SUBJECTS]


ENGINE_DEPENDENT = ["\\d+", "^\\w+$", "\\s", "[\\d.]+", "\\bword", "\\D", "[^\\d]"]


def test_patterns_match_as_python_re_search_where_not_left_to_jsonschema():
    for pattern in PATTERNS:
        python = [re.search(pattern, s) is not None for s in SUBJECTS]
        fast = pattern_verdicts(pattern)
        if pattern in ENGINE_DEPENDENT:
            assert fast is None, pattern
            continue
        assert fast is not None, pattern
        for subject, accepted, right in zip(SUBJECTS, fast, python, strict=True):
            assert accepted <= right, (pattern, subject)
            assert accepted == right or left_to_jsonschema(json.dumps({"s": subject})), (pattern, subject)


@pytest.mark.parametrize(("pattern", "text"), [("\\d", "٣"), ("^[^\\W]+$", "é"), ("\\D", "٣"), ("^\\s$", "\ufeff"), ("\\W", "é")])
def test_a_class_escape_the_engines_read_differently_leaves_the_schema_to_jsonschema(con, pattern, text):
    # Python's re reads \d, \w, \s, \b as Unicode does, jsonschema-rs as ECMA-262 does.
    assert jsonschema_rs.Draft202012Validator({"pattern": pattern}).is_valid(text) != (re.search(pattern, text) is not None)
    check = Draft202012Validator({"properties": {"s": {"pattern": pattern}}}, format_checker=FormatChecker())
    assert structure.fast_validator(check) is None
    rows = [("f.jsonl", 1, json.dumps({"s": text}, ensure_ascii=False))]
    make_table(con, "src_escapes", rows)
    violations, slow = structure.check_lines(con, "src_escapes", check)
    assert slow == 1
    assert violations == structure.parse_and_check(rows, check)[1]
    assert bool(violations) == (re.search(pattern, text) is None)


def test_patterns_outside_the_shared_syntax_never_accept_what_python_refuses():
    built = 0
    for pattern in NOT_COMPILED:
        fast = pattern_verdicts(pattern)
        if fast is None:
            continue  # then jsonschema judges every line
        built += 1
        python = [re.search(pattern, s) is not None for s in SUBJECTS]
        assert [s for s, accepted, right in zip(SUBJECTS, fast, python, strict=True) if accepted and not right] == [], pattern
    assert built > len(NOT_COMPILED) // 3


def test_duckdb_reads_what_python_refuses_so_structure_refuses_it(con):
    # DuckDB loads the first of two keys (json.loads the last) and takes trailing commas and NaN:
    # why structure refuses repeated keys and non-finite numbers rather than load them.
    (row,) = con.execute(
        """select json_keys('{"a": 1, "a": 2}'), '{"a": 1, "a": 2}'::json ->> '$."a"', json_keys('{"\\u0061": 1}'),
                  json_valid('{"a": 1,}'), json_valid('{"a": NaN}')"""
    ).fetchall()
    assert row == (["a", "a"], "1", ["a"], True, True)
    assert json.loads('{"a": 1, "a": 2}') == {"a": 2}
