"""JSON Schema compiled to DuckDB SQL, so that the structure of a million lines is checked in one
query: schema_predicate is true only where Python's json.loads and then jsonschema would certainly
accept a line (never a false "valid"); the lines it cannot vouch for go to jsonschema itself, which
stays the authority for every message (structure.check_lines)."""

import math
import re
from dataclasses import dataclass, replace

from jsonschema import FormatChecker

# --- The same check in DuckDB SQL --------------------------------------------------------------
#
# schema_predicate() compiles a JSON Schema into SQL that vouches for a row: when it is true,
# jsonschema would accept the record, so the row needs no Python at all. It may be false for a
# valid record (anything it cannot decide exactly); check_lines() then hands that row to
# parse_and_check(), which stays the authority for every message. A false negative (SQL true, the
# schema says no) would let a bad row through, so wherever DuckDB and Python could disagree the
# compiler picks the side that sends the row to Python.
#
# Every subschema compiles to two expressions: `lower` (true => jsonschema accepts) and `upper`
# (jsonschema accepts => true). Where they are the same text the check is exact. `not`, `if` and
# `oneOf` need the upper bound of their operands: "the `if` fails" is only certain when its upper
# bound is false. With an exact `if` this is the plain if/then/else; with an inexact one the result
# is still a sound lower bound, and at worst `false`.

_SQL_TRUE, _SQL_FALSE = "true", "false"
_NUMBER_TYPES = ("BIGINT", "UBIGINT", "DOUBLE")
# Below 2**53 every integer is an exact double, so comparing doubles cannot round the wrong way.
_EXACT_DOUBLE_LIMIT = 2**53
# Keywords jsonschema does not validate with (then/else only matter next to an `if`).
_ANNOTATIONS = frozenset(
    {
        "$schema",
        "$id",
        "$comment",
        "$anchor",
        "$defs",
        "definitions",
        "title",
        "description",
        "examples",
        "default",
        "deprecated",
        "readOnly",
        "writeOnly",
        "then",
        "else",
    }
)
# Names used in a JSON path `$."name"` as they are: DuckDB reads `*` there as a wildcard.
_PATH_SAFE_NAME = re.compile(r"[A-Za-z0-9_-]+")


@dataclass(frozen=True)
class Bounds:
    """SQL booleans around "jsonschema accepts": `lower` implies it, it implies `upper`."""

    lower: str
    upper: str

    @property
    def exact(self) -> bool:
        return self.lower == self.upper


def _exact(sql: str) -> Bounds:
    return Bounds(sql, sql)


ACCEPT, REJECT = _exact(_SQL_TRUE), _exact(_SQL_FALSE)
# Anything not understood: never vouch for the row, never rule it out.
UNKNOWN = Bounds(_SQL_FALSE, _SQL_TRUE)


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _join(parts: list[str], operator: str) -> str:
    """`and`/`or` of SQL booleans, folding the constants true and false away."""
    neutral, absorbing = (_SQL_TRUE, _SQL_FALSE) if operator == "and" else (_SQL_FALSE, _SQL_TRUE)
    parts = [part for part in parts if part != neutral]
    if absorbing in parts:
        return absorbing
    if not parts:
        return neutral
    return parts[0] if len(parts) == 1 else "(" + f" {operator} ".join(parts) + ")"


def _all(bounds: list[Bounds]) -> Bounds:
    return Bounds(_join([b.lower for b in bounds], "and"), _join([b.upper for b in bounds], "and"))


def _any(bounds: list[Bounds]) -> Bounds:
    return Bounds(_join([b.lower for b in bounds], "or"), _join([b.upper for b in bounds], "or"))


def _not_sql(sql: str, null_means: str) -> str:
    # A NULL must never turn into a vouch: read it as the safe value before negating.
    if sql in (_SQL_TRUE, _SQL_FALSE):
        return _SQL_FALSE if sql == _SQL_TRUE else _SQL_TRUE
    return f"(not coalesce({sql}, {null_means}))"


def _negate(bounds: Bounds) -> Bounds:
    return Bounds(_not_sql(bounds.upper, _SQL_TRUE), _not_sql(bounds.lower, _SQL_FALSE))


def _guarded(condition: str, bounds: Bounds) -> Bounds:
    """`bounds` where `condition` holds; without it the answer is unknown."""
    if bounds == ACCEPT:
        return ACCEPT
    return Bounds(_join([condition, bounds.lower], "and"), _join([_not_sql(condition, _SQL_FALSE), bounds.upper], "or"))


@dataclass(frozen=True)
class _Value:
    """A JSON value in the SQL: SQL for its JSON, its json_type and its text if it is a string.
    Every json_* call parses its argument again, so an object that keywords look at is parsed once
    into a lambda parameter, with the JSON, types and texts of the members they name (_Compiler.value)."""

    json: str
    kind: str
    string: str
    members: tuple[tuple[str, "_Value"], ...] = ()
    # The json_types a `type` keyword next to the keyword being compiled allows (None: any).
    known: frozenset[str] | None = None

    @classmethod
    def plain(cls, json_expr: str) -> "_Value":
        return cls(json_expr, f"json_type({json_expr})", f"({json_expr} ->> '$')")

    def member(self, name: str) -> "_Value":
        """Property `name`: its kind is SQL NULL when the key is missing ('NULL' for a JSON null)."""
        return dict(self.members).get(name) or _Value.plain(f"({self.json} -> '$.\"{name}\"')")

    def is_one_of(self, json_types: tuple[str, ...]) -> str:
        if len(json_types) == 1:
            return f"{self.kind} = '{json_types[0]}'"
        return f"{self.kind} in (" + ", ".join(f"'{t}'" for t in json_types) + ")"


@dataclass(frozen=True)
class _Object(_Value):
    """An object bound to a lambda parameter. `closed`: its keys are unique and all among the named
    members (len(keys) counts duplicates, so it can only equal the number of named members present
    when there are neither duplicates nor other keys)."""

    keys: str = ""
    unique_keys: str = ""
    closed: str = ""

    def bound(self, name: str) -> _Value | None:
        return dict(self.members).get(name)


def _keys(value: _Value) -> str:
    return value.keys if isinstance(value, _Object) else f"json_keys({value.json})"


def _unique_keys(value: _Value) -> str:
    # DuckDB reads the first of duplicate keys, Python's json the last: vouch only without duplicates.
    if isinstance(value, _Object):
        return value.unique_keys
    return f"len(json_keys({value.json})) = len(list_distinct(json_keys({value.json})))"


def _only_for(value: _Value, json_types: tuple[str, ...], bounds: Bounds) -> Bounds:
    """Most keywords constrain one JSON type and let every other type pass. Next to a `type`
    keyword (ANDed with this one) the test of the type is often decided already."""
    if value.known is not None and value.known <= set(json_types):
        return bounds
    if value.known is not None and not value.known & set(json_types):
        return ACCEPT
    other = _not_sql(value.is_one_of(json_types), _SQL_FALSE)
    return Bounds(_join([other, bounds.lower], "or"), _join([other, bounds.upper], "or"))


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _double(value: int | float) -> str:
    return f"cast('{float(value)!r}' as double)"


def _equals(value: _Value, constant: object) -> Bounds:
    """jsonschema's equal(): strings and booleans by value, 1 == 1.0, true != 1."""
    if constant is None:
        return _exact(value.is_one_of(("NULL",)))
    if isinstance(constant, bool):
        return _exact(f"({value.kind} = 'BOOLEAN' and {value.string} = '{str(constant).lower()}')")
    if isinstance(constant, str):
        return _exact(f"({value.kind} = 'VARCHAR' and {value.string} = {_literal(constant)})")
    if _is_number(constant) and math.isfinite(constant) and abs(constant) < _EXACT_DOUBLE_LIMIT:
        # Below 2**53 a JSON number whose double equals the constant is equal to it.
        return _exact(f"({value.is_one_of(_NUMBER_TYPES)} and try_cast({value.json} as double) = {_double(constant)})")
    return UNKNOWN  # arrays, objects, huge numbers


def _enum(value: _Value, constants: list) -> Bounds:
    strings = [constant for constant in constants if isinstance(constant, str)]
    others = [_equals(value, constant) for constant in constants if not isinstance(constant, str)]
    if not strings:
        return _any(others)
    listed = ", ".join(_literal(constant) for constant in strings)
    return _any([_exact(f"({value.kind} = 'VARCHAR' and {value.string} in ({listed}))"), *others])


_SIMPLE_TYPES = {"null": "NULL", "boolean": "BOOLEAN", "string": "VARCHAR", "object": "OBJECT", "array": "ARRAY"}


def _allowed_kinds(names: object) -> frozenset[str] | None:
    """The json_types that can pass `type: names` (for integer: any number), None if unknown."""
    kinds: set[str] = set()
    for name in names if isinstance(names, list) else [names]:
        if name in _SIMPLE_TYPES:
            kinds.add(_SIMPLE_TYPES[name])
        elif name in ("number", "integer"):
            kinds.update(_NUMBER_TYPES)
        else:
            return None
    return frozenset(kinds)


def _type(value: _Value, name: object) -> Bounds:
    simple = _SIMPLE_TYPES
    if name in simple:
        return _exact(value.is_one_of((simple[name],)))
    if name == "number":
        return _exact(value.is_one_of(_NUMBER_TYPES))
    if name == "integer":
        # jsonschema also takes 1.0 as an integer; SQL vouches only for numbers written as integers.
        return Bounds(value.is_one_of(("BIGINT", "UBIGINT")), value.is_one_of(_NUMBER_TYPES))
    return UNKNOWN


def _date(value: _Value) -> Bounds:
    # jsonschema: fullmatch of ^\d{4}-\d{2}-\d{2}$ (ASCII), then date.fromisoformat. DuckDB's cast
    # alone also takes 2023-2-3, ' 2023-02-03', 2023-02-03T10:00 and year 0 (1 BC).
    text = value.string
    return _exact(
        f"(regexp_full_match({text}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}')"
        f" and not starts_with({text}, '0000') and try_cast({text} as date) is not null)"
    )


def _range(value: _Value, limit: object, operator: str) -> Bounds:
    if not (_is_number(limit) and math.isfinite(limit) and abs(limit) < _EXACT_DOUBLE_LIMIT):
        return UNKNOWN
    number = f"try_cast({value.json} as double)"
    # jsonschema fails `instance < minimum`, so NaN passes; DuckDB orders NaN above every number.
    return _only_for(value, _NUMBER_TYPES, _exact(f"(isnan({number}) or {number} {operator} {_double(limit)})"))


def _count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


# --- Patterns: Python `re.search` vs DuckDB's RE2 -----------------------------------------------
#
# Only a small, common regex syntax goes to RE2, one that means the same in both engines. Two
# differences remain and are tracked: `\d`, `\w`, `\s` are ASCII in RE2 but Unicode in Python (RE2
# matches less: sound, not exact), and Python's `$` also matches before a final "\n" (RE2 matches
# less again; exact for strings that do not end in "\n"). Anything else (lookarounds,
# backreferences, inline flags, POSIX classes, `\b`, `\D`, `\x41`, ...) is not compiled.

_ESCAPED_LITERALS = frozenset(".^$*+?()[]{}|\\-/")
_ESCAPED_CONTROLS = frozenset("ntrfv")
_ASCII_IN_RE2 = frozenset("dws")
_QUANTIFIER = re.compile(r"\{(\d+)(,(\d*))?\}")
_RE2_MAX_REPEAT = 1000


@dataclass(frozen=True)
class _Pattern:
    exact_classes: bool  # no \d, \w, \s
    has_dollar: bool


class _Unsupported(Exception):
    pass


def _escape_kind(escaped: str) -> str:
    if escaped in _ASCII_IN_RE2:
        return "ascii_class"
    if escaped and (escaped in _ESCAPED_LITERALS or escaped in _ESCAPED_CONTROLS):
        return "literal"
    raise _Unsupported


def _class_items(pattern: str, start: int) -> tuple[list[str], int]:
    """Members of the character class opening at `start` (`\\x` pairs or single characters)."""
    items, i = [], start + 1
    while i < len(pattern) and pattern[i] != "]":
        step = 2 if pattern[i] == "\\" else 1
        items.append(pattern[i : i + step])
        i += step
    if i >= len(pattern):
        raise _Unsupported
    return items, i + 1


def _class_end(pattern: str, start: int) -> tuple[int, bool]:
    """Index after the character class opening at `start`, and whether it uses \\d, \\w or \\s."""
    items, end = _class_items(pattern, start)
    negated = bool(items) and items[0] == "^"
    items = items[negated:]
    if not items:
        raise _Unsupported  # `[]...]`, `[^]...]`: the two engines read them differently
    unicode_class = False
    for index, item in enumerate(items):
        if item in ("[", "&", "~", "|"):
            raise _Unsupported  # POSIX classes in RE2, set operations in Python
        if item.startswith("\\") and _escape_kind(item[1:]) == "ascii_class":
            if negated:
                raise _Unsupported  # [^\d] is larger in RE2
            unicode_class = True
        if item == "-" and 0 < index < len(items) - 1:
            _check_range(items, index)
    return end, unicode_class


def _check_range(items: list[str], index: int) -> None:
    # Ranges only between two plain characters, in order, not chained (`a-c-e`).
    low, high = items[index - 1], items[index + 1]
    chained = (index >= 2 and items[index - 2] == "-") or (index + 2 < len(items) and items[index + 2] == "-")
    if len(low) != 1 or len(high) != 1 or low > high or chained or "-" in (low, high):
        raise _Unsupported


def _quantifier_end(pattern: str, i: int) -> int:
    if pattern[i] == "{":
        # `{n}`, `{n,}`, `{n,m}` mean the same in both; Python reads `{,m}` as a count, RE2 literally.
        match = _QUANTIFIER.match(pattern, i)
        if not match:
            raise _Unsupported
        low, high = int(match.group(1)), match.group(3)
        if low > _RE2_MAX_REPEAT or (high and (int(high) > _RE2_MAX_REPEAT or int(high) < low)):
            raise _Unsupported
        i = match.end()
    else:
        i += 1
    if pattern[i : i + 1] == "?":
        i += 1  # lazy: the same strings match under search
    if pattern[i : i + 1] in ("*", "+", "?", "{"):
        raise _Unsupported  # possessive (Python 3.11) or a repeated repeat
    return i


def _analyse_pattern(pattern: str) -> _Pattern:
    i, can_repeat, depth, exact_classes, has_dollar = 0, False, 0, True, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            exact_classes = exact_classes and _escape_kind(pattern[i + 1 : i + 2]) == "literal"
            i, can_repeat = i + 2, True
        elif char == "[":
            i, unicode_class = _class_end(pattern, i)
            exact_classes, can_repeat = exact_classes and not unicode_class, True
        elif char == "(":
            if pattern.startswith("(?", i) and not pattern.startswith("(?:", i):
                raise _Unsupported  # lookarounds, named groups, inline flags
            i, depth, can_repeat = i + (3 if pattern.startswith("(?:", i) else 1), depth + 1, False
        elif char == ")":
            if depth == 0:
                raise _Unsupported
            i, depth, can_repeat = i + 1, depth - 1, True
        elif char in "*+?{":
            if not can_repeat:
                raise _Unsupported  # nothing to repeat
            i, can_repeat = _quantifier_end(pattern, i), False
        elif char in "]}":
            raise _Unsupported
        else:
            has_dollar = has_dollar or char == "$"
            i, can_repeat = i + 1, char not in "^$|"
    if depth:
        raise _Unsupported
    return _Pattern(exact_classes, has_dollar)


def _pattern(value: _Value, pattern: object) -> Bounds:
    if not isinstance(pattern, str):
        return UNKNOWN
    try:
        found = _analyse_pattern(pattern)
    except _Unsupported:
        return UNKNOWN
    matches = f"regexp_matches({value.string}, {_literal(pattern)})"  # a search, as re.search
    if not found.exact_classes:
        return Bounds(matches, _SQL_TRUE)
    if found.has_dollar:
        return Bounds(matches, f"(ends_with({value.string}, chr(10)) or {matches})")
    return _exact(matches)


# --- The compiler -------------------------------------------------------------------------------

_OBJECT, _ARRAY, _STRING = ("OBJECT",), ("ARRAY",), ("VARCHAR",)
_OBJECT_KEYWORDS = ("properties", "required", "additionalProperties")


def _object_use(schema: object) -> tuple[list[str], bool]:
    """Property names that `schema` and the subschemas applied to the same value (allOf, if, ...)
    look up or require, and whether any of them looks at the value as an object."""
    names: list[str] = []
    looks = False

    def walk(node: object) -> None:
        nonlocal looks
        if not isinstance(node, dict):
            return
        looks = looks or any(keyword in node for keyword in _OBJECT_KEYWORDS)
        properties, required = node.get("properties"), node.get("required")
        for group in (properties if isinstance(properties, dict) else {}, required if isinstance(required, list) else []):
            names.extend(name for name in group if isinstance(name, str) and _PATH_SAFE_NAME.fullmatch(name) and name not in names)
        for keyword in ("allOf", "anyOf", "oneOf"):
            for sub in node.get(keyword) if isinstance(node.get(keyword), list) else []:
                walk(sub)
        for keyword in ("not", "if", "then", "else"):
            walk(node.get(keyword))

    walk(schema)
    return names, looks


def _forbids_other_keys(schema: object) -> bool:
    """additionalProperties: false applies to this value, directly or through allOf."""
    if not isinstance(schema, dict):
        return False
    parts = schema.get("allOf") if isinstance(schema.get("allOf"), list) else []
    return schema.get("additionalProperties") is False or any(_forbids_other_keys(part) for part in parts)


class _Compiler:
    """Compiles (sub)schemas; its counter keeps nested lambda parameters apart."""

    def __init__(self, formats: frozenset[str]) -> None:
        self._formats = formats
        self._lambdas = 0

    def _fresh(self, prefix: str) -> str:
        self._lambdas += 1
        return f"{prefix}_{self._lambdas}"

    def value(self, schema: object, value: _Value) -> Bounds:
        """`schema` over a JSON value not seen before (the record, a member, an array item)."""
        names, looks_as_object = _object_use(schema)
        if not looks_as_object:
            return self.body(schema, value)
        var, text = self._fresh("object"), value.json
        plain = _Value.plain(text)
        fields = {"kind": value.kind, "keys": f"json_keys({text})", "unique_keys": _unique_keys(plain)}
        closed = ""
        if names:
            paths = "[" + ", ".join(_literal(f'$."{name}"') for name in names) + "]"
            fields |= {
                "members": f"json_extract({text}, {paths})",
                "kinds": f"json_type({text}, {paths})",
                "strings": f"json_extract_string({text}, {paths})",
                "key_count": f"len(json_keys({text}))",
            }
            # As many keys as named members found: every key is a named one, and none repeats. Counted
            # over `kinds` rather than a json_type() of its own, as each field costs a parse of the object.
            closed = f"({var}.key_count = list_count({var}.kinds))"
        unique = f"{var}.unique_keys"
        if closed and _forbids_other_keys(schema):
            # Extra keys fail anyway, so `closed` serves as the (costly) duplicate check.
            unique = closed
            del fields["unique_keys"]
        members = tuple(
            (name, _Value(f"{var}.members[{i}]", f"{var}.kinds[{i}]", f"{var}.strings[{i}]")) for i, name in enumerate(names, 1)
        )
        bound = _Object(text, f"{var}.kind", plain.string, members, keys=f"{var}.keys", unique_keys=unique, closed=closed)
        body = self.body(schema, bound)
        # Each field costs a parse of the object: keep those the compiled checks use.
        used = {field: sql for field, sql in fields.items() if f"{var}.{field}" in body.lower + body.upper}
        used = used or {"kind": fields["kind"]}
        packed = "[struct_pack(" + ", ".join(f"{field} := {sql}" for field, sql in used.items()) + ")]"

        def let(sql: str) -> str:
            return sql if sql in (_SQL_TRUE, _SQL_FALSE) else f"list_transform({packed}, lambda {var}: {sql})[1]"

        return Bounds(let(body.lower), let(body.upper))

    def body(self, schema: object, value: _Value) -> Bounds:
        if isinstance(schema, bool):
            return ACCEPT if schema else REJECT
        if not isinstance(schema, dict):
            return UNKNOWN
        allowed = _allowed_kinds(schema["type"]) if "type" in schema else None
        if allowed is not None:
            # Every keyword here is ANDed with `type`, which also fails outside `allowed`.
            value = replace(value, known=allowed if value.known is None else value.known & allowed)
        parts = []
        for keyword, argument in schema.items():
            if keyword not in _ANNOTATIONS:
                handler = getattr(self, "k_" + keyword, None) if keyword.isidentifier() else None
                parts.append(handler(argument, schema, value) if handler else UNKNOWN)
        return _all(parts)

    def _subschemas(self, argument: object, value: _Value) -> list[Bounds] | None:
        if not isinstance(argument, list) or not argument:
            return None
        return [self.body(sub, value) for sub in argument]

    # Any type

    def k_type(self, argument: object, schema: dict, value: _Value) -> Bounds:
        names = argument if isinstance(argument, list) else [argument]
        return _any([_type(value, name) for name in names]) if names else UNKNOWN

    def k_enum(self, argument: object, schema: dict, value: _Value) -> Bounds:
        return _enum(value, argument) if isinstance(argument, list) and argument else UNKNOWN

    def k_const(self, argument: object, schema: dict, value: _Value) -> Bounds:
        return _equals(value, argument)

    # Combinators

    def k_allOf(self, argument: object, schema: dict, value: _Value) -> Bounds:
        subs = self._subschemas(argument, value)
        return UNKNOWN if subs is None else _all(subs)

    def k_anyOf(self, argument: object, schema: dict, value: _Value) -> Bounds:
        subs = self._subschemas(argument, value)
        return UNKNOWN if subs is None else _any(subs)

    def k_oneOf(self, argument: object, schema: dict, value: _Value) -> Bounds:
        subs = self._subschemas(argument, value)
        if subs is None:
            return UNKNOWN

        # Certainly exactly one: one's lower bound holds and every other's upper bound fails.
        def only(i: int, mine: str, theirs: str, null_means: str) -> str:
            others = [_not_sql(getattr(sub, theirs), null_means) for j, sub in enumerate(subs) if j != i]
            return _join([getattr(subs[i], mine), *others], "and")

        lower = _join([only(i, "lower", "upper", _SQL_TRUE) for i in range(len(subs))], "or")
        upper = _join([only(i, "upper", "lower", _SQL_FALSE) for i in range(len(subs))], "or")
        return Bounds(lower, upper)

    def k_not(self, argument: object, schema: dict, value: _Value) -> Bounds:
        return _negate(self.body(argument, value))

    def k_if(self, argument: object, schema: dict, value: _Value) -> Bounds:
        condition = self.body(argument, value)
        then, otherwise = self.body(schema.get("then", True), value), self.body(schema.get("else", True), value)
        # Passing the `if` is certain under its lower bound, failing it when its upper bound is false.
        certainly_then = _join([condition.lower, then.lower], "and")
        certainly_else = _join([_not_sql(condition.upper, _SQL_TRUE), otherwise.lower], "and")
        maybe_then = _join([condition.upper, then.upper], "and")
        maybe_else = _join([_not_sql(condition.lower, _SQL_FALSE), otherwise.upper], "and")
        return Bounds(_join([certainly_then, certainly_else], "or"), _join([maybe_then, maybe_else], "or"))

    # Objects

    def k_properties(self, argument: object, schema: dict, value: _Value) -> Bounds:
        if not isinstance(argument, dict) or not all(_PATH_SAFE_NAME.fullmatch(name) for name in argument):
            return UNKNOWN
        terms = []
        for name, subschema in argument.items():
            member = value.member(name)
            sub, missing = self.value(subschema, member), f"{member.kind} is null"
            terms.append(Bounds(_join([missing, sub.lower], "or"), _join([missing, sub.upper], "or")))
        return _only_for(value, _OBJECT, _guarded(_unique_keys(value), _all(terms)))

    def k_required(self, argument: object, schema: dict, value: _Value) -> Bounds:
        if not isinstance(argument, list) or not all(isinstance(name, str) for name in argument):
            return UNKNOWN
        bound = [value.bound(name) if isinstance(value, _Object) else None for name in argument]
        checks = [f"{member.kind} is not null" for member in bound if member]
        others = [_literal(name) for name, member in zip(argument, bound, strict=True) if not member]
        if others:
            checks.append(f"list_has_all({_keys(value)}, [{', '.join(others)}])")
        return _only_for(value, _OBJECT, _exact(_join(checks, "and")))

    def k_additionalProperties(self, argument: object, schema: dict, value: _Value) -> Bounds:
        if argument is True or argument == {}:
            return ACCEPT
        properties = schema.get("properties", {})
        if argument is not False or "patternProperties" in schema or not isinstance(properties, dict):
            return UNKNOWN
        if isinstance(value, _Object) and value.closed and all(value.bound(name) for name in properties):
            # Keys unique and among the named members, and the named members that are not
            # properties absent. With duplicate keys `closed` fails although Python accepts.
            absent = _join([f"{member.kind} is null" for name, member in value.members if name not in properties], "and")
            return _only_for(
                value, _OBJECT, Bounds(_join([value.closed, absent], "and"), _join([_not_sql(value.closed, _SQL_FALSE), absent], "or"))
            )
        allowed, keys = ", ".join(_literal(name) for name in properties), _keys(value)
        return _only_for(value, _OBJECT, _exact(f"list_has_all([{allowed}], {keys})" if allowed else f"len({keys}) = 0"))

    # Strings

    def k_pattern(self, argument: object, schema: dict, value: _Value) -> Bounds:
        return _only_for(value, _STRING, _pattern(value, argument))

    def k_minLength(self, argument: object, schema: dict, value: _Value) -> Bounds:
        # DuckDB's length() counts code points, as Python's len() does.
        return _only_for(value, _STRING, _exact(f"length({value.string}) >= {argument}")) if _count(argument) else UNKNOWN

    def k_maxLength(self, argument: object, schema: dict, value: _Value) -> Bounds:
        return _only_for(value, _STRING, _exact(f"length({value.string}) <= {argument}")) if _count(argument) else UNKNOWN

    def k_format(self, argument: object, schema: dict, value: _Value) -> Bounds:
        # A format the checker does not know passes in jsonschema; of those it asserts, only
        # "date" is compiled.
        if argument not in self._formats:
            return ACCEPT
        return _only_for(value, _STRING, _date(value)) if argument == "date" else UNKNOWN

    # Numbers

    def k_minimum(self, argument: object, schema: dict, value: _Value) -> Bounds:
        return _range(value, argument, ">=")

    def k_maximum(self, argument: object, schema: dict, value: _Value) -> Bounds:
        return _range(value, argument, "<=")

    def k_exclusiveMinimum(self, argument: object, schema: dict, value: _Value) -> Bounds:
        return _range(value, argument, ">")

    def k_exclusiveMaximum(self, argument: object, schema: dict, value: _Value) -> Bounds:
        return _range(value, argument, "<")

    # Arrays

    def k_items(self, argument: object, schema: dict, value: _Value) -> Bounds:
        if not isinstance(argument, dict | bool):
            return UNKNOWN  # the array form is not 2020-12 (prefixItems is, and is not compiled)
        item = self._fresh("item")
        sub = self.value(argument, _Value.plain(item))

        def every(bound: str, null_means: str) -> str:
            each = f"list_transform(json_extract({value.json}, '$[*]'), lambda {item}: coalesce({bound}, {null_means}))"
            return f"coalesce(list_bool_and({each}), true)"  # an empty array has nothing to fail

        if sub == ACCEPT:
            return ACCEPT
        return _only_for(value, _ARRAY, Bounds(every(sub.lower, _SQL_FALSE), every(sub.upper, _SQL_TRUE)))

    def k_uniqueItems(self, argument: object, schema: dict, value: _Value) -> Bounds:
        if argument is False:
            return ACCEPT
        if argument is not True:
            return UNKNOWN
        # Only arrays of strings are compared: jsonschema's equal() has 1 == 1.0 and {"a":1,"b":2}
        # equal to {"b":2,"a":1}, which comparing JSON text would miss.
        kind = self._fresh("kind")
        strings = f"len(list_filter(json_type({value.json}, '$[*]'), lambda {kind}: {kind} <> 'VARCHAR')) = 0"
        distinct = f"len(list_distinct(json_extract_string({value.json}, '$[*]'))) = json_array_length({value.json})"
        return _only_for(value, _ARRAY, _guarded(strings, _exact(distinct)))

    def k_minItems(self, argument: object, schema: dict, value: _Value) -> Bounds:
        return _only_for(value, _ARRAY, _exact(f"json_array_length({value.json}) >= {argument}")) if _count(argument) else UNKNOWN

    def k_maxItems(self, argument: object, schema: dict, value: _Value) -> Bounds:
        return _only_for(value, _ARRAY, _exact(f"json_array_length({value.json}) <= {argument}")) if _count(argument) else UNKNOWN


# The formats load_validator's FormatChecker asserts.
DEFAULT_FORMATS = frozenset(FormatChecker().checkers)


def compile_schema(schema: object, json_expr: str = "j", formats: frozenset[str] = DEFAULT_FORMATS) -> Bounds:
    """SQL bounds of "jsonschema accepts the JSON value `json_expr`" (see Bounds), `formats` being
    those the validator's format checker asserts. `json_expr` must be valid JSON here;
    schema_predicate() adds the guard that makes any text safe."""
    return _Compiler(formats).value(schema, _Value.plain(json_expr))


# --- Over lines of text -------------------------------------------------------------------------

# Text that DuckDB's JSON reader takes but Python's json.loads refuses: trailing commas and
# NaN/Infinity/nan/inf (DuckDB allows both), integers of thousands of digits (Python raises past
# 4300) and deep nesting (RecursionError near the recursion limit, 1000). A line Python would
# parse is a sequence of strings, true/false/null, number characters and structure, where a comma
# is followed by a value or a key, never by ] or }.
_JSON_STRING = r'"(?:[^"\\]|\\.)*"'
_VALUE_START = rf"{_JSON_STRING}|true|false|null|-|[0-9]|\[|\{{"
_PYTHON_JSON_TOKENS = rf"(?:{_JSON_STRING}|true|false|null|[0-9.eE+-]|[ \t\n\r{{}}\[\]:]|,[ \t\n\r]*(?:{_VALUE_START}))*"
_LONG_DIGITS = "[0-9]{300}"
_MAX_OPENINGS = 200  # brackets and braces, counted in strings too


def _python_would_parse(text: str) -> str:
    openings = f"strlen({text}) - strlen(replace(replace({text}, '[', ''), '{{', ''))"
    return (
        f"(coalesce(json_valid({text}), false) and regexp_full_match({text}, {_literal(_PYTHON_JSON_TOKENS)})"
        f" and not regexp_matches({text}, '{_LONG_DIGITS}') and {openings} < {_MAX_OPENINGS})"
    )


# Longer lines are left to jsonschema: the SQL copies every member it looks at, about fifteen
# times a line's size at once per vector of 2,048 lines, and 62 lines of 1 MB took it past a 1 GB
# memory limit. Real records are at most about 1 KB.
_LONGEST_VOUCHED = 8 * 1024


def _vouch(text: str, bounds: Bounds) -> str:
    # CASE, not AND: DuckDB may reorder a conjunction, and JSON functions raise on malformed text.
    # A CASE tries each WHEN only on the rows no earlier one took, so long lines are never parsed here.
    return (
        f"(case when strlen({text}) > {_LONGEST_VOUCHED} then false"
        f" when {_python_would_parse(text)} then coalesce({bounds.lower}, false) else false end)"
    )


def schema_predicate(schema: dict, json_expr: str = "j", formats: frozenset[str] = DEFAULT_FORMATS) -> str:
    """A DuckDB boolean over `json_expr` (JSON or text) that is true only when json.loads and then
    jsonschema (Draft 2020-12 with FormatChecker, as load_validator builds it) would accept it.
    Never NULL, never an error: false for text Python would not parse or for a wrong type. It may
    be false for valid records too; those are for jsonschema. Keywords it does not compile (e.g.
    $ref, multipleOf, patternProperties) make their subschema false."""
    return _vouch(json_expr, compile_schema(schema, json_expr, formats))
