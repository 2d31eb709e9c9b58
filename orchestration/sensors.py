"""Sensors: a run when anything under sources/ is added, changed or removed, and the delivery of
the alerts that failed runs recorded (alerts.py)."""

import hashlib
import json
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from dagster import DefaultSensorStatus, RunRequest, SensorEvaluationContext, SkipReason, sensor

from . import alerts
from . import settings as environment
from .jobs import refresh_warehouse
from .ledger.reading import file_digest
from .resources import LedgerSettings

# Dagster needs the interval when it loads the definitions, so it is read then (a change takes a reload).
INTERVAL_SECONDS = environment.sensor_interval_seconds()
# Names DuckDB's reader takes literally (read_blob reads others as glob patterns); a file with any
# other name is refused by the run, so its size and modification time stand in for its content.
PLAIN_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


@dataclass(frozen=True)
class Fingerprint:
    """A digest of every entry under the source folder, by relative path and kind, and of every
    regular file's content; `entries` holds, by relative path, [kind, mtime_ns, size, sha256 or
    other content marker], which the next fingerprint trusts for the files whose size and
    modification time are unchanged; `hashed` counts the files hashed for this one."""

    digest: str
    entries: dict[str, list]
    hashed: int


def _entries(folder: str, parts: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], os.stat_result | OSError]]:
    """(path parts, lstat or the error) of everything under `folder`, recursively, links not followed."""
    found = []
    try:
        listed = list(os.scandir(folder))
    except OSError:  # gone or unreadable since its parent was listed: itself is recorded by the parent
        return found
    for entry in listed:
        try:
            status: os.stat_result | OSError = entry.stat(follow_symlinks=False)
        except OSError as error:
            status = error
        found.append(((*parts, entry.name), status))
        if isinstance(status, os.stat_result) and stat.S_ISDIR(status.st_mode):
            found += _entries(entry.path, (*parts, entry.name))
    return found


def _listing(sources: Path) -> dict[str, tuple[int, int, int, str]]:
    """(kind, mtime_ns, size, content marker if known without reading) of every entry, in the order
    of their paths' parts."""
    found = {}
    for parts, status in sorted(_entries(str(sources)), key=lambda entry: entry[0]):
        name = "/".join(parts)
        if isinstance(status, OSError):  # gone since it was listed: the run will say so
            found[name] = (0, 0, 0, str(status.errno))
            continue
        kind = stat.S_IFMT(status.st_mode)
        plain = all(PLAIN_NAME.match(part) for part in parts)
        marker = "" if kind == stat.S_IFREG and plain else (f"{status.st_mtime_ns}:{status.st_size}" if kind == stat.S_IFREG else "-")
        found[name] = (kind, status.st_mtime_ns, status.st_size, marker)
    return found


def _sha256(sources: Path, names: list[str]) -> dict[str, str]:
    """sha256 of the named files, with reading.file_digest; a file that cannot be read (it went,
    or lost its permissions) gets a marker instead, so the fingerprint changes and the run says why."""
    hashed = {}
    for name in names:
        try:
            hashed[name] = file_digest(str(sources / name))[2]
        except OSError:
            hashed[name] = "unreadable"
    return hashed


def fingerprint_sources(sources: Path, known: dict[str, list] | None = None) -> Fingerprint:
    """The fingerprint of the tree at `sources`. Regular files listed in `known` (a previous
    fingerprint's entries) with the same size and modification time keep their sha256; the others
    are hashed. So touching a file hashes it again but changes nothing; a new, changed or removed
    file changes the digest, and so does a link, a folder or a FIFO put there (which the run then
    refuses). Nothing but regular files is opened, and no link is followed."""
    known = known or {}
    listing = _listing(sources)
    content = {}
    for name, (kind, mtime_ns, size, marker) in listing.items():
        before = known.get(name)
        if marker == "" and before and before[:3] == [kind, mtime_ns, size]:
            content[name] = before[3]
        elif marker:
            content[name] = marker
    to_hash = [name for name, (_, _, _, marker) in listing.items() if marker == "" and name not in content]
    content |= _sha256(sources, to_hash)
    digest = hashlib.sha256()
    for name, (kind, _, _, _) in listing.items():
        # a file's digest as bytes, as the sensor's earlier cursors were made: they stay valid
        value = bytes.fromhex(content[name]) if len(content[name]) == 64 and kind == stat.S_IFREG else content[name].encode()
        digest.update(f"{name}\0{kind}\0".encode() + (b"" if kind not in (0, stat.S_IFREG) else value))
    entries = {name: [kind, mtime_ns, size, content[name]] for name, (kind, mtime_ns, size, _) in listing.items()}
    return Fingerprint(digest.hexdigest(), entries, len(to_hash))


def source_fingerprint(sources: Path) -> str:
    """The digest of fingerprint_sources, every file hashed."""
    return fingerprint_sources(sources).digest


def _cursor(text: str | None) -> tuple[str | None, dict[str, list]]:
    """(digest, entries) of the sensor's cursor: JSON since entries are kept; a bare digest before."""
    if not text:
        return None, {}
    try:
        recorded = json.loads(text)
    except ValueError:
        return text, {}
    return (recorded.get("digest"), recorded.get("entries", {})) if isinstance(recorded, dict) else (text, {})


@sensor(
    name="source_files_changed",
    job=refresh_warehouse,
    minimum_interval_seconds=INTERVAL_SECONDS,
    default_status=DefaultSensorStatus.RUNNING,
    description="Starts a refresh when anything under sources/ is added, changed or removed.",
)
def source_files_changed(context: SensorEvaluationContext, settings: LedgerSettings):
    previous, known = _cursor(context.cursor)
    fingerprint = fingerprint_sources(settings.sources(), known)
    if fingerprint.entries != known:
        context.update_cursor(json.dumps({"digest": fingerprint.digest, "entries": fingerprint.entries}, separators=(",", ":")))
    if previous == fingerprint.digest:
        return SkipReason(f"source files unchanged ({fingerprint.hashed} of {len(fingerprint.entries)} hashed anew)")
    if previous is None:
        return SkipReason(f"recorded the current source files ({fingerprint.digest[:12]}); changes from now on start a run")
    return RunRequest(run_key=fingerprint.digest, tags={"ai_market/trigger": "source_files_changed"})


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
