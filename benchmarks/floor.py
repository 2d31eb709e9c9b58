"""The floor: the same marts computed by DuckDB alone. Runs every model's SQL as dbt compiled it,
in dependency order, against a database that already holds the raw tables: no dbt, no Dagster, no
tests, no validation. What the pipeline costs above this is overhead.

    python -m benchmarks.floor <manifest.json with compiled code> <database>
"""

import json
import sys
from pathlib import Path

import duckdb


def models_in_order(manifest: dict) -> list[dict]:
    models = {uid: node for uid, node in manifest["nodes"].items() if node["resource_type"] == "model"}
    done: set[str] = set()
    ordered: list[dict] = []

    def visit(uid: str) -> None:
        if uid in done:
            return
        done.add(uid)
        for parent in models[uid]["depends_on"]["nodes"]:
            if parent in models:
                visit(parent)
        ordered.append(models[uid])

    for uid in sorted(models):
        visit(uid)
    return ordered


def build(manifest_path: Path, database: Path) -> int:
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    models = models_in_order(manifest)
    with duckdb.connect(str(database)) as con:
        for node in models:
            kind = "view" if node["config"]["materialized"] == "view" else "table"
            con.execute(f'create schema if not exists "{node["schema"]}"')
            con.execute(f'create or replace {kind} "{node["schema"]}"."{node["name"]}" as ({node["compiled_code"]})')
    return len(models)


if __name__ == "__main__":
    print(f"{build(Path(sys.argv[1]), Path(sys.argv[2]))} models built")
