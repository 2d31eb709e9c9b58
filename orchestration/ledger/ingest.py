"""Validate the whole source tree, then publish it to the warehouse's `raw` schema in one transaction.

Order matters: file names, then encodings and line structure, then JSON Schema, then rules across
records, then coverage. Nothing is written unless every check passes, so a bad file never replaces
what was published before. Every check is a bulk DuckDB statement over all rows (the JSON Schema
sends Python only the lines SQL cannot vouch for), so validation stays complete at a million facts."""

from dataclasses import dataclass
from pathlib import Path

import duckdb

from . import coverage, reading, rules, structure
from .violations import SourceValidationError, Violation

SQL = Path(__file__).parent


@dataclass(frozen=True)
class IngestSummary:
    documents: int
    facts: int
    exclusions: int
    numbers_in_text: int
    numbers_covered_by_facts: int
    numbers_excluded: int


def _raise_if(problems: list[Violation]) -> None:
    if problems:
        raise SourceValidationError(problems)


def run_script(con: duckdb.DuckDBPyConnection, name: str) -> None:
    for statement in (SQL / name).read_text(encoding="utf-8").split(";\n"):
        if statement.strip():
            con.execute(statement)


def _check_structure(con: duckdb.DuckDBPyConnection, tree: reading.SourceTree) -> list[Violation]:
    """Read each kind of JSON-lines file into its temp table and check every line against its schema."""
    problems = []
    kinds = (
        ("src_manifest", [tree.manifest], "document"),
        ("src_facts", tree.facts(), "fact"),
        ("src_exclusions", tree.exclusions(), "exclusion"),
    )
    for table, files, schema in kinds:
        problems += reading.read_lines(con, tree, table, files)
        violations, _ = structure.check_lines(con, table, structure.load_validator(tree.schema(schema)))
        problems += violations
    return problems


def _uncovered(con: duckdb.DuckDBPyConnection) -> list[Violation]:
    rows = con.execute(
        "select document_id, line_number, token, context from src_mentions where covered_by_kind is null order by all"
    ).fetchall()
    return [
        Violation(
            f"documents/{document_id}.txt",
            line_number,
            "text",
            "number_mapped",
            f"number {token!r} in '...{context}...' is neither in a fact's figure nor listed in exclusions/{document_id}.jsonl",
        )
        for document_id, line_number, token, context in rows
    ]


def validate(con: duckdb.DuckDBPyConnection, tree: reading.SourceTree) -> None:
    """Run every check. Leaves what was read in temp tables (src_*, stage_*) for publishing."""
    _raise_if(reading.check_file_names(tree))
    reading.read_texts(con, tree)
    _raise_if(_check_structure(con, tree))
    for name in ("regions", "currencies", "metrics"):
        reading.read_reference(con, tree, name)
    run_script(con, "stage_tables.sql")
    _raise_if(rules.check(con))
    coverage.build_mentions(con)
    _raise_if(_uncovered(con))


def _publish(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("begin transaction")
    try:
        run_script(con, "raw_tables.sql")
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise


def _summary(con: duckdb.DuckDBPyConnection) -> IngestSummary:
    counts = con.execute(
        """select
            (select count(*) from stage_manifest),
            (select count(*) from stage_facts),
            (select count(*) from stage_exclusions),
            count(*),
            count(*) filter (where covered_by_kind in ('fact_figure', 'fact_period')),
            count(*) filter (where covered_by_kind = 'exclusion')
        from src_mentions"""
    ).fetchone()
    return IngestSummary(*counts)


def hash_sources(con: duckdb.DuckDBPyConnection, sources_root: Path) -> dict[str, str]:
    """sha256 of every source file by its path under `sources_root`, kept in temp table src_files."""
    return reading.hash_files(con, reading.SourceTree(Path(sources_root).resolve()))


def ingest(con: duckdb.DuckDBPyConnection, sources_root: Path, hashed: bool = False) -> IngestSummary:
    """Validate `sources_root` and, only if it is sound, replace the warehouse's raw schema with it.
    `hashed` says hash_sources has just run on this connection (its checksums are reused)."""
    tree = reading.SourceTree(Path(sources_root).resolve())
    if not hashed:
        reading.hash_files(con, tree)
    validate(con, tree)
    _publish(con)
    return _summary(con)
