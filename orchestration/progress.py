"""What `ai-market-ledger refresh` prints: one line per stage of the run as it ends (ingest, dbt
models, gates, publish, report), then a summary a person can act on. Dagster's own event stream
stays in its event log (the UI shows it, tracebacks included); `--verbose` prints it as well.

The lines are made from the run's events, as Dagster stores them, through an event listener on the
instance (the in-process run calls it for every event it stores)."""

import sys
import time
from dataclasses import dataclass, field
from typing import TextIO

from dagster import DagsterEventType, EventLogEntry

STAGES = {"ingest_sources": "ingest", "dbt_models": "dbt models", "published__warehouse": "publish", "report__charts": "report"}


def stage_of(step_key: str) -> str:
    return "gates" if "_gx_" in step_key else STAGES.get(step_key, step_key)


@dataclass
class Stage:
    name: str
    started: float
    steps: int = 0
    skipped: int = 0
    failed: int = 0
    metadata: dict[str, dict] = field(default_factory=dict)  # by asset key: its materialisation's metadata
    checks: dict[str, bool] = field(default_factory=dict)  # by check name: passed
    dbt_tests: dict[str, bool] = field(default_factory=dict)  # dbt tests on the raw tables, seen as observations
    said: list[str] = field(default_factory=list)  # what the stage said that the line repeats

    def line(self) -> str:
        seconds = time.monotonic() - self.started
        if self.skipped == self.steps:
            return f"{self.name:<11} skipped"
        if self.failed and not (self.metadata or self.checks):
            return f"{self.name:<11} FAILED ({seconds:.1f} s)"
        failed = self.failed and all(self.checks.values())  # a failed gate is named by the line itself
        return f"{self.name:<11} {self._what()}{' FAILED' if failed else ''} ({seconds:.1f} s)"

    def _what(self) -> str:
        if self.said:
            return self.said[0]
        if self.name == "ingest":
            return _ingest_line(self.metadata)
        if self.name == "dbt models":
            tests = {**self.checks, **self.dbt_tests}
            return f"{len(self.metadata)} models built, {sum(tests.values())} of {len(tests)} dbt tests passed"
        if self.name == "gates":
            failed = sorted(name for name, passed in self.checks.items() if not passed)
            text = f"{sum(self.checks.values())} of {len(self.checks)} Great Expectations suites passed"
            return text + (f"; failed: {', '.join(failed)}" if failed else "")
        if self.name == "publish":
            published = self.metadata.get("published/warehouse", {})
            return f"version {published['version_id']} published" if published else "nothing published"
        if self.name == "report":
            charts = self.metadata.get("report/charts", {})
            return f"charts drawn: {charts['index']}" if charts else "no report"
        return f"{len(self.metadata)} assets"


def _ingest_line(metadata: dict[str, dict]) -> str:
    if not metadata:
        return "nothing loaded"

    def rows(table: str) -> int:
        return int(metadata[f"raw/{table}"]["dagster/row_count"])

    anew = metadata["raw/source_files"].get("files_checked_anew")
    return f"{rows('source_files')} source files ({anew} checked anew), {rows('documents')} documents, {rows('facts')} facts loaded"


class Progress:
    """Event listener: prints a stage's line when the run moves past it."""

    def __init__(self, out: TextIO = sys.stdout):
        self.out = out
        self.stage: Stage | None = None

    def __call__(self, entry: EventLogEntry) -> None:
        event = entry.dagster_event
        if event is None:
            if self.stage and entry.user_message.startswith("Nothing to do"):
                self.stage.said.append(entry.user_message)
            return
        kind = event.event_type
        if kind in (DagsterEventType.STEP_START, DagsterEventType.STEP_SKIPPED):
            self._enter(stage_of(event.step_key))
            self.stage.steps += 1
            self.stage.skipped += kind == DagsterEventType.STEP_SKIPPED
        elif self.stage is None:
            return
        elif kind == DagsterEventType.STEP_FAILURE:
            self.stage.failed += 1
        elif kind == DagsterEventType.ASSET_MATERIALIZATION:
            materialization = event.step_materialization_data.materialization
            self.stage.metadata[materialization.asset_key.to_user_string()] = {k: v.value for k, v in materialization.metadata.items()}
        elif kind == DagsterEventType.ASSET_CHECK_EVALUATION:
            check = event.asset_check_evaluation_data
            self.stage.checks[check.check_name] = check.passed
        elif kind == DagsterEventType.ASSET_OBSERVATION:
            metadata = event.asset_observation_data.asset_observation.metadata
            test = str(metadata["unique_id"].value) if "unique_id" in metadata else ""
            if test.startswith("test.") and "status" in metadata:
                self.stage.dbt_tests[test] = metadata["status"].value == "pass"
        if kind in (DagsterEventType.RUN_SUCCESS, DagsterEventType.RUN_FAILURE):
            self.finish()

    def _enter(self, name: str) -> None:
        if self.stage and self.stage.name == name:
            return
        self.finish()
        self.stage = Stage(name, time.monotonic())

    def finish(self) -> None:
        if self.stage:
            print(self.stage.line(), file=self.out, flush=True)
            self.stage = None
