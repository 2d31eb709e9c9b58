"""Structure checks: every line is a JSON object that satisfies its JSON Schema.

Two validators share the work. jsonschema-rs decides which lines are valid; only the lines it
refuses go to Python's jsonschema, which stays the authority for every verdict and message, so a
line the fast validator refuses wrongly is still accepted and a refused one is named as before.
The fast validator must therefore never accept what jsonschema refuses. It sees the same strictly
parsed record; every format jsonschema's FormatChecker asserts is checked by that checker's own
function but `date`, which every fact has twice and is kept native for speed; and where the two
libraries read a line differently (a year 0000, which only jsonschema-rs's dates have; `$` before a
final newline; Unicode against ECMA-262 class escapes) the line or schema is left to jsonschema.

The record jsonschema judges must be the record DuckDB loads, so Python reads a line as strictly as
JSON itself: a key given twice in one object is refused (json.loads keeps the last value, DuckDB the
first), and NaN, Infinity and numbers no DOUBLE holds are not numbers at all (json.loads takes them,
DuckDB loads them as NaN and inf); the schema's type check then refuses them by field."""

import json
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import jsonschema_rs
import orjson
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema import __version__ as jsonschema_version
from jsonschema.exceptions import SchemaError, ValidationError

from . import cache
from .violations import Violation

_QUOTED = re.compile(r"'([^']+)'")
_SAFE_TABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?")
# A record nests two levels (the fact, its audit); Python's parser gives up near 1,000 with a
# RecursionError, so a line is measured, outside its strings, before it is parsed.
MAX_NESTING_DEPTH = 32
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKET = re.compile(r"[\[\]{}]")
_DOUBLE_DIGITS = len(str(int(sys.float_info.max)))
# Python's \d, \w, \s and \b (and their negations) are Unicode's, jsonschema-rs's those of
# ECMA-262: a schema that writes one anywhere is left to jsonschema. In the schema's JSON text a
# regular expression's backslash is two.
_ENGINE_DEPENDENT_ESCAPE = re.compile(r"\\\\[dDwWsSbB]")
# orjson reads an integer beyond 64 bits as a float at least this large.
_WIDE_FLOAT = 2.0**63
# Rows fetched from DuckDB at a time: the corpus is never held in Python whole.
_BATCH_ROWS = 10_000


def make_validator(schema: dict) -> Draft202012Validator:
    """A Draft 2020-12 validator for `schema`; raises SchemaError if it is no valid schema."""
    # checking a schema against the meta-schema is most of a small check's time: a schema once
    # found valid is not checked again by this jsonschema
    text = json.dumps(schema, sort_keys=True)
    cache.remembered("valid-schema", (jsonschema_version, text), lambda: _checked(schema))
    return Draft202012Validator(schema, format_checker=FormatChecker())


def _checked(schema: dict) -> str:
    Draft202012Validator.check_schema(schema)  # raises, so nothing is remembered
    return "valid"


def load_validator(schema_path: Path) -> Draft202012Validator:
    return make_validator(json.loads(schema_path.read_text(encoding="utf-8")))


def schema_validator(name: str, data: bytes) -> tuple[Draft202012Validator | None, list[Violation]]:
    """The validator of schema file `name` from its bytes, or why there is none."""
    try:
        return make_validator(json.loads(data)), []
    except (ValueError, SchemaError) as error:
        message = error.message if isinstance(error, SchemaError) else str(error)
        return None, [Violation(name, 0, "(schema)", "valid_schema", f"not a valid JSON Schema: {message}")]


class NotANumber:
    """What Python's json would read as a float that no JSON number is: NaN, Infinity, or a number
    beyond what a DOUBLE holds. It is of no JSON type, so a schema's `type` refuses it."""

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return f"{self.text[:40]} (not a finite number a DOUBLE holds)"


def _float(text: str) -> float | NotANumber:
    value = float(text)
    return value if abs(value) != float("inf") else NotANumber(text)


def _int(text: str) -> int | NotANumber:
    # int() refuses more than 4,300 digits with a ValueError; no DOUBLE holds more than 309.
    if len(text.lstrip("-")) > _DOUBLE_DIGITS or abs(value := int(text)) > sys.float_info.max:
        return NotANumber(text)
    return value


class _Object(dict):
    """A JSON object as json.loads reads it, with the keys it was given more than once."""

    repeated: tuple[str, ...] = ()


def _object(pairs: list[tuple[str, object]]) -> _Object:
    made = _Object(pairs)
    if len(made) < len(pairs):
        seen: set[str] = set()
        made.repeated = tuple(dict.fromkeys(key for key, _ in pairs if key in seen or seen.add(key)))
    return made


def _repeated_keys(value: object, path: str = "") -> Iterator[str]:
    """The path of every key given twice in an object of `value`, as _field_of names fields."""
    if isinstance(value, _Object):
        yield from (f"{path}.{key}" if path else key for key in value.repeated)
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return
    for key, item in items:
        yield from _repeated_keys(item, f"{path}.{key}" if path else str(key))


def _nesting_depth(line: str) -> int:
    if (openings := line.count("[") + line.count("{")) <= MAX_NESTING_DEPTH:
        return openings  # a bound, and all _decode needs: no deeper than allowed
    depth = deepest = 0
    for bracket in _BRACKET.findall(_JSON_STRING.sub("", line)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _decode(source_file: str, line_number: int, line: str) -> tuple[object, list[Violation]]:
    """The value of one line as DuckDB would load it, or the violations that make it none."""
    if (depth := _nesting_depth(line)) > MAX_NESTING_DEPTH:
        message = f"nested {depth} levels deep; a record nests at most {MAX_NESTING_DEPTH}"
        return None, [Violation(source_file, line_number, "(record)", "max_nesting_depth", message)]
    try:
        value = json.loads(line, object_pairs_hook=_object, parse_float=_float, parse_int=_int, parse_constant=NotANumber)
    except json.JSONDecodeError as error:
        return None, [Violation(source_file, line_number, "(record)", "valid_json", f"not valid JSON: {error.msg} at column {error.colno}")]
    repeated = [
        Violation(source_file, line_number, field, "duplicate_key", "this key is given more than once in one object; give it once")
        for field in _repeated_keys(value)
    ]
    return value, repeated


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


def fast_validator(validator: Draft202012Validator) -> jsonschema_rs.Draft202012Validator | None:
    """jsonschema-rs over `validator`'s schema, asserting the formats its checker asserts, with that
    checker's functions but for `date` (see fast_accepts). None, and jsonschema judges every line,
    when jsonschema-rs cannot build it (a pattern only Python's re reads, such as \\Z) or the two
    would read its class escapes differently."""
    if _ENGINE_DEPENDENT_ESCAPE.search(json.dumps(validator.schema)):
        return None
    checker = validator.format_checker
    formats = {} if checker is None else {name: _conforms(checker, name) for name in checker.checkers if name != "date"}
    try:
        return jsonschema_rs.Draft202012Validator(validator.schema, formats=formats, validate_formats=checker is not None)
    except (ValueError, jsonschema_rs.ValidationError):
        return None


def _conforms(checker: FormatChecker, name: str) -> Callable[[str], bool]:
    return lambda text: checker.conforms(text, name)


def _unique_keys(pairs: list[tuple[str, object]]) -> dict:
    made = dict(pairs)
    if len(made) < len(pairs):
        raise ValueError("a key is given twice")
    return made


def _not_finite(text: str) -> None:
    raise ValueError(f"{text} is not a JSON number")


def _key_count(value: object) -> int:
    """How many keys the objects in `value` hold; -1 if it holds a float that may be an integer
    beyond 64 bits, which orjson reads as a float and json.loads as an integer."""
    if type(value) is dict:
        count, items = len(value), value.values()
    elif type(value) is list:
        count, items = 0, value
    else:
        return -1 if type(value) is float and abs(value) >= _WIDE_FLOAT else 0
    for item in items:
        kind = type(item)
        if kind is dict or kind is list:
            if (inner := _key_count(item)) < 0:
                return -1
            count += inner
        elif kind is float and abs(item) >= _WIDE_FLOAT:
            return -1
    return count


def _strict_record(line: str) -> object:
    """`line` as _decode reads it, or ValueError where _decode would refuse it or find no number.
    orjson reads strict JSON (no NaN, no number beyond a DOUBLE) as json.loads does, faster; but it
    keeps the last of two keys. Each colon outside a string follows a key, so as many colons in the
    line as keys read means that none was given twice (a colon in a string: json.loads says)."""
    record = orjson.loads(line)
    if _key_count(record) == line.count(":"):
        return record
    return json.loads(line, object_pairs_hook=_unique_keys, parse_float=_float, parse_int=_int, parse_constant=_not_finite)


def fast_accepts(fast: jsonschema_rs.Draft202012Validator, line: str) -> bool:
    """True only when parse_and_check would accept `line`: parsed as _decode parses it, an object,
    valid under `fast`. Anything either side cannot take (a repeated key, NaN, a NotANumber, a
    surrogate) is left to jsonschema, which says why. So are the lines where the two could disagree:
    a year 0000, spelled out or behind a \\u escape (which also writes every control character),
    and a string ending in a newline, before which Python's `$` matches and jsonschema-rs's does not."""
    if line.count("[") + line.count("{") > MAX_NESTING_DEPTH or '"0000-' in line or "\\u" in line or '\\n"' in line:
        return False
    try:
        record = _strict_record(line)
        return isinstance(record, dict) and fast.is_valid(record)
    except Exception:  # whatever the fast path cannot judge, jsonschema judges
        return False


def parse_and_check(rows: list[tuple[str, int, str]], validator: Draft202012Validator) -> tuple[list[dict], list[Violation]]:
    """Parse (file, row, line) triples; return the records (with _file/_row) and the violations."""
    records, problems = [], []
    for source_file, line_number, line in rows:
        record, refused = _decode(source_file, line_number, line)
        if refused:
            problems += refused
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


def check_lines(con: duckdb.DuckDBPyConnection, table: str, validator: Draft202012Validator) -> tuple[list[Violation], int]:
    """parse_and_check over every row of temp table `table` (source_file varchar, line_number
    bigint, line varchar): its violations in (source_file, line_number) order, and how many rows
    jsonschema judged. jsonschema-rs reads every line and jsonschema only those it refuses, so a
    valid corpus costs jsonschema nothing."""
    if not _SAFE_TABLE.fullmatch(table):
        raise ValueError(f"not a table name: {table!r}")
    fast = fast_validator(validator)
    cursor = con.execute(f"select source_file, line_number, line from {table}")
    refused = []
    while rows := cursor.fetchmany(_BATCH_ROWS):
        refused += rows if fast is None else [row for row in rows if not fast_accepts(fast, row[2])]
    _, violations = parse_and_check(sorted(refused), validator)
    return violations, len(refused)
