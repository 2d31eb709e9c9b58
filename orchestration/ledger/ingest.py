"""Validate the source tree, then publish it to the warehouse's `raw` schema in one transaction.

Order matters: what stands in the tree (names, links, special files, sizes; checked as it is
hashed), then encodings and line structure, then JSON Schema, then rules across records, then
coverage. Nothing is written unless every check passes, so a bad file never replaces
what was published before. Every check is a bulk DuckDB statement, but JSON Schema, which
jsonschema-rs checks (structure.py), so validation stays complete at a million facts.

A file that has not changed since the last ingest into the same build database is not read again:
its rows, which passed every check then, come from raw (changes.py). The rules across files still
run over every row, so a new fact that repeats an old fact's id is refused just the same."""

from dataclasses import dataclass
from pathlib import Path

import duckdb

from . import changes, coverage, reading, rules, structure
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
    files_checked: int  # read and checked anew: all, or those added or changed since the last ingest
    documents_rechecked: int  # whose numbers were covered again


def _raise_if(problems: list[Violation]) -> None:
    if problems:
        raise SourceValidationError(problems)


def run_script(con: duckdb.DuckDBPyConnection, name: str) -> None:
    for statement in (SQL / name).read_text(encoding="utf-8").split(";\n"):
        if statement.strip():
            con.execute(statement)


def _check_structure(con: duckdb.DuckDBPyConnection, tree: reading.SourceTree, scope: changes.Changes) -> list[Violation]:
    """Read each kind of JSON-lines file into its temp table and check every line against its schema:
    the whole manifest (one file, which changes with every document), and the facts and exclusions
    files in `scope`."""
    problems = []
    kinds = (
        ("src_manifest", [tree.manifest], "document"),
        ("src_facts", scope.to_read(tree, tree.facts()), "fact"),
        ("src_exclusions", scope.to_read(tree, tree.exclusions()), "exclusion"),
    )
    for table, files, schema in kinds:
        path = tree.schema(schema)
        validator, refused = structure.schema_validator(tree.relative(path), reading.read_bytes(con, tree, path))
        problems += refused + reading.read_lines(con, tree, table, files)
        if validator is not None:
            problems += structure.check_lines(con, table, validator)[0]
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


def validate(
    con: duckdb.DuckDBPyConnection, tree: reading.SourceTree, scope: changes.Changes | None = None, waive: frozenset[str] = frozenset()
) -> None:
    """Run every check on the files in `scope` (default: all) and every rule over all rows (but the
    rules in `waive`: the curation tools check drafts), after reading.hash_files has checked the
    tree. Leaves what was read in temp tables (src_*, stage_*),
    the documents concerned in changed_documents and rechecked_documents, and in src_files the
    checksums of what was loaded, for publishing."""
    scope = scope or changes.EVERYTHING
    _raise_if(reading.read_texts(con, tree, scope.to_read(tree, tree.documents())))
    _raise_if(_check_structure(con, tree, scope))
    _raise_if([problem for name in reading.REFERENCE_KEYS for problem in reading.read_reference(con, tree, name)])
    run_script(con, "stage_tables.sql")
    if not scope.everything:
        changes.add_unchanged_rows(con)
    _raise_if(rules.check(con, waive))
    changes.scope_documents(con, scope)
    coverage.build_mentions(con, None if scope.everything else "rechecked_documents")
    _raise_if(_uncovered(con))
    reading.checksums_as_loaded(con)


def _publish(con: duckdb.DuckDBPyConnection, scope: changes.Changes, code_sha256: str | None) -> None:
    con.execute("begin transaction")
    try:
        run_script(con, "raw_rows.sql")
        if scope.everything:
            con.execute("drop schema if exists raw cascade")
        run_script(con, "raw_tables.sql" if scope.everything else "raw_changes.sql")
        con.execute("create schema if not exists ingest_state")
        con.execute("create or replace table ingest_state.loaded as select ?::varchar as code_sha256", [code_sha256])
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise


def _summary(con: duckdb.DuckDBPyConnection) -> IngestSummary:
    counts = con.execute(
        """select
            (select count(*) from raw.documents),
            (select count(*) from raw.facts),
            (select count(*) from raw.exclusions),
            count(*),
            count(*) filter (where covered_by_kind in ('fact_figure', 'fact_period')),
            count(*) filter (where covered_by_kind = 'exclusion'),
            (select count(*) from changed_files where source_file in (select source_file from src_files)),
            (select count(*) from rechecked_documents)
        from raw.number_mentions"""
    ).fetchone()
    return IngestSummary(*counts)


def hash_sources(con: duckdb.DuckDBPyConnection, sources_root: Path) -> dict[str, str]:
    """sha256 of every source file by its path under `sources_root`, kept in temp table src_files."""
    return reading.hash_files(con, reading.SourceTree(Path(sources_root).resolve()))


def ingest(
    con: duckdb.DuckDBPyConnection,
    sources_root: Path,
    hashed: bool = False,
    code_sha256: str | None = None,
    waive: frozenset[str] = frozenset(),
) -> IngestSummary:
    """Validate `sources_root` and, only if it is sound, bring the warehouse's raw schema up to it.
    `hashed` says hash_sources has just run on this connection (its checksums are reused).
    `code_sha256` names the code that checks; when the last ingest into this database was by the
    same code, only what changed since is read and checked line by line (None: everything is)."""
    tree = reading.SourceTree(Path(sources_root).resolve())
    if not hashed:
        reading.hash_files(con, tree)
    scope = changes.since_last_load(con, code_sha256)
    validate(con, tree, scope, waive)
    _publish(con, scope, code_sha256)
    return _summary(con)
