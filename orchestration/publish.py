"""Publish: the last step of write → audit → publish.

The run has written the private build database and every gate (dbt tests, Great Expectations
suites) has judged it; only if every upstream asset was built in this run and every gate on them
passed are the marts copied into a new version of the file BI reads, with a self-description."""

from dataclasses import astuple, dataclass
from datetime import UTC, datetime

from dagster import (
    AssetExecutionContext,
    AssetKey,
    DagsterEventType,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
)

from . import settings, spark
from .alerts import RunAlerts
from .dbt_assets import dbt_models
from .ledger import publishing
from .ledger.publishing import MetaTable
from .metadata import metadata_table
from .provenance import BUILD_INPUTS, STEP_COLUMNS, build_inputs, code_version, step_hashes
from .resources import Warehouse
from .schedules import DAILY_FRESHNESS

PUBLISHED_KEY = AssetKey(["published", "warehouse"])
MART_KEYS = sorted((k for k in dbt_models.keys if k.path[0] == "marts"), key=lambda k: k.path)


@dataclass(frozen=True)
class Gate:
    kind: str  # dbt_test or great_expectations
    asset: str
    check_name: str
    passed: bool
    severity: str | None = None
    description: str | None = None


def _gates_and_builds(context: AssetExecutionContext) -> tuple[list[Gate], set[AssetKey]]:
    """What this run evaluated and materialised, read back from the run's own event log. dbt tests
    on dbt sources (the raw tables) cannot be checks of the ingest asset; dagster-dbt logs them as
    observations carrying the test's id and status, and they are gates all the same."""
    gates = []
    for entry in _run_log(context, DagsterEventType.ASSET_CHECK_EVALUATION):
        check = entry.dagster_event.asset_check_evaluation_data
        kind = "great_expectations" if check.check_name.startswith("gx_") else "dbt_test"
        gates.append(Gate(kind, check.asset_key.to_user_string(), check.check_name, check.passed, check.severity.value, check.description))
    for entry in _run_log(context, DagsterEventType.ASSET_OBSERVATION):
        observation = entry.asset_observation
        test_id = str(observation.metadata["unique_id"].value) if "unique_id" in observation.metadata else ""
        if test_id.startswith("test."):
            passed = observation.metadata["status"].value == "pass"
            gates.append(Gate("dbt_test", observation.asset_key.to_user_string(), test_id.split(".")[2], passed, "ERROR"))
    built = {entry.dagster_event.asset_key for entry in _run_log(context, DagsterEventType.ASSET_MATERIALIZATION)}
    return gates, built


def _run_log(context: AssetExecutionContext, kind: DagsterEventType) -> list:
    return context.instance.all_logs(context.run_id, of_type=kind)


def _refusals(context: AssetExecutionContext, gates: list[Gate], built: set[AssetKey]) -> list[str]:
    graph = context.job_def.asset_layer.asset_graph
    upstream = graph.get_ancestor_asset_keys(PUBLISHED_KEY)
    evaluated = {(g.asset, g.check_name) for g in gates}
    problems = [f"not built in this run: {key.to_user_string()}" for key in sorted(upstream - built, key=lambda k: k.path)]
    problems += [
        f"gate not evaluated in this run: {key.asset_key.to_user_string()}:{key.name}"
        for key in sorted(graph.get_check_keys_for_assets(upstream), key=str)
        if (key.asset_key.to_user_string(), key.name) not in evaluated
    ]
    problems += [f"gate failed: {g.asset}:{g.check_name}" for g in gates if not g.passed]
    return problems


def self_description(run_id: str, version_id: str, published_at: datetime, marts: list[str], gates: list[Gate]) -> list[MetaTable]:
    """The meta schema of a published version: what it is, what it was built from, what judged it."""
    commit, dirty, code_sha256 = code_version()
    inputs, steps = build_inputs(code_sha256), step_hashes()
    publication = (
        run_id,
        version_id,
        published_at.replace(tzinfo=None),
        commit,
        dirty,
        *(inputs[key] for key in BUILD_INPUTS if key != "engine"),
        len(marts),
        len(gates),
        sum(g.passed for g in gates),
        *(steps[column] for column in STEP_COLUMNS),
        inputs["engine"],
    )
    return [
        MetaTable(
            "publication",
            "run_id varchar not null, version_id varchar not null, published_at_utc timestamp not null, "
            "code_git_commit varchar, code_git_dirty boolean, code_sha256 varchar not null, dagster_version varchar, "
            "dbt_version varchar, duckdb_version varchar, storage_version varchar, marts integer, gates integer, gates_passed integer, "
            # each step's code, with what it imports (provenance.STEPS); after the older columns, so their readers are unaffected
            + ", ".join(f"{column} varchar" for column in STEP_COLUMNS)
            + ", engine varchar",
            rows=[publication],
        ),
        MetaTable(
            "source_files",
            "run_id varchar not null, source_file varchar not null, bytes bigint, sha256 varchar not null, last_modified timestamp",
            select=f"select '{run_id}', source_file, bytes, sha256, last_modified from build.raw.source_files order by source_file",
        ),
        MetaTable(
            "mart_rows",
            "run_id varchar not null, mart varchar not null, row_count bigint not null",
            select=" union all ".join(f"select '{run_id}', '{mart}', count(*) from pub.marts.\"{mart}\"" for mart in marts),
        ),
        MetaTable(
            "gate_results",
            "run_id varchar not null, kind varchar not null, asset varchar not null, check_name varchar not null, "
            "passed boolean not null, severity varchar, description varchar",
            rows=[(run_id, *astuple(gate)) for gate in gates],
        ),
    ]


def _built_on_spark(warehouse: Warehouse, marts: list[str]) -> dict[str, str] | None:
    """On the Spark engine, each mart as DuckDB reads dbt-spark's Parquet files (the refusals above
    already made sure this run built every one)."""
    if warehouse.settings.engine_name() != "spark":
        return None
    return {mart: spark.duckdb_relation(warehouse.settings.spark_dir(), f"marts.{mart}") for mart in marts}


@asset(
    key=PUBLISHED_KEY,
    deps=MART_KEYS,
    group_name="publish",
    kinds={"duckdb", "parquet"},
    pool=settings.WRITER_POOL,
    freshness_policy=DAILY_FRESHNESS,
)
def published_warehouse(context: AssetExecutionContext, warehouse: Warehouse, alerts: RunAlerts) -> MaterializeResult:
    """The warehouse BI opens (data/ai_market.duckdb by default) and its Parquet copy (data/parquet/).

    Published only when every asset upstream was built in this run and every gate on them (each dbt
    test, each Great Expectations suite) passed; then the marts are copied into a new read-only
    version and made current with one atomic rename. Readers that have the old file open keep it;
    new connections see the new one. The meta schema says which run made it, from which code and
    source files, and what every gate found. `ai-market-ledger rollback` restores the previous one."""
    gates, built = _gates_and_builds(context)
    refusals = _refusals(context, gates, built)
    if refusals:
        more = f"; and {len(refusals) - 10} more" if len(refusals) > 10 else ""
        raise Failure(description="nothing was published: " + "; ".join(refusals[:10]) + more, allow_retries=False)
    published_at = datetime.now(UTC)
    version_id = f"{published_at:%Y%m%dT%H%M%S%fZ}-{context.run_id[:8]}"
    marts = [key.path[-1] for key in MART_KEYS]
    layout = warehouse.layout()
    storage_version, keep_versions = warehouse.settings.publication_format()
    folder, repaired = publishing.publish(
        warehouse.build(),
        layout,
        version_id,
        marts,
        self_description(context.run_id, version_id, published_at, marts, gates),
        storage_version,
        keep_versions,
        _built_on_spark(warehouse, marts),
    )
    for line in repaired:
        context.log.warning(f"repaired: {line}")
    context.log.info(f"published version {version_id} at {layout.published}")
    description = layout.description(version_id)
    return MaterializeResult(
        metadata={
            "version_id": version_id,
            "path": MetadataValue.path(str(layout.published)),
            "version_folder": MetadataValue.path(str(folder)),
            "parquet": MetadataValue.path(str(layout.parquet)),
            "storage_version": storage_version,
            "gates_passed": len(gates),
            "versions_kept": MetadataValue.json(layout.version_ids()),
            "links_repaired": MetadataValue.json(repaired),
            "mart_rows": metadata_table(["mart", "row_count"], [(r["mart"], r["row_count"]) for r in description["mart_rows"]]),
        }
    )
