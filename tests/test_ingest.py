"""The ingest on real files: the four documents load completely, and each kind of broken input is
refused with file, row, field and rule while what was published before stays as it was."""

from pathlib import Path

import duckdb
import pytest

from orchestration.ledger.ingest import ingest
from orchestration.ledger.violations import SourceValidationError

from .conftest import DOC_000, SOURCES, SourceCopy, raw_snapshot


def test_the_four_documents_load_with_every_number_accounted_for(tmp_path: Path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        summary = ingest(con, SOURCES)
        uncovered = con.execute("select count(*) from raw.number_mentions where covered_by_kind is null").fetchone()[0]
        by_document = dict(con.execute("select document_id, count(*) from raw.facts group by all").fetchall())
    assert (summary.documents, summary.facts, summary.exclusions) == (4, 65, 16)
    assert (summary.numbers_in_text, summary.numbers_covered_by_facts, summary.numbers_excluded) == (77, 61, 16)
    assert uncovered == 0
    assert by_document == {DOC_000: 29, "001_55f767c75a51dedd": 2, "002_47236e943b7bd28c": 18, "003_49800daea670d6a7": 16}


def test_raw_facts_keep_file_and_line_of_every_fact(tmp_path: Path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        ingest(con, SOURCES)
        row = con.execute(
            "select source_file, source_line, figure, value, unit, scale from raw.facts where fact_id = 'd000.genai_vc_funding_2023'"
        ).fetchone()
    assert row == (f"facts/{DOC_000}.jsonl", 4, "$29.1 billion", 29.1, "USD", "billion")


def _break_unknown_currency(s: SourceCopy):
    return s.edit_fact("d000.genai_vc_funding_2024", unit="XYZ"), "unit", "known_currency"


def _break_quote(s: SourceCopy):
    fact = next(f for f in s.read_facts() if f["fact_id"] == "d000.genai_vc_deals_2024")
    return s.edit_fact(fact["fact_id"], evidence=fact["evidence"].replace("transactions", "deals")), "evidence", "evidence_in_document"


def _break_share_above_one(s: SourceCopy):
    s.replace_in_text("10.71%", "107.1%")
    return s.edit_fact("d000.genai_startup_share_2024", value=107.1, figure="107.1%"), "value", "share_within_0_1"


def _break_parts_exceed_whole(s: SourceCopy):
    # Databricks' round grows to $30 billion in the text and in the fact: the named Q4 deals now
    # add up to $46.6 billion, more than the quarter's $31.1 billion.
    s.replace_in_text("$10 billion (14.70 trillion won)", "$30 billion (14.70 trillion won)")
    s.edit_fact("d000.databricks_series_j", value=30, figure="$30 billion")
    row = next(i for i, f in enumerate(s.read_facts(), 1) if f["fact_id"] == "d000.genai_vc_funding_2024q4")
    return row, "value", "parts_within_whole"


def _break_unmapped_number(s: SourceCopy):
    text = s.document().read_text(encoding="utf-8")
    s.document().write_text(text + "\nThe firm employs 42 analysts.\n", encoding="utf-8")
    return len(text.splitlines()) + 1, "text", "number_mapped"


def _break_unknown_document(s: SourceCopy):
    return s.edit_fact("d000.genai_vc_deals_2024", document_id="999_unknown"), "document_id", "known_document_id"


def _break_duplicate_fact_id(s: SourceCopy):
    return s.edit_fact("d000.genai_vc_deals_2024", fact_id="d000.genai_vc_funding_2024"), "fact_id", "unique_fact_id"


def _break_unknown_country(s: SourceCopy):
    return s.edit_fact("d000.mistral_2024", region="XX"), "region", "known_region"


def _break_negative_amount(s: SourceCopy):
    return s.edit_fact("d000.mistral_2024", value=-640), "value", "non_negative_amount"


def _break_period_dates(s: SourceCopy):
    return s.edit_fact("d000.genai_vc_funding_2024q4", period_start="2024-07-01"), "period_start", "period_dates_match_label"


def _break_missing_column(s: SourceCopy):
    facts = s.read_facts()
    del facts[2]["qualifier"]
    s.write_facts(facts)
    return 3, "qualifier", "schema:required"


def _break_wrong_type(s: SourceCopy):
    return s.edit_fact("d000.genai_vc_deals_2024", value="eight hundred"), "value", "schema:type"


BROKEN = {
    "unknown currency": (_break_unknown_currency, f"facts/{DOC_000}.jsonl"),
    "quote not in document": (_break_quote, f"facts/{DOC_000}.jsonl"),
    "share above 1": (_break_share_above_one, f"facts/{DOC_000}.jsonl"),
    "named deals exceeding their total": (_break_parts_exceed_whole, f"facts/{DOC_000}.jsonl"),
    "unmapped number": (_break_unmapped_number, f"documents/{DOC_000}.txt"),
    "unknown document id": (_break_unknown_document, f"facts/{DOC_000}.jsonl"),
    "duplicate fact id": (_break_duplicate_fact_id, f"facts/{DOC_000}.jsonl"),
    "unknown country code": (_break_unknown_country, f"facts/{DOC_000}.jsonl"),
    "negative amount": (_break_negative_amount, f"facts/{DOC_000}.jsonl"),
    "quarter dates do not match label": (_break_period_dates, f"facts/{DOC_000}.jsonl"),
    "missing column": (_break_missing_column, f"facts/{DOC_000}.jsonl"),
    "wrong type": (_break_wrong_type, f"facts/{DOC_000}.jsonl"),
}


@pytest.mark.parametrize("case", BROKEN)
def test_broken_input_is_refused_naming_file_row_field_rule_and_publishes_nothing(case, sources: SourceCopy, tmp_path: Path):
    warehouse = tmp_path / "w.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        ingest(con, sources.root)
    before = raw_snapshot(warehouse)
    breaker, expected_file = BROKEN[case]
    row, field, rule = breaker(sources)
    with duckdb.connect(str(warehouse)) as con, pytest.raises(SourceValidationError) as refused:
        ingest(con, sources.root)
    found = {(v.file, v.row, v.field, v.rule) for v in refused.value.violations}
    assert (expected_file, row, field, rule) in found
    assert f"{expected_file}, row {row}, field '{field}'" in str(refused.value)
    assert raw_snapshot(warehouse) == before


def _raw_bytes(path: Path, data: bytes) -> None:
    path.write_bytes(data)


@pytest.mark.parametrize(
    ("name", "content", "row", "field", "rule"),
    [
        ("bom", None, 1, "encoding", "no_byte_order_mark"),
        ("latin1", None, 0, "encoding", "utf8"),
        ("empty", b"", 0, "file", "not_empty"),
    ],
)
def test_file_level_problems_are_refused(name, content, row, field, rule, sources: SourceCopy):
    path = sources.facts_file()
    original = path.read_bytes()
    if name == "bom":
        content = b"\xef\xbb\xbf" + original
    elif name == "latin1":
        content = original.replace(b"Elon Musk", "Elon M\xfcsk".encode("latin-1"))
    _raw_bytes(path, content)
    with pytest.raises(SourceValidationError) as refused:
        ingest(duckdb.connect(), sources.root)
    assert (f"facts/{DOC_000}.jsonl", row, field, rule) in {(v.file, v.row, v.field, v.rule) for v in refused.value.violations}


@pytest.mark.parametrize("bad_name", ["bad name.jsonl", "..hidden.jsonl", "facts.jsonl;rm"])
def test_unsafe_file_names_are_refused_before_reading(bad_name, sources: SourceCopy):
    (sources.root / "facts" / bad_name).write_text("{}\n", encoding="utf-8")
    with pytest.raises(SourceValidationError) as refused:
        ingest(duckdb.connect(), sources.root)
    assert {(v.file, v.rule) for v in refused.value.violations} == {(f"facts/{bad_name}", "safe_file_name")}


def test_a_linked_source_file_is_refused_and_named_as_the_link(sources: SourceCopy, tmp_path: Path):
    outside = tmp_path / "outside.jsonl"
    outside.write_text("{}\n", encoding="utf-8")
    (sources.root / "facts" / "linked.jsonl").symlink_to(outside)
    with pytest.raises(SourceValidationError) as refused:
        ingest(duckdb.connect(), sources.root)
    assert [(v.file, v.rule) for v in refused.value.violations] == [("facts/linked.jsonl", "safe_file_name")]
