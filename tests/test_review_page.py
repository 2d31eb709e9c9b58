"""`ai-market-ledger review <id>` on a private copy of the sources, its page opened in a real headless
Chromium (Debian's, driven by Playwright, as in test_ui_browser.py): every number of the seed article
marked by what accounts for it, a claim's arithmetic a click away, a refused number, draft lines, and
markup from the sources shown as text, never run. Screenshots are saved in test-artifacts/review/."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from orchestration.cli import main

from .conftest import DOC_000, PROJECT, SourceCopy
from .test_ui_browser import CHROMIUM, CHROMIUM_FLAGS

ARTIFACTS = PROJECT / "test-artifacts" / "review"
# The seed article, read by hand: 58 numbers. Nine won amounts ('82.34 trillion won' is two numbers)
# and the growths 192% and 29% and the share 10.71% are claims: 21; the '6' of 'the 6th' is excluded;
# the other 36 (dollar amounts, deal counts, '2023', '2025', 'fourth quarter') are facts.
SEED_COUNTS = {"fact": 36, "claim": 21, "exclusion": 1, "draft": 0, "uncovered": 0, "unchecked": 0}


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Chromium is not installed: `apt-get install chromium`, as .ci/run does"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


def review(sources: SourceCopy, data: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, Path]:
    """Run the command as a curator would; return its exit code and the page it wrote."""
    monkeypatch.setenv("AI_MARKET_DATA_DIR", str(data))
    code = main(["review", DOC_000, "--sources", str(sources.root)])
    return code, data / "review" / f"{DOC_000}.html"


def open_page(browser, path: Path):
    page = browser.new_page(viewport={"width": 1500, "height": 1200})
    page.goto(path.as_uri())
    return page


def marks_by_kind(page) -> dict[str, int]:
    return {kind: page.locator(f"main .text mark[data-kind={kind}]").count() for kind in SEED_COUNTS}


def legend_counts(page) -> dict[str, int]:
    return {kind: int(page.inner_text(f".legend .count[data-kind={kind}]")) for kind in SEED_COUNTS}


def test_seed_article_marks_36_facts_21_claims_1_exclusion_and_its_3_inconsistent_claims_red(
    browser, sources: SourceCopy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    code, path = review(sources, tmp_path / "data", monkeypatch)
    assert code == 0
    page = open_page(browser, path)
    assert marks_by_kind(page) == SEED_COUNTS
    assert legend_counts(page) == SEED_COUNTS
    assert page.locator("main .text mark.bad").all_inner_texts() == ["192", "29", "10.71"]
    assert page.locator("main .text mark.bad").first.evaluate("m => getComputedStyle(m).backgroundColor") == "rgb(247, 185, 185)"
    assert "12 claims audited: 3 inconsistent (red), 0 not as their curators expect" in page.inner_text("main")
    assert page.locator(".violations").count() == 0

    page.locator("main .text mark", has_text="192").click()
    shown = page.inner_text("aside")
    page.screenshot(path=ARTIFACTS / "seed_192_percent.png", full_page=True)
    assert "the text says 192%; $56 billion / $29.1 billion − 1 = 92.44% (within ±2.549): inconsistent" in shown
    assert "facts/000_0abe4671bbdbf48d.jsonl:7" in shown and "d000.genai_vc_funding_growth_2024" in shown
    assert "expected status\ninconsistent" in shown and "as expected" in shown
    assert page.locator("section.detail:not([hidden])").count() == 1

    page.locator("main .text mark", has_text="6").first.click()
    shown = page.inner_text("aside")
    assert "exclusions/000_0abe4671bbdbf48d.jsonl:1" in shown and "Day of the month of the cited TechCrunch report" in shown
    assert "\u201c6\u201d: listed in the exclusions" in shown

    page.locator("main .text mark", has_text="2023").click()
    shown = page.inner_text("aside")
    assert "\u201c2023\u201d: a year or words of the fact's period" in shown and "facts/000_0abe4671bbdbf48d.jsonl:4" in shown
    page.close()


def test_a_number_left_without_its_exclusion_is_marked_refused_and_the_command_exits_1(
    browser, sources: SourceCopy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    # The seed article has one exclusion, so deleting it deletes the file (an empty file is refused by not_empty).
    (sources.root / "exclusions" / f"{DOC_000}.jsonl").unlink()
    code, path = review(sources, tmp_path / "data", monkeypatch)
    assert code == 1
    page = open_page(browser, path)
    page.screenshot(path=ARTIFACTS / "refused_number.png", full_page=True)
    problems = page.locator(".violations li").all_inner_texts()
    assert len(problems) == 1
    assert problems[0].startswith(f"documents/{DOC_000}.txt:5 text: number '6' in '...According to IT media TechCrunch on the 6th")
    assert problems[0].endswith("[number_mapped]")
    assert marks_by_kind(page) == {**{kind: 0 for kind in SEED_COUNTS}, "uncovered": 1, "unchecked": 57}
    assert "claims not audited: the sources break an ingest rule (above)" in page.inner_text("main")
    refused = page.locator("main .text mark[data-kind=uncovered]")
    assert refused.inner_text() == "6"
    refused.click()
    assert "the ingest refuses it (rule number_mapped)" in page.inner_text("aside")
    page.close()


def test_a_fact_line_and_an_exclusion_line_marked_draft_show_as_drafts(
    browser, sources: SourceCopy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    assert sources.edit_fact("d000.genai_vc_funding_2024", review="draft") == 1
    exclusions = sources.root / "exclusions" / f"{DOC_000}.jsonl"
    exclusion = json.loads(exclusions.read_text(encoding="utf-8"))
    exclusions.write_text(json.dumps({**exclusion, "review": "draft"}) + "\n", encoding="utf-8")
    code, path = review(sources, tmp_path / "data", monkeypatch)
    assert code == 0
    page = open_page(browser, path)
    assert marks_by_kind(page) == {**SEED_COUNTS, "fact": 34, "exclusion": 0, "draft": 3}
    assert page.locator("main .text mark[data-kind=draft]").all_inner_texts() == ["6", "56", "billion"]
    page.locator("main .text mark[data-kind=draft]", has_text="56").click()
    page.screenshot(path=ARTIFACTS / "draft_fact.png", full_page=True)
    shown = page.inner_text("aside")
    assert "facts/000_0abe4671bbdbf48d.jsonl:1" in shown and "draft: not yet confirmed by a curator" in shown
    page.close()


def test_markup_planted_in_the_text_and_in_a_reason_is_shown_as_text_and_never_runs(
    browser, sources: SourceCopy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    planted = '<script>window.planted = true</script><img src=x onerror="window.planted = true">'
    sources.replace_in_text("Illustration=ChatGPT DALL·E", "Illustration=ChatGPT DALL·E " + planted)
    exclusions = sources.root / "exclusions" / f"{DOC_000}.jsonl"
    exclusion = json.loads(exclusions.read_text(encoding="utf-8"))
    reason = "</dd></section><script>window.planted = true</script>"
    exclusions.write_text(json.dumps({**exclusion, "reason": reason}) + "\n", encoding="utf-8")
    code, path = review(sources, tmp_path / "data", monkeypatch)
    assert code == 0
    page = open_page(browser, path)
    assert page.evaluate("window.planted") is None
    assert page.locator("main script, main img, aside script").count() == 0
    assert planted in page.inner_text("main .text")
    page.locator("main .text mark", has_text="6").first.click()
    page.screenshot(path=ARTIFACTS / "planted_markup.png", full_page=True)
    assert reason in page.inner_text("aside")
    assert page.evaluate("window.planted") is None
    page.close()


def test_a_document_id_that_is_not_a_document_is_refused_and_nothing_is_written(
    sources: SourceCopy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
):
    monkeypatch.setenv("AI_MARKET_DATA_DIR", str(tmp_path / "data"))
    assert main(["review", "../documents/manifest", "--sources", str(sources.root)]) == 2
    assert main(["review", "999_0000000000000000", "--sources", str(sources.root)]) == 2
    assert "no document '999_0000000000000000'" in capsys.readouterr().err
    assert not (tmp_path / "data").exists()


def test_a_broken_line_in_another_articles_facts_is_listed_and_no_number_is_taken_as_checked(
    browser, sources: SourceCopy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    other = sources.root / "facts" / "001_55f767c75a51dedd.jsonl"
    other.write_text(other.read_text(encoding="utf-8") + "{bad\n", encoding="utf-8")
    rows = len(other.read_text(encoding="utf-8").splitlines())
    code, path = review(sources, tmp_path / "data", monkeypatch)
    assert code == 1
    page = open_page(browser, path)
    problems = page.locator(".violations li").all_inner_texts()
    refused = "(record): not valid JSON: Expecting property name enclosed in double quotes at column 2 [valid_json]"
    assert problems == [f"facts/001_55f767c75a51dedd.jsonl:{rows} {refused}"]
    assert marks_by_kind(page) == {**{kind: 0 for kind in SEED_COUNTS}, "unchecked": 58}
    page.close()
