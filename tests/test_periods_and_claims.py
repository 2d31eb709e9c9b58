"""Periods of any length and claims over any number of inputs, through a real run of the whole job
with test article 004 (a Korean first half of 2025, in won) added to the seeds: its quarters sum to
its half, a share of three named rounds in the half's total, and a deal-count growth without its base."""

from collections.abc import Callable

import pytest

DOC_004 = "004_korea_h1_2025"
approx = pytest.approx


pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def korea(with_test_articles) -> Callable[[str], list[tuple]]:
    """The published warehouse of a full run on the seeds plus article 004 (and article 005, which
    test_measures.py reads from the same run)."""
    return with_test_articles


def audit(query, fact_id: str) -> tuple:
    (row,) = query(
        "select status, expected_status, stated_value, recomputed_value, tolerance, input_fact_ids "
        f"from marts.claim_audit where claim_fact_id = '{fact_id}'"
    )
    return row


def test_the_two_quarters_sum_to_the_half_within_the_precision_of_all_three_figures(korea):
    status, expected, stated, recomputed, tolerance, inputs = audit(korea, "d004.ai_startups_funding_2025h1")
    assert (status, expected, stated) == ("consistent", "consistent", 1.2e12)
    assert recomputed == approx(508.6e9 + 687.9e9, rel=1e-12) and recomputed == approx(1196.5e9, rel=1e-12)
    # '1.2 trillion won' is ±0.05 trillion, and each quarter ±0.05 billion
    assert tolerance == approx(0.05e12 + 2 * 0.05e9, rel=1e-12)
    assert inputs == "d004.ai_startups_funding_2025q1, d004.ai_startups_funding_2025q2"


def test_the_three_rounds_share_of_the_total_divides_their_sum_by_the_last_input(korea):
    status, expected, stated, recomputed, tolerance, inputs = audit(korea, "d004.top_three_rounds_share_2025h1")
    assert (status, expected, stated) == ("consistent", "consistent", approx(0.417))
    assert recomputed == approx((250 + 160 + 90) / 1200, rel=1e-12)
    # 0.05 points for '41.7%', plus the parts' 3 x 0.5 billion over 500 billion and the total's 0.05 over 1.2 trillion
    assert tolerance == approx(0.0005 + 500 / 1200 * (1.5e9 / 500e9 + 0.05e12 / 1.2e12), rel=1e-12)
    assert tolerance == approx(0.019111, abs=1e-6)
    assert inputs.split(", ")[-1] == "d004.ai_startups_funding_2025h1"


def test_a_growth_without_its_base_is_unverifiable_and_still_beside_its_figure(korea):
    status, expected, _, recomputed, _, inputs = audit(korea, "d004.ai_startups_deals_growth_2025h1")
    assert (status, expected, recomputed, inputs) == ("unverifiable", "unverifiable", None, "d004.ai_startups_deals_2025h1")
    ((deals, stated_growth, growth),) = korea(
        "select deal_count, stated_deal_count_growth_yoy, deal_count_growth_yoy from marts.funding_by_period "
        f"where document_id = '{DOC_004}' and period = '2025-H1'"
    )
    assert (deals, stated_growth, growth) == (163, approx(0.124), None)


def test_the_quarters_are_shares_of_their_half_and_the_half_of_nothing(korea):
    rows = {
        r[0]: r[1:]
        for r in korea(
            "select period, period_type, period_start::varchar, period_end::varchar, enclosing_period, share_of_enclosing_period "
            f"from marts.funding_by_period where document_id = '{DOC_004}' and scope = 'AI startups' and region = 'KR'"
        )
    }
    assert sorted(rows) == ["2025-H1", "2025-Q1", "2025-Q2"]
    assert rows["2025-H1"] == ("half", "2025-01-01", "2025-06-30", None, None)
    assert rows["2025-Q1"][3:] == ("2025-H1", approx(508.6 / 1200, rel=1e-12))
    assert rows["2025-Q2"][3:] == ("2025-H1", approx(687.9 / 1200, rel=1e-12))


def test_every_claim_of_the_article_audits_as_its_curator_expects(korea):
    statuses = dict(korea(f"select claim_fact_id, status from marts.claim_audit where document_id = '{DOC_004}'"))
    assert statuses == {
        "d004.ai_startups_funding_2025h1": "consistent",
        "d004.ai_startups_funding_2025h1_usd": "consistent",
        "d004.ai_startups_deals_growth_2025h1": "unverifiable",
        "d004.rebellions_series_c_usd": "consistent",
        "d004.upstage_2025h1_usd": "consistent",
        "d004.top_three_rounds_share_2025h1": "consistent",
    }
    assert korea("select count(*) from marts.claim_audit where not matches_expectation") == [(0,)]


def test_the_articles_won_are_converted_with_its_own_rate_in_every_mart_and_the_audit(korea):
    ((rate, low, high, pairs),) = korea(
        f"select units_per_usd, units_per_usd_low, units_per_usd_high, pair_count from marts.fx_rates where document_id = '{DOC_004}'"
    )
    assert (round(rate, 2), pairs) == (1379.31, 3) and low <= rate <= high
    ((amount, fx_rate, fx_document, basis),) = korea(
        "select amount_usd, fx_rate, fx_rate_document_id, fx_rate_basis from marts.funding_by_period "
        f"where document_id = '{DOC_004}' and period = '2025-H1' and scope = 'AI startups'"
    )
    assert (fx_rate, fx_document, basis) == (rate, DOC_004, "own_document")
    assert amount == approx(1.2e12 / rate, rel=1e-12) and round(amount / 1e6, 1) == 870.0  # the text's $870 million
    rates = "select distinct fx_rate, fx_rate_document_id from marts.{} where document_id = '{}'"
    assert korea(rates.format("funding_deals", DOC_004)) == [(rate, DOC_004)]
    assert korea(rates.format("claim_audit", DOC_004) + " and derivation = 'fx_equivalent'") == [(rate, DOC_004)]


def test_the_governments_programme_is_a_public_plan_not_company_capex(korea):
    rows = korea(f"select subject_type, plan_kind, measure, data_provider from marts.investment_plans where document_id = '{DOC_004}'")
    assert rows == [("government", "public_programme", "public_ai_programme", "kr_government")]
