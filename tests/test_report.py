"""What a user looks at: the report's charts (checked through the data each one draws), the Great
Expectations Data Docs page behind every gate, and dbt's documentation site."""

import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from orchestration.gx_suites import Suite, build_data_docs_index, prune_validations, run_suite

from .conftest import SourceCopy, run_refresh

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="session")
def report(built) -> Path:
    _, published = built
    return published.parent / "report"


def chart_data(report: Path) -> dict:
    return json.loads((report / "chart_data.json").read_text(encoding="utf-8"))


def test_every_chart_is_a_non_empty_png_shown_by_the_html_page(built, report: Path):
    result, _ = built
    assert "report/charts" in {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    page = (report / "index.html").read_text(encoding="utf-8")
    for name in ("funding_by_period", "market_size", "country_rankings", "claim_audit"):
        png = (report / f"{name}.png").read_bytes()
        assert png.startswith(PNG_SIGNATURE) and len(png) > 10_000
        assert f"<img src='{name}.png'" in page
    assert chart_data(report)["about"]["run_id"] == result.run_id


def test_funding_chart_shows_each_stated_total(report: Path):
    bars = {b["label"]: b["usd_billion"] for b in chart_data(report)["charts"]["funding_by_period"]["bars"]}
    assert bars == {
        "AIGC companies · CN · 2023": 1.3,
        "AIGC companies · US · 2023": 23.0,
        "generative AI companies · GLOBAL · 2023": 29.1,
        "generative AI companies · GLOBAL · 2024": 56.0,
        "generative AI companies · GLOBAL · 2024-Q4": 31.1,
        "generative AI startups · GLOBAL · 2024": 6.2,
    }


def test_market_size_chart_marks_projections(report: Path):
    series = {s["market"]: s for s in chart_data(report)["charts"]["market_size"]["series"]}

    def points(market: str) -> list[tuple]:
        return [(p["year"], p["billion"], p["projected"]) for p in series[market]["points"]]

    approx = pytest.approx
    assert points("China AIGC core market") == [(2022, approx(1.15), False), (2023, approx(7.93), True), (2026, approx(166.53), True)]
    assert points("China AI core industry") == [(2020, 150, False), (2025, 400, True)]
    assert {s["currency"] for s in series.values()} == {"CNY"}


def test_rankings_chart_keeps_what_the_text_does_not_say(report: Path):
    rankings = {r["metric"]: r["entries"] for r in chart_data(report)["charts"]["country_rankings"]["rankings"]}
    foundation = {(e["subject"], e["rank"], e["qualifier"]) for e in rankings["foundation_model_rank"]}
    assert {("United States", 1, "exact"), ("China", 2, "exact"), ("United Kingdom", 3, "exact"), ("Meta", 2, "at_least")} <= foundation
    assert [(e["subject"], e["rank"], e["qualifier"]) for e in rankings["private_investment_rank"]] == [
        ("United States", 1, "exact"),
        ("South Korea", 10, "at_most"),
    ]


def test_claim_audit_chart_plots_stated_against_recomputed(report: Path):
    claims = {c["claim"]: c for c in chart_data(report)["charts"]["claim_audit"]["claims"]}
    growth = claims["d000.genai_vc_funding_growth_2024"]
    assert (growth["stated"], growth["recomputed"], growth["status"]) == (1.92, pytest.approx(56 / 29.1 - 1), "inconsistent")
    assert claims["d000.genai_startup_share_2024"]["recomputed"] == pytest.approx(6.2 / 56)
    assert sorted(c for c, v in claims.items() if v["status"] == "inconsistent") == [
        "d000.genai_startup_share_2024",
        "d000.genai_vc_deals_growth_2024",
        "d000.genai_vc_funding_growth_2024",
    ]
    assert sum(v["status"] == "unverifiable" and v["recomputed"] is None for v in claims.values()) == 2


def test_every_gx_check_links_its_data_docs_page_and_the_index_lists_them_all(built):
    result, published = built
    site = published.parent / "gx" / "data_docs"
    index = (site / "index.html").read_text(encoding="utf-8")  # rendered once, by the report step
    gx = [e for e in result.get_asset_check_evaluations() if e.check_name.startswith("gx_")]
    assert len(gx) == 9
    for evaluation in gx:
        page = Path(evaluation.metadata["data_docs_page"].value)
        assert page.is_file() and evaluation.metadata["data_docs_url"].value == page.as_uri()
        assert page.is_relative_to(site) and result.run_id in str(page)
        assert evaluation.check_name.removeprefix("gx_") in page.read_text(encoding="utf-8")
        assert page.relative_to(site).as_posix() in index


def _stored_runs(gx: Path) -> dict[str, set[str]]:
    """Run names with a stored result, and run names with a Data Docs page, over every suite."""
    return {
        kind: {run.name for suite in folder.iterdir() if suite.is_dir() for run in suite.iterdir()}
        for kind, folder in (("results", gx / "validations"), ("pages", gx / "data_docs" / "validations"))
    }


def test_pruning_keeps_gx_results_from_the_oldest_kept_versions_run_on_failed_runs_included(tmp_path: Path):
    definition = {"name": "amounts", "expectations": [{"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "usd"}}]}
    suite = Suite("amounts", "marts.amounts", "", tmp_path / "amounts.json", definition)
    # run-3 failed its gate between the two versions still kept (published by run-2 and run-4)
    for run, usd in (("run-1", 1.0), ("run-2", 2.0), ("run-3", None), ("run-4", 4.0)):
        assert run_suite(suite, pd.DataFrame({"usd": [usd]}), tmp_path / "gx", run).success is (usd is not None)

    assert prune_validations(tmp_path / "gx", {"run-2", "run-4"}) == ["run-1"]

    kept = {"run-2", "run-3", "run-4"}
    assert _stored_runs(tmp_path / "gx") == {"results": kept, "pages": kept}
    index = build_data_docs_index(tmp_path / "gx").read_text(encoding="utf-8")
    assert all(f"/{run}/" in index for run in kept) and "/run-1/" not in index
    assert prune_validations(tmp_path / "gx", {"run-0"}) == [], "no cut without a kept run's result to cut at"


@pytest.mark.slow
def test_dbt_docs_job_writes_the_static_site_with_lineage(built, monkeypatch):
    _, published = built
    monkeypatch.setenv("AI_MARKET_DATA_DIR", str(published.parent))
    monkeypatch.setenv("AI_MARKET_DUCKDB", str(published))
    result, _ = run_refresh("build_docs")
    assert result.success
    site = (published.parent / "docs" / "dbt" / "index.html").read_text(encoding="utf-8")
    assert "model.ai_market_ledger.funding_by_period" in site and "source.ai_market_ledger.articles.facts" in site
    catalog = json.loads((published.parent / "docs" / "dbt" / "catalog.json").read_text(encoding="utf-8"))
    assert "model.ai_market_ledger.claim_audit" in catalog["nodes"]


COUNT_ONLY = "952_kr_ai_deal_count"
COUNT_ONLY_TEXT = "Korean AI startups closed 120 deals in the first half of this year.\n"


def add_an_article_with_a_deal_count_and_no_amount(sources: SourceCopy) -> None:
    entry = {
        "document_id": COUNT_ONLY,
        "title": "Korean AI startups closed 120 deals",
        "title_basis": "curated",
        "outlet": None,
        "author": None,
        "published_start": "2025-07-01",
        "published_end": "2025-12-31",
        "date_basis": "inferred_from_content",
        "date_evidence": "Written for the tests: the half-year it reports on is over, the year is not.",
        "reference_year": 2025,
        "language": "en",
        "default_data_provider": "kvca",
    }
    count = {
        "fact_id": "d952.kr_ai_deals_h1",
        "document_id": COUNT_ONLY,
        "metric": "deal_count",
        "measure": "kr_ai_startup_deal_count",
        "subject": "Korean AI startups",
        "subject_type": "sector",
        "region": "KR",
        "period_type": "half",
        "period_label": "2025-H1",
        "period_start": "2025-01-01",
        "period_end": "2025-06-30",
        "period_basis": "relative",
        "period_text": "this year",
        "value": 120,
        "unit": "count",
        "scale": "one",
        "qualifier": "exact",
        "figure": "120",
        "evidence": COUNT_ONLY_TEXT.strip(),
    }
    with (sources.root / "documents" / "manifest.jsonl").open("a", encoding="utf-8") as manifest:
        manifest.write(json.dumps(entry) + "\n")
    sources.document(COUNT_ONLY).write_text(COUNT_ONLY_TEXT, encoding="utf-8")
    sources.write_facts([count], COUNT_ONLY)


def _drawn_version(report: Path) -> str:
    return chart_data(report)["about"]["version_id"]


@pytest.mark.slow
def test_a_period_with_a_deal_count_and_no_amount_runs_green_and_draws_the_charts(sources: SourceCopy, pipeline_env: Path):
    add_an_article_with_a_deal_count_and_no_amount(sources)
    result, _ = run_refresh()
    assert result.success
    with duckdb.connect(str(pipeline_env), read_only=True) as con:
        assert con.execute("select amount_usd, deal_count from marts.funding_by_period where document_id = ?", [COUNT_ONLY]).fetchall() == [
            (None, 120)
        ]
        (version,) = con.execute("select version_id from meta.publication").fetchone()
    report = pipeline_env.parent / "report"
    assert _drawn_version(report) == version
    labels = [b["label"] for b in chart_data(report)["charts"]["funding_by_period"]["bars"]]
    assert len(labels) == 6 and not any(label.startswith("Korean AI startups") for label in labels)
    assert (report / "funding_by_period.png").read_bytes().startswith(PNG_SIGNATURE)


@pytest.mark.slow
def test_a_report_missing_after_publish_is_redrawn_by_the_next_run(pipeline_env: Path):
    from orchestration.provenance import before_a_run

    report = pipeline_env.parent / "report"
    assert before_a_run()[0] is not None  # published and drawn: nothing to do
    # the publish swapped the version in, then the report step failed: the report still shows the one before
    drawn = chart_data(report)
    drawn["about"]["version_id"] = "20240101T000000000000Z-earlier"
    (report / "chart_data.json").write_text(json.dumps(drawn), encoding="utf-8")
    assert before_a_run()[0] is None
    result, _ = run_refresh(run_config={})
    assert result.success
    assert "report/charts" in {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    with duckdb.connect(str(pipeline_env), read_only=True) as con:
        (version,) = con.execute("select version_id from meta.publication").fetchone()
    assert _drawn_version(report) == version
    assert before_a_run()[0] is not None


def test_bars_sharing_a_label_keep_their_value_labels_beside_them():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from orchestration.ledger.charts import _draw_funding_by_period

    # two documents state the same scope, region and period
    bars = [
        {"label": "AIGC companies · US · 2023", "usd_billion": 23.0},
        {"label": "generative AI companies · GLOBAL · 2024", "usd_billion": 56.0},
        {"label": "generative AI companies · GLOBAL · 2024", "usd_billion": 33.9},
    ]
    figure = _draw_funding_by_period(plt, {"bars": bars})
    ax = figure.axes[0]
    drawn = [(patch.get_width(), patch.get_y() + patch.get_height() / 2) for patch in ax.patches]
    labelled = [(text.get_position(), text.get_text()) for text in ax.texts]
    plt.close(figure)
    assert drawn == [(23.0, 0), (56.0, 1), (33.9, 2)]
    assert labelled == [((23.0, 0), " 23"), ((56.0, 1), " 56"), ((33.9, 2), " 33.9")]
    assert [t.get_text() for t in ax.get_yticklabels()] == [b["label"] for b in bars]
