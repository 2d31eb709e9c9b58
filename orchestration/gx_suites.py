"""Great Expectations suites stored as JSON files under expectations/, run against DataFrames read
from DuckDB (GX's SQL datasource over duckdb-engine fails in resolve_metric_bundle).

Each suite file is GX's own suite format plus `meta.table`, the warehouse table it gates, e.g.
{"name": "funding_by_period", "meta": {"table": "marts.funding_by_period"}, "expectations": [...]}.
GX takes seconds to import, so it is imported only inside run_suite."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas is only needed where a validation runs, not when Dagster loads the checks
    import pandas as pd


@dataclass(frozen=True)
class Suite:
    name: str
    table: str
    description: str
    path: Path
    definition: dict

    @property
    def asset_key_path(self) -> list[str]:
        return self.table.split(".")


@dataclass(frozen=True)
class ExpectationOutcome:
    expectation: str
    column: str
    success: bool
    expected: str
    observed: str
    why: str


@dataclass(frozen=True)
class SuiteOutcome:
    suite: str
    success: bool
    evaluated: int
    outcomes: list[ExpectationOutcome]

    @property
    def failures(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success]


def load_suites(folder: Path) -> list[Suite]:
    suites = []
    for path in sorted(folder.glob("*.json")):
        definition = json.loads(path.read_text(encoding="utf-8"))
        meta = definition.get("meta", {})
        if "table" not in meta:
            raise ValueError(f"{path}: suite has no meta.table naming the table it gates")
        suites.append(Suite(definition["name"], meta["table"], meta.get("description", ""), path, definition))
    return suites


@cache
def _context():
    import great_expectations as gx
    from great_expectations.data_context.types.base import DataContextConfig, InMemoryStoreBackendDefaults, ProgressBarsConfig

    # Progress bars would fill the Dagster run log with terminal control output.
    config = DataContextConfig(store_backend_defaults=InMemoryStoreBackendDefaults(), progress_bars=ProgressBarsConfig(globally=False))
    context = gx.get_context(mode="ephemeral", project_config=config)
    asset = context.data_sources.add_pandas("warehouse").add_dataframe_asset("table")
    return gx, context, asset.add_batch_definition_whole_dataframe("whole_table")


_run_ids = itertools.count()


def _short(value: Any, limit: int = 300) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _observed(result: dict) -> str:
    if "observed_value" in result and result["observed_value"] is not None:
        return _short(result["observed_value"])
    if result.get("unexpected_count"):
        return _short({"unexpected_count": result["unexpected_count"], "unexpected_values": result.get("partial_unexpected_list", [])[:10]})
    return _short({k: result[k] for k in ("element_count", "unexpected_count") if k in result} or result)


def run_suite(suite: Suite, frame: pd.DataFrame) -> SuiteOutcome:
    gx, context, batch_definition = _context()
    # names must be unique within the (process-wide) context
    name = f"{suite.name}-{next(_run_ids)}"
    gx_suite = context.suites.add(
        gx.ExpectationSuite(name=name, expectations=suite.definition["expectations"], meta=suite.definition.get("meta", {}))
    )
    validation = context.validation_definitions.add(gx.ValidationDefinition(name=name, data=batch_definition, suite=gx_suite))
    result = validation.run(batch_parameters={"dataframe": frame}, result_format="SUMMARY")
    outcomes = []
    for item in result.results:
        config = item.expectation_config
        kwargs = {k: v for k, v in config.kwargs.items() if k not in ("column", "batch_id")}
        column = config.kwargs.get("column") or ",".join(filter(None, (config.kwargs.get("column_A"), config.kwargs.get("column_B")))) or ""
        error = (item.exception_info or {}).get("exception_message")
        outcomes.append(
            ExpectationOutcome(
                config.type,
                column,
                bool(item.success),
                _short(kwargs),
                _short(error) if error else _observed(item.result or {}),
                (config.meta or {}).get("why", ""),
            )
        )
    return SuiteOutcome(suite.name, bool(result.success), len(outcomes), outcomes)
