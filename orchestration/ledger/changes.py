"""What changed in the source tree since the last ingest into this build database.

The last ingest's raw tables are its own record: raw.source_files holds the sha256 of every file it
loaded, and raw.documents, raw.facts, raw.fact_inputs and raw.exclusions hold those files' rows, all
written in one transaction after every check passed over every row. So an ingest reads and checks
line by line only the files whose sha256 differs (or that were added or removed), takes the other
rows from raw, runs the rules across files over all of them, and re-covers the numbers of the
documents whose text, facts or exclusions changed.

Everything is read and checked again when the database holds no such record, when the code that
made the record is not this ingest code (ingest_state.loaded: provenance.STEPS), or when a schema or a reference list
changed: those decide whether a row that passed before would pass now."""

from dataclasses import dataclass
from pathlib import Path

import duckdb

from .reading import SourceTree

# A change under these folders can turn rows that passed into rows that fail.
CHECK_DEFINITIONS = ("schemas/", "reference/")


@dataclass(frozen=True)
class Changes:
    """The files this ingest reads and checks line by line (temp table changed_files): every file,
    or those added, changed or removed since the last ingest."""

    everything: bool
    files: frozenset[str]  # paths relative to the source root (unused when everything is read)

    def to_read(self, tree: SourceTree, paths: list[Path]) -> list[Path]:
        return paths if self.everything else [path for path in paths if tree.relative(path) in self.files]


EVERYTHING = Changes(everything=True, files=frozenset())


def _has_record(con: duckdb.DuckDBPyConnection, code_sha256: str | None) -> bool:
    if code_sha256 is None:
        return False
    found = con.execute(
        """select count(*) from duckdb_tables()
        where database_name = current_database() and schema_name = 'ingest_state' and table_name = 'loaded'"""
    ).fetchone()[0]
    return bool(found) and con.execute("select count(*) from ingest_state.loaded where code_sha256 = ?", [code_sha256]).fetchone()[0] == 1


def since_last_load(con: duckdb.DuckDBPyConnection, code_sha256: str | None) -> Changes:
    """Compare src_files (this tree, from reading.hash_files) with raw.source_files (the last load by
    the code whose sha256 is `code_sha256`; None never matches) into temp table changed_files."""
    if _has_record(con, code_sha256):
        con.execute(
            """create or replace temp table changed_files as
            select distinct source_file from (
                (select source_file, sha256 from src_files except select source_file, sha256 from raw.source_files)
                union all
                (select source_file, sha256 from raw.source_files except select source_file, sha256 from src_files)
            )"""
        )
        files = frozenset(name for (name,) in con.execute("select source_file from changed_files").fetchall())
        if not any(name.startswith(CHECK_DEFINITIONS) for name in files):
            return Changes(everything=False, files=files)
    con.execute("create or replace temp table changed_files as select source_file from src_files")
    return EVERYTHING


def add_unchanged_rows(con: duckdb.DuckDBPyConnection) -> None:
    """Complete src_texts, stage_facts and stage_exclusions (which hold the changed files' rows)
    with the rows of every unchanged file, from the last load's raw tables."""
    con.execute(
        """insert into src_texts by name
        select document_id, document_text as content from raw.documents
        where text_file not in (select source_file from changed_files)"""
    )
    con.execute(
        """insert into stage_facts by name
        select f.*, inputs.derived_from
        from raw.facts as f
        left join (
            select fact_id, list(input_fact_id order by input_position) as derived_from from raw.fact_inputs group by fact_id
        ) as inputs on f.fact_id = inputs.fact_id
        where f.source_file not in (select source_file from changed_files)"""
    )
    con.execute(
        """insert into stage_exclusions by name
        select * from raw.exclusions
        where source_file not in (select source_file from changed_files)"""
    )


def scope_documents(con: duckdb.DuckDBPyConnection, changes: Changes) -> None:
    """Temp tables of the documents whose rows are replaced: rechecked_documents, whose numbers are
    covered again (their text, facts or exclusions file changed), and changed_documents, whose
    raw.documents row is written again (those, and every manifest entry that differs)."""
    if changes.everything:
        con.execute("create or replace temp table rechecked_documents as select document_id from src_texts")
        con.execute("create or replace temp table changed_documents as select document_id from stage_manifest")
        return
    con.execute(
        r"""create or replace temp table rechecked_documents as
        select distinct parse_filename(source_file, true) as document_id
        from changed_files
        where regexp_full_match(source_file, '(documents/[^/]+\.txt|facts/[^/]+|exclusions/[^/]+)')"""
    )
    con.execute(
        """create or replace temp table changed_documents as
        select document_id from rechecked_documents
        union
        select document_id from (
            select * from stage_manifest
            except
            select * exclude (document_text, text_sha256, text_file) from raw.documents
        )"""
    )
