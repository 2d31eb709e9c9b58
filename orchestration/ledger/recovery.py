"""Clean up after a writer that died (kill -9, OOM, power cut) before it released the writer lock."""

from datetime import UTC, datetime
from pathlib import Path

from .publishing import Layout, clean_incomplete
from .writer_lock import WriterLock


def take_writer(build: Path, layout: Layout, holder: str) -> tuple[WriterLock, dict | None, list[str]]:
    """Take the writer lock beside the build database for `holder` (a run id, or 'rollback'); raises
    WriterBusy naming a live holder. Returns the lock, the record of a dead predecessor (or None) and
    what was cleaned up after it."""
    lock = WriterLock(build.with_name("writer.lock"))
    dead = lock.acquire({"run_id": holder, "started_at": datetime.now(UTC).isoformat(timespec="seconds")})
    return lock, dead, discard_dead_writers_work(dead, build, layout)


def discard_dead_writers_work(dead: dict | None, build: Path, layout: Layout) -> list[str]:
    """Call while holding the writer lock. A dead writer's build database may hold half its work, so
    it is removed and the next build starts from nothing; a half-done publish left only temporary
    names, which are removed too. The published warehouse needs no repair: a publish is a rename,
    never a write in place. Returns what was done, one line each."""
    done = []
    if dead:
        for path in (build, build.with_name(f"{build.name}.wal")):
            if path.exists():
                path.unlink()
                done.append(f"removed {path}")
        done.insert(0, f"run {dead.get('run_id')} (pid {dead.get('pid')}, started {dead.get('started_at')}) died while writing")
    done += [f"removed {leftover}, left by a publish that did not finish" for leftover in clean_incomplete(layout)]
    return done
