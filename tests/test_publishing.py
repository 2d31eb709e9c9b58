"""The published warehouse: what it says about itself, its Parquet copy, DuckDB 1.x readers,
versions and rollback, and a publish killed at every step."""

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from orchestration.ledger import publishing
from orchestration.ledger.publishing import Layout

from .conftest import MARTS, PROJECT, SOURCES, build_path, published_fingerprint, rows_only_in_each
from .test_pipeline import planned_check_keys


def test_published_warehouse_describes_itself(built, query):
    result, published = built
    ((run_id, version_id, commit, code_sha256, storage, marts, gates, passed),) = query(
        "select run_id, version_id, code_git_commit, code_sha256, storage_version, marts, gates, gates_passed from meta.publication"
    )
    assert run_id == result.run_id and version_id == published.resolve().parent.name
    assert len(commit) == 40 and len(code_sha256) == 64 and storage == "v1.0.0"
    evaluations = result.get_asset_check_evaluations()
    assert marts == 12 and gates == passed == len(evaluations) == len(planned_check_keys())
    recorded = query("select kind, asset, check_name, passed from meta.gate_results")
    assert ("great_expectations", "marts/claim_audit", "gx_claim_audit", True) in recorded
    assert ("dbt_test", "intermediate/int_fx_rates", "assert_fx_pairs_agree", True) in recorded
    checksums = dict(query("select source_file, sha256 from meta.source_files"))
    on_disk = {str(p.relative_to(SOURCES)): hashlib.sha256(p.read_bytes()).hexdigest() for p in SOURCES.rglob("*") if p.is_file()}
    assert checksums == on_disk
    counts = dict(query("select mart, row_count from meta.mart_rows"))
    assert counts == {mart: query(f"select count(*) from marts.{mart}")[0][0] for mart in MARTS}
    assert counts["facts"] == 65 and counts["claim_audit"] == 15
    assert {r[0] for r in query("select distinct run_id from meta.source_files union select run_id from meta.gate_results")} == {run_id}


def test_every_published_table_is_also_a_parquet_file_with_the_same_rows(built):
    _, published = built
    parquet = published.parent / "parquet"
    with duckdb.connect(str(published), read_only=True) as con:
        tables = con.execute("select schema_name, table_name from duckdb_tables()").fetchall()
        assert len(tables) == 12 + 4
        for schema, table in tables:
            path = parquet / schema / f"{table}.parquet"
            differences = rows_only_in_each(con, f"{schema}.{table}", f"read_parquet('{path}')")
            assert differences == (0, 0), f"{path} differs from {schema}.{table}"


DUMP_EVERY_MART = """
import json, sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
marts = [t for (t,) in con.execute("select table_name from duckdb_tables() where schema_name = 'marts' order by 1").fetchall()]
rows = {t: con.execute(f"select * from marts.{t} order by all").fetchall() for t in marts}
print(json.dumps({"version": duckdb.__version__, "marts": rows}, default=str))
"""


@pytest.fixture(scope="session")
def duckdb_1x(tmp_path_factory: pytest.TempPathFactory):
    """A throwaway venv per DuckDB 1.x release, installed with uv from the package registry."""
    uv = Path(sys.executable).with_name("uv")
    made = {}

    def python_with(release: str) -> Path:
        if release not in made:
            venv = tmp_path_factory.mktemp(f"duckdb-{release}")
            subprocess.run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)], check=True)
            subprocess.run([uv, "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"), f"duckdb=={release}"], check=True)
            made[release] = venv / "bin" / "python"
        return made[release]

    return python_with


@pytest.mark.parametrize("release", ["1.0.0", "1.5.6"])
def test_published_file_opens_in_duckdb_1x_clients_with_the_same_marts(release, built, duckdb_1x):
    _, published = built
    old = subprocess.run([duckdb_1x(release), "-c", DUMP_EVERY_MART, str(published)], capture_output=True, text=True, check=True)
    new = subprocess.run([sys.executable, "-c", DUMP_EVERY_MART, str(published)], capture_output=True, text=True, check=True)
    old_dump, new_dump = json.loads(old.stdout), json.loads(new.stdout)
    assert old_dump["version"] == release and new_dump["version"].startswith("2.")
    assert sorted(old_dump["marts"]) == MARTS
    assert old_dump["marts"] == new_dump["marts"]


def test_duckdb_1x_refuses_duckdb_2s_own_format_which_is_why_the_published_copy_is_rewritten(built, duckdb_1x):
    _, published = built
    refused = subprocess.run([duckdb_1x("1.5.6"), "-c", DUMP_EVERY_MART, str(build_path(published))], capture_output=True, text=True)
    assert refused.returncode != 0 and "version" in refused.stderr.lower()


# A publish from the session's build database, run in its own process so that a test can kill it.
# It imports the publishing code alone (this module would import Dagster, seconds per process).
PUBLISH_ONE = """
import sys
from pathlib import Path
from orchestration.ledger import publishing
from tests.conftest import MARTS
build, published, version_id, keep = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
run_id = publishing.MetaTable("publication", "run_id varchar", rows=[(version_id.split("-")[-1],)])
publishing.publish(build, publishing.Layout(published), version_id, MARTS, [run_id], "v1.0.0", keep)
"""


def _publish(build: Path, published: Path, run_id: str, keep: int = 5, pause_at: str | None = None) -> subprocess.Popen:
    version_id = f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{run_id}"
    env = {**os.environ, "AI_MARKET_PAUSE_AT": pause_at or "", "AI_MARKET_PAUSE_FILE": str(published.parent / "paused")}
    return subprocess.Popen(
        [sys.executable, "-c", PUBLISH_ONE, str(build), str(published), version_id, str(keep)], cwd=PROJECT, env=env, start_new_session=True
    )


def published_run_id(published: Path) -> str:
    with duckdb.connect(str(published), read_only=True) as con:
        return con.execute("select run_id from meta.publication").fetchone()[0]


def _cli(*arguments: str, published: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "AI_MARKET_DUCKDB": str(published), "AI_MARKET_DATA_DIR": str(published.parent)}
    return subprocess.run([Path(sys.executable).with_name("ai-market-ledger"), *arguments], capture_output=True, text=True, env=env)


@pytest.fixture
def private_build(built, tmp_path: Path) -> Path:
    _, published = built
    copy = tmp_path / "build.duckdb"
    copy.write_bytes(build_path(published).read_bytes())
    return copy


def test_rollback_round_trip(private_build: Path, tmp_path: Path):
    published = tmp_path / "data" / "ai_market.duckdb"
    for run_id in ("first", "second"):
        assert _publish(private_build, published, run_id).wait() == 0
    assert published_run_id(published) == "second"
    listing = _cli("versions", published=published).stdout.splitlines()
    assert [line[0] for line in listing] == [" ", "*"] and "second" in listing[1]

    rolled = _cli("rollback", published=published)
    assert rolled.returncode == 0, rolled.stderr
    assert published_run_id(published) == "first"
    assert (published.parent / "parquet").resolve().parent.name.endswith("-first")

    refused = _cli("rollback", published=published)
    assert refused.returncode == 1 and "no version older than" in refused.stderr
    assert _publish(private_build, published, "third").wait() == 0
    assert published_run_id(published) == "third"


def test_only_the_configured_number_of_versions_is_kept(private_build: Path, tmp_path: Path):
    published = tmp_path / "data" / "ai_market.duckdb"
    for run_id in ("v1", "v2", "v3", "v4"):
        assert _publish(private_build, published, run_id, keep=2).wait() == 0
    assert [v.split("-")[-1] for v in Layout(published).version_ids()] == ["v3", "v4"]
    assert published_run_id(published) == "v4"


def _wait_for(path: Path, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert process.poll() is None, "the publish ended before reaching its pause point"
        assert time.monotonic() < deadline, f"no {path} after {timeout} s"
        time.sleep(0.05)


@pytest.mark.parametrize(("stage", "serves"), [("publish:written", "before"), ("publish:renamed", "before"), ("publish:switched", "after")])
def test_publish_killed_at_each_step_leaves_a_complete_warehouse_and_the_next_cleans_up(stage, serves, private_build: Path, tmp_path: Path):
    published = tmp_path / "data" / "ai_market.duckdb"
    assert _publish(private_build, published, "before").wait() == 0
    fingerprint = published_fingerprint(published)

    dying = _publish(private_build, published, "after", pause_at=stage)
    _wait_for(published.parent / "paused", dying)
    os.killpg(dying.pid, signal.SIGKILL)
    dying.wait()

    assert published_run_id(published) == serves  # openable, and one whole version
    if serves == "before":
        assert published_fingerprint(published) == fingerprint
    assert _publish(private_build, published, "next").wait() == 0
    assert published_run_id(published) == "next"
    leftovers = [p.name for p in [*published.parent.iterdir(), *Layout(published).versions.iterdir()] if publishing.TMP_PREFIX in p.name]
    assert leftovers == []
