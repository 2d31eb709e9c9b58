"""The Dagster UI in a real headless Chromium (Debian's, driven by Playwright; nothing is downloaded):
after a run, every asset of every group is materialised and every check passed; after a run with a
broken source file, the failed gate and its failed expectation are two clicks from the asset.
Screenshots are saved in test-artifacts/ui/."""

import re
import shutil
import urllib.request
from collections import Counter
from pathlib import Path

import pytest

from .conftest import PROJECT, SourceCopy
from .live import deployment, execute_job, free_port, stop_group, wait_until

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Debian's Chromium as root, headless, with no background connections (this machine has no internet).
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = PROJECT / "test-artifacts" / "ui"
LOCATION = "orchestration.definitions"


def _responds(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def _groups() -> dict[str, tuple[int, int]]:
    """Per asset group: how many assets, and how many of them have checks."""
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    assets, checked = Counter(), Counter()
    for key in graph.get_all_asset_keys():
        group = graph.get(key).group_name
        assets[group] += 1
        checked[group] += bool(graph.get_check_keys_for_assets({key}))
    return {group: (assets[group], checked[group]) for group in assets}


def _text_when(page, condition, what: str, timeout: float = 90) -> str:
    """The page's text once `condition(text)` holds (the UI fills in asset state asynchronously)."""
    return wait_until(lambda: (text := page.inner_text("body")) and condition(text) and text, what, timeout=timeout, interval=1)


@pytest.mark.live
def test_ui_shows_every_asset_and_check_green_then_the_failed_gate_and_its_expectation(built, sources: SourceCopy, tmp_path: Path):
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Chromium is not installed: `apt-get install chromium`, as .ci/run does"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    made = deployment(tmp_path, built[1], sources.root)
    assert execute_job(made, "refresh").wait(timeout=300) == 0, made.log("refresh")[-2000:]
    assert execute_job(made, "docs", job="build_docs").wait(timeout=300) == 0, made.log("docs")[-2000:]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    webserver = made.start(["dagster-webserver", "-m", LOCATION, "-h", "127.0.0.1", "-p", str(port)], "webserver")
    try:
        wait_until(lambda: _responds(f"{base}/server_info"), "the webserver to answer", timeout=120)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            # A tall page, so that the lineage view renders every node of a group at once.
            page = browser.new_page(viewport={"width": 2400, "height": 4000})
            page.goto(base)
            skip = page.get_by_role("button", name="Skip")  # the first-visit newsletter dialog
            skip.wait_for(timeout=30_000)
            skip.click()

            for group, (assets, with_checks) in sorted(_groups().items()):
                page.goto(f"{base}/locations/{LOCATION}/asset-groups/{group}")
                text = _text_when(page, lambda t, n=assets: t.count("Materialized") >= n, f"{assets} assets of {group} to show")
                page.screenshot(path=ARTIFACTS / f"group_{group}.png")
                assert text.count("Materialized") == assets and "Never materialized" not in text, group
                check_counts = re.findall(r"(\d+) / (\d+) Passed", text)
                assert len(check_counts) == with_checks and all(a == b for a, b in check_counts), (group, check_counts)
                assert "Failed" not in text

            # A mart declares its freshness policy (the daemon evaluates it; this webserver runs alone).
            page.goto(f"{base}/assets/marts/funding_by_period")
            _text_when(page, lambda t: "Freshness policy" in t, "the mart's freshness policy")
            page.screenshot(path=ARTIFACTS / "mart_overview.png")

            # Break the curator's reading of one claim: the claim-audit gate must fail the next run.
            sources.edit_fact("d000.genai_vc_funding_growth_2024", audit={"expected_status": "consistent", "why": "taken at face value"})
            assert execute_job(made, "broken").wait(timeout=300) == 1

            page.goto(f"{base}/assets/marts/claim_audit")
            page.get_by_role("tab", name="Checks").click()  # click 1
            page.get_by_text("gx_claim_audit", exact=True).first.click()  # click 2
            text = _text_when(page, lambda t: "failed_expectations" in t, "the failed check's details")
            page.screenshot(path=ARTIFACTS / "failed_gate.png", full_page=True)
            assert "Failed" in text and "This is a blocking asset check" in text
            assert "expect_column_pair_values_to_be_equal" in text and "status,expected_status" in text
            assert '"inconsistent", "consistent"' in text
            assert "data_docs_page" in text
            browser.close()
    finally:
        stop_group(webserver)
