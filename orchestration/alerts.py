"""Alerts: every failed run records its own alert; the deliver_alerts sensor posts it to the webhook.

The record is written by the run itself, through the RunAlerts resource that every asset and check
names, so it lives for the whole of any run, however the run was started (the CLI, `make run`, the
schedule, the sensor, the UI): at the end of the run it reads the run's own events and, if a step or
a resource failed, appends the alert to data/alerts.jsonl. A run killed outright records nothing,
so the run that finds it dead records it instead (resources.Warehouse).

Delivery is apart from recording, so that a webhook that is down, slow or malformed loses no alert:
the sensor posts each alert not yet delivered and appends the outcome to data/alert_deliveries.jsonl,
trying again later after a failure. The webhook URL may carry a secret (user, password, a token in
its path or query): it is shown only masked, as `https://***@hooks.example.com/***?***`, in every
log line, outcome and error, and never reaches Dagster's storage."""

import base64
import http.client
import json
import os
import re
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit, urlunsplit

from dagster import ConfigurableResource, DagsterEventType, DagsterInstance, InitResourceContext

from . import settings

_NOT_IN_URLS = re.compile(r"[\s\x00-\x1f\x7f]")


def alerts_path() -> Path:
    """In the deployment's data folder (AI_MARKET_DATA_DIR, read when an alert is written or read),
    not a run's settings: the deliver_alerts sensor and later runs read the alerts of every run."""
    return settings.data_dir() / "alerts.jsonl"


def deliveries_path() -> Path:
    return settings.data_dir() / "alert_deliveries.jsonl"


def webhook_url() -> str | None:
    """AI_MARKET_ALERT_WEBHOOK_URL, read when an alert is delivered."""
    return os.environ.get("AI_MARKET_ALERT_WEBHOOK_URL") or None


def retry_after() -> timedelta:
    """How long after a failed attempt an alert is tried again (AI_MARKET_ALERT_RETRY_SECONDS)."""
    return timedelta(seconds=int(os.environ.get("AI_MARKET_ALERT_RETRY_SECONDS") or 300))


def _read_lines(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _append(path: Path, record: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as file:
        file.write(json.dumps(record) + "\n")


def record_alert(
    run_id: str, job: str, message: str, failures: list[tuple[str, str]], started_by: str, failed_checks: list[str] | None = None
) -> None:
    """Append the alert of a failed run (once: a run already recorded is not recorded again)."""
    if any(alert["run_id"] == run_id for alert in _read_lines(alerts_path())):
        return
    _append(
        alerts_path(),
        {
            "at": datetime.now(UTC).isoformat(),
            "run_id": run_id,
            "job": job,
            "started_by": started_by,
            "message": message,
            "failed_steps": [step for step, _ in failures],
            "step_errors": [error for _, error in failures],
            "failed_checks": failed_checks or [],
        },
    )


def _error_text(data) -> str:  # noqa: ANN001 - a Dagster step failure or resource init failure
    user = getattr(data, "user_failure_data", None)
    if user is not None and user.description:
        return user.description.strip()
    return data.error.message.strip() if data.error else ""


def run_failures(instance: DagsterInstance, run_id: str) -> list[tuple[str, str]]:
    """(step, error) for every failed step and failed resource of a run, from its own events."""
    kinds = (DagsterEventType.STEP_FAILURE, DagsterEventType.RESOURCE_INIT_FAILURE)
    found = []
    for kind in kinds:
        for entry in instance.all_logs(run_id, of_type=kind):
            event = entry.dagster_event
            found.append((event.step_key or "resources", _error_text(event.event_specific_data)))
    return found


def failed_checks(instance: DagsterInstance, run_id: str) -> list[str]:
    """'<asset>:<check>: <why>' for every check the run evaluated and found failing."""
    found = []
    for entry in instance.all_logs(run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION):
        check = entry.dagster_event.asset_check_evaluation_data
        if not check.passed:
            found.append(f"{check.asset_key.to_user_string()}:{check.check_name}: {check.description or ''}".rstrip(": "))
    return found


def started_by(tags: dict[str, str]) -> str:
    for tag, name in (("dagster/schedule_name", "schedule"), ("dagster/sensor_name", "sensor")):
        if tag in tags:
            return f"{name} {tags[tag]}"
    return "a person (the CLI, make run or the UI)"


class RunAlerts(ConfigurableResource):
    """Records the run's alert when the run fails (see the module's docstring). Every asset and check
    takes it, so that it is set up with the run and torn down at its very end, after every step."""

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        run = context.dagster_run
        if run is None or context.instance is None:
            return
        failures = run_failures(context.instance, run.run_id)
        if failures:
            steps = ", ".join(step for step, _ in failures)
            message = f"run {run.run_id} of {run.job_name} failed: {steps}"
            record_alert(run.run_id, run.job_name, message, failures, started_by(run.tags), failed_checks(context.instance, run.run_id))
            context.log.info(f"alert recorded in {alerts_path()}")


# Delivery --------------------------------------------------------------------------------------


def mask_url(url: str) -> str:
    """The URL with everything that may be secret replaced by ***: user and password, path, query
    and fragment. Scheme, host and port stay, to tell webhooks apart."""
    try:
        parts = urlsplit(url.strip())
        host, port = parts.hostname or "", parts.port
    except ValueError:
        return "***"
    if not parts.scheme or not host:
        return "***"
    return "".join(
        (
            f"{parts.scheme}://",
            "***@" if "@" in parts.netloc else "",
            host,
            f":{port}" if port else "",
            "/***" if parts.path.strip("/") else "",
            "?***" if parts.query else "",
            "#***" if parts.fragment else "",
        )
    )


def _scrub(text: str, url: str) -> str:
    """`text` with every part of `url` that mask_url hides replaced by ***."""
    try:
        parts = urlsplit(url)
        secrets = [url, parts.netloc, parts.username, parts.password, parts.path, parts.query, parts.fragment]
        secrets += [value for _, value in parse_qsl(parts.query)]
    except ValueError:
        secrets = [url]
    for secret in sorted({s for s in secrets if s and len(s) > 1 and s != "/"}, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def _malformed(url: str) -> str | None:
    if _NOT_IN_URLS.search(url):
        return "it contains a space or a control character"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port that is no number
    except ValueError as error:
        return str(error)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "it is not an http:// or https:// URL with a host"
    return None


def post(url: str, alert: dict) -> tuple[bool, str]:
    """POST one alert as JSON: (delivered, what happened), the URL masked in what it says."""
    where = mask_url(url)
    if why := _malformed(url):
        return False, f"not posted: the webhook URL {where} is malformed ({why})"
    parts, headers, target = urlsplit(url), {"Content-Type": "application/json"}, url
    if parts.username is not None:  # urllib takes no user in a URL: it goes as HTTP basic authentication
        credentials = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(credentials).decode()
        target = urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
    request = urllib.request.Request(target, data=json.dumps(alert).encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return 200 <= response.status < 300, f"posted to {where}: HTTP {response.status}"
    # Whatever the webhook or the network does, the alert stays recorded and the URL's secret stays out.
    except (OSError, ValueError, http.client.HTTPException) as error:
        return False, f"not posted to {where}: {_scrub(f'{type(error).__name__}: {error}', url)}"


def _due(attempts: list[dict], now: datetime) -> bool:
    if any(a["delivered"] for a in attempts):
        return False
    return not attempts or now >= datetime.fromisoformat(attempts[-1]["at"]) + retry_after()


def deliver_pending(url: str, now: datetime | None = None) -> list[str]:
    """Post every recorded alert not yet delivered and due for a try; append each outcome to the
    deliveries file. Returns the outcomes, one line each."""
    now = now or datetime.now(UTC)
    attempts: dict[str, list[dict]] = {}
    for attempt in _read_lines(deliveries_path()):
        attempts.setdefault(attempt["run_id"], []).append(attempt)
    outcomes = []
    for alert in _read_lines(alerts_path()):
        if not _due(attempts.get(alert["run_id"], []), now):
            continue
        delivered, outcome = post(url, alert)
        _append(deliveries_path(), {"at": now.isoformat(), "run_id": alert["run_id"], "delivered": delivered, "outcome": outcome})
        outcomes.append(f"alert of run {alert['run_id']}: {outcome}")
    return outcomes
