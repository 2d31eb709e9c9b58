"""What each figure measures, in the published warehouse: sums grouped by measure and provider count
every figure once, figures of one measure family from two providers stand side by side in
marts.figure_comparisons, and statistics that are not funding land in marts.indicators. The second
provider is the test article 005 (the AI Index 2025, investment data by Quid)."""

from collections.abc import Callable
from pathlib import Path

import pytest
from pytest import approx

from .conftest import sources_with_articles

DOC_000 = "000_0abe4671bbdbf48d"
DOC_001 = "001_55f767c75a51dedd"
DOC_005 = "005_ai_index_2025"

# The README's worked query: yearly funding, one sum per measure, provider and period.
SUM_BY_MEASURE_AND_PROVIDER = """
    select measure, data_provider, parent_measure, period, sum(amount_usd) / 1e9 as usd_billion, sum(deal_count) as deals
    from marts.funding_by_period
    where period_type = 'year'
    group by measure, data_provider, parent_measure, period
    order by period, measure, data_provider"""


@pytest.fixture(scope="module")
def with_article_005(with_test_articles) -> Callable[[str], list[tuple]]:
    """The published warehouse of a full run on the seeds plus article 005 (and article 004, whose
    2025 Korean figures share no measure, period or provider with these tests' figures)."""
    return with_test_articles


def test_seed_funding_summed_by_measure_and_provider_counts_every_figure_once(query):
    rows = query(SUM_BY_MEASURE_AND_PROVIDER)
    assert [row[:4] for row in rows] == [
        ("aigc_funding", "qiming", None, "2023"),
        ("genai_vc_deal_value", "pitchbook", None, "2023"),
        ("genai_startup_vc_deal_value", "pitchbook", "genai_vc_deal_value", "2024"),
        ("genai_vc_deal_value", "pitchbook", None, "2024"),
    ]
    totals = {(measure, period): (usd, deals) for measure, _, _, period, usd, deals in rows}
    # China's $1.3B and the US's $23B of AIGC funding are disjoint regions of one measure
    assert totals[("aigc_funding", "2023")] == (approx(24.3), None)
    # each year's PitchBook total once: not added to its Q4 ($31.1B) nor to its startups ($6.2B)
    assert totals[("genai_vc_deal_value", "2023")] == (approx(29.1), 691)
    assert totals[("genai_vc_deal_value", "2024")] == (approx(56.0), 885)
    assert totals[("genai_startup_vc_deal_value", "2024")] == (approx(6.2), None)
    keys = query("select measure, data_provider, scope, region, period, document_id from marts.funding_by_period")
    assert len(keys) == len(set(keys)) == 6


def test_a_deal_count_joins_the_amount_of_its_own_population_only(query):
    rows = query(
        "select measure, period, amount_usd, deal_count, fact_ids from marts.funding_by_period where deal_count is not null order by period"
    )
    assert rows == [
        ("genai_vc_deal_value", "2023", 29.1e9, 691, "d000.genai_vc_funding_2023, d000.genai_vc_deals_2023"),
        ("genai_vc_deal_value", "2024", 56e9, 885, "d000.genai_vc_funding_2024, d000.genai_vc_deals_2024"),
    ]


def test_every_seed_amount_and_count_names_its_measure_and_provider(query):
    unnamed = query(
        "select fact_id from marts.facts f join (select unnest(['funding_amount', 'deal_count', 'deal_amount', 'capex_plan', "
        "'market_size', 'foundation_model_count']) as metric) using (metric) where measure is null or data_provider is null"
    )
    assert unnamed == []
    assert dict(query("select document_id, count(distinct data_provider) from marts.facts group by all")) == {
        DOC_000: 3,  # PitchBook, Microsoft for its own plan, and Amazon's plan from no named source
        DOC_001: 1,
        "002_47236e943b7bd28c": 2,  # Stanford HAI, and Quid for the investment figures
        "003_49800daea670d6a7": 1,
    }


@pytest.mark.slow
def test_figure_comparisons_put_pitchbook_beside_quid_and_qiming_inside_pitchbook(with_article_005):
    rows = {
        (left, right): rest
        for left, right, *rest in with_article_005(
            "select left_fact_id, right_fact_id, relation, left_data_provider, right_data_provider, same_definition, "
            "left_amount_usd, right_amount_usd, ratio, spread_usd from marts.figure_comparisons"
        )
    }
    assert rows[("d000.genai_vc_funding_2024", "d005.genai_private_investment_2024")] == [
        "same_region",
        "pitchbook",
        "quid_ai_index",
        False,
        56e9,
        33.9e9,
        approx(56 / 33.9),
        approx(22.1e9),
    ]
    assert rows[("d000.genai_vc_funding_2024", "d005.genai_private_investment_2024")][6] == approx(1.651917, abs=5e-7)
    assert rows[("d001.aigc_funding_us_2023", "d000.genai_vc_funding_2023")] == [
        "region_inside",
        "qiming",
        "pitchbook",
        False,
        23e9,
        29.1e9,
        approx(23 / 29.1),
        approx(-6.1e9),
    ]
    assert rows[("d001.aigc_funding_us_2023", "d000.genai_vc_funding_2023")][6] == approx(0.790378, abs=5e-7)
    # and the two other pairs of the family: China's AIGC inside GLOBAL 2023, PitchBook's startups beside Quid
    assert set(rows) == {
        ("d000.genai_vc_funding_2024", "d005.genai_private_investment_2024"),
        ("d001.aigc_funding_us_2023", "d000.genai_vc_funding_2023"),
        ("d001.aigc_funding_cn_2023", "d000.genai_vc_funding_2023"),
        ("d000.genai_startup_funding_2024", "d005.genai_private_investment_2024"),
    }


@pytest.mark.slow
def test_a_second_provider_adds_its_own_rows_and_no_grouped_sum_mixes_them(with_article_005):
    sums = {
        (measure, provider): usd
        for measure, provider, _, period, usd, _ in with_article_005(SUM_BY_MEASURE_AND_PROVIDER)
        if period == "2024"
    }
    assert sums == {
        ("genai_vc_deal_value", "pitchbook"): approx(56.0),
        ("genai_startup_vc_deal_value", "pitchbook"): approx(6.2),
        ("genai_private_investment", "quid_ai_index"): approx(33.9),
        ("ai_private_investment", "quid_ai_index"): approx(109.1),
        ("ai_corporate_investment", "quid_ai_index"): approx(252.3),
    }
    parents = dict(
        with_article_005("select distinct measure, parent_measure from marts.funding_by_period where document_id = '005_ai_index_2025'")
    )
    assert parents == {
        "genai_private_investment": "ai_private_investment",
        "ai_private_investment": "ai_corporate_investment",
        "ai_corporate_investment": None,
    }


@pytest.mark.slow
def test_a_growth_stated_without_its_base_stands_beside_its_figure(with_article_005):
    rows = with_article_005(
        "select amount_usd, stated_amount_growth_yoy, amount_growth_yoy from marts.funding_by_period "
        f"where document_id = '{DOC_005}' and measure = 'genai_private_investment'"
    )
    assert rows == [(approx(33.9e9), approx(0.187), None)]  # stated 18.7% over a 2023 the text does not give
    assert with_article_005(
        f"select status, input_fact_ids from marts.claim_audit where document_id = '{DOC_005}' and derivation = 'growth'"
    ) == [("unverifiable", "d005.genai_private_investment_2024")]


@pytest.mark.slow
def test_indicators_show_the_share_of_organizations_using_ai_as_a_fraction(with_article_005):
    assert with_article_005(
        "select subject, measure, data_provider, region, period, value, figure, document_id, fact_id from marts.indicators"
    ) == [
        (
            "organizations using AI",
            "organisation_ai_adoption",
            "mckinsey",
            "GLOBAL",
            "2024",
            0.78,
            "78%",
            DOC_005,
            "d005.organizations_using_ai_2024",
        )
    ]


def test_article_005_passes_validate_on_a_copy_of_the_sources(tmp_path: Path):
    from orchestration.curation.checking import check_sources

    check = check_sources(sources_with_articles(tmp_path / "sources", DOC_005).root)
    assert check.violations == [] and (check.documents, check.facts) == (5, 70)
    growth = next(c for c in check.claims if c.fact_id == "d005.genai_private_investment_growth_2024")
    assert (growth.status, growth.expected_status) == ("unverifiable", "unverifiable")
