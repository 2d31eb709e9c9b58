"""The summary `ai-market-ledger refresh` ends with: what was published (documents, facts, gates,
the claims found inconsistent as the curators expect) and where to look, or what failed, once
and without tracebacks. Dagster is imported only for a failure's summary, so that the answer to a
rerun with nothing changed costs no Dagster import."""

from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb

from . import settings
from .ledger.publishing import Layout

if TYPE_CHECKING:
    from dagster import DagsterInstance


UI = "http://127.0.0.1:3000"


def _published_summary(layout: Layout) -> list[str]:
    with duckdb.connect(str(layout.published), read_only=True) as con:
        version_id, gates_passed, gates = con.execute("select version_id, gates_passed, gates from meta.publication").fetchone()
        documents, facts = (con.execute(f"select count(*) from marts.{mart}").fetchone()[0] for mart in ("documents", "facts"))
        inconsistent = "select claim_fact_id from marts.claim_audit where status = 'inconsistent' and expected_status = status order by 1"
        expected = [claim for (claim,) in con.execute(inconsistent).fetchall()]
    return [
        f"Published version {version_id}: {documents} documents, {facts} facts; {gates_passed} of {gates} gates passed.",
        f"  {len(expected)} claims found inconsistent, as the curators expect: {', '.join(expected)}",
    ]


def _where_to_look(layout: Layout, run_id: str | None) -> list[str]:
    run = f"{UI}/runs/{run_id}" if run_id else UI
    return [
        f"  published file: {layout.published} (Parquet copies: {layout.parquet})",
        f"  report:         {settings.report_dir() / 'index.html'}",
        f"  UI:             `make ui`, then {run}",
    ]


def _current(layout: Layout) -> str:
    current = layout.current_version()
    return f"{layout.published} still serves version {current}" if current else f"nothing is published at {layout.published}"


def failure_summary(instance: DagsterInstance, run_id: str) -> list[str]:
    """Each failed gate (with the rows it names) and each failed step's error, once, without
    tracebacks: those stay in the run's event log."""
    layout = Layout(settings.warehouse_path())
    from .alerts import failed_checks, run_failures

    checks = failed_checks(instance, run_id)
    lines = [f"FAILED: run {run_id} published nothing; {_current(layout)}."]
    lines += [f"gate {check}" for check in checks]
    for step, error in run_failures(instance, run_id):
        # a blocking check that failed also fails its step; its reason is the gate's line above
        if not (checks and "DagsterAssetCheckFailedError" in error):
            lines.append(f"{step}: {error}")
    lines.append(f"Every event of the run, with tracebacks: `make ui`, then {UI}/runs/{run_id}")
    return lines


def success_summary(run_id: str, published: bool) -> list[str]:
    layout = Layout(settings.warehouse_path())
    lines = _published_summary(layout) if published else [f"Nothing was rebuilt; {_current(layout).replace('still ', '')}."]
    return lines + _where_to_look(layout, run_id)


def unchanged_summary(message: str) -> list[str]:
    return [message, *_where_to_look(Layout(settings.warehouse_path()), None)]
