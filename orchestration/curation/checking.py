"""Check source files without a run: every ingest rule, then the claim audit as the warehouse will
compute it, all in an in-memory DuckDB. Nothing is written anywhere."""

import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ..ledger import ingest
from ..ledger.violations import SourceValidationError, Violation
from . import models

DRAFT_RULES = frozenset({"reviewed"})


@dataclass(frozen=True)
class ClaimCheck:
    fact_id: str
    document_id: str
    file: str
    line: int
    derivation: str
    figure: str
    stated: float
    recomputed: float | None  # in the claim's own unit, as written ('92.44' for '192%')
    tolerance: float | None  # likewise
    status: str
    expected_status: str | None
    inputs: list[str]
    arithmetic: str

    @property
    def as_expected(self) -> bool:
        return self.status == self.expected_status


@dataclass
class Check:
    violations: list[Violation] = field(default_factory=list)
    claims: list[ClaimCheck] = field(default_factory=list)
    documents: int = 0
    facts: int = 0
    exclusions: int = 0
    # when every rule holds: the rows of raw.number_mentions, raw.facts and raw.exclusions as dicts (of `document`
    # only, if given), and the (file, line) of lines still marked draft
    mentions: list[dict] = field(default_factory=list)
    fact_rows: list[dict] = field(default_factory=list)
    exclusion_rows: list[dict] = field(default_factory=list)
    drafts: set[tuple[str, int]] = field(default_factory=set)


def check_sources(sources_root: Path, document: str | None = None, allow_drafts: bool = False) -> Check:
    """Every ingest rule over the whole tree (with `allow_drafts`, lines still marked draft pass),
    then, if they all hold, each claim recomputed by dbt's own audit SQL. With `document`, only the
    violations and claims of that document's files are kept."""
    with duckdb.connect() as con:
        try:
            summary = ingest.ingest(con, Path(sources_root), waive=DRAFT_RULES if allow_drafts else frozenset())
        except SourceValidationError as error:
            # another document's problems stop the check of this one too: then they are the ones shown
            mine = [v for v in error.violations if _concerns(v.file, document)]
            return Check(violations=mine or error.violations)
        claims = [claim for claim in _claims(con) if document is None or claim.document_id == document]
        check = Check([], claims, summary.documents, summary.facts, summary.exclusions)
        scoped = "where ? is null or document_id = ?"
        check.mentions = _rows(con, f"select * from raw.number_mentions {scoped} order by document_id, char_offset", document)
        check.fact_rows = _rows(con, f"select * from raw.facts {scoped} order by source_file, source_line", document)
        check.exclusion_rows = _rows(con, f"select * from raw.exclusions {scoped} order by all", document)
        check.drafts = {(file, line) for file, line in con.execute(DRAFT_LINES).fetchall()}
    return check


DRAFT_LINES = """
    select source_file, line_number from src_facts where json_exists(line, '$.review')
    union all
    select source_file, line_number from src_exclusions where json_exists(line, '$.review')"""


def _rows(con: duckdb.DuckDBPyConnection, query: str, document: str | None) -> list[dict]:
    cursor = con.execute(query, [document, document])
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _concerns(file: str, document: str | None) -> bool:
    return document is None or Path(file).stem == document or file == "documents/manifest.jsonl"


CLAIMS = """
    select
        a.claim_fact_id, a.document_id, f.source_file, f.source_line, a.derivation, a.stated_figure,
        case when a.stated_unit = 'percent' then a.stated_value * 100 else f.value end,
        a.recomputed_as_written,
        a.tolerance * (a.recomputed_as_written / nullif(a.recomputed_value, 0)),
        a.status, a.expected_status, a.stated_qualifier,
        list(i.input_fact_id order by i.input_position),
        list(input.figure order by i.input_position),
        any_value(r.units_per_usd), any_value(r.currency), a.stated_unit
    from {audit} as a
    inner join raw.facts as f on a.claim_fact_id = f.fact_id
    left join raw.fact_inputs as i on a.claim_fact_id = i.fact_id
    left join raw.facts as input on i.input_fact_id = input.fact_id
    left join {rates} as r
        on a.document_id = r.document_id and i.input_position = 1 and r.currency in (a.stated_unit, input.unit)
    group by all
    order by f.source_file, f.source_line"""


def _claims(con: duckdb.DuckDBPyConnection) -> list[ClaimCheck]:
    audit, rates = models.create_views(con, "claim_audit", "int_fx_rates")
    found = []
    for row in con.execute(CLAIMS.format(audit=audit, rates=rates)).fetchall():
        fact_id, document_id, file, line, derivation, figure, stated, recomputed, tolerance, status, expected = row[:11]
        qualifier, inputs, figures, rate, currency, claim_unit = row[11:]
        arithmetic = _arithmetic(derivation, figure, qualifier, figures, recomputed, tolerance, status, (rate, currency, claim_unit))
        claim = (fact_id, document_id, file, line, derivation, figure, stated, recomputed, tolerance, status, expected)
        found.append(ClaimCheck(*claim, inputs, arithmetic))
    return found


def _number(value: float | None) -> str:
    return "?" if value is None else f"{value:,.4g}" if abs(value) < 1e6 else f"{value:,.0f}"


def _arithmetic(derivation, figure, qualifier, figures, recomputed, tolerance, status, rate) -> str:
    """What the audit computes, in the document's own figures: "the text says 192%; $56 billion /
    $29.1 billion − 1 = 92.44%: inconsistent"; a sum or a share over any number of inputs."""
    figures = [f for f in figures if f is not None]
    if not figures:
        return f"the text says {figure}; it names no inputs: {status}"
    a, b = (figures + ["?"])[:2]
    result = _number(recomputed) + ("%" if figure.rstrip().endswith("%") or "percent" in figure else "")
    if derivation == "growth" and len(figures) == 1:
        formula = f"{a} against a base the text does not give"
    elif derivation == "growth":
        formula = f"{a} / {b} − 1 = {result}"
    elif derivation == "share" and len(figures) > 2:
        formula = f"({' + '.join(figures[:-1])}) / {figures[-1]} = {result}"
    elif derivation in ("share", "multiple"):
        formula = f"{a} / {b} = {result}"
    elif derivation == "sum":
        formula = f"{' + '.join(figures)} = {result}{re.sub(r'^[^0-9]*[0-9][0-9,.]*', '', figure)}"
    elif derivation == "fx_equivalent":
        units_per_usd, currency, claim_unit = rate
        operation = "÷" if claim_unit == "USD" else "×"
        formula = f"{a} {operation} {units_per_usd or 0:,.6g} {currency}/USD (the rate the document's own pairs imply) = {result}"
    else:
        formula = f"{a} against {figure!r}, which says {qualifier.replace('_', ' ')}"
    return f"the text says {figure}; {formula}{_bound(derivation, qualifier, tolerance)}: {status}"


ONE_SIDED = {"more_than": "more than", "at_least": "at least", "at_most": "at most", "less_than": "less than"}


def _bound(derivation: str, qualifier: str, tolerance: float | None) -> str:
    """How far the recomputed value may lie from the figure, and on which side."""
    if derivation == "lower_bound" or tolerance is None:
        return ""
    if qualifier in ONE_SIDED:
        return f" (the figure says {ONE_SIDED[qualifier]}: no bound on the other side)"
    if qualifier == "nearly":
        return f" (nearly: at or below the figure, by at most {_number(tolerance)})"
    return f" (within ±{_number(tolerance)})"
