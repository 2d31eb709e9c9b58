"""One writer at a time, and a record of the last one.

Scheduled, sensor and UI runs queue in Dagster behind the writer pool (see dagster.yaml); a run that
bypasses the queue (`dagster job execute`, another DAGSTER_HOME, a test) meets this lock instead. It
is an flock(2) on a file beside the build database: the kernel drops it when the holding process
dies, so kill -9 never leaves it stuck, and the record left in the file tells the next holder that
its predecessor died without releasing it, so that it can clean up after it."""

import fcntl
import json
import os
from dataclasses import dataclass, field
from pathlib import Path


class WriterBusy(Exception):
    """Another live process holds the writer lock."""


@dataclass
class WriterLock:
    path: Path
    _fd: int | None = field(default=None, init=False, repr=False)

    def acquire(self, holder: dict) -> dict | None:
        """Take the lock without waiting and record `holder` in it. Returns the record of a previous
        holder that never released it (a dead run), or None. Raises WriterBusy naming the live holder."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise WriterBusy(self._busy_message()) from None
        previous = _read_record(fd)
        _write_record(fd, {**holder, "pid": os.getpid(), "released": False})
        self._fd = fd
        return previous if previous and not previous.get("released") else None

    def release(self) -> None:
        if self._fd is None:
            return
        _write_record(self._fd, {**(_read_record(self._fd) or {}), "released": True})
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None

    def _busy_message(self) -> str:
        try:
            holder = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            holder = {}
        return (
            f"another run is writing the warehouse build ({self.path}): run {holder.get('run_id', '?')}, "
            f"pid {holder.get('pid', '?')}, started {holder.get('started_at', '?')}. This run was refused rather "
            "than interleave with it; start it again when that run has finished (runs launched by the "
            "schedule, the sensor or the UI wait in Dagster's queue instead)."
        )


def _read_record(fd: int) -> dict | None:
    os.lseek(fd, 0, os.SEEK_SET)
    content = os.read(fd, 65536)
    try:
        return json.loads(content) if content.strip() else None
    except ValueError:
        return {"run_id": "unknown (unreadable lock record)"}


def _write_record(fd: int, record: dict) -> None:
    data = json.dumps(record).encode()
    os.ftruncate(fd, 0)
    os.pwrite(fd, data, 0)
    os.fsync(fd)
