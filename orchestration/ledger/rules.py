"""Rules that need more than one record, run as SQL over the stage tables (rules.sql): every rule
checks every row in one pass of DuckDB, with no Python per record. Only a broken evidence rule gets
Python: the nearest sentence of the document, so the curator sees where the copy went wrong."""

import difflib
import re
from dataclasses import astuple
from pathlib import Path

import duckdb

from .violations import Violation

RULES_SQL = Path(__file__).with_name("rules.sql")
SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)]*\s+|\n+")
NEAREST_SHOWN = 200  # evidence violations given their nearest sentence; beyond that it is the same mistake


def statements() -> list[str]:
    return [statement for statement in RULES_SQL.read_text(encoding="utf-8").split("\n;\n") if statement.strip()]


def check(con: duckdb.DuckDBPyConnection, waive: frozenset[str] = frozenset()) -> list[Violation]:
    """Violations of every rule but those in `waive`, from temp tables stage_manifest, stage_facts,
    stage_exclusions, src_texts and the reference lists src_regions, src_currencies, src_metrics,
    src_measures and src_providers (and the view stage_fact_meanings over them)."""
    found = [Violation(*row) for statement in statements() for row in con.execute(statement).fetchall()]
    found = [violation for violation in found if violation.rule not in waive]
    return _with_nearest_sentence(con, found)


def sentences(text: str) -> list[str]:
    return [piece.strip() for piece in SENTENCE_END.split(text) if piece.strip()]


def nearest_sentence(evidence: str, text: str) -> tuple[str, int] | None:
    """The sentence of `text` most like `evidence`, and the first character (from 0) where they differ."""
    candidates = sentences(text)
    if not candidates:
        return None
    nearest = max(candidates, key=lambda sentence: difflib.SequenceMatcher(None, evidence, sentence, autojunk=False).ratio())
    return nearest, len(_common_prefix(evidence, nearest))


def _common_prefix(a: str, b: str) -> str:
    size = 0
    while size < min(len(a), len(b)) and a[size] == b[size]:
        size += 1
    return a[:size]


def _with_nearest_sentence(con: duckdb.DuckDBPyConnection, found: list[Violation]) -> list[Violation]:
    lost = [v for v in found if v.rule == "evidence_in_document"][:NEAREST_SHOWN]
    if not lost:
        return found
    rows = con.execute(
        """select f.source_file, f.source_line, f.evidence, t.content
        from stage_facts as f inner join src_texts as t on f.document_id = t.document_id
        where list_contains(?, f.source_file || ':' || f.source_line)""",
        [[f"{v.file}:{v.row}" for v in lost]],
    ).fetchall()
    hints = {}
    for file, row, evidence, text in rows:
        nearest = nearest_sentence(evidence, text)
        if nearest:
            sentence, at = nearest
            hints[(file, row)] = (
                f"; the nearest sentence is {sentence!r}, which differs from character {at + 1} on"
                f" (evidence {evidence[at : at + 12]!r}, text {sentence[at : at + 12]!r})"
            )
    return [Violation(*astuple(v)[:4], v.message + hints.get((v.file, v.row), "")) if v in lost else v for v in found]
