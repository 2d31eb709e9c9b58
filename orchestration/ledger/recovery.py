"""Clean up after a writer that died (kill -9, OOM, power cut) before it released the writer lock."""

from pathlib import Path

from .publishing import Layout, clean_incomplete


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
