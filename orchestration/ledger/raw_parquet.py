"""The raw tables as Parquet, for the Spark engine: what the ingest loaded into the build database,
written partitioned by document (one folder per document_id, Hive style) so that Spark reads only
the documents a query touches. Reference lists and the file checksums are one file each."""

import shutil
from pathlib import Path

import duckdb

from .coverage import sql_literal

# fact_inputs has no document of its own: it is partitioned by its claim's document.
BY_DOCUMENT = {
    "documents": "select * from raw.documents",
    "facts": "select * from raw.facts",
    "fact_inputs": "select fact_inputs.*, facts.document_id from raw.fact_inputs inner join raw.facts using (fact_id)",
    "exclusions": "select * from raw.exclusions",
    "number_mentions": "select * from raw.number_mentions",
}
WHOLE = ("regions", "currencies", "metrics", "measures", "providers", "source_files")
# One COPY keeps a buffer for every partition it has open: a single COPY of 100,000 documents
# spilled 60 GB to disk and had not finished after 25 minutes, while batches of documents write
# at the rate of a small corpus (docs/performance.md).
DOCUMENTS_PER_COPY = 5_000


def write_raw_parquet(con: duckdb.DuckDBPyConnection, folder: Path) -> None:
    """Write every raw table under `folder` (<table>/document_id=<id>/*.parquet, or <table>/data.parquet).
    The new files are written beside the old and swapped in table by table, so a reader never sees
    a half-written table."""
    folder.mkdir(parents=True, exist_ok=True)
    for table, query in {**BY_DOCUMENT, **{name: f"select * from raw.{name}" for name in WHOLE}}.items():
        fresh, target = folder / f".{table}.new", folder / table
        shutil.rmtree(fresh, ignore_errors=True)
        if table in BY_DOCUMENT:
            fresh.mkdir()
            for where in _document_batches(con):
                con.execute(
                    f"copy (select * from ({query}) where {where}) to '{fresh}' (format parquet, partition_by (document_id), append)"
                )
        else:
            fresh.mkdir()
            con.execute(f"copy ({query}) to '{fresh / 'data.parquet'}' (format parquet)")
        _swap(fresh, target)


def _document_batches(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Conditions on document_id that split the documents, in order, into batches of DOCUMENTS_PER_COPY."""
    ids = [document_id for (document_id,) in con.execute("select document_id from raw.documents order by document_id").fetchall()]
    starts = [sql_literal(document_id) for document_id in ids[::DOCUMENTS_PER_COPY]]
    ends = [f" and document_id < {start}" for start in starts[1:]] + [""]
    return [f"document_id >= {start}{end}" for start, end in zip(starts, ends, strict=True)]


def _swap(fresh: Path, target: Path) -> None:
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    fresh.rename(target)
    shutil.rmtree(old, ignore_errors=True)
