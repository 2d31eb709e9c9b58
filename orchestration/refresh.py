"""`ai-market-ledger refresh`: run refresh_warehouse now, in this process, against the instance in
DAGSTER_HOME (like `dagster job execute`: the run, its events and its checks are recorded there and
shown in the UI), printing one line per stage and a summary (progress.py).

When the source files, the code and the tool versions are those of the current publication, it
says so before Dagster, dbt and GX are imported, and records no run (a run would stop after
hashing the sources anyway: see provenance.before_a_run)."""

import logging
import os
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from . import settings
from .provenance import before_a_run

# Dagster's own Python loggers write straight to the terminal (e.g. a blocking check of a skipped
# step "emitted no result"); what they say is in the run's event log.
QUIET_LOGGERS = ("dagster", "dagster_dbt")
CONSOLE_ONLY_CRITICAL = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


def output_log() -> Path:
    """Where a refresh sends what the run itself prints (dbt's log lines, which dagster-dbt echoes
    to stdout, and any warning): the run's compute logs in the UI hold it too."""
    return settings.data_dir() / "refresh.log"


@contextmanager
def terminal_for_progress_only(log: Path) -> Iterator[TextIO]:
    """A stream to the terminal; meanwhile file descriptors 1 and 2 (which Dagster's log capture
    tees from) go to `log`."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as file:
        os.dup2(file.fileno(), 1)
        os.dup2(file.fileno(), 2)
    terminal = os.fdopen(os.dup(saved[0]), "w", buffering=1)
    try:
        yield terminal
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        terminal.close()


@contextmanager
def _terminal(verbose: bool) -> Iterator[TextIO]:
    if verbose:
        yield sys.stdout
    else:
        with terminal_for_progress_only(output_log()) as terminal:
            yield terminal


def _say(lines: list[str], out: TextIO = sys.stdout) -> None:
    print("\n".join(lines), file=out, flush=True)


def refresh(rebuild_unchanged: bool, verbose: bool) -> int:
    message, only_the_report = (None, False) if rebuild_unchanged else before_a_run()
    if message:
        from .summary import unchanged_summary

        _say(unchanged_summary(message))
        return 0
    from .home import limit_writer_pool, prepare_dagster_home

    prepare_dagster_home()
    from dagster import AssetKey, DagsterInstance

    from .definitions import defs
    from .progress import Progress
    from .schedules import REBUILD_UNCHANGED
    from .summary import failure_summary, success_summary

    run_config = {**(REBUILD_UNCHANGED if rebuild_unchanged else {}), **({} if verbose else CONSOLE_ONLY_CRITICAL)}
    if not verbose:
        for name in QUIET_LOGGERS:
            logging.getLogger(name).setLevel(logging.CRITICAL)
    run_id = str(uuid.uuid4())
    with DagsterInstance.get() as instance, _terminal(verbose) as terminal:
        limit_writer_pool(instance)
        instance.add_event_listener(run_id, Progress(terminal))
        job = defs.resolve_job_def("refresh_warehouse")
        # only the report's code changed: the published version is drawn again, nothing else runs
        selection = [AssetKey(["report", "charts"])] if only_the_report else None
        result = job.execute_in_process(
            instance=instance, run_config=run_config, raise_on_error=False, run_id=run_id, asset_selection=selection
        )
        published = any(e.asset_key.path == ["published", "warehouse"] for e in result.get_asset_materialization_events())
        _say(success_summary(run_id, published) if result.success else failure_summary(instance, run_id), terminal)
    return 0 if result.success else 1


def refresh_and_leave(rebuild_unchanged: bool, verbose: bool) -> None:
    """Refresh, then leave at once with the run's exit status. Kept, as measured (docs/performance.md),
    because it still pays: the run is fully stored and the logs are flushed, and the interpreter's
    own teardown of what a run imported (Dagster, dbt, GX, pandas, DuckDB) is a wait for nothing."""
    code = refresh(rebuild_unchanged, verbose)
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
