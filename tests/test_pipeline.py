"""The whole pipeline through Dagster (real DuckDB, dbt and GX): every asset and check, the published
marts' figures against the documents, provenance, and what a failed gate does to a run."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from dagster import build_sensor_context

from .conftest import DOC_000, PROJECT, SourceCopy, failure_text, published_fingerprint, run_refresh

approx = pytest.approx


def planned_check_keys() -> set:
    """The checks the refresh job plans: every dbt test and GX suite of its assets."""
    from orchestration.definitions import defs

    return set(defs.resolve_job_def("refresh_warehouse").asset_layer.asset_graph.asset_check_keys)


def test_every_asset_is_materialised_and_every_check_passes(built):
    result, _ = built
    assert result.success
    materialised = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    for mart in ("funding_by_period", "funding_deals", "market_size", "country_rankings", "claim_audit", "fx_rates", "facts"):
        assert f"marts/{mart}" in materialised
    assert "raw/facts" in materialised
    evaluations = result.get_asset_check_evaluations()
    assert [e.check_name for e in evaluations if not e.passed] == []
    gx = {e.check_name for e in evaluations if e.check_name.startswith("gx_")}
    assert gx == {
        "gx_funding_by_period",
        "gx_funding_deals",
        "gx_market_size",
        "gx_country_rankings",
        "gx_claim_audit",
        "gx_fx_rates",
        "gx_headline_figures",
        "gx_investment_plans",
        "gx_sector_performance",
    }
    assert sorted(e.asset_check_key for e in evaluations) == sorted(planned_check_keys())  # each dbt test and GX suite once


def test_funding_by_period_holds_the_documents_totals_and_recomputed_growth(query):
    rows = {
        r[0]: r[1:]
        for r in query(
            "select period, amount_usd, deal_count, amount_growth_yoy, stated_amount_growth_yoy, deal_count_growth_yoy, "
            "stated_deal_count_growth_yoy, avg_deal_usd, enclosing_period, share_of_enclosing_period from marts.funding_by_period "
            "where scope = 'generative AI companies' and region = 'GLOBAL'"
        )
    }
    assert rows["2023"][:2] == (29.1e9, 691)
    amount, deals, growth, stated_growth, deal_growth, stated_deal_growth, avg_deal, enclosing, _ = rows["2024"]
    assert (amount, deals) == (56e9, 885)
    assert growth == approx(56 / 29.1 - 1) and growth == approx(0.9244, abs=5e-5)
    assert stated_growth == approx(1.92)
    assert deal_growth == approx(885 / 691 - 1) and stated_deal_growth == approx(0.29)
    assert avg_deal == approx(56e9 / 885) and enclosing is None
    assert rows["2024-Q4"][0] == 31.1e9 and rows["2024-Q4"][-2:] == ("2024", approx(31.1 / 56))


def test_startups_are_part_of_the_total_with_their_recomputed_share(query):
    ((amount, share, whole),) = query(
        "select amount_usd, share_of_whole, whole_fact_id from marts.funding_by_period where scope = 'generative AI startups'"
    )
    assert (amount, whole) == (6.2e9, "d000.genai_vc_funding_2024") and share == approx(6.2 / 56)


def test_aigc_funding_china_and_us(query):
    assert dict(query("select region, amount_usd from marts.funding_by_period where scope = 'AIGC companies' and period = '2023'")) == {
        "CN": 1.3e9,
        "US": 23e9,
    }


def test_named_deals_with_their_share_of_segment(query):
    deals = {
        r[0]: r[1:]
        for r in query("select company, country, round, investor, amount_usd, segment, share_of_segment_total from marts.funding_deals")
    }
    assert deals["Databricks"][:5] == ("US", "Series J", None, 10e9, "generative AI companies")
    assert deals["Databricks"][5] == approx(10 / 31.1)
    assert deals["Anthropic"][1:4] == ("strategic", "Amazon", 4e9)
    assert deals["Sakana AI"][0] == "JP" and deals["Sakana AI"][3] == 214e6 and deals["Sakana AI"][4] == "generative AI startups"
    assert sorted(deals) == ["Anthropic", "Databricks", "DeepL", "Minimax", "Mistral", "Moonshot AI", "OpenAI", "Sakana AI", "xAI"]
    assert sum(d[3] for d in deals.values() if d[4] == "generative AI companies") == approx(26.6e9)


def test_market_size_series_with_projections_growth_and_cagr(query):
    rows = {
        (r[0], r[1]): r[2:]
        for r in query(
            "select market, year, value, currency, is_projection, growth_yoy, cagr_from_previous_point, value_usd from marts.market_size"
        )
    }
    assert rows[("China AIGC core market", 2022)][:3] == (1.15e9, "CNY", False)
    assert rows[("China AIGC core market", 2023)][3] == approx(7.93 / 1.15 - 1)
    assert rows[("China AIGC core market", 2026)][2] is True and rows[("China AIGC core market", 2026)][3] is None
    assert rows[("China AIGC core market", 2026)][4] == approx((166.53 / 7.93) ** (1 / 3) - 1)
    assert rows[("China AI core industry", 2025)][0] == 400e9 and rows[("China AI core industry", 2025)][4] == approx(
        (400 / 150) ** 0.2 - 1
    )
    assert rows[("China digital economy", 2023)][0] == 56.1e12 and rows[("China digital economy", 2023)][3] == approx(0.122)
    # no document states a yuan rate, so nothing is converted
    assert {r[5] for r in rows.values()} == {None}


def test_country_rankings_keep_what_the_text_does_not_say(query):
    rows = {(r[0], r[1]): r[2:] for r in query("select metric, subject, rank, rank_qualifier, value from marts.country_rankings")}
    assert rows[("patents_per_capita_rank", "South Korea")][:2] == (1, "exact")
    assert rows[("talent_concentration_rank", "South Korea")][:2] == (3, "exact")
    assert rows[("talent_concentration_rank", "Israel")][:2] == (2, "at_most")
    assert [rows[("foundation_model_rank", c)][0] for c in ("United States", "China", "United Kingdom")] == [1, 2, 3]
    assert rows[("foundation_model_count", "South Korea")] == (None, None, 0)
    assert rows[("private_investment_rank", "South Korea")][:2] == (10, "at_most")
    assert rows[("foundation_model_rank", "Google")][:2] == (1, "exact")


def test_claim_audit_finds_the_documents_inconsistencies(query):
    audit = {
        r[0]: r[1:]
        for r in query(
            "select claim_fact_id, status, expected_status, stated_value, recomputed_value, "
            "recomputed_as_written, tolerance from marts.claim_audit"
        )
    }
    assert {k for k, v in audit.items() if v[0] == "inconsistent"} == {
        "d000.genai_vc_funding_growth_2024",
        "d000.genai_vc_deals_growth_2024",
        "d000.genai_startup_share_2024",
    }
    status, _, stated, recomputed, as_written, tolerance = audit["d000.genai_vc_funding_growth_2024"]
    assert stated == approx(1.92) and as_written == approx(92.44, abs=0.005)
    # half a point for '192%', plus the inputs' half units carried through the quotient: 1.9244 x (0.5 / 56 + 0.05 / 29.1)
    assert tolerance == approx(0.005 + 56 / 29.1 * (0.5 / 56 + 0.05 / 29.1), rel=1e-12) and tolerance == approx(0.02549, abs=1e-5)
    assert audit["d000.genai_vc_deals_growth_2024"][4] == approx(28.08, abs=0.005)
    assert audit["d000.genai_startup_share_2024"][4] == approx(11.07, abs=0.005)
    assert {k for k, v in audit.items() if v[0] == "unverifiable"} == {
        "d002.us_cn_private_investment_multiple_2023",
        "d002.cn_private_investment_multiple_2023_vs_2021",
    }
    krw = [v for k, v in audit.items() if k.endswith("_krw")]
    assert len(krw) == 9 and {v[0] for v in krw} == {"consistent"}
    assert audit["d003.aigc_sector_growth_2023_headline"][0] == "consistent"
    assert all(v[0] == v[1] for v in audit.values())


def test_the_nine_krw_pairs_imply_one_rate(query):
    ((rate, low, high, agree, pairs, period),) = query(
        "select units_per_usd, units_per_usd_low, units_per_usd_high, pairs_agree, pair_count, rate_period from marts.fx_rates "
        "where currency = 'KRW'"
    )
    assert agree and pairs == 9 and period == "2025-01-06/2025-06-30"
    # the tightest intervals: 42.785 trillion won / $29.1 billion from below, 82.345 / $56 billion from above
    assert low == approx(42.785e12 / 29.1e9) and high == approx(82.345e12 / 56e9)
    assert low < rate < high and rate == approx(1470.36, abs=0.01)


def test_every_mart_figure_follows_back_to_its_sentence_in_its_document(query):
    marts = {
        "funding_deals": "fact_id",
        "market_size": "fact_id",
        "country_rankings": "fact_id",
        "claim_audit": "claim_fact_id",
        "investment_plans": "fact_id",
        "sector_performance": "fact_id",
    }
    for mart, column in marts.items():
        orphans = query(f"""select m.{column} from marts.{mart} m
            left join marts.facts f on f.fact_id = m.{column}
            left join marts.documents d on d.document_id = f.document_id
            where d.document_text is null or not contains(d.document_text, f.evidence) or not contains(f.evidence, f.figure)""")
        assert orphans == [], mart
    unlinked = query("""select p.fact_ids from marts.funding_by_period p, unnest(string_split(p.fact_ids, ', ')) t(fact_id)
        left join marts.facts f on f.fact_id = t.fact_id where f.fact_id is null or f.document_id <> p.document_id""")
    assert unlinked == []
    (line,) = query("select source_file || ':' || source_line from marts.facts where fact_id = 'd000.databricks_series_j'")[0]
    assert line == f"facts/{DOC_000}.jsonl:11"


def test_gx_checks_report_their_expectations(built):
    result, _ = built
    check = next(e for e in result.get_asset_check_evaluations() if e.check_name == "gx_claim_audit")
    assert check.metadata["expectations_evaluated"].value == 6
    assert check.metadata["expectations_failed"].value == 0
    mats = {e.asset_key.to_user_string(): e for e in result.get_asset_materialization_events()}
    mart = mats["marts/claim_audit"].step_materialization_data.materialization
    assert mart.metadata["dagster/row_count"].value == 15 and "preview" in mart.metadata


def test_a_headline_figure_moved_by_curation_fails_exactly_its_pinned_expectation(built, tmp_path):
    """The headline suite selects each figure by its fact_id (read as a pandas categorical): each
    selection finds its one row, and a moved figure fails only its own expectation."""
    import duckdb

    from orchestration.gx_suites import load_suites, run_suite

    (suite,) = [s for s in load_suites(PROJECT / "expectations") if s.name == "headline_figures"]
    with duckdb.connect(str(built[1]), read_only=True) as con:
        frame = con.sql("select fact_id, document_id, value_normalised, figure, evidence, source_file, source_line from marts.facts").df()
    pinned = [o for o in run_suite(suite, frame, tmp_path, "as-published").outcomes if "fact_id==" in o.expected]
    assert len(pinned) == 17 and all(o.success and '"element_count": 1,' in o.observed for o in pinned)

    stored = (tmp_path / "validations" / "headline_figures").rglob("*.json")
    assert ["pandas_data_fingerprint" in path.read_text(encoding="utf-8") for path in stored] == [False]  # not hashed: see _context

    frame.loc[frame["fact_id"] == "d000.genai_vc_funding_2024", "value_normalised"] = 57e9  # the text says $56 billion
    outcome = run_suite(suite, frame, tmp_path, "moved")
    assert not outcome.success
    assert [(f.expectation, f.column) for f in outcome.failures] == [("expect_column_values_to_be_between", "value_normalised")]
    assert "d000.genai_vc_funding_2024" in outcome.failures[0].expected and '"unexpected_count": 1' in outcome.failures[0].observed


class _Webhook(BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self):  # noqa: N802 - the name http.server calls
        self.received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.mark.slow
def test_gx_gate_fails_the_run_when_the_audit_contradicts_the_curator_naming_the_claim_file_and_line_and_nothing_is_published(
    sources: SourceCopy, pipeline_env: Path, monkeypatch
):
    # The curator now reads "29%" as right; 885 / 691 - 1 = 28.08% says it is not: the claim-audit gate must stop the run.
    before = published_fingerprint(pipeline_env)
    line = sources.edit_fact("d000.genai_vc_deals_growth_2024", audit={"expected_status": "consistent", "why": "taken at face value"})
    result, instance = run_refresh()
    assert not result.success
    assert "marts/claim_audit" in {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert published_fingerprint(pipeline_env) == before
    check = next(e for e in result.get_asset_check_evaluations() if e.check_name == "gx_claim_audit")
    assert not check.passed
    failed = [r.data for r in check.metadata["failed_expectations"].value.records]
    assert [f["expectation"] for f in failed] == ["expect_column_pair_values_to_be_equal"]
    assert "unexpected_count" in failed[0]["observed"] and "status" in failed[0]["column"]
    site, page = pipeline_env.parent / "gx" / "data_docs", Path(check.metadata["data_docs_page"].value)
    assert page.relative_to(site).as_posix() in (site / "index.html").read_text(encoding="utf-8")  # rendered by the failing gate
    passed = {e.check_name for e in result.get_asset_check_evaluations() if e.passed}
    assert "gx_funding_by_period" in passed  # the other gates still ran and passed

    # The failed check, the run log and the summary name the claim, its file and line, once.
    facts = f"facts/{DOC_000}.jsonl"
    named = (
        f"claim_fact_id d000.genai_vc_deals_growth_2024 ({facts} line {line}): stated_figure 29%, stated_value 0.29, "
        "recomputed_value 0.280753, status inconsistent, expected_status consistent"
    )
    failure = f"expect_column_pair_values_to_be_equal(status,expected_status): 1 row(s) failed: {named}"
    assert check.description == failure
    (row,) = [r.data for r in check.metadata["failed_rows"].value.records]
    assert row == {
        "expectation": "expect_column_pair_values_to_be_equal",
        "column": "status,expected_status",
        "claim_fact_id": "d000.genai_vc_deals_growth_2024",
        "source_file": facts,
        "source_line": line,
        "stated_figure": "29%",
        "stated_value": 0.29,
        "recomputed_value": approx(885 / 691 - 1),
        "status": "inconsistent",
        "expected_status": "consistent",
        "found": "",
    }
    assert f"GX suite claim_audit failed: {failure}" in [entry.user_message for entry in instance.all_logs(result.run_id)]
    from orchestration.summary import failure_summary

    summary = failure_summary(instance, result.run_id)
    assert summary[1:3] == [f"gate marts/claim_audit:gx_claim_audit: {failure}", summary[2]]
    assert sum(named in text for text in summary) == 1

    # The run recorded its own alert; the sensor delivers it.
    from orchestration.alerts import alerts_path, deliveries_path
    from orchestration.sensors import deliver_alerts

    alert = json.loads(alerts_path().read_text(encoding="utf-8").splitlines()[-1])
    assert alert["run_id"] == result.run_id and alert["job"] == "refresh_warehouse"
    assert any("gx_claim_audit" in step for step in alert["failed_steps"])
    (why,) = alert["failed_checks"]  # what failed, as the check says it
    assert why.startswith("marts/claim_audit:gx_claim_audit: expect_column_pair_values_to_be_equal(status,expected_status)")
    server = HTTPServer(("127.0.0.1", 0), _Webhook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("AI_MARKET_ALERT_WEBHOOK_URL", f"http://127.0.0.1:{server.server_port}/alerts")
    try:
        deliver_alerts(build_sensor_context(instance=instance))
        deliver_alerts(build_sensor_context(instance=instance))  # delivered once, not again
    finally:
        server.shutdown()
    assert [posted["run_id"] for posted in _Webhook.received] == [result.run_id]
    delivery = json.loads(deliveries_path().read_text(encoding="utf-8").splitlines()[-1])
    assert delivery["delivered"] and delivery["outcome"] == f"posted to http://127.0.0.1:{server.server_port}/***: HTTP 204"


def test_every_model_and_every_built_column_is_documented(build_query):
    from orchestration.resources import dbt_project

    manifest = json.loads(dbt_project().manifest_path.read_text(encoding="utf-8"))
    models = [node for node in manifest["nodes"].values() if node["resource_type"] == "model"]
    assert len(models) == 27
    undocumented = [m["name"] for m in models if not m["description"].strip()]
    built = build_query(
        "select table_schema, table_name, column_name from information_schema.columns "
        "where table_schema in ('staging', 'intermediate', 'marts')"
    )
    described = {(m["config"]["schema"], m["name"], c) for m in models for c, spec in m["columns"].items() if spec["description"].strip()}
    undocumented += [f"{s}.{t}.{c}" for s, t, c in built if (s, t, c) not in described]
    assert undocumented == []


@pytest.mark.slow
def test_a_currency_pair_that_disagrees_fails_dbt_tests_skips_the_marts_after_it_and_publishes_nothing(
    sources: SourceCopy, pipeline_env: Path
):
    before = published_fingerprint(pipeline_env)
    # Coherent in text and fact (so the ingest accepts it), but 9.52 trillion won for $6.2 billion
    # implies 1535 KRW/USD, outside every other pair's interval.
    sources.replace_in_text("$6.2 billion (9.12 trillion won)", "$6.2 billion (9.52 trillion won)")
    sources.edit_fact("d000.genai_startup_funding_2024_krw", value=9.52, figure="9.52 trillion won")
    result, _ = run_refresh()
    assert not result.success
    failed = {e.check_name for e in result.get_asset_check_evaluations() if not e.passed}
    assert "assert_fx_pairs_agree" in failed
    assert "dbt build failed" in failure_text(result)
    materialised = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert "intermediate/int_fx_rates" in materialised
    assert not {"marts/fx_rates", "marts/claim_audit", "published/warehouse"} & materialised
    assert published_fingerprint(pipeline_env) == before
