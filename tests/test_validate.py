"""`ai-market-ledger validate`: every ingest rule and the claim audit, without Dagster, dbt or GX,
run as a curator runs it (the installed command, on a private copy of the sources)."""

import subprocess

from orchestration.curation.checking import check_sources

from .conftest import DOC_000, PROJECT, SourceCopy

COMMAND = str(PROJECT / ".venv" / "bin" / "ai-market-ledger")
FACTS_000 = f"facts/{DOC_000}.jsonl"


def validate(sources: SourceCopy, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [COMMAND, "validate", "--sources", str(sources.root), *arguments], capture_output=True, text=True, timeout=120, check=False
    )


def test_sound_sources_pass_and_every_claim_shows_its_arithmetic_and_status(sources: SourceCopy):
    result = validate(sources)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{FACTS_000}:7 d000.genai_vc_funding_growth_2024: the text says 192%; $56 billion / $29.1 billion − 1 = 92.44%" in result.stdout
    # 0.5 points for '192%', plus 1.9244 x (0.5 / 56 + 0.05 / 29.1) from the inputs' precision
    assert "92.44% (within ±2.549): inconsistent (as expected)" in result.stdout
    summary = "Every ingest rule holds (4 documents, 65 facts, 16 exclusions checked); 15 of 15 claims audit as their curators expect"
    assert summary in result.stdout


def test_each_violation_is_printed_once_grouped_by_file_with_row_field_and_rule(sources: SourceCopy):
    sources.edit_fact("d000.genai_vc_deals_2024", value=886)
    sources.edit_fact("d000.genai_vc_funding_2023", unit="XYZ")
    result = validate(sources)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines == [
        FACTS_000,
        f"  {FACTS_000}:3 value: value 886.0 differs from the figure as written ('885') [value_matches_figure]",
        f"  {FACTS_000}:4 unit: 'XYZ' is neither an ISO 4217 currency code"
        " nor one of ['count', 'event', 'percent', 'rank', 'ratio', 'year'] [known_currency]",
    ]
    assert "Traceback" not in result.stderr and "2 problem(s)" in result.stderr


def test_a_lost_evidence_sentence_names_the_nearest_sentence_and_where_they_differ(sources: SourceCopy):
    row = sources.edit_fact(
        "d000.genai_vc_funding_2023",
        evidence="This marks an increase of 192% and 29% respectively, compared to the investment amount of $29.1 billion "
        "(42.79 trillion won) and transaction number of 691 in 2023.",
    )
    result = validate(sources, "--document", DOC_000)
    assert result.returncode == 1
    (line,) = [line for line in result.stdout.splitlines() if "[evidence_in_document]" in line]
    assert line.startswith(f"  {FACTS_000}:{row} evidence: the evidence sentence is not found verbatim in document {DOC_000}")
    assert "the nearest sentence is 'This marks an increase of 192% and 29%, respectively," in line
    assert "which differs from character 39 on (evidence ' respectivel', text ', respective')" in line


def test_a_claim_the_audit_will_not_give_its_expected_status_fails(sources: SourceCopy):
    sources.edit_fact("d000.genai_vc_funding_growth_2024", audit={"expected_status": "consistent", "why": "the text says so"})
    result = validate(sources, "--document", DOC_000)
    assert result.returncode == 1
    assert "d000.genai_vc_funding_growth_2024: the text says 192%" in result.stdout
    assert "inconsistent (EXPECTED consistent: gx_claim_audit will fail)" in result.stdout
    assert f"11 of 12 claims of document {DOC_000} audit as their curators expect" in result.stdout


def test_a_drafted_line_is_refused_until_its_marker_is_deleted(sources: SourceCopy):
    row = sources.edit_fact("d000.genai_vc_deals_2024", review="draft", review_note="is 885 the deal count?")
    result = validate(sources)
    assert result.returncode == 1
    assert f'  {FACTS_000}:{row} review: still marked "review": "draft"' in result.stdout
    assert "[reviewed]" in result.stdout


def test_facts_without_document_id_or_label_fixed_dates_load_as_written_out(sources: SourceCopy):
    written_out = check_sources(sources.root).fact_rows
    short = []
    for fact in sources.read_facts():
        del fact["document_id"]
        if fact["period_type"] != "fiscal_year":
            del fact["period_start"], fact["period_end"]
        short.append(fact)
    sources.write_facts(short)
    assert validate(sources).returncode == 0
    assert check_sources(sources.root).fact_rows == written_out
