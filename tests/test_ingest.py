"""The ingest on real files: the four documents load completely with file and line of every fact.
Each kind of broken input is in the bad-input catalogue (test_bad_input.py), run through the whole job."""

import json
from pathlib import Path

import duckdb
import pytest

from orchestration.ledger.ingest import ingest
from orchestration.ledger.violations import SourceValidationError

from .conftest import DOC_000, SOURCES, SourceCopy


def test_the_four_documents_load_with_every_number_accounted_for(tmp_path: Path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        summary = ingest(con, SOURCES)
        uncovered = con.execute("select count(*) from raw.number_mentions where covered_by_kind is null").fetchone()[0]
        by_document = dict(con.execute("select document_id, count(*) from raw.facts group by all").fetchall())
    assert (summary.documents, summary.facts, summary.exclusions) == (4, 65, 16)
    assert (summary.numbers_in_text, summary.numbers_covered_by_facts, summary.numbers_excluded) == (112, 96, 16)
    assert uncovered == 0
    assert by_document == {DOC_000: 29, "001_55f767c75a51dedd": 2, "002_47236e943b7bd28c": 18, "003_49800daea670d6a7": 16}


def test_raw_facts_keep_file_and_line_of_every_fact(tmp_path: Path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        ingest(con, SOURCES)
        row = con.execute(
            "select source_file, source_line, figure, value, unit, scale from raw.facts where fact_id = 'd000.genai_vc_funding_2023'"
        ).fetchone()
    assert row == (f"facts/{DOC_000}.jsonl", 4, "$29.1 billion", 29.1, "USD", "billion")


def test_a_linked_source_file_is_refused_and_named_as_the_link(sources: SourceCopy, tmp_path: Path):
    outside = tmp_path / "outside.jsonl"
    outside.write_text("{}\n", encoding="utf-8")
    (sources.root / "facts" / "linked.jsonl").symlink_to(outside)
    with pytest.raises(SourceValidationError) as refused:
        ingest(duckdb.connect(), sources.root)
    assert [(v.file, v.rule) for v in refused.value.violations] == [("facts/linked.jsonl", "safe_file_name")]


def test_crlf_and_blank_lines_are_read_as_the_curator_wrote_them_with_true_line_numbers(sources: SourceCopy, tmp_path: Path):
    # A CR before the LF is dropped; then lines that trim() empties (nothing, spaces, a no-break
    # space) are skipped but still counted. A tab is not blank.
    ids = [fact["fact_id"] for fact in sources.read_facts()]
    facts = [json.dumps(fact, ensure_ascii=False) for fact in sources.read_facts()]
    lines = [facts[0], " ", "\u00a0\u3000", facts[1], "", *facts[2:]]
    sources.facts_file().write_bytes("\r\n".join(lines).encode("utf-8") + b"\r\n")
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        summary = ingest(con, sources.root)
        lines_read = con.execute(
            "select source_line, fact_id from raw.facts where source_file = ? and source_line <= 6 order by 1", [f"facts/{DOC_000}.jsonl"]
        ).fetchall()
    assert summary.facts == 65
    assert lines_read == [(1, ids[0]), (4, ids[1]), (6, ids[2])]

    sources.facts_file().write_bytes("\n".join([facts[0], "\t", *facts[1:]]).encode("utf-8") + b"\n")
    with pytest.raises(SourceValidationError) as refused:
        ingest(duckdb.connect(), sources.root)
    assert [(v.file, v.row, v.rule) for v in refused.value.violations] == [(f"facts/{DOC_000}.jsonl", 2, "valid_json")]
