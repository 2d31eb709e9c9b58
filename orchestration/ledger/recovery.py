"""Put the warehouse right before a writer starts: after a writer that died (kill -9, OOM, power cut)
before it released the writer lock, and when the build database cannot be opened or read."""

from datetime import UTC, datetime
from pathlib import Path

import duckdb

from .publishing import Layout, clean_incomplete
from .writer_lock import WriterLock

LOCK_NAME = "writer.lock"
# What an ingest reads from the build database before anything else (changes.py); a file that
# cannot give these back is of no use to the run.
RECORD_TABLES = ("ingest_state.loaded", "raw.source_files")


def take_writer(build: Path, layout: Layout, holder: str) -> tuple[WriterLock, dict | None, list[str]]:
    """Take the writer lock for `holder` (a run id, or 'rollback'); raises WriterBusy naming a live
    holder. Returns the lock, the record of a dead predecessor (or None) and what was cleaned up
    after it. The lock lives beside the published warehouse, not beside the build database: the
    build folder may be deleted to start afresh, and a lock file deleted with it would let a second
    writer in beside a live one."""
    lock = WriterLock(layout.root / LOCK_NAME)
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


def unreadable(build: Path, memory_limit: str, every_table: bool = False) -> duckdb.Error | None:
    """Why the build database cannot be opened and its ingest record read (with `every_table`:
    every row of every table, which at a million facts takes about a second and is asked only after
    a step failed on the database), or None if it can, or is not there (the run then builds it)."""
    if not build.exists():
        return None
    try:
        with duckdb.connect(str(build), config={"memory_limit": memory_limit}) as con:
            present = [
                f'"{s}"."{t}"' for s, t in con.execute("select schema_name, table_name from duckdb_tables() order by all").fetchall()
            ]
            tables = present if every_table else [t for t in present if t.replace('"', "") in RECORD_TABLES]
            for table in tables:  # hashing every column of every row reads, and so checks, every block
                con.execute(f"select count(*) from {table} as t where hash(t) = 0").fetchall()
    except duckdb.Error as error:
        return error
    return None


def set_aside(build: Path, why: duckdb.Error) -> str:
    """Rename the build database (and its WAL) out of the way, so that it is rebuilt from the sources:
    it holds nothing they cannot give again, and the renamed copy stays for a look at what went
    wrong. Call while holding the writer lock. Returns what was done."""
    stamp = f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}"
    aside = build.with_name(f"{build.name}.unreadable-{stamp}")
    wal = build.with_name(f"{build.name}.wal")
    build.rename(aside)
    if wal.exists():
        wal.rename(aside.with_name(f"{aside.name}.wal"))
    return f"the build database {build} could not be read ({str(why).splitlines()[0]}); it was set aside as {aside}"
