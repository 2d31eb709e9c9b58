"""Validate the whole source tree, then publish it to the warehouse's `raw` schema in one transaction.

Order matters: file names, then encodings and line structure, then JSON Schema, then rules across
records, then coverage. Nothing is written unless every check passes, so a bad file never replaces
what was published before."""

from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import duckdb

from . import coverage, reading, rules, structure
from .violations import SourceValidationError, Violation

RAW_SQL = Path(__file__).with_name("raw_tables.sql")


@dataclass(frozen=True)
class Validated:
    manifest: list[dict]
    facts: list[dict]
    exclusions: list[dict]
    mentions: list[coverage.Mention]


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


def _structured(con, tree: reading.SourceTree, table: str, files: list[Path], schema: str) -> tuple[list[dict], list[Violation]]:
    problems = reading.read_lines(con, tree, table, files)
    rows = con.execute(f"select source_file, line_number, line from {table} order by source_file, line_number").fetchall()
    records, structural = structure.parse_and_check(rows, structure.load_validator(tree.schema(schema)))
    return records, problems + structural


def _reference(con, tree: reading.SourceTree) -> rules.Reference:
    return rules.Reference(
        reading.read_reference(con, tree, "regions", "region_code"),
        reading.read_reference(con, tree, "currencies", "currency_code"),
        reading.read_reference(con, tree, "metrics", "metric"),
    )


def _uncovered(mentions: list[coverage.Mention]) -> list[Violation]:
    return [
        Violation(
            f"documents/{m.document_id}.txt",
            m.line_number,
            "text",
            "number_mapped",
            f"number {m.token!r} in '...{m.context}...' is neither in a fact's figure nor listed in exclusions/{m.document_id}.jsonl",
        )
        for m in mentions
        if m.covered_by_kind is None
    ]


def validate(con: duckdb.DuckDBPyConnection, tree: reading.SourceTree) -> Validated:
    """Run every check; return the records and the coverage of each number in the documents. Leaves
    what was read in temp tables (src_*) for publishing."""
    _raise_if(reading.check_file_names(tree))
    texts = reading.read_texts(con, tree)
    manifest, p1 = _structured(con, tree, "src_manifest", [tree.manifest], "document")
    facts, p2 = _structured(con, tree, "src_facts", tree.facts(), "fact")
    exclusions, p3 = _structured(con, tree, "src_exclusions", tree.exclusions(), "exclusion")
    _raise_if(p1 + p2 + p3)
    _raise_if(
        rules.check_manifest(manifest, texts)
        + rules.check_facts(facts, manifest, texts, _reference(con, tree))
        + rules.check_exclusions(exclusions, texts)
    )
    facts_by_doc, exclusions_by_doc = defaultdict(list), defaultdict(list)
    for fact in facts:
        facts_by_doc[fact["document_id"]].append(fact)
    for item in exclusions:
        exclusions_by_doc[item["document_id"]].append(item)
    mentions = [
        mention
        for document_id, text in sorted(texts.items())
        for mention in coverage.document_mentions(document_id, text, facts_by_doc[document_id], exclusions_by_doc[document_id])
    ]
    _raise_if(_uncovered(mentions))
    return Validated(manifest, facts, exclusions, mentions)


def _publish(con: duckdb.DuckDBPyConnection, tree: reading.SourceTree, mentions: list[coverage.Mention]) -> None:
    con.execute(
        "create or replace temp table src_mentions (document_id varchar, line_number integer, char_offset integer, "
        "token varchar, context varchar, covered_by_kind varchar, covered_by varchar)"
    )
    con.executemany(
        "insert into src_mentions values (?, ?, ?, ?, ?, ?, ?)",
        [(m.document_id, m.line_number, m.char_offset, m.token, m.context, m.covered_by_kind, m.covered_by) for m in mentions],
    )
    parameters = {"source_files": [str(p) for p in tree.all_files()], "sources_root": str(tree.root) + "/"}
    con.execute("begin transaction")
    try:
        for statement in RAW_SQL.read_text().split(";\n"):
            if statement.strip():
                needed = {k: v for k, v in parameters.items() if f"${k}" in statement}
                con.execute(statement, needed)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise


def ingest(con: duckdb.DuckDBPyConnection, sources_root: Path) -> IngestSummary:
    """Validate `sources_root` and, only if it is sound, replace the warehouse's raw schema with it."""
    tree = reading.SourceTree(Path(sources_root).resolve())
    validated = validate(con, tree)
    _publish(con, tree, validated.mentions)
    kinds = Counter(m.covered_by_kind for m in validated.mentions)
    return IngestSummary(
        documents=len(validated.manifest),
        facts=len(validated.facts),
        exclusions=len(validated.exclusions),
        numbers_in_text=len(validated.mentions),
        numbers_covered_by_facts=kinds["fact_figure"] + kinds["fact_period"],
        numbers_excluded=kinds["exclusion"],
    )
