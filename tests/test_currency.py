"""A rate belongs to its document and its date: each document's amounts are converted with its own
implied rate (units of the currency per US dollar), another document's only for the same currency
and the nearest period, and every converted amount names the rate it used, the same one the claim
audit recomputes with. Real ingest, real dbt build (its tests included), real DuckDB files."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from pytest import approx

from orchestration.gx_suites import load_suites, run_suite
from orchestration.ledger.ingest import ingest

from .conftest import DOC_000, PROJECT, SourceCopy

KOREA = "950_kr_ai_startups_h1"
NO_RATE = "951_kr_chip_designers_h2"
DBT = Path(sys.executable).with_name("dbt")
# document 000's nine won equivalents intersect in [42.785e12 / 29.1e9, 82.345e12 / 56e9]
DOC_000_RATE = (42.785e12 / 29.1e9 + 82.345e12 / 56e9) / 2
# the Korean article's three dollar equivalents intersect in the interval of '$870 million'
KOREA_RATE = (1.2e12 / 870.5e6 + 1.2e12 / 869.5e6) / 2

KOREA_SENTENCES = (
    "Korean AI startups raised 1.2 trillion won (about $870 million) in the first half of this year.",
    "Rebellions alone secured 345 billion won ($250 million), and FuriosaAI 138 billion won ($100 million).",
)
KOREA_TEXT = " ".join(KOREA_SENTENCES) + "\n"
NO_RATE_TEXT = "Korean chip designers raised 300 billion won in the second half of this year.\n"


def _manifest_entry(document_id: str, title: str, start: str, end: str) -> dict:
    return {
        "document_id": document_id,
        "title": title,
        "title_basis": "curated",
        "outlet": None,
        "author": None,
        "published_start": start,
        "published_end": end,
        "date_basis": "inferred_from_content",
        "date_evidence": "Written for the tests: the half-year it reports on is over, the year is not.",
        "reference_year": 2025,
        "language": "en",
        "default_data_provider": "kvca",
    }


def _fact(fact_id: str, metric: str, subject: str, subject_type: str, figure: str, value: float, unit: str, scale: str, **more) -> dict:
    half = {"H1": ("2025-01-01", "2025-06-30"), "H2": ("2025-07-01", "2025-12-31")}[more.pop("half", "H1")]
    fact = {
        "fact_id": fact_id,
        "metric": metric,
        "measure": "vc_round_value" if metric == "deal_amount" else "kr_ai_startup_funding",
        "subject": subject,
        "subject_type": subject_type,
        "region": "KR",
        "period_type": "half",
        "period_label": f"2025-{'H1' if half[0].endswith('01-01') else 'H2'}",
        "period_start": half[0],
        "period_end": half[1],
        "period_basis": "relative",
        "period_text": "this year",
        "value": value,
        "unit": unit,
        "scale": scale,
        "qualifier": "exact",
        "figure": figure,
    }
    return fact | more


def _equivalent(fact: dict, figure: str, value: float, qualifier: str = "exact") -> dict:
    return {k: v for k, v in fact.items() if k != "part_of"} | {
        "fact_id": fact["fact_id"] + "_usd",
        "metric": "currency_equivalent",
        "figure": figure,
        "value": value,
        "unit": "USD",
        "scale": "million",
        "qualifier": qualifier,
        "derived_from": [fact["fact_id"]],
        "derivation": "fx_equivalent",
        "audit": {"expected_status": "consistent", "why": "The article's dollar equivalents imply one KRW/USD rate."},
    }


# the deals' sentence names no period: it is the half-year of the sentence before
IN_THE_HALF_NAMED_BEFORE = {
    "period_basis": "inferred",
    "period_text": None,
    "note": "The first half of this year, named in the sentence before.",
}


def add_korean_articles(sources: SourceCopy) -> None:
    """Two articles in won: one stating three dollar equivalents (its own rate), one stating none."""
    first, second = KOREA_SENTENCES
    total = _fact("d950.kr_ai_startups_h1", "funding_amount", "Korean AI startups", "sector", "1.2 trillion won", 1.2, "KRW", "trillion")
    total["evidence"] = first
    rebellions = _fact(
        "d950.rebellions_h1",
        "deal_amount",
        "Rebellions",
        "company",
        "345 billion won",
        345,
        "KRW",
        "billion",
        part_of=total["fact_id"],
        evidence=second,
        **IN_THE_HALF_NAMED_BEFORE,
    )
    furiosa = _fact(
        "d950.furiosa_h1",
        "deal_amount",
        "FuriosaAI",
        "company",
        "138 billion won",
        138,
        "KRW",
        "billion",
        part_of=total["fact_id"],
        evidence=second,
        **IN_THE_HALF_NAMED_BEFORE,
    )
    korea = [
        total,
        _equivalent(total, "$870 million", 870, "approximately"),
        rebellions,
        _equivalent(rebellions, "$250 million", 250),
        furiosa,
        _equivalent(furiosa, "$100 million", 100),
    ]
    chips = _fact(
        "d951.kr_chip_designers_h2",
        "funding_amount",
        "Korean chip designers",
        "sector",
        "300 billion won",
        300,
        "KRW",
        "billion",
        half="H2",
        evidence=NO_RATE_TEXT.strip(),
    )
    entries = [
        (KOREA, KOREA_TEXT, korea, _manifest_entry(KOREA, "Korean AI startups raise 1.2 trillion won", "2025-07-01", "2025-12-31")),
        (
            NO_RATE,
            NO_RATE_TEXT,
            [chips],
            _manifest_entry(NO_RATE, "Korean chip designers raise 300 billion won", "2026-01-01", "2026-03-31"),
        ),
    ]
    with (sources.root / "documents" / "manifest.jsonl").open("a", encoding="utf-8") as manifest:
        for document_id, text, facts, entry in entries:
            manifest.write(json.dumps(entry) + "\n")
            sources.document(document_id).write_text(text, encoding="utf-8")
            facts = [{k: v for k, v in (f | {"document_id": document_id}).items() if v is not None} for f in facts]
            sources.write_facts(facts, document_id)


def dbt_build(database: Path) -> None:
    """`dbt build`: every model, and every dbt test (unit tests and the rate-agreement test included)."""
    env = {**os.environ, "AI_MARKET_DBT_BUILD_PATH": str(database)}
    command = [str(DBT), "build", "--quiet", "--project-dir", "dbt_project", "--profiles-dir", "dbt_project"]
    subprocess.run([*command, "--target-path", str(database.parent / "target")], cwd=PROJECT, env=env, check=True)


@pytest.fixture(scope="module")
def korean(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse built from the seeds plus the two Korean articles."""
    root = tmp_path_factory.mktemp("currency")
    sources = SourceCopy(root / "sources")
    shutil.copytree(PROJECT / "sources", sources.root)
    add_korean_articles(sources)
    database = root / "ai_market.duckdb"
    with duckdb.connect(str(database)) as con:
        ingest(con, sources.root)
    dbt_build(database)
    return database


def rows(database: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.mark.slow
def test_fx_rates_has_one_orientation_units_per_usd_with_each_documents_period(korean: Path):
    assert rows(
        korean, "select document_id, currency, units_per_usd, pair_count, pairs_agree, rate_period from marts.fx_rates order by 1"
    ) == [
        (DOC_000, "KRW", approx(DOC_000_RATE), 9, True, "2025-01-06/2025-06-30"),
        (KOREA, "KRW", approx(KOREA_RATE), 3, True, "2025-07-01/2025-12-31"),
    ]
    assert round(DOC_000_RATE, 2) == 1470.36 and round(KOREA_RATE, 2) == 1379.31


@pytest.mark.slow
def test_a_korean_articles_won_convert_with_its_own_rate_not_document_000s(korean: Path):
    ((amount, rate, document, period, basis),) = rows(
        korean,
        "select amount_usd, fx_rate, fx_rate_document_id, fx_rate_period, fx_rate_basis from marts.funding_by_period "
        "where scope = 'Korean AI startups'",
    )
    assert (amount, rate, document, period, basis) == (
        approx(1.2e12 / KOREA_RATE),
        approx(KOREA_RATE),
        KOREA,
        "2025-07-01/2025-12-31",
        "own_document",
    )
    assert round(amount / 1e6, 1) == 870.0  # the stated $870 million, not 1.2 trillion won / 1470.36 = $816.1 million
    assert round(1.2e12 / DOC_000_RATE / 1e6, 1) == 816.1
    deals = rows(
        korean,
        "select company, amount_usd, fx_rate_document_id, segment_total_usd, segment_named_deals_usd from marts.funding_deals "
        "where document_id = '950_kr_ai_startups_h1' order by company",
    )
    named = (345e9 + 138e9) / KOREA_RATE
    assert deals == [
        ("FuriosaAI", approx(138e9 / KOREA_RATE), KOREA, approx(1.2e12 / KOREA_RATE), approx(named)),
        ("Rebellions", approx(345e9 / KOREA_RATE), KOREA, approx(1.2e12 / KOREA_RATE), approx(named)),
    ]


@pytest.mark.slow
def test_an_article_without_a_rate_takes_the_nearest_documents_and_says_so(korean: Path):
    # its figure (2025-H2) is nearer the Korean article's window (2025-07-01/2025-12-31) than 000's
    assert rows(
        korean,
        "select amount_usd, fx_rate, fx_rate_document_id, fx_rate_period, fx_rate_basis from marts.facts "
        "where fact_id = 'd951.kr_chip_designers_h2'",
    ) == [(approx(300e9 / KOREA_RATE), approx(KOREA_RATE), KOREA, "2025-07-01/2025-12-31", "nearest_document")]


@pytest.mark.slow
def test_the_claim_audit_recomputes_dollar_equivalents_with_the_articles_own_rate(korean: Path):
    audit = rows(
        korean,
        "select claim_fact_id, recomputed_value, status, fx_rate, fx_rate_document_id from marts.claim_audit "
        "where document_id = '950_kr_ai_startups_h1' order by 1",
    )
    assert audit == [
        ("d950.furiosa_h1_usd", approx(138e9 / KOREA_RATE), "consistent", approx(KOREA_RATE), KOREA),
        ("d950.kr_ai_startups_h1_usd", approx(1.2e12 / KOREA_RATE), "consistent", approx(KOREA_RATE), KOREA),
        ("d950.rebellions_h1_usd", approx(345e9 / KOREA_RATE), "consistent", approx(KOREA_RATE), KOREA),
    ]


@pytest.mark.slow
def test_claim_audit_and_marts_use_the_same_rate_for_every_converted_figure(korean: Path):
    """On real data, with the Korean articles: the figures of every currency equivalent in another
    currency than the dollar (9 won claims of 000, 3 won inputs of 950) carry the audit's rate."""
    compared = rows(
        korean,
        """select count(*), count(*) filter (where f.fx_rate = a.fx_rate and f.fx_rate_document_id = a.fx_rate_document_id)
        from marts.claim_audit as a
        inner join staging.stg_articles__fact_inputs as i on a.claim_fact_id = i.fact_id
        inner join marts.facts as f on f.fact_id in (a.claim_fact_id, i.input_fact_id) and f.unit <> 'USD'
        where a.derivation = 'fx_equivalent'""",
    )
    assert compared == [(12, 12)]


@pytest.mark.slow
def test_every_mart_showing_amount_usd_names_its_rate(korean: Path):
    for mart, amount in (
        ("funding_by_period", "amount_usd"),
        ("funding_deals", "amount_usd"),
        ("investment_plans", "amount_usd"),
        ("facts", "amount_usd"),
        ("market_size", "value_usd"),
    ):
        unnamed = rows(
            korean,
            f"select count(*) from marts.{mart} where {amount} is not null and (fx_rate is null or fx_rate_basis is null "
            "or (fx_rate_basis <> 'usd' and (fx_rate_document_id is null or fx_rate_period is null)))",
        )
        assert unnamed == [(0,)], mart


def test_segment_sums_that_lump_unsegmented_deals_fail_the_funding_deals_reconciliation(tmp_path: Path):
    (suite,) = [s for s in load_suites(PROJECT / "expectations") if s.name == "funding_deals"]
    deals = pd.DataFrame(
        {
            "company": ["One", "Loose A", "Loose B"],
            "country": ["KR", "KR", "US"],
            "round": [None, None, None],
            "amount_usd": [300.0, 5000.0, 7000.0],
            "period": ["2025-H1"] * 3,
            "document_id": ["doc_a", "doc_a", "doc_b"],
            "fact_id": ["a.one", "a.loose", "b.loose"],
            "evidence": ["..."] * 3,
            "share_of_segment_total": [0.3, None, None],
            "segment_total_usd": [1000.0, None, None],
            "segment_named_deals_usd": [300.0, None, None],
        }
    )
    assert run_suite(suite, deals, tmp_path, "per-segment").success
    lumped = deals.assign(segment_named_deals_usd=[300.0, 12000.0, 12000.0])  # every unsegmented deal summed as one segment
    outcome = run_suite(suite, lumped, tmp_path, "lumped")
    assert [(f.expectation, f.column, f.unexpected_count) for f in outcome.failures] == [
        ("expect_column_pair_values_a_to_be_greater_than_b", "segment_total_usd,segment_named_deals_usd", 2)
    ]


def test_the_pipeline_gates_on_the_audit_and_the_marts_using_one_rate_and_converts_won_at_1470_36(built, query):
    result, _ = built
    (check,) = [e for e in result.get_asset_check_evaluations() if e.check_name == "assert_claim_audit_and_marts_use_the_same_rate"]
    assert check.passed
    converted = query(
        "select fx_rate_document_id, fx_rate_basis, round(fx_rate, 2), count(*) from marts.facts where unit = 'KRW' group by all"
    )
    assert converted == [(DOC_000, "own_document", 1470.36, 9)]
    assert query("select fx_rate, fx_rate_document_id from marts.claim_audit where derivation = 'fx_equivalent' group by all") == [
        (approx(DOC_000_RATE), DOC_000)
    ]
