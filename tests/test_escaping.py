"""Free text that looks like SQL, Jinja, shell, HTML or mathtext is stored verbatim and escaped
wherever it is rendered: the chart images, the report's HTML and GX's Data Docs. Both pages are
opened in headless Chromium, where a script in a subject must not run."""

from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from orchestration.gx_suites import load_suites, run_suite

from .conftest import PROJECT, SourceCopy, failure_text, run_refresh
from .test_ui_browser import CHROMIUM, CHROMIUM_FLAGS

RAN = "window.__ran"
EVIL = (
    "<script>window.__ran = 1</script><img src=x onerror='window.__ran = 2'>{{ 7 * 7 }} "
    "$(touch /tmp/escaped) `id` '); drop table marts.facts; -- costs $5 and $\\frac{"
)


def _shows_without_running(page_url: str, expected_text: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page()
            page.goto(page_url)
            for details in page.query_selector_all("details"):
                details.evaluate("element => element.open = true")
            assert page.evaluate(RAN) is None
            assert expected_text in page.inner_text("body")
        finally:
            browser.close()


@pytest.mark.slow
def test_a_subject_with_markup_is_stored_verbatim_drawn_and_shown_as_text(sources: SourceCopy, pipeline_env: Path):
    sources.edit_fact("d002.lu_patents_per_capita_rank_2023", subject=EVIL)
    result, _ = run_refresh()
    assert result.success, failure_text(result)  # the chart of rankings draws EVIL as a label, not as mathtext
    with duckdb.connect(str(pipeline_env), read_only=True) as con:
        stored = con.execute("select subject from marts.country_rankings where fact_id = 'd002.lu_patents_per_capita_rank_2023'").fetchall()
    assert stored == [(EVIL,)]
    _shows_without_running((pipeline_env.parent / "report" / "index.html").as_uri(), EVIL)


def test_data_docs_show_an_unexpected_value_with_markup_as_text(built, tmp_path: Path):
    # The project's suites pin numbers, so a suite of the rankings' subjects stands in for any that lists a string.
    rankings = next(s for s in load_suites(PROJECT / "expectations") if s.name == "country_rankings")
    expectation = {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "subject", "value_set": ["South Korea"]}}
    suite = replace(rankings, definition={**rankings.definition, "expectations": [expectation]})
    with duckdb.connect(str(built[1]), read_only=True) as con:
        frame = con.sql("select * from marts.country_rankings").df()
    frame.loc[frame.index[:1], "subject"] = EVIL
    outcome = run_suite(suite, frame, tmp_path, "markup")
    assert [f.expectation for f in outcome.failures] == ["expect_column_values_to_be_in_set"]
    _shows_without_running(outcome.docs_page.as_uri(), EVIL)
