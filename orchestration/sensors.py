"""Sensors: a run when a source file is added, changed or removed, and an alert record when a run fails."""

import hashlib
import json
import os
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from dagster import (
    DefaultSensorStatus,
    RunFailureSensorContext,
    RunRequest,
    SensorEvaluationContext,
    SkipReason,
    run_failure_sensor,
    sensor,
)

from . import settings
from .jobs import refresh_warehouse


def source_fingerprint(sources: Path) -> str:
    """A digest of every source file's relative path and content: a new, changed or removed file
    changes it, touching a file without changing it does not."""
    digest = hashlib.sha256()
    for path in sorted(p for p in sources.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(sources)).encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


@sensor(
    name="source_files_changed",
    job=refresh_warehouse,
    minimum_interval_seconds=int(os.environ.get("AI_MARKET_SENSOR_INTERVAL_SECONDS") or 30),
    default_status=DefaultSensorStatus.RUNNING,
    description="Starts a refresh when a file under sources/ is added, changed or removed.",
)
def source_files_changed(context: SensorEvaluationContext):
    fingerprint = source_fingerprint(settings.sources_dir())
    if context.cursor == fingerprint:
        return SkipReason("source files unchanged")
    previous = context.cursor
    context.update_cursor(fingerprint)
    if previous is None:
        return SkipReason(f"recorded the current source files ({fingerprint[:12]}); changes from now on start a run")
    return RunRequest(run_key=fingerprint, tags={"ai_market/trigger": "source_files_changed"})


def alerts_path() -> Path:
    return settings.data_dir() / "alerts.jsonl"


def post_to_webhook(url: str, record: dict) -> str:
    """POST the alert as JSON; returns what happened, for the alert record. A webhook that is down
    must not lose the alert, so failures are reported, not raised."""
    request = urllib.request.Request(url, data=json.dumps(record).encode(), headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return f"posted: HTTP {response.status}"
    except (urllib.error.URLError, TimeoutError, ValueError) as error:
        return f"not posted: {error}"


@run_failure_sensor(
    name="record_run_failure",
    default_status=DefaultSensorStatus.RUNNING,
    description="Appends a JSON line to data/alerts.jsonl for every failed run, and posts it to AI_MARKET_ALERT_WEBHOOK_URL if set.",
)
def record_run_failure(context: RunFailureSensorContext) -> None:
    record = {
        "at": datetime.now(UTC).isoformat(),
        "run_id": context.dagster_run.run_id,
        "job": context.dagster_run.job_name,
        "message": context.failure_event.message,
        "failed_steps": [event.step_key for event in context.get_step_failure_events()],
        "step_errors": [
            event.event_specific_data.error.message.strip() if event.event_specific_data and event.event_specific_data.error else None
            for event in context.get_step_failure_events()
        ],
    }
    if url := os.environ.get("AI_MARKET_ALERT_WEBHOOK_URL"):
        record["webhook"] = post_to_webhook(url, record)
        context.log.info(f"webhook {record['webhook']}")
    path = alerts_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as file:
        file.write(json.dumps(record) + "\n")
    context.log.info(f"alert recorded in {path}")
