"""Every failed run records its own alert, whoever started it, and the deliver_alerts sensor posts
it; a webhook that is down or malformed loses no alert, and a secret in its URL never shows, in a
log, an alert or delivery record, or Dagster's storage."""

import json
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from orchestration import alerts

from .conftest import SourceCopy
from .live import deployment, stop_group, wait_until

SECRETS = ("alice-SECRET", "pw-SECRET", "tok-SECRET", "q-SECRET")


class _Webhook(BaseHTTPRequestHandler):
    received: list[tuple[str, dict]] = []

    def do_POST(self):  # noqa: N802 - the name http.server calls
        self.received.append((self.path, json.loads(self.rfile.read(int(self.headers["Content-Length"])))))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook():
    _Webhook.received = []
    server = HTTPServer(("127.0.0.1", 0), _Webhook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_port
    server.shutdown()


def _secret_url(port: int, tail: str = "") -> str:
    return f"http://alice-SECRET:pw-SECRET@127.0.0.1:{port}/hook/tok-SECRET?token=q-SECRET{tail}"


def test_a_webhook_url_is_shown_with_its_user_password_path_query_and_fragment_masked():
    assert (
        alerts.mask_url("https://u:p@hooks.example.com:8443/services/T0/B0/xyz?token=abc#f")
        == "https://***@hooks.example.com:8443/***?***#***"
    )
    assert alerts.mask_url("http://127.0.0.1:9000/") == "http://127.0.0.1:9000"
    assert alerts.mask_url("not a url") == "***"


def test_a_malformed_webhook_loses_no_alert_and_the_alert_is_delivered_once_it_is_mended(
    webhook: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("AI_MARKET_DATA_DIR", str(tmp_path))
    alerts.record_alert("run-1", "refresh_warehouse", "run run-1 failed", [("ingest_sources", "a bad file")], "a person")
    alerts.record_alert("run-1", "refresh_warehouse", "run run-1 failed", [("ingest_sources", "a bad file")], "a person")
    now = datetime.now(UTC)
    (outcome,) = alerts.deliver_pending(_secret_url(webhook, " with a space"), now)
    assert "is malformed (it contains a space or a control character)" in outcome
    assert alerts.deliver_pending(_secret_url(webhook), now + timedelta(seconds=10)) == []  # not due again yet
    (outcome,) = alerts.deliver_pending(_secret_url(webhook), now + alerts.retry_after())
    assert outcome == f"alert of run run-1: posted to http://***@127.0.0.1:{webhook}/***?***: HTTP 204"
    assert [alert["run_id"] for _, alert in _Webhook.received] == ["run-1"]
    assert alerts.deliver_pending(_secret_url(webhook), now + 9 * alerts.retry_after()) == []  # delivered: never again
    for path in (alerts.alerts_path(), alerts.deliveries_path()):
        assert not any(secret in path.read_text(encoding="utf-8") for secret in SECRETS)


def test_a_webhook_that_is_down_is_tried_again_and_its_error_names_no_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("AI_MARKET_DATA_DIR", str(tmp_path))
    alerts.record_alert("run-2", "refresh_warehouse", "run run-2 failed", [], "a person")
    (outcome,) = alerts.deliver_pending(_secret_url(1))  # nothing listens on port 1
    assert outcome.startswith("alert of run run-2: not posted to http://***@127.0.0.1:1/***?***: URLError")
    assert not any(secret in outcome for secret in SECRETS)


@pytest.mark.live
def test_a_failed_cli_run_alerts_under_the_daemon_and_the_secret_of_the_webhook_never_shows(
    built, sources: SourceCopy, tmp_path: Path, webhook: int
):
    made = deployment(tmp_path, built[1], sources.root)
    sources.edit_fact("d000.genai_vc_funding_2024", unit="XYZ")
    quick = {"AI_MARKET_SENSOR_INTERVAL_SECONDS": "2", "AI_MARKET_ALERT_RETRY_SECONDS": "1"}

    # A webhook URL with a space in it: the sensor cannot post, and must say so without the secret.
    daemon = made.start(
        ["dagster-daemon", "run", "-m", "orchestration.definitions"],
        "daemon_malformed",
        **quick,
        AI_MARKET_ALERT_WEBHOOK_URL=_secret_url(webhook, " x"),
    )
    try:
        refresh = made.start(["ai-market-ledger", "refresh"], "refresh")  # what `make run` runs
        assert refresh.wait(timeout=300) == 1, made.log("refresh")[-3000:]
        deliveries = made.data / "alert_deliveries.jsonl"
        wait_until(lambda: deliveries.exists() and "malformed" in deliveries.read_text(encoding="utf-8"), "a delivery attempt", 120)
    finally:
        stop_group(daemon)
    (alert,) = [json.loads(line) for line in (made.data / "alerts.jsonl").read_text(encoding="utf-8").splitlines()]
    assert alert["job"] == "refresh_warehouse" and alert["failed_steps"] == ["ingest_sources"]
    assert "[rule: known_currency]" in alert["step_errors"][0] and alert["started_by"].startswith("a person")

    daemon = made.start(
        ["dagster-daemon", "run", "-m", "orchestration.definitions"],
        "daemon_mended",
        **quick,
        AI_MARKET_ALERT_WEBHOOK_URL=_secret_url(webhook),
    )
    try:
        wait_until(lambda: _Webhook.received, "the alert to be posted", 120)
    finally:
        stop_group(daemon)
    assert [(path, posted["run_id"]) for path, posted in _Webhook.received] == [("/hook/tok-SECRET?token=q-SECRET", alert["run_id"])]

    written = [made.root / f"{log}.log" for log in ("daemon_malformed", "daemon_mended", "refresh")]
    written += [path for path in made.home.rglob("*") if path.is_file()] + [p for p in made.data.glob("alert*.jsonl")]
    leaks = [str(path) for path in written if any(secret.encode() in path.read_bytes() for secret in SECRETS)]
    assert leaks == []
