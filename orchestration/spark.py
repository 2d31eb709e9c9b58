"""The Spark engine (AI_MARKET_ENGINE=spark): where dbt-spark leaves its tables, and how the steps
after dbt read them.

dbt-spark writes every table as Parquet under the Spark folder's warehouse/<schema>.db/<table>/
(its catalog is a Derby metastore, which admits one process at a time and belongs to dbt's own
Spark). So the steps after dbt read the files themselves: the row counts, the publish (DuckDB over
Parquet) and the gates (Spark DataFrames in a session of this process, with no metastore)."""

from functools import cache
from pathlib import Path

from dagster import ConfigurableResource
from pydantic import Field

from . import settings


def table_folder(spark_dir: Path, relation: str) -> Path:
    """The Parquet folder of a table dbt-spark built, e.g. marts.facts."""
    schema, table = relation.split(".")
    return spark_dir / "warehouse" / f"{schema}.db" / table


def duckdb_relation(spark_dir: Path, relation: str) -> str:
    """The table as DuckDB reads it: read_parquet over its files."""
    return "read_parquet('" + str(table_folder(spark_dir, relation) / "*.parquet").replace("'", "''") + "')"


class SparkEngine(ConfigurableResource):
    """The Spark session the gates validate in, on the Spark engine; nothing starts on DuckDB.

    Our own thin resource rather than dagster-pyspark's PySparkResource: that one starts its session
    (a JVM, seconds) when a run's resources are set up, on DuckDB runs too; this one starts it the
    first time a step asks, and keeps it for the process."""

    master: str | None = Field(default=None, description="Spark master (default: AI_MARKET_SPARK_MASTER, else local[*]).")

    def read_table(self, spark_dir: Path, relation: str):  # noqa: ANN201 - a pyspark DataFrame
        """A table dbt-spark built, as a Spark DataFrame."""
        return _session(self.master or settings.spark_master()).read.parquet(str(table_folder(spark_dir, relation)))


@cache
def _session(master: str):  # noqa: ANN202 - pyspark's SparkSession; pyspark is imported only when a Spark run needs it
    """A Spark session on `master`, without Hive: it reads tables by their folders, so it never opens
    the metastore dbt's Spark holds."""
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master(master)
        .appName("ai-market-ledger gates")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.log.level", "ERROR")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", settings.spark_driver_memory())
        .config("spark.sql.shuffle.partitions", settings.spark_shuffle_partitions())
        .getOrCreate()
    )
