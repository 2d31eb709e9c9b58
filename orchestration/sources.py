"""Ingest assets: validate every source file and load it into the warehouse's raw schema."""

import duckdb
from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    Config,
    Failure,
    MaterializeResult,
    multi_asset,
)
from pydantic import Field

from . import settings
from .alerts import RunAlerts
from .ledger.faults import pause_point
from .ledger.ingest import hash_sources, ingest
from .ledger.raw_parquet import write_raw_parquet
from .ledger.violations import SourceValidationError
from .metadata import metadata_table
from .provenance import nothing_to_do, step_hashes, unchanged_publication
from .resources import Warehouse

RAW_TABLES = {
    "documents": "Source documents: manifest entry (title, outlet, date and how it was established, reference year) and full text.",
    "facts": "Every figure of every document, with the verbatim sentence it comes from, as curated in sources/facts/.",
    "fact_inputs": "For each derived claim (growth, share, multiple, currency equivalent), the facts it is computed from.",
    "exclusions": "Numbers in the documents that are deliberately not facts, each with its reason.",
    "number_mentions": "Every number found in the documents' text and the fact or exclusion that accounts for it.",
    "source_files": "Checksum, size and modification time of every source file this load read.",
    "regions": "ISO 3166-1 alpha-2 country codes plus GLOBAL.",
    "currencies": "ISO 4217 currency codes.",
    "metrics": "The metric vocabulary facts may use.",
    "measures": "What exactly an amount or count measures (definition, family, additivity, parent), as facts name it.",
    "providers": "Who compiled a figure (data vendor, research institute, investor, analyst...), as facts name it.",
}


def _failure(error: SourceValidationError) -> Failure:
    return Failure(
        description=str(error),
        metadata={
            "violations": metadata_table(
                ["file", "row", "field", "rule", "message"], [(v.file, v.row, v.field, v.rule, v.message) for v in error.violations[:200]]
            ),
            "violation_count": len(error.violations),
        },
        allow_retries=False,
    )


class IngestConfig(Config):
    rebuild_unchanged: bool = Field(
        default=False,
        description="Rebuild, re-check and republish even when the source files, code and tool versions are exactly "
        "those of the current published version. The one switch for it: the daily schedule sets it, and "
        "`ai-market-ledger refresh --rebuild-unchanged` sets it.",
    )


def _validate_and_load(context: AssetExecutionContext, config: IngestConfig, warehouse: Warehouse) -> tuple | None:
    """(summary, row count by raw table, checksums by file) of the ingest, or None if nothing changed
    since the current publication."""
    sources = warehouse.settings.sources()
    with warehouse.connect() as con:
        try:
            files, steps = hash_sources(con, sources), step_hashes()
            unchanged = unchanged_publication(warehouse.layout(), files, steps, warehouse.settings.report_dir())
            if unchanged and not config.rebuild_unchanged:
                context.log.info(nothing_to_do(len(files), unchanged))
                return None
            pause_point("ingest:hashed")
            context.log.info(f"Validating and loading {sources} into the build database {warehouse.build()}")
            # the ingest's own code, not all code, decides whether unchanged files are read again
            summary = ingest(con, sources, hashed=True, code_sha256=steps["ingest_code_sha256"])
            if warehouse.settings.engine_name() == "spark":
                folder = warehouse.settings.spark_dir() / "raw"
                write_raw_parquet(con, folder)
                context.log.info(f"Wrote the raw tables as Parquet, partitioned by document, to {folder} for the Spark engine")
        except SourceValidationError as error:
            raise _failure(error) from None
        return summary, {table: con.execute(f"select count(*) from raw.{table}").fetchone()[0] for table in RAW_TABLES}, files


@multi_asset(
    name="ingest_sources",
    specs=[
        # skippable: when nothing changed since the current publication, nothing downstream runs
        AssetSpec(AssetKey(["raw", table]), description=text, group_name="ingest", kinds={"duckdb", "python"}, skippable=True)
        for table, text in RAW_TABLES.items()
    ],
    can_subset=False,
    pool=settings.WRITER_POOL,
)
def ingest_sources(context: AssetExecutionContext, config: IngestConfig, warehouse: Warehouse, alerts: RunAlerts):
    """Validates the source tree (file names, encoding, JSON Schema, references, evidence found
    verbatim, periods, parts within wholes, every number in the text accounted for) and only then
    brings the raw schema up to date in one transaction. A bad file fails the run naming file, row,
    field and rule, and leaves every published table as it was.

    Files unchanged since the last load into the build database by the same ingest code (the
    ledger's checks; a change to the models, gates or report does not count) are not read or
    checked line by line again; the rules across files still run over every row.

    If the source files, each step's code and the tool versions are exactly those the current published
    version was built and gated from, the run stops here: nothing downstream would change."""
    try:
        loaded = _validate_and_load(context, config, warehouse)
    except duckdb.Error:
        # A step may only now come upon a damaged block of the build database (the run's set-up reads
        # little of it): then it is set aside and the sources are loaded into a new one.
        if not warehouse.set_aside_if_damaged(context.log, "this run loads the sources into a new one"):
            raise
        loaded = _validate_and_load(context, config, warehouse)
    if loaded is None:
        return
    summary, counts, files = loaded
    context.log.info(
        f"Checked {summary.files_checked} of {len(files)} source files anew (the others are unchanged since the last load "
        f"into this build database) and re-covered the numbers of {summary.documents_rechecked} documents; "
        f"rules across files ran over all {summary.facts} facts."
    )
    for table in RAW_TABLES:
        metadata = {
            "dagster/row_count": counts[table],
            "sources_dir": str(warehouse.settings.sources()),
            "files_checked_anew": summary.files_checked,
        }
        if table == "number_mentions":
            metadata |= {"numbers_covered_by_facts": summary.numbers_covered_by_facts, "numbers_excluded": summary.numbers_excluded}
        yield MaterializeResult(asset_key=AssetKey(["raw", table]), metadata=metadata)
