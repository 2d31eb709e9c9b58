"""The raw tables as Parquet for the Spark engine: one folder per document, and every row once,
however the documents are split into the batches they are written in."""

from pathlib import Path

import duckdb
import pytest

from orchestration.ledger import raw_parquet
from orchestration.ledger.ingest import ingest

from .conftest import PROJECT

TABLES = raw_parquet.BY_DOCUMENT


def _rows(con: duckdb.DuckDBPyConnection, folder: Path, table: str) -> list[tuple]:
    query = f"select * exclude (document_id), document_id from read_parquet('{folder / table}/*/*.parquet', hive_partitioning = true)"
    return sorted(con.execute(query).fetchall(), key=repr)


@pytest.fixture(scope="module")
def seeds() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    ingest(con, PROJECT / "sources")
    yield con
    con.close()


def test_documents_written_one_per_batch_give_every_row_once_in_its_documents_folder(
    seeds: duckdb.DuckDBPyConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    raw_parquet.write_raw_parquet(seeds, tmp_path / "whole")
    monkeypatch.setattr(raw_parquet, "DOCUMENTS_PER_COPY", 1)
    raw_parquet.write_raw_parquet(seeds, tmp_path / "batched")
    documents = sorted(d for (d,) in seeds.execute("select document_id from raw.documents").fetchall())
    assert len(documents) == 4
    for table, query in TABLES.items():
        expected = sorted(seeds.execute(f"select * exclude (document_id), document_id from ({query})").fetchall(), key=repr)
        assert _rows(seeds, tmp_path / "batched", table) == expected == _rows(seeds, tmp_path / "whole", table), table
        folders = sorted(p.name for p in (tmp_path / "batched" / table).iterdir())
        assert set(folders) <= {f"document_id={d}" for d in documents}, table
    assert sorted(p.name for p in (tmp_path / "batched" / "facts").iterdir()) == [f"document_id={d}" for d in documents]


def test_the_batches_split_the_documents_in_order_at_every_nth(seeds: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(raw_parquet, "DOCUMENTS_PER_COPY", 3)
    first, second = sorted(d for (d,) in seeds.execute("select document_id from raw.documents").fetchall())[::3]
    assert raw_parquet._document_batches(seeds) == [
        f"document_id >= '{first}' and document_id < '{second}'",
        f"document_id >= '{second}'",
    ]
