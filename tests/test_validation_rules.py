"""Unit tests of the rules, on single records: the message names file, row, field and rule."""

import json

import duckdb
import pytest

from orchestration.ledger import coverage, ingest, rules, structure
from orchestration.ledger.reading import SourceTree

from .conftest import SOURCES

TREE = SourceTree(SOURCES)
REFERENCE = {
    "regions": ("region_code", ["US", "KR", "GLOBAL"]),
    "currencies": ("currency_code", ["USD", "KRW"]),
    "metrics": ("metric", ["funding_amount", "share", "deal_amount"]),
    "measures": ("measure", ["sector_funding", "deal_value"]),
    "providers": ("data_provider", ["vendor", "other_vendor"]),
}
# Further columns of the reference lists, by list and key: (column, value).
REFERENCE_COLUMNS = {
    "metrics": ("value_kind", {"funding_amount": "amount", "share": "rate", "deal_amount": "amount"}),
    "measures": ("unit_kind", {"sector_funding": "amount", "deal_value": "amount"}),
    "providers": ("kind", {"vendor": "data_vendor", "other_vendor": "data_vendor"}),
    "regions": ("region_name", {"US": "United States", "KR": "South Korea", "GLOBAL": "Global"}),
}
SENTENCE = "Last year the sector raised $56 billion, of which startups took 10.71%."
MANIFEST = [
    {
        "document_id": "doc",
        "reference_year": 2025,
        "published_start": "2025-01-01",
        "published_end": "2025-01-31",
        "_file": "documents/manifest.jsonl",
        "_row": 1,
    }
]
TEXTS = {"doc": "Intro. " + SENTENCE}


def a_fact(**changes) -> dict:
    fact = {
        "fact_id": "d.total",
        "document_id": "doc",
        "metric": "funding_amount",
        "subject": "sector",
        "subject_type": "sector",
        "region": "GLOBAL",
        "period_type": "year",
        "period_label": "2024",
        "period_start": "2024-01-01",
        "period_end": "2024-12-31",
        "period_basis": "relative",
        "period_text": "Last year",
        "value": 56,
        "unit": "USD",
        "scale": "billion",
        "qualifier": "exact",
        "figure": "$56 billion",
        "evidence": SENTENCE,
        "measure": "sector_funding",
        "data_provider": "vendor",
        "_file": "facts/doc.jsonl",
        "_row": 3,
    }
    fact.update(changes)
    return fact


def violations(facts: list[dict], manifest: list[dict] = MANIFEST, texts: dict = TEXTS) -> set[tuple[str, int, str, str]]:
    """The rules' verdict on these records, through the same temp tables and SQL as the ingest."""
    con = duckdb.connect()
    for table, records in (("src_manifest", manifest), ("src_facts", facts), ("src_exclusions", [])):
        con.execute(f"create temp table {table} (source_file varchar, line_number bigint, line varchar)")
        for record in records:
            con.execute(f"insert into {table} values (?, ?, ?)", [record["_file"], record["_row"], json.dumps(clean(record))])
    con.execute("create temp table src_texts as select unnest(?) as document_id, unnest(?) as content", [list(texts), list(texts.values())])
    for name, (column, values) in REFERENCE.items():
        con.execute(f"create temp table src_{name} as select unnest(?) as {column}", [values])
    for name, (column, by_key) in REFERENCE_COLUMNS.items():
        key = REFERENCE[name][0]
        con.execute(f"alter table src_{name} add column {column} varchar")
        for value_of, value in by_key.items():
            con.execute(f"update src_{name} set {column} = ? where {key} = ?", [value, value_of])
    con.execute("alter table src_measures add column parent_measure varchar")
    con.execute("alter table src_measures add column is_additive varchar default 'true'")
    ingest.run_script(con, "stage_tables.sql")
    return {(v.file, v.row, v.field, v.rule) for v in rules.check(con)}


def schema_problems(record: dict) -> set[tuple[str, str]]:
    validator = structure.load_validator(TREE.schema("fact"))
    _, problems = structure.parse_and_check([("facts/doc.jsonl", 7, json.dumps(record))], validator)
    assert all(p.file == "facts/doc.jsonl" and p.row == 7 for p in problems)
    return {(p.field, p.rule) for p in problems}


def clean(fact: dict) -> dict:
    return {k: v for k, v in fact.items() if not k.startswith("_")}


def test_a_sound_fact_breaks_no_rule():
    assert violations([a_fact()]) == set()
    assert schema_problems(clean(a_fact())) == set()


def test_missing_field_is_named_with_required_rule():
    record = clean(a_fact())
    del record["evidence"]
    assert ("evidence", "schema:required") in schema_problems(record)


def test_unknown_extra_column_is_refused():
    assert ("colour", "schema:additionalProperties") in schema_problems({**clean(a_fact()), "colour": "red"})


def test_wrong_type_names_field_and_rule():
    assert ("value", "schema:type") in schema_problems({**clean(a_fact()), "value": "56"})


def test_impossible_calendar_date_fails_date_format():
    assert ("period_end", "schema:format") in schema_problems({**clean(a_fact()), "period_end": "2024-02-30"})


def test_line_that_is_not_json_is_reported_with_its_row():
    validator = structure.load_validator(TREE.schema("fact"))
    _, problems = structure.parse_and_check([("facts/doc.jsonl", 4, "{not json")], validator)
    assert [(p.row, p.rule) for p in problems] == [(4, "valid_json")]


def test_period_dates_must_match_the_label():
    assert ("facts/doc.jsonl", 3, "period_start", "period_dates_match_label") in violations([a_fact(period_end="2024-11-30")])


def test_period_ending_before_it_starts_is_refused():
    found = violations([a_fact(period_start="2024-12-31", period_end="2024-01-01")])
    assert ("facts/doc.jsonl", 3, "period_end", "period_start_before_end") in found


def test_last_year_must_resolve_through_the_documents_reference_year():
    found = violations([a_fact(period_label="2023", period_start="2023-01-01", period_end="2023-12-31")])
    assert ("facts/doc.jsonl", 3, "period_label", "relative_period_resolves") in found


def test_value_must_match_the_figure_as_written():
    assert ("facts/doc.jsonl", 3, "value", "value_matches_figure") in violations([a_fact(value=65)])


def test_unknown_currency_code_is_refused():
    assert ("facts/doc.jsonl", 3, "unit", "known_currency") in violations([a_fact(unit="XYZ")])


def test_negative_amount_is_refused():
    assert ("facts/doc.jsonl", 3, "value", "non_negative_amount") in violations([a_fact(value=-56, figure="56")])


def test_share_above_one_fails_with_row_number():
    share = a_fact(fact_id="d.share", metric="share", value=107.1, unit="percent", scale="one", figure="10.71%", _row=9)
    assert ("facts/doc.jsonl", 9, "value", "share_within_0_1") in violations([a_fact(), share])


def test_evidence_must_be_found_verbatim_in_the_document():
    found = violations([a_fact(evidence=SENTENCE.replace("raised", "gathered"))])
    assert ("facts/doc.jsonl", 3, "evidence", "evidence_in_document") in found


def test_named_parts_may_not_exceed_their_whole():
    part = a_fact(fact_id="d.deal", metric="deal_amount", value=60, figure="$56 billion", part_of="d.total", _row=4)
    found = violations([a_fact(), part])
    assert ("facts/doc.jsonl", 3, "value", "parts_within_whole") in found


def test_an_at_least_whole_sets_no_ceiling_for_its_parts():
    part = a_fact(fact_id="d.deal", metric="deal_amount", value=60, figure="$56 billion", part_of="d.total", _row=4)
    assert not {v for v in violations([a_fact(qualifier="at_least"), part]) if v[3] == "parts_within_whole"}


def test_derived_claim_must_name_existing_inputs():
    claim = a_fact(
        fact_id="d.share",
        metric="share",
        value=10.71,
        unit="percent",
        scale="one",
        figure="10.71%",
        derived_from=["d.missing", "d.total"],
        derivation="share",
        audit={"expected_status": "consistent", "why": "stated"},
    )
    assert ("facts/doc.jsonl", 3, "derived_from", "known_fact_id") in violations([a_fact(), claim])


def test_digits_number_words_and_ordinals_are_found():
    tokens = [m.group() for m in coverage.NUMBER.finditer("In the fourth quarter, ninefold growth, a third of 82.34 and 100,000; GPT-4.")]
    assert tokens == ["fourth", "quarter", "ninefold", "third", "82.34", "100,000", "4"]


def test_a_year_in_the_evidence_of_a_fact_for_that_year_is_covered():
    fact = a_fact(evidence="In 2024 it raised $56 billion.", period_basis="stated")
    mentions = coverage.document_mentions("doc", "In 2024 it raised $56 billion.", [fact], [])
    assert [(m.token, m.covered_by_kind) for m in mentions] == [("2024", "fact_period"), ("56", "fact_figure"), ("billion", "fact_figure")]


def test_a_fraction_in_words_without_its_fact_is_unmapped():
    text = "Startups took more than a fifth of the money."
    mentions = coverage.document_mentions("doc", text, [], [])
    assert [(m.token, m.covered_by_kind) for m in mentions] == [("fifth", None)]


def test_a_line_still_marked_draft_is_refused():
    found = violations([a_fact(review="draft", review_note="period unsure")])
    assert found == {("facts/doc.jsonl", 3, "review", "reviewed")}


def test_a_fact_may_leave_its_document_and_its_label_fixed_dates_out():
    short = {k: v for k, v in a_fact().items() if k not in ("document_id", "period_start", "period_end")}
    assert violations([short]) == set()
    assert schema_problems(clean(short)) == set()


def test_a_half_year_runs_over_its_six_months():
    half = a_fact(period_type="half", period_label="2024-H2", period_start="2024-07-01", period_end="2024-12-31")
    assert violations([half]) == set()
    wrong = a_fact(period_type="half", period_label="2024-H2", period_start="2024-07-01", period_end="2024-09-30")
    assert ("facts/doc.jsonl", 3, "period_start", "period_dates_match_label") in violations([wrong])


def test_a_label_that_fits_no_type_is_refused_even_without_dates():
    short = {k: v for k, v in a_fact(period_label="2024-Q4").items() if k not in ("period_start", "period_end")}
    assert ("facts/doc.jsonl", 3, "period_label", "period_label_matches_type") in violations([short])


def test_a_fiscal_year_still_needs_its_dates():
    fiscal = {k: v for k, v in clean(a_fact(period_type="fiscal_year", period_label="FY2025")).items() if k != "period_end"}
    assert ("period_end", "schema:required") in schema_problems(fiscal)


def test_figures_in_words_hold_to_the_numbers_they_spell(monkeypatch: pytest.MonkeyPatch):
    for figure, value, unit in [("eighth", 8, "rank"), ("an eighth", 0.125, "ratio"), ("a fifth", 20, "percent")]:
        sentence = f"It came {figure}."
        spelled = a_fact(figure=figure, value=value, unit=unit, scale="one", evidence=sentence, period_basis="stated")
        monkeypatch.setitem(TEXTS, "doc", f"Intro. {SENTENCE} {sentence}")
        assert not {v for v in violations([spelled]) if v[3] == "value_matches_figure"}, figure
    for figure, value in [("twenty-five", 25), ("two hundred", 200), ("two-thirds", 2 / 3)]:
        assert not {
            v for v in violations([a_fact(figure=figure, value=value, unit="count", scale="one")]) if v[3] == "value_matches_figure"
        }
    assert ("facts/doc.jsonl", 3, "value", "value_matches_figure") in violations([a_fact(figure="eighth", value=7, unit="rank")])


def test_a_number_no_fact_or_exclusion_accounts_for_is_unmapped():
    fact = a_fact(evidence="In 2024 it raised $56 billion.", period_basis="stated")
    mentions = coverage.document_mentions("doc", "In 2024 it raised $56 billion.\nIt has 42 staff.", [fact], [])
    assert [(m.token, m.line_number) for m in mentions if m.covered_by_kind is None] == [("42", 2)]


def without(fact: dict, *fields: str) -> dict:
    return {k: v for k, v in fact.items() if k not in fields}


def test_an_amount_names_its_measure_and_provider_itself_or_by_its_documents_defaults():
    bare = without(a_fact(), "measure", "data_provider")
    assert violations([bare]) == {("facts/doc.jsonl", 3, "measure", "measure_named")}
    assert violations([without(a_fact(), "data_provider")]) == {("facts/doc.jsonl", 3, "data_provider", "measure_named")}
    defaults = [{**MANIFEST[0], "default_measure": "sector_funding", "default_data_provider": "vendor"}]
    assert violations([bare], manifest=defaults) == set()
    unknown = [{**MANIFEST[0], "default_measure": "no_such_measure", "default_data_provider": "vendor"}]
    assert ("documents/manifest.jsonl", 1, "default_measure", "known_measure") in violations([bare], manifest=unknown)
    assert violations([a_fact(data_provider="no_such_vendor")]) == {("facts/doc.jsonl", 3, "data_provider", "known_data_provider")}


def test_a_share_of_inputs_with_different_measures_must_say_it_compares_across_them():
    part = a_fact(fact_id="d.deal", metric="deal_amount", measure="deal_value", value=6, figure="$56 billion", _row=4)
    part["value"] = 56
    share = a_fact(
        fact_id="d.share",
        metric="share",
        value=10.71,
        unit="percent",
        scale="one",
        figure="10.71%",
        _row=9,
        derivation="share",
        derived_from=["d.deal", "d.total"],
        audit={"expected_status": "inconsistent", "why": "a test claim"},
    )
    found = violations([a_fact(), part, share])
    assert ("facts/doc.jsonl", 9, "compares_across", "derivation_same_definition") in found
    assert not {v for v in violations([a_fact(), part, {**share, "compares_across": ["measure"]}]) if v[3] == "derivation_same_definition"}
    other = {**part, "measure": "sector_funding", "data_provider": "other_vendor"}
    assert ("facts/doc.jsonl", 9, "compares_across", "derivation_same_definition") in violations(
        [a_fact(), other, {**share, "compares_across": ["measure"]}]
    )


TWO_DOCUMENTS = [*MANIFEST, {**MANIFEST[0], "document_id": "doc2", "_row": 2}]
RESTATED = "Last year the sector raised $56.4 billion, of which startups took 10.71%."


def restated(**changes) -> dict:
    figure = changes.pop("figure", "$56.4 billion")
    changes.setdefault("evidence", RESTATED)
    return a_fact(
        fact_id="d2.total", document_id="doc2", _file="facts/doc2.jsonl", _row=1, value=float(figure[1:5]), figure=figure, **changes
    )


def test_one_figure_stated_by_two_documents_agrees_within_precision_or_one_revises_the_other():
    texts = {**TEXTS, "doc2": RESTATED.replace("56.4", "56.6") + " " + RESTATED}
    # $56 billion is 55.5 to 56.5, $56.4 billion 56.35 to 56.45: they overlap
    assert violations([a_fact(), restated()], TWO_DOCUMENTS, texts) == set()
    disagreeing = restated(figure="$56.6 billion", evidence=RESTATED.replace("56.4", "56.6"))
    assert violations([a_fact(), disagreeing], TWO_DOCUMENTS, texts) == {("facts/doc2.jsonl", 1, "value", "agrees_across_documents")}
    revision = {**disagreeing, "revision_of": "d.total", "revision_reason": "the provider restated its 2024 data"}
    assert violations([a_fact(), revision], TWO_DOCUMENTS, texts) == set()
    assert violations([a_fact(), {**disagreeing, "data_provider": "other_vendor"}], TWO_DOCUMENTS, texts) == set()


def test_a_revision_names_a_fact_of_another_document():
    same_document = a_fact(fact_id="d.restated", _row=4, revision_of="d.total", revision_reason="restated")
    assert ("facts/doc.jsonl", 4, "revision_of", "revision_of_other_document") in violations([a_fact(), same_document])
    missing = a_fact(revision_of="d.nothing", revision_reason="restated")
    assert ("facts/doc.jsonl", 3, "revision_of", "revision_of_other_document") in violations([missing])
    assert ("revision_reason", "schema:required") in schema_problems(clean(a_fact(revision_of="d2.total")))
