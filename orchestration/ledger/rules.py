"""Rules that need more than one record, run as SQL over the stage tables (rules.sql): every rule
checks every row in one pass of DuckDB, with no Python per record."""

from pathlib import Path

import duckdb

from .violations import Violation

RULES_SQL = Path(__file__).with_name("rules.sql")


def statements() -> list[str]:
    return [statement for statement in RULES_SQL.read_text(encoding="utf-8").split("\n;\n") if statement.strip()]


def check(con: duckdb.DuckDBPyConnection) -> list[Violation]:
    """Violations of every rule, from temp tables stage_manifest, stage_facts, stage_exclusions,
    src_texts and the reference lists src_regions, src_currencies and src_metrics."""
    return [Violation(*row) for statement in statements() for row in con.execute(statement).fetchall()]
