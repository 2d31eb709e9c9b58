"""The Spark engine (AI_MARKET_ENGINE=spark): where dbt-spark leaves its tables, and how the steps
after dbt read them.

dbt-spark writes every table as Parquet under the Spark folder's warehouse/<schema>.db/<table>/
(its catalog is a Derby metastore, which admits one process at a time and belongs to dbt's own
Spark). So the steps after dbt read the files themselves: the row counts, the publish (DuckDB over
Parquet) and the gates (Spark DataFrames in a session of this process, with no metastore)."""

from functools import cache
from pathlib import Path

from . import settings


def table_folder(spark_dir: Path, relation: str) -> Path:
    """The Parquet folder of a table dbt-spark built, e.g. marts.facts."""
    schema, table = relation.split(".")
    return spark_dir / "warehouse" / f"{schema}.db" / table


def duckdb_relation(spark_dir: Path, relation: str) -> str | None:
    """The table as DuckDB reads it (read_parquet over its files), or None for a view (a view has
    no rows of its own: Spark keeps only its query)."""
    folder = table_folder(spark_dir, relation)
    if not folder.is_dir():
        return None
    return "read_parquet('" + str(folder / "*.parquet").replace("'", "''") + "')"


@cache
def session():  # noqa: ANN201 - pyspark's SparkSession; pyspark is imported only when a Spark run needs it
    """This process's Spark session on the configured master, without Hive: it reads tables by their
    folders, so it never opens the metastore dbt's Spark holds."""
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master(settings.spark_master())
        .appName("ai-market-ledger gates")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.log.level", "ERROR")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )


def read_table(spark_dir: Path, relation: str):  # noqa: ANN201 - a pyspark DataFrame
    """A table dbt-spark built, as a Spark DataFrame."""
    return session().read.parquet(str(table_folder(spark_dir, relation)))
