"""Sensors: a run when anything under sources/ is added, changed or removed, and the delivery of
the alerts that failed runs recorded (alerts.py)."""

import hashlib
import os
import stat
from pathlib import Path

from dagster import DefaultSensorStatus, RunRequest, SensorEvaluationContext, SkipReason, sensor

from . import alerts
from . import settings as environment
from .jobs import refresh_warehouse
from .resources import LedgerSettings

# Dagster needs the interval when it loads the definitions, so it is read then (a change takes a reload).
INTERVAL_SECONDS = environment.sensor_interval_seconds()


def source_fingerprint(sources: Path) -> str:
    """A digest of every entry under the source folder, by relative path and kind, and of every
    regular file's content: a new, changed or removed file changes it, and so does a link, a folder
    or a FIFO put there (which the run then refuses); touching a file without changing it does not.
    Nothing but regular files is opened, and no link is followed."""
    digest = hashlib.sha256()
    for path in sorted(sources.rglob("*")):
        try:
            mode = os.lstat(path).st_mode
            content = hashlib.sha256(path.read_bytes()).digest() if stat.S_ISREG(mode) else b""
        except OSError as error:  # gone since it was listed, or unreadable: the run will say which
            mode, content = 0, str(error.errno).encode()
        digest.update(f"{path.relative_to(sources)}\0{stat.S_IFMT(mode)}\0".encode() + content)
    return digest.hexdigest()


@sensor(
    name="source_files_changed",
    job=refresh_warehouse,
    minimum_interval_seconds=INTERVAL_SECONDS,
    default_status=DefaultSensorStatus.RUNNING,
    description="Starts a refresh when anything under sources/ is added, changed or removed.",
)
def source_files_changed(context: SensorEvaluationContext, settings: LedgerSettings):
    fingerprint = source_fingerprint(settings.sources())
    if context.cursor == fingerprint:
        return SkipReason("source files unchanged")
    previous = context.cursor
    context.update_cursor(fingerprint)
    if previous is None:
        return SkipReason(f"recorded the current source files ({fingerprint[:12]}); changes from now on start a run")
    return RunRequest(run_key=fingerprint, tags={"ai_market/trigger": "source_files_changed"})


@sensor(
    name="deliver_alerts",
    minimum_interval_seconds=INTERVAL_SECONDS,
    default_status=DefaultSensorStatus.RUNNING,
    description="Posts every failed run's alert (recorded by the run itself in data/alerts.jsonl) to AI_MARKET_ALERT_WEBHOOK_URL, "
    "retrying those not delivered; outcomes go to data/alert_deliveries.jsonl, the URL always masked.",
)
def deliver_alerts(context: SensorEvaluationContext):
    url = alerts.webhook_url()
    if url is None:
        return SkipReason(f"no webhook set (AI_MARKET_ALERT_WEBHOOK_URL); alerts are recorded in {alerts.alerts_path()}")
    outcomes = alerts.deliver_pending(url)
    for outcome in outcomes:
        context.log.info(outcome)
    return SkipReason("; ".join(outcomes) if outcomes else f"no alert due for delivery to {alerts.mask_url(url)}")
