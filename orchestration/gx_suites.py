"""Great Expectations suites stored as JSON files under expectations/, run against DataFrames read
from DuckDB (GX's SQL datasource over duckdb-engine fails in resolve_metric_bundle).

Each suite file is GX's own suite format plus `meta.table`, the warehouse table it gates, and
`meta.row_key`, the columns that name a failing row (its key; for the claim audit also its source
file and line and what was found), e.g. {"name": "funding_by_period", "meta": {"table":
"marts.funding_by_period", "row_key": ["scope", "region", "period", "document_id"]}, "expectations": [...]}.
GX takes seconds to import, so it is imported only inside run_suite."""

from __future__ import annotations

import html
import json
import re
import shutil
from copy import deepcopy
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

    @property
    def row_key(self) -> list[str]:
        return list(self.definition.get("meta", {}).get("row_key", []))

    def columns_needed(self, table_columns: list[str]) -> list[str]:
        """The columns this suite's expectations read (named in kwargs or in a row_condition), so
        that a million-row mart is not loaded whole for a few columns. Every row is still
        validated. A suite with an expectation that reads no named column and is not a row count
        (e.g. one about the table's column set) gets every column."""
        named: set[str] = set()
        for expectation in self.definition["expectations"]:
            kwargs = expectation["kwargs"]
            columns = [kwargs[k] for k in ("column", "column_A", "column_B") if k in kwargs] + list(kwargs.get("column_list", []))
            if not columns and expectation["type"] not in ROW_COUNT_EXPECTATIONS:
                return table_columns
            named |= set(columns) | self._in_conditions(expectation, table_columns)
        named |= set(self.row_key)
        return [c for c in table_columns if c in named] or table_columns[:1]

    def condition_columns(self, table_columns: list[str]) -> set[str]:
        """The columns the suite's row_conditions select rows by."""
        return set().union(*(self._in_conditions(e, table_columns) for e in self.definition["expectations"]))

    @staticmethod
    def _in_conditions(expectation: dict, table_columns: list[str]) -> set[str]:
        condition = expectation["kwargs"].get("row_condition") or ""
        return {c for c in table_columns if re.search(rf"\b{re.escape(c)}\b", condition)}


ROW_COUNT_EXPECTATIONS = {"expect_table_row_count_to_be_between", "expect_table_row_count_to_equal"}


@dataclass(frozen=True)
class ExpectationOutcome:
    expectation: str
    column: str
    success: bool
    expected: str
    observed: str
    why: str
    unexpected_count: int = 0
    # the first failing rows as GX gives them: the suite's row_key columns and the expectation's own
    rows: tuple[dict, ...] = ()


@dataclass(frozen=True)
class SuiteOutcome:
    suite: str
    success: bool
    evaluated: int
    outcomes: list[ExpectationOutcome]
    docs_page: Path

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
def _context(root: str):
    """One ephemeral GX context per output folder: suites and validation definitions live in memory,
    validation results and Data Docs are written under `root`. Results are kept on disk because the
    Data Docs index is rebuilt from them; pages of results it does not know would be deleted."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import DataContextConfig, InMemoryStoreBackendDefaults, ProgressBarsConfig
    from great_expectations.execution_engine import pandas_execution_engine

    # GX hashes every row of a DataFrame batch under 1 GB (pandas' hash_pandas_object) only to
    # label the batch in its result; results here are labelled by the Dagster run instead. Kept,
    # though private, because at a million facts that hash is a fifth of the headline suite's time
    # (measured in docs/gates.md); 0 skips it for every frame, as GX itself does above 1 GB.
    pandas_execution_engine.HASH_THRESHOLD = 0

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        # Progress bars would fill the Dagster run log with terminal control output.
        progress_bars=ProgressBarsConfig(globally=False),
        data_docs_sites={
            DOCS_SITE: {
                "class_name": "SiteBuilder",
                "show_how_to_buttons": False,
                "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": f"{root}/{DOCS_FOLDER}"},
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            }
        },
    )
    config.stores[config.validation_results_store_name] = {
        "class_name": "ValidationResultsStore",
        "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": f"{root}/{RESULTS_FOLDER}"},
    }
    return gx, gx.get_context(mode="ephemeral", project_config=config)


@cache
def _whole_frame(root: str, kind: str):  # noqa: ANN202 - GX's BatchDefinition
    """The batch definition of a whole pandas or Spark DataFrame (the Spark datasource only when a
    Spark run asks: it imports pyspark)."""
    _, context = _context(root)
    source = context.data_sources.add_pandas("warehouse") if kind == "pandas" else context.data_sources.add_spark("spark_warehouse")
    return source.add_dataframe_asset("table").add_batch_definition_whole_dataframe("whole_table")


DOCS_SITE = "ai_market_ledger"
# Under the output folder: GX's validation results store, and the Data Docs site (whose pages of
# results GX keeps in its own validations/ folder).
RESULTS_FOLDER, DOCS_FOLDER = "validations", "data_docs"


def _short(value: Any, limit: int = 300) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _exception_message(info: dict) -> str | None:
    """What went wrong evaluating an expectation: GX keeps it at the top of exception_info, or, when
    a metric failed (a Spark job out of memory, say), under that metric's id."""
    places = [info, *(value for value in info.values() if isinstance(value, dict))]
    message = next((place["exception_message"] for place in places if place.get("exception_message")), None)
    if message is None:
        return None
    # a JVM error's cause comes last, under a stack trace too long to show
    causes = [line for line in message.splitlines() if line.startswith("Caused by: ")]
    return f"{message.splitlines()[0]} {causes[-1]}" if causes else message


def _observed(result: dict) -> str:
    if "observed_value" in result and result["observed_value"] is not None:
        return _short(result["observed_value"])
    if result.get("unexpected_count"):
        return _short({"unexpected_count": result["unexpected_count"], "unexpected_values": result.get("partial_unexpected_list", [])[:10]})
    return _short({k: result[k] for k in ("element_count", "unexpected_count") if k in result} or result)


def _result_format(suite: Suite, frame: pd.DataFrame) -> dict:
    """SUMMARY, with the first failing rows of each row-wise expectation named by the suite's
    row_key (GX's partial_unexpected_index_list), so a failed gate says which rows failed."""
    key = [column for column in suite.row_key if column in frame.columns]
    named = {"unexpected_index_column_names": key} if key else {}
    return {"result_format": "SUMMARY", "partial_unexpected_count": FAILED_ROWS_KEPT} | named


FAILED_ROWS_KEPT = 20


def _selectors_as_categories(suite: Suite, frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns that row_conditions select by, as pandas categoricals: each condition then
    compares integer codes, not every string. The values, and so every result, are the same."""
    import pandas as pd
    from pandas.api.types import is_string_dtype

    text = [c for c in suite.condition_columns(list(frame.columns)) if is_string_dtype(frame[c])]
    if not text:
        return frame
    frame = frame.copy(deep=False)
    for column in text:
        # Categories in order of appearance: astype("category") would sort a million strings first.
        codes, values = pd.factorize(frame[column])
        frame[column] = pd.Categorical.from_codes(codes, categories=values)
    return frame


def _is_pandas(frame: Any) -> bool:
    return type(frame).__module__.startswith("pandas")


def _expectations_for(suite: Suite, kind: str) -> list[dict]:
    """The suite's expectations for a pandas or a Spark DataFrame. The suites' row_conditions
    (column=="value" and ...) read the same in pandas' query language and in Spark SQL, so on
    Spark only the parser that reads them changes."""
    if kind == "pandas":
        return suite.definition["expectations"]
    expectations = deepcopy(suite.definition["expectations"])
    for expectation in expectations:
        if expectation["kwargs"].get("condition_parser") == "pandas":
            expectation["kwargs"]["condition_parser"] = "spark"
    return expectations


def run_suite(suite: Suite, frame: Any, output: Path, run_name: str) -> SuiteOutcome:
    """Validate `frame` (a pandas or a Spark DataFrame) against `suite`; write the result and its
    Data Docs page under `output`."""
    from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier, ValidationResultIdentifier

    gx, context = _context(str(output))
    kind = "pandas" if _is_pandas(frame) else "spark"
    batch_definition = _whole_frame(str(output), kind)
    if kind == "pandas":
        frame = _selectors_as_categories(suite, frame)
    gx_suite = context.suites.add(
        gx.ExpectationSuite(name=suite.name, expectations=_expectations_for(suite, kind), meta=suite.definition.get("meta", {}))
    )
    validation = context.validation_definitions.add(gx.ValidationDefinition(name=suite.name, data=batch_definition, suite=gx_suite))
    try:
        result = validation.run(
            batch_parameters={"dataframe": frame}, result_format=_result_format(suite, frame), run_id=gx.RunIdentifier(run_name=run_name)
        )
    finally:  # names are unique within a context; the next run of this suite adds them again
        context.validation_definitions.delete(suite.name)
        context.suites.delete(suite.name)
    suite_id = ExpectationSuiteIdentifier(name=result.suite_name)
    run_id, batch = result.meta["run_id"], result.batch_id
    identifier = ValidationResultIdentifier(expectation_suite_identifier=suite_id, run_id=run_id, batch_identifier=batch)
    context.validation_results_store.set(identifier, _escaped_for_docs(result))
    # The index is left to build_data_docs_index, once per run (a failing suite builds it at once,
    # as the run stops here): it lists every result ever stored, so rendering it after each suite
    # would cost more with every run kept.
    context.build_data_docs(site_names=[DOCS_SITE], resource_identifiers=[identifier], build_index=not result.success)
    page = _docs_file(context, identifier)
    outcomes = []
    for item in result.results:
        config = item.expectation_config
        kwargs = {k: v for k, v in config.kwargs.items() if k not in ("column", "batch_id")}
        column = config.kwargs.get("column") or ",".join(filter(None, (config.kwargs.get("column_A"), config.kwargs.get("column_B")))) or ""
        error = _exception_message(item.exception_info or {})
        outcomes.append(
            ExpectationOutcome(
                config.type,
                column,
                bool(item.success),
                _short(kwargs),
                _short(error) if error else _observed(item.result or {}),
                (config.meta or {}).get("why", ""),
                int((item.result or {}).get("unexpected_count") or 0),
                tuple((item.result or {}).get("partial_unexpected_index_list") or ()),
            )
        )
    return SuiteOutcome(suite.name, bool(result.success), len(outcomes), outcomes, page)


def _escaped(value: Any) -> Any:
    if isinstance(value, str):
        return html.escape(value)
    if isinstance(value, dict):
        return {key: _escaped(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_escaped(item) for item in value]
    return value


def _escaped_for_docs(result):  # noqa: ANN001, ANN202 - GX's ExpectationSuiteValidationResult
    """A copy of `result` whose observed values (unexpected values, counts, observed_value) are
    HTML-escaped text. GX 1.24's Data Docs write them into the page as HTML (it escapes only the
    parameters of styled templates), so a subject holding `<script>` would run when the page is
    opened. The stored result is what the pages are rendered from; the run's own metadata is
    taken from the result as validated."""
    copy = deepcopy(result)
    for item in copy.results:
        item.result = _escaped(item.result or {})
    return copy


def build_data_docs_index(output: Path) -> Path:
    """Render the Data Docs index of every validation result stored under `output`, and no page
    again: the identifier given names no stored resource (an empty list would rebuild every page)."""
    from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier

    _, context = _context(str(output))
    context.build_data_docs(site_names=[DOCS_SITE], resource_identifiers=[ExpectationSuiteIdentifier(name="index-only")])
    return _docs_file(context)


def prune_validations(output: Path, kept_runs: set[str]) -> list[str]:
    """Delete the stored results and Data Docs pages of every run that validated before the first
    of `kept_runs` (the runs behind the published versions kept for rollback). Their results, and
    those of every run after them (failed ones included), stay. Without pruning, the index, which
    lists every stored result, costs more with each run kept. Returns the run names removed;
    removes nothing when no result of `kept_runs` is stored, since then there is no point to cut at.

    GX stores a result as <results>/<suite>/<run name>/<run time>/<batch>.json and its page at
    <docs>/validations/<suite>/<run name>/<run time>/<batch>.html; run times sort as they fall."""
    results, pages = output / RESULTS_FOLDER, output / DOCS_FOLDER / "validations"
    first_validated: dict[str, str] = {}
    for run in _subfolders(*_subfolders(results)):
        for run_time in _subfolders(run):
            first_validated[run.name] = min(run_time.name, first_validated.get(run.name, run_time.name))
    kept_times = [time for run, time in first_validated.items() if run in kept_runs]
    if not kept_times:
        return []
    cut = min(kept_times)
    doomed = sorted(run for run, time in first_validated.items() if time < cut)
    for suite in _subfolders(results, pages):
        for run in doomed:
            shutil.rmtree(suite / run, ignore_errors=True)
    return doomed


def _subfolders(*folders: Path) -> list[Path]:
    return [child for folder in folders if folder.is_dir() for child in folder.iterdir() if child.is_dir()]


def _docs_file(context, identifier=None) -> Path:  # noqa: ANN001 - GX's context and resource identifier
    """Where the site keeps the page of `identifier` (None: the index), as GX's own URL says."""
    return Path(context.get_docs_sites_urls(resource_identifier=identifier, site_name=DOCS_SITE)[0]["site_url"].removeprefix("file://"))
