"""Publish an audited build to the file BI reads, atomically, and keep the last few versions.

Layout beside the published path (default data/ai_market.duckdb):

    versions/<version_id>/ai_market.duckdb   one immutable, read-only DuckDB file per successful run
    versions/<version_id>/parquet/...        every mart and meta table as Parquet
    versions/<version_id>/publication.json   the self-description, for tools that read neither
    current -> versions/<version_id>         the one switch: a symlink replaced with rename(2)
    ai_market.duckdb -> current/ai_market.duckdb
    parquet -> current/parquet

A version is written completely under a temporary name, then renamed into versions/, then `current`
is swapped; each step is one atomic rename, so at every instant (kill -9 included) the published
path resolves to a complete file. Published files are never opened for writing, so they have no WAL
and no writer lock: readers are never locked out, and a reader keeps the version it opened."""

import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from .faults import pause_point

TMP_PREFIX = ".tmp-"
DESCRIPTION = "publication.json"


@dataclass(frozen=True)
class Layout:
    published: Path

    @property
    def root(self) -> Path:
        return self.published.parent

    @property
    def versions(self) -> Path:
        return self.root / "versions"

    @property
    def current(self) -> Path:
        return self.root / "current"

    @property
    def parquet(self) -> Path:
        return self.root / "parquet"

    def version_ids(self) -> list[str]:
        """Complete versions, oldest first (ids start with their UTC publication time)."""
        if not self.versions.is_dir():
            return []
        return sorted(p.name for p in self.versions.iterdir() if p.is_dir() and not p.name.startswith(TMP_PREFIX))

    def current_version(self) -> str | None:
        return Path(os.readlink(self.current)).name if self.current.is_symlink() else None

    def database(self, version_id: str) -> Path:
        return self.versions / version_id / self.published.name

    def run_id(self, version_id: str) -> str:
        """The Dagster run that published a version (its meta.publication; publication.json would
        do too, but at a million facts it lists 20,000 source files)."""
        with duckdb.connect(str(self.database(version_id)), read_only=True) as con:
            return con.execute("select run_id from meta.publication").fetchone()[0]

    def description(self, version_id: str) -> dict:
        """A version's publication.json: its meta tables, by table name, as lists of rows."""
        return json.loads((self.versions / version_id / DESCRIPTION).read_text(encoding="utf-8"))


@dataclass(frozen=True)
class MetaTable:
    """A table of the self-description: `ddl` creates it in schema meta; rows fill it, or `select`
    (SQL over the attached `build` and `pub` databases) does."""

    name: str
    ddl: str
    rows: list[tuple] | None = None
    select: str | None = None


def clean_incomplete(layout: Layout) -> list[str]:
    """Remove what a publish killed half-way left behind: temporary version folders and links. Call
    only while holding the writer lock (then nothing else can be writing them)."""
    links = tuple(f"{link.name}{TMP_PREFIX}" for link in (layout.current, layout.published, layout.parquet))
    leftovers = [p for p in _entries(layout.versions) if p.name.startswith(TMP_PREFIX)]
    leftovers += [p for p in _entries(layout.root) if p.name.startswith(links)]
    for leftover in leftovers:
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover)
        else:
            leftover.unlink()
    return [str(p) for p in leftovers]


def _entries(folder: Path) -> list[Path]:
    return list(folder.iterdir()) if folder.is_dir() else []


def publish(
    build: Path,
    layout: Layout,
    version_id: str,
    marts: list[str],
    meta: list[MetaTable],
    storage_version: str,
    keep: int,
    built_elsewhere: dict[str, str] | None = None,
) -> tuple[Path, list[str]]:
    """Copy `marts` (tables of schema marts in the build database, or, for the Spark engine, the
    relations `built_elsewhere` names by mart, such as read_parquet over dbt-spark's files) and the
    meta tables into a new version, export it as Parquet, make it current and prune old versions.
    Returns its folder and what switch_current repaired."""
    clean_incomplete(layout)
    staging = layout.versions / f"{TMP_PREFIX}{version_id}"
    staging.mkdir(parents=True)
    database = staging / layout.published.name
    _write_database(build, database, marts, meta, storage_version, built_elsewhere or {})
    _export(database, staging / "parquet", staging / DESCRIPTION)
    database.chmod(0o444)
    _sync_tree(staging)
    pause_point("publish:written")
    final = layout.versions / version_id
    staging.rename(final)
    _sync_dir(layout.versions)
    pause_point("publish:renamed")
    repaired = switch_current(layout, version_id)
    pause_point("publish:switched")
    prune(layout, keep)
    return final, repaired


def _write_database(
    build: Path, database: Path, marts: list[str], meta: list[MetaTable], storage_version: str, built_elsewhere: dict[str, str]
) -> None:
    with duckdb.connect() as con:
        con.execute(f"attach '{_sql_path(build)}' as build (read_only)")
        con.execute(f"attach '{_sql_path(database)}' as pub (storage_version '{storage_version}')")
        con.execute("use pub")
        con.execute("create schema marts")
        con.execute("create schema meta")
        for mart in marts:
            if mart in built_elsewhere:
                # Spark enforced the contract as it wrote the table (dbt_project/macros/spark_constraints.sql)
                con.execute(f'create table pub.marts."{mart}" as select * from {built_elsewhere[mart]}')
                continue
            # The build's own DDL carries the contracts' column types and constraints (not null, keys,
            # checks: dbt_project/models/marts/*.yml), so the published table enforces them too.
            (ddl,) = con.execute(
                "select sql from duckdb_tables() where database_name = 'build' and schema_name = 'marts' and table_name = ?", [mart]
            ).fetchone()
            con.execute(ddl)
            con.execute(f'insert into pub.marts."{mart}" select * from build.marts."{mart}"')
        for table in meta:
            con.execute(f"create table meta.{table.name} ({table.ddl})")
            if table.rows:
                placeholders = ", ".join("?" * len(table.rows[0]))
                con.executemany(f"insert into meta.{table.name} values ({placeholders})", table.rows)
            if table.select:
                con.execute(f"insert into meta.{table.name} {table.select}")
        con.execute("use memory")
        con.execute("detach pub")


def _export(database: Path, parquet: Path, description: Path) -> None:
    """Every table as Parquet, and the meta tables as publication.json, from one read of the file."""
    with duckdb.connect(str(database), read_only=True) as con:
        for schema, table in con.execute("select schema_name, table_name from duckdb_tables() order by all").fetchall():
            (parquet / schema).mkdir(parents=True, exist_ok=True)
            target = _sql_path(parquet / schema / f"{table}.parquet")
            con.execute(f"copy {schema}.\"{table}\" to '{target}' (format parquet, compression zstd)")
        tables = con.execute("select table_name from duckdb_tables() where schema_name = 'meta' order by table_name <> 'publication', 1")
        meta = {}
        for (table,) in tables.fetchall():
            cursor = con.execute(f"select * from meta.{table}")
            columns = [d[0] for d in cursor.description]
            meta[table] = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    description.write_text(json.dumps(meta, indent=2, default=str) + "\n", encoding="utf-8")


def switch_current(layout: Layout, version_id: str) -> list[str]:
    """Point `current` at a complete version with one rename, and make sure the published path and
    the parquet folder resolve through it. Whatever stands in the way of one of these three links (a
    folder or file someone put there, a link to no complete version) is set aside or replaced, so a
    broken `current` never keeps a publish from succeeding; returns what was repaired, one line each."""
    if not layout.database(version_id).is_file():
        raise FileNotFoundError(f"version {version_id} is not complete: {layout.database(version_id)} is missing")
    repaired = []
    pointed = layout.current_version()
    if layout.current.is_symlink() and (pointed not in layout.version_ids() or not layout.database(pointed).is_file()):
        repaired.append(
            f"{layout.current} pointed at {os.readlink(layout.current)}, which is no complete version; it now points at {version_id}"
        )
    for link, target in (
        (layout.current, Path(layout.versions.name) / version_id),
        (layout.published, Path(layout.current.name) / layout.published.name),
        (layout.parquet, Path(layout.current.name) / "parquet"),
    ):
        if link.is_symlink() and Path(os.readlink(link)) == target:
            continue
        if os.path.lexists(link) and not link.is_symlink():
            aside = link.with_name(f"{link.name}.replaced-{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}")
            link.rename(aside)
            repaired.append(f"{link} was a {'folder' if aside.is_dir() else 'file'}, not a link; it was moved to {aside}")
        _replace_with_link(link, target)
    _sync_dir(layout.root)
    return repaired


def prune(layout: Layout, keep: int) -> list[str]:
    """Delete the oldest versions beyond `keep`, never the current one. A reader that still has a
    deleted version open keeps reading it until it closes."""
    current = layout.current_version()
    removable = [v for v in layout.version_ids() if v != current]
    doomed = removable[: max(0, len(removable) - (keep - 1))]
    for version_id in doomed:
        shutil.rmtree(layout.versions / version_id)
    return doomed


def rollback(layout: Layout) -> tuple[str, str, list[str]]:
    """Make the version published before the current one current again. Returns (from, to) and what
    switch_current repaired."""
    current = layout.current_version()
    versions = layout.version_ids()
    if current is None or current not in versions:
        raise RuntimeError(f"nothing is published at {layout.published}")
    position = versions.index(current)
    if position == 0:
        raise RuntimeError(f"no version older than {current} is kept in {layout.versions}")
    previous = versions[position - 1]
    return current, previous, switch_current(layout, previous)


def _replace_with_link(link: Path, target: Path) -> None:
    temporary = link.with_name(f"{link.name}{TMP_PREFIX}{os.getpid()}")
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(target)
    os.replace(temporary, link)


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def _sync_tree(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            with path.open("rb") as file:
                os.fsync(file.fileno())
    for path in [folder, *(p for p in folder.rglob("*") if p.is_dir())]:
        _sync_dir(path)


def _sync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
