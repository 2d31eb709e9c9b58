"""Which incremental models the next `dbt build` must rebuild in full, from dbt's own artifacts.

After every successful build of all models, the manifest dbt wrote and what it was built with (the
ingest's code, dbt's and DuckDB's versions) are kept beside the build database (state_dir(build)). The
next build compares the current manifest with that one, model by model, as dbt's `state:modified`
does: a model is modified when its SQL (manifest `checksum`), its configuration, its contract or
columns' types, or a macro it uses changed; it and every model after it then needs a full rebuild.
Only incremental models keep rows of earlier builds, so only those are dropped (is_incremental()
is then false and dbt builds them afresh); every other model is rebuilt by any `dbt build`. The
rest is built incrementally. Without a record, or when the ingest's code or a tool version changed
(raw rows may differ for unchanged source files), everything is built with --full-refresh.

The comparison reads the two manifests here: `dbt ls --select state:modified+` would answer the
same but parses the project again in a dbt process of its own, seconds of CPU on every run."""

import json
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import duckdb

RECORD = "built_with.json"
# configuration that changes what a model's table holds, of all the config keys dbt keeps
IGNORED_CONFIG = ("meta", "tags", "docs", "group", "persist_docs", "grants")


@dataclass(frozen=True)
class Plan:
    full_refresh: bool  # every model, with --full-refresh
    rebuilt: tuple[str, ...]  # incremental models (schema.alias) dropped to be built afresh
    why: str

    @property
    def arguments(self) -> list[str]:
        return ["build", "--full-refresh"] if self.full_refresh else ["build"]


def state_dir(build: Path) -> Path:
    """Beside the build database `build`, whose incremental models the kept artifacts vouch for."""
    return build.with_name("dbt_state")


def built_with(ingest_code: str) -> dict[str, str]:
    return {
        "ingest_code_sha256": ingest_code,
        "dbt_version": version("dbt-core"),
        "dbt_duckdb_version": version("dbt-duckdb"),
        "duckdb_version": version("duckdb"),
    }


def _load(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _model_shape(node: Mapping[str, Any]) -> tuple:
    config = {k: v for k, v in node["config"].items() if k not in IGNORED_CONFIG}
    columns = {name: (c.get("data_type"), c.get("constraints")) for name, c in node["columns"].items()}
    return node["checksum"], config, columns, node.get("contract", {}).get("enforced"), node.get("constraints")


def _macros_used(manifest: Mapping[str, Any], node: Mapping[str, Any]) -> dict[str, str]:
    """macro_sql of every macro `node` uses, directly or through other macros."""
    seen: dict[str, str] = {}
    todo = list(node["depends_on"].get("macros", []))
    while todo:
        name = todo.pop()
        macro = manifest["macros"].get(name)
        if name in seen or macro is None:
            continue
        seen[name] = macro["macro_sql"]
        todo += macro["depends_on"].get("macros", [])
    return seen


def modified_models(previous: Mapping[str, Any], current: Mapping[str, Any]) -> set[str]:
    """Models of `current` that are new or differ from `previous` (state:modified, for models)."""
    modified = set()
    for unique_id, node in current["nodes"].items():
        if node["resource_type"] != "model":
            continue
        before = previous["nodes"].get(unique_id)
        if before is None or _model_shape(before) != _model_shape(node) or _macros_used(previous, before) != _macros_used(current, node):
            modified.add(unique_id)
    return modified


def with_descendants(manifest: Mapping[str, Any], models: Iterable[str]) -> set[str]:
    """`models` and every model built from them (state:modified+)."""
    found, todo = set(), list(models)
    while todo:
        unique_id = todo.pop()
        if unique_id not in found:
            found.add(unique_id)
            todo += [child for child in manifest["child_map"].get(unique_id, []) if child.startswith("model.")]
    return found


def plan(current_manifest: Path, ingest_code: str, state: Path) -> Plan:
    """What the next build rebuilds in full, comparing `current_manifest` with the one in `state`."""
    record, previous = _load(state / RECORD), _load(state / "manifest.json")
    if record is None or previous is None:
        return Plan(True, (), "dbt: full refresh, no earlier build of every model is recorded in this build database")
    changed = sorted(key for key, value in built_with(ingest_code).items() if record.get(key) != value)
    if changed:
        return Plan(True, (), f"dbt: full refresh, {', '.join(changed)} changed since the last build of every model")
    current = json.loads(current_manifest.read_text(encoding="utf-8"))
    modified = modified_models(previous, current)
    rebuilt = sorted(
        f"{node['schema']}.{node['alias']}"
        for unique_id in with_descendants(current, modified)
        if (node := current["nodes"][unique_id])["config"]["materialized"] == "incremental"
    )
    names = ", ".join(sorted(current["nodes"][m]["name"] for m in modified)) or "none"
    why = f"dbt: models changed since the last build: {names}; rebuilt in full: {', '.join(rebuilt) or 'none'}"
    return Plan(False, tuple(rebuilt), why)


def drop_for_rebuild(con: duckdb.DuckDBPyConnection, relations: Iterable[str]) -> None:
    for relation in relations:
        con.execute(f"drop table if exists {relation}")


def remember(target_path: Path, ingest_code: str, state: Path) -> None:
    """Keep the manifest of a successful build of every model, and what it was built with."""
    state.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(target_path / "manifest.json", state / "manifest.json.tmp")
    (state / "manifest.json.tmp").replace(state / "manifest.json")
    (state / RECORD).write_text(json.dumps(built_with(ingest_code)) + "\n", encoding="utf-8")
