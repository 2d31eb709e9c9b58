"""The bad-input catalogue: each malformed source fails a real run of the whole job with a message
naming file, row, field and rule (and no other error: no stack trace of an unexpected one), builds
no mart, leaves the published warehouse byte-identical, and the next run on the mended sources is
clean. Row 0 means the file as a whole.

CATALOGUE holds what is wrong inside a data file; TREE_CATALOGUE what is wrong with what stands in
the source tree (names, links, special files, sizes), which is refused before any file is read; and
DEFINITIONS_CATALOGUE what is wrong with a schema or a reference list. Runs
here may stop after hashing the sources when nothing changed (no forced rebuild), because a link or
a folder added with nothing else changed must be refused all the same."""

import json
import math
import os
import shutil
import signal
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from dagster import AssetKey

from orchestration.ledger.files import MAX_FILE_BYTES
from orchestration.ledger.reading import MAX_LINE_BYTES
from orchestration.schedules import REBUILD_UNCHANGED
from orchestration.sources import RAW_TABLES

from .conftest import DOC_000, PROJECT, SOURCES, SourceCopy, failure_text, published_fingerprint, run_refresh
from .live import BIN, deployment

FACTS = f"facts/{DOC_000}.jsonl"
DOC_002 = "002_47236e943b7bd28c"
FACTS_002 = f"facts/{DOC_002}.jsonl"
Case = Callable[[SourceCopy], tuple[str, int, str, str]]


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


def _key_given_twice(s: SourceCopy):
    # json.loads would judge the second fact_id; DuckDB would load the first.
    lines = s.facts_file().read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace("{", '{"fact_id": "d000.x\'); drop table raw.facts; --", ', 1)
    s.facts_file().write_text("\n".join(lines) + "\n", encoding="utf-8")
    return FACTS, 2, "fact_id", "duplicate_key"


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


def _count_of_400_digits(s: SourceCopy):
    # "didn't produce any foundation models": a figure without digits, so no digit can contradict it.
    return FACTS_002, s.edit_fact("d002.kr_foundation_model_count_2023", value=10**399), "value", "schema:type"


def _count_beyond_its_bound(s: SourceCopy):
    return FACTS_002, s.edit_fact("d002.kr_foundation_model_count_2023", value=10**13), "value", "schema:maximum"


def _figure_in_words_contradicting_its_value(s: SourceCopy):
    return FACTS_002, s.edit_fact("d002.us_cn_private_investment_multiple_2023", value=8), "value", "value_matches_figure"


def _nan_in_a_multiple(s: SourceCopy):
    return FACTS_002, s.edit_fact("d002.us_cn_private_investment_multiple_2023", value=math.nan), "value", "schema:type"


def _infinite_rank(s: SourceCopy):
    return FACTS_002, s.edit_fact("d002.kr_patents_per_capita_rank_2023", value=math.inf), "value", "schema:type"


def _rank_zero(s: SourceCopy):
    return FACTS_002, s.edit_fact("d002.kr_patents_per_capita_rank_2023", value=0), "value", "schema:minimum"


def _nested_ten_thousand_levels(s: SourceCopy):
    rows = len(s.read_facts())
    with s.facts_file().open("a", encoding="utf-8") as file:
        file.write('{"note": ' + "[" * 10_000 + "]" * 10_000 + "}\n")
    return FACTS, rows + 1, "(record)", "max_nesting_depth"


def _line_of_50_megabytes(s: SourceCopy):
    row = s.edit_fact("d000.mistral_2024", note="x" * 50 * 1024 * 1024)
    return FACTS, row, "(record)", "max_line_length"


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


def _year_to_date_not_from_the_first_of_january(s: SourceCopy):
    row = s.edit_fact(
        "d000.sakana_ai_2024", period_type="year_to_date", period_label="2024-YTD", period_start="2024-02-01", period_end="2024-09-30"
    )
    return FACTS, row, "period_start", "period_dates_match_label"


def _growth_of_a_quarter_over_a_year(s: SourceCopy):
    row = s.edit_fact("d000.genai_vc_funding_growth_2024", derived_from=["d000.genai_vc_funding_2024q4", "d000.genai_vc_funding_2023"])
    return FACTS, row, "derived_from", "growth_same_period_length"


def _sum_of_one_input(s: SourceCopy):
    row = s.edit_fact("d000.genai_vc_funding_growth_2024", derivation="sum", derived_from=["d000.genai_vc_funding_2024"])
    return FACTS, row, "derived_from", "derivation_inputs"


def _sql_looking_value(s: SourceCopy):
    row = s.edit_fact("d000.mistral_2024", fact_id="d000.x'); drop table raw.facts; --")
    return FACTS, row, "fact_id", "schema:pattern"


def _unmapped_number(s: SourceCopy):
    text = s.document().read_text(encoding="utf-8")
    s.document().write_text(text + "\nIt counted 42 new funds.\n", encoding="utf-8")
    return f"documents/{DOC_000}.txt", len(text.splitlines()) + 1, "text", "number_mapped"


def _amount_without_measure(s: SourceCopy):
    facts = s.read_facts()
    row = next(i for i, f in enumerate(facts) if f["fact_id"] == "d000.genai_vc_funding_2023")
    del facts[row]["measure"]
    s.write_facts(facts)
    return FACTS, row + 1, "measure", "measure_named"


def _unknown_measure(s: SourceCopy):
    return FACTS, s.edit_fact("d000.genai_vc_funding_2023", measure="genai_vc_deal_valeu"), "measure", "known_measure"


def _unknown_data_provider(s: SourceCopy):
    return FACTS, s.edit_fact("d000.genai_vc_funding_2023", data_provider="pitchbok"), "data_provider", "known_data_provider"


def _unknown_default_data_provider(s: SourceCopy):
    manifest = s.root / "documents" / "manifest.jsonl"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace('"pitchbook"', '"techcrunch"', 1), encoding="utf-8")
    return "documents/manifest.jsonl", 1, "default_data_provider", "known_data_provider"


def _count_with_an_amount_measure(s: SourceCopy):
    return FACTS, s.edit_fact("d000.genai_vc_deals_2023", measure="genai_vc_deal_value"), "measure", "measure_unit_matches_metric"


def _claim_across_measures_not_declared(s: SourceCopy):
    facts = s.read_facts()
    row = next(i for i, f in enumerate(facts) if f["fact_id"] == "d000.genai_startup_share_2024")
    del facts[row]["compares_across"]
    s.write_facts(facts)
    return FACTS, row + 1, "compares_across", "derivation_same_definition"


def _same_figure_two_documents_disagree(s: SourceCopy):
    # Qiming's $23 billion restated as PitchBook's GLOBAL 2023 generative-AI deal value ($29.1 billion)
    changes = {"measure": "genai_vc_deal_value", "data_provider": "pitchbook", "subject": "generative AI companies", "region": "GLOBAL"}
    return "facts/001_55f767c75a51dedd.jsonl", s.edit_fact("d001.aigc_funding_us_2023", **changes), "value", "agrees_across_documents"


def _revision_of_a_fact_of_the_same_document(s: SourceCopy):
    row = s.edit_fact("d001.aigc_funding_us_2023", revision_of="d001.aigc_funding_cn_2023", revision_reason="a later estimate")
    return "facts/001_55f767c75a51dedd.jsonl", row, "revision_of", "revision_of_other_document"


CATALOGUE: dict[str, Case] = {
    "empty file": _empty_file,
    "wrong encoding (latin-1)": _wrong_encoding,
    "byte-order mark": _byte_order_mark,
    "missing column": _missing_column,
    "extra unknown column": _extra_unknown_column,
    "wrong type": _wrong_type,
    "duplicate fact id": _duplicate_fact_id,
    "a key given twice in one record, the first SQL-looking": _key_given_twice,
    "unknown document id": _unknown_document_id,
    "unknown currency code": _unknown_currency,
    "unknown country code": _unknown_country,
    "negative amount": _negative_amount,
    "share above 1": _share_above_one,
    "a count of 400 digits, its figure written without digits": _count_of_400_digits,
    "a count beyond what a count can be": _count_beyond_its_bound,
    "a figure in words its value contradicts": _figure_in_words_contradicting_its_value,
    "NaN in a multiple": _nan_in_a_multiple,
    "Infinity as a rank": _infinite_rank,
    "rank 0": _rank_zero,
    "a line nested 10,000 levels deep": _nested_ten_thousand_levels,
    "a line of 50 MB in a file under the size limit": _line_of_50_megabytes,
    "evidence sentence not in its document": _evidence_not_in_document,
    "parts exceeding their whole": _parts_exceed_whole,
    "impossible calendar date": _impossible_date,
    "period dates that contradict the label": _period_dates_do_not_match_label,
    "a year to date that does not start on 1 January": _year_to_date_not_from_the_first_of_january,
    "a growth of a quarter over a year": _growth_of_a_quarter_over_a_year,
    "a sum of one input": _sum_of_one_input,
    "SQL-looking text in a value": _sql_looking_value,
    "number in the text no fact accounts for": _unmapped_number,
    "an amount that names no measure": _amount_without_measure,
    "a measure not in measures.csv": _unknown_measure,
    "a data provider not in providers.csv": _unknown_data_provider,
    "a manifest default provider not in providers.csv": _unknown_default_data_provider,
    "a deal count with an amount's measure": _count_with_an_amount_measure,
    "a share across two measures that does not say so": _claim_across_measures_not_declared,
    "one figure from two documents that disagree, neither a revision": _same_figure_two_documents_disagree,
    "a revision of a fact of the same document": _revision_of_a_fact_of_the_same_document,
}


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


def _permissive_schema_behind_a_link(s: SourceCopy):
    # The link leads out of the tree to a schema that takes anything; the facts then break the real one.
    outside = s.root.parent / "permissive.schema.json"
    outside.write_text("{}", encoding="utf-8")
    (s.root / "schemas" / "fact.schema.json").unlink()
    (s.root / "schemas" / "fact.schema.json").symlink_to(outside)
    s.edit_fact("d000.mistral_2024", colour="red")
    return "schemas/fact.schema.json", 0, "file name", "safe_file_name"


def _reference_list_behind_a_link(s: SourceCopy):
    outside = s.root.parent / "regions.csv"
    shutil.copyfile(s.root / "reference" / "regions.csv", outside)
    (s.root / "reference" / "regions.csv").unlink()
    (s.root / "reference" / "regions.csv").symlink_to(outside)
    return "reference/regions.csv", 0, "file name", "safe_file_name"


def _schemas_folder_behind_a_link(s: SourceCopy):
    outside = s.root.parent / "schemas"
    (s.root / "schemas").rename(outside)
    (s.root / "schemas").symlink_to(outside)
    return "schemas", 0, "file name", "safe_file_name"


def _fifo_in_place_of_a_schema(s: SourceCopy):
    (s.root / "schemas" / "fact.schema.json").unlink()
    os.mkfifo(s.root / "schemas" / "fact.schema.json")
    return "schemas/fact.schema.json", 0, "file", "regular_file"


def _link_added_with_nothing_else_changed(s: SourceCopy):
    (s.root / "facts" / "900_alias.jsonl").symlink_to(s.facts_file())
    return "facts/900_alias.jsonl", 0, "file name", "safe_file_name"


def _folder_added_with_nothing_else_changed(s: SourceCopy):
    (s.root / "facts" / "archive").mkdir()
    return "facts/archive", 0, "file name", "safe_file_name"


def _folder_added_beside_the_five(s: SourceCopy):
    (s.root / "drafts").mkdir()
    return "drafts", 0, "file name", "source_folder"


TREE_CATALOGUE: dict[str, Case] = {
    "file name with '..'": _dot_dot_file_name,
    "path separator (a sub-folder) in a file name": _path_separator_in_file_name,
    "very large file": _very_large_file,
    "a schema replaced by a link to a permissive schema outside the tree": _permissive_schema_behind_a_link,
    "a reference list replaced by a link": _reference_list_behind_a_link,
    "the schemas folder replaced by a link": _schemas_folder_behind_a_link,
    "a FIFO in place of a schema": _fifo_in_place_of_a_schema,
    "a link added under sources/ with nothing else changed": _link_added_with_nothing_else_changed,
    "a folder added under sources/ with nothing else changed": _folder_added_with_nothing_else_changed,
    "a folder added beside the five of sources/": _folder_added_beside_the_five,
}


def _schema_that_is_no_json(s: SourceCopy):
    (s.root / "schemas" / "exclusion.schema.json").write_text('{"type": "object",', encoding="utf-8")
    return "schemas/exclusion.schema.json", 0, "(schema)", "valid_schema"


def _schema_that_is_no_schema(s: SourceCopy):
    (s.root / "schemas" / "exclusion.schema.json").write_text('{"type": "nothing-such"}', encoding="utf-8")
    return "schemas/exclusion.schema.json", 0, "(schema)", "valid_schema"


def _reference_list_without_its_key(s: SourceCopy):
    path = s.root / "reference" / "currencies.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("currency_code", "code", 1), encoding="utf-8")
    return "reference/currencies.csv", 1, "currency_code", "valid_csv"


def _measure_with_an_unknown_parent(s: SourceCopy):
    path = s.root / "reference" / "measures.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    row = next(i for i, line in enumerate(lines) if line.startswith("genai_startup_vc_deal_value,"))
    lines[row] = lines[row].replace(",genai_vc_deal_value", ",genai_vc_deal", 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return "reference/measures.csv", row + 1, "parent_measure", "known_parent_measure"


# What decides whether a row passes: a change here has every file checked anew (so these are not
# run incrementally in test_incremental_ingest.py).
DEFINITIONS_CATALOGUE: dict[str, Case] = {
    "a schema file that is not JSON": _schema_that_is_no_json,
    "a schema file that is no JSON Schema": _schema_that_is_no_schema,
    "a reference list without its key column": _reference_list_without_its_key,
    "a measure whose parent is no measure": _measure_with_an_unknown_parent,
}
EVERY_CASE = {**CATALOGUE, **TREE_CATALOGUE, **DEFINITIONS_CATALOGUE}


def run_within(seconds: int, **run):
    """run_refresh, interrupted if it has not finished in time: a run that waits on a FIFO would
    otherwise hang the suite (the alarm's exception ends the wait, and the run fails with it)."""

    def interrupt(signum, frame):
        raise TimeoutError(f"the run did not finish within {seconds} s: something it reads made it wait")

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.alarm(seconds)
    try:
        return run_refresh(**run)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def restore_sources(s: SourceCopy) -> None:
    shutil.rmtree(s.root)
    shutil.copytree(SOURCES, s.root)


def assert_refused(result, file: str, row: int, field: str, rule: str) -> None:
    """A failed run whose only error is the ingest's refusal, naming file, row, field and rule."""
    assert not result.success
    message = failure_text(result)
    assert f"{file}, row {row}, field '{field}'" in message and f"[rule: {rule}]" in message, message
    failures = result.get_step_failure_events()
    assert [e.step_key for e in failures] == ["ingest_sources"] and failures[0].step_failure_data.user_failure_data, message
    assert not [e for e in result.get_asset_materialization_events() if e.asset_key.path[0] in ("marts", "published")]


def assert_next_ingest_is_clean() -> None:
    """The next run's ingest, on the mended sources, checks and loads everything: nothing the bad
    input left behind (in the build database, the lock, the tree) stands in its way."""
    result, _ = run_within(300, asset_selection=[AssetKey(["raw", table]) for table in RAW_TABLES], run_config=REBUILD_UNCHANGED)
    assert result.success, failure_text(result)


@pytest.mark.slow
@pytest.mark.parametrize("case", EVERY_CASE)
def test_malformed_input_fails_the_run_naming_file_row_field_rule_and_published_bytes_stay_identical(
    case, sources: SourceCopy, pipeline_env: Path
):
    before = published_fingerprint(pipeline_env)
    file, row, field, rule = EVERY_CASE[case](sources)
    result, _ = run_within(300, run_config={})
    assert_refused(result, file, row, field, rule)
    assert published_fingerprint(pipeline_env) == before
    restore_sources(sources)
    assert_next_ingest_is_clean()
    assert published_fingerprint(pipeline_env) == before


@pytest.mark.slow
def test_a_line_and_a_file_just_within_their_limits_load(sources: SourceCopy, pipeline_env: Path):
    doc_003 = "003_49800daea670d6a7"
    facts = sources.read_facts(doc_003)
    fact = next(f for f in facts if f["fact_id"] == "d003.cpo_sector_growth_2023")

    def of_the_longest_line(fact_id: str) -> dict:
        copy = {**fact, "fact_id": fact_id, "note": ""}
        return copy | {"note": "x" * (MAX_LINE_BYTES - len(json.dumps(copy, ensure_ascii=False).encode()))}

    copies = [of_the_longest_line(f"d003.copy_{k:02d}") for k in range(MAX_FILE_BYTES // MAX_LINE_BYTES - 2)]
    sources.write_facts([*facts, *copies], doc_003)
    lines = sources.facts_file(doc_003).read_bytes()
    assert (
        max(len(line) for line in lines.splitlines()) == MAX_LINE_BYTES
        and MAX_FILE_BYTES - 3 * MAX_LINE_BYTES < len(lines) <= MAX_FILE_BYTES
    )
    result, _ = run_within(300, asset_selection=[AssetKey(["raw", table]) for table in RAW_TABLES])
    assert result.success, failure_text(result)


@pytest.mark.slow
def test_an_unreadable_file_fails_the_run_naming_it(built, sources: SourceCopy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    made = deployment(tmp_path, built[1], sources.root)
    before = published_fingerprint(made.published)
    sources.facts_file().chmod(0)
    # Root reads every file whatever its mode; the run is started without the capabilities that let it.
    without_override = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"] if os.geteuid() == 0 else []
    refresh = subprocess.run(
        [*without_override, str(BIN / "ai-market-ledger"), "refresh"],
        cwd=PROJECT,
        env=made.env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = refresh.stdout + refresh.stderr
    assert refresh.returncode == 1, output[-3000:]
    assert f"{FACTS}, row 0, field 'file': cannot be opened for reading: Permission denied [rule: unreadable_file]" in output
    assert published_fingerprint(made.published) == before
    sources.facts_file().chmod(0o644)
    for variable, value in made.env().items():
        if variable.startswith("AI_MARKET_"):
            monkeypatch.setenv(variable, value)
    assert_next_ingest_is_clean()
