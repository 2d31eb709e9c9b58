"""The bad-input catalogue: each malformed source fails a real run of the whole job with a message
naming file, row, field and rule, builds no mart, and leaves the published warehouse byte-identical.
Row 0 means the file as a whole."""

from collections.abc import Callable
from pathlib import Path

import pytest

from orchestration.ledger.reading import MAX_FILE_BYTES

from .conftest import DOC_000, SourceCopy, failure_text, published_fingerprint, run_refresh

FACTS = f"facts/{DOC_000}.jsonl"


def _empty_file(s: SourceCopy):
    s.facts_file().write_bytes(b"")
    return FACTS, 0, "file", "not_empty"


def _wrong_encoding(s: SourceCopy):
    s.facts_file().write_bytes(s.facts_file().read_bytes().replace(b"Elon Musk", "Elon M\xfcsk".encode("latin-1")))
    return FACTS, 0, "encoding", "utf8"


def _byte_order_mark(s: SourceCopy):
    s.facts_file().write_bytes(b"\xef\xbb\xbf" + s.facts_file().read_bytes())
    return FACTS, 1, "encoding", "no_byte_order_mark"


def _missing_column(s: SourceCopy):
    facts = s.read_facts()
    del facts[2]["qualifier"]
    s.write_facts(facts)
    return FACTS, 3, "qualifier", "schema:required"


def _extra_unknown_column(s: SourceCopy):
    return FACTS, s.edit_fact("d000.mistral_2024", colour="red"), "colour", "schema:additionalProperties"


def _wrong_type(s: SourceCopy):
    return FACTS, s.edit_fact("d000.genai_vc_deals_2024", value="eight hundred"), "value", "schema:type"


def _duplicate_fact_id(s: SourceCopy):
    return FACTS, s.edit_fact("d000.genai_vc_deals_2024", fact_id="d000.genai_vc_funding_2024"), "fact_id", "unique_fact_id"


def _unknown_document_id(s: SourceCopy):
    return FACTS, s.edit_fact("d000.genai_vc_deals_2024", document_id="999_unknown"), "document_id", "known_document_id"


def _unknown_currency(s: SourceCopy):
    return FACTS, s.edit_fact("d000.genai_vc_funding_2024", unit="XYZ"), "unit", "known_currency"


def _unknown_country(s: SourceCopy):
    return FACTS, s.edit_fact("d000.mistral_2024", region="XX"), "region", "known_region"


def _negative_amount(s: SourceCopy):
    return FACTS, s.edit_fact("d000.mistral_2024", value=-640), "value", "non_negative_amount"


def _share_above_one(s: SourceCopy):
    s.replace_in_text("10.71%", "107.1%")
    return FACTS, s.edit_fact("d000.genai_startup_share_2024", value=107.1, figure="107.1%"), "value", "share_within_0_1"


def _evidence_not_in_document(s: SourceCopy):
    row = s.edit_fact("d000.genai_vc_deals_2024", evidence="A sentence the article never wrote.")
    return FACTS, row, "evidence", "evidence_in_document"


def _parts_exceed_whole(s: SourceCopy):
    # Databricks' round grows to $30 billion in text and fact: the named Q4 deals now add up to
    # $46.6 billion, more than the quarter's $31.1 billion.
    s.replace_in_text("$10 billion (14.70 trillion won)", "$30 billion (14.70 trillion won)")
    s.edit_fact("d000.databricks_series_j", value=30, figure="$30 billion")
    row = next(i for i, f in enumerate(s.read_facts(), 1) if f["fact_id"] == "d000.genai_vc_funding_2024q4")
    return FACTS, row, "value", "parts_within_whole"


def _impossible_date(s: SourceCopy):
    return FACTS, s.edit_fact("d000.genai_vc_funding_2024q4", period_end="2024-02-30"), "period_end", "schema:format"


def _period_dates_do_not_match_label(s: SourceCopy):
    return FACTS, s.edit_fact("d000.genai_vc_funding_2024q4", period_start="2024-07-01"), "period_start", "period_dates_match_label"


def _sql_looking_value(s: SourceCopy):
    row = s.edit_fact("d000.mistral_2024", fact_id="d000.x'); drop table raw.facts; --")
    return FACTS, row, "fact_id", "schema:pattern"


def _dot_dot_file_name(s: SourceCopy):
    (s.root / "facts" / "..hidden.jsonl").write_text("{}\n", encoding="utf-8")
    return "facts/..hidden.jsonl", 0, "file name", "safe_file_name"


def _path_separator_in_file_name(s: SourceCopy):
    nested = s.root / "facts" / "nested"
    nested.mkdir()
    (nested / f"{DOC_000}.jsonl").write_bytes(s.facts_file().read_bytes())
    return "facts/nested", 0, "file name", "safe_file_name"


def _very_large_file(s: SourceCopy):
    with (s.root / "facts" / "004_bulk.jsonl").open("wb") as file:
        file.truncate(MAX_FILE_BYTES + 1)
    return "facts/004_bulk.jsonl", 0, "file size", "max_file_size"


def _unmapped_number(s: SourceCopy):
    text = s.document().read_text(encoding="utf-8")
    s.document().write_text(text + "\nIt counted 42 new funds.\n", encoding="utf-8")
    return f"documents/{DOC_000}.txt", len(text.splitlines()) + 1, "text", "number_mapped"


CATALOGUE: dict[str, Callable[[SourceCopy], tuple[str, int, str, str]]] = {
    "empty file": _empty_file,
    "wrong encoding (latin-1)": _wrong_encoding,
    "byte-order mark": _byte_order_mark,
    "missing column": _missing_column,
    "extra unknown column": _extra_unknown_column,
    "wrong type": _wrong_type,
    "duplicate fact id": _duplicate_fact_id,
    "unknown document id": _unknown_document_id,
    "unknown currency code": _unknown_currency,
    "unknown country code": _unknown_country,
    "negative amount": _negative_amount,
    "share above 1": _share_above_one,
    "evidence sentence not in its document": _evidence_not_in_document,
    "parts exceeding their whole": _parts_exceed_whole,
    "impossible calendar date": _impossible_date,
    "period dates that contradict the label": _period_dates_do_not_match_label,
    "SQL-looking text in a value": _sql_looking_value,
    "file name with '..'": _dot_dot_file_name,
    "path separator (a sub-folder) in a file name": _path_separator_in_file_name,
    "very large file": _very_large_file,
    "number in the text no fact accounts for": _unmapped_number,
}


@pytest.mark.parametrize("case", CATALOGUE)
def test_malformed_input_fails_the_run_naming_file_row_field_rule_and_published_bytes_stay_identical(
    case, sources: SourceCopy, pipeline_env: Path
):
    before = published_fingerprint(pipeline_env)
    file, row, field, rule = CATALOGUE[case](sources)
    result, _ = run_refresh()
    assert not result.success
    message = failure_text(result)
    assert f"{file}, row {row}, field '{field}'" in message and f"[rule: {rule}]" in message, message
    assert not [e for e in result.get_asset_materialization_events() if e.asset_key.path[0] in ("marts", "published")]
    assert published_fingerprint(pipeline_env) == before
