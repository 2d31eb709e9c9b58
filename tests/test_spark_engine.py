"""The Spark engine (AI_MARKET_ENGINE=spark, docs/spark.md): the same dbt project, gates and publish
on pyspark's local master publish the default run's marts row for row, on the seeds and on a
generated 10k-fact corpus; a bad input and a failing gate publish nothing; a row that breaks a
mart's contract fails its model on Spark too. Real Spark, real dbt-spark, real GX on Spark
DataFrames; each Spark run takes a minute or two, so these are in the slow tier."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from benchmarks.corpus import generate
from orchestration.spark import table_folder

from .conftest import DOC_000, MARTS, PROJECT, SOURCES, SourceCopy, failure_text, published_fingerprint, run_refresh
from .parity import mart_differences

pytestmark = pytest.mark.slow

SEED_DOCUMENTS = sorted(path.stem for path in (SOURCES / "documents").glob("*.txt"))


def refresh_on(engine: str, sources: Path, data: Path):
    """One refresh of `sources` into the data folder `data` on `engine`; returns the run's result."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AI_MARKET_ENGINE", engine)
        patch.setenv("AI_MARKET_SOURCES", str(sources))
        patch.setenv("AI_MARKET_DATA_DIR", str(data))
        patch.setenv("AI_MARKET_DUCKDB", str(data / "ai_market.duckdb"))
        result, _ = run_refresh()
    return result


@pytest.fixture(scope="module")
def on_spark(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The data folder of one successful Spark run on the seeds."""
    data = tmp_path_factory.mktemp("on_spark")
    result = refresh_on("spark", SOURCES, data)
    assert result.success, failure_text(result)
    return data


def published_copy(data: Path, folder: Path) -> Path:
    """A data folder holding a copy of what `data` published (not its build); returns its published path."""
    shutil.copytree(data, folder, symlinks=True, ignore=shutil.ignore_patterns("build", "writer.lock", "alerts.jsonl"))
    return folder / "ai_market.duckdb"


def test_on_spark_the_seeds_publish_the_marts_of_the_default_run_row_for_row(on_spark: Path, built):
    assert mart_differences(built[1], on_spark / "ai_market.duckdb") == {mart: [] for mart in MARTS}
    with duckdb.connect(str(on_spark / "ai_market.duckdb"), read_only=True) as con:
        assert con.execute("select row_count from meta.mart_rows where mart = 'facts'").fetchone() == (65,)
        assert con.execute("select engine, gates, gates_passed from meta.publication").fetchone() == ("spark", 69, 69)


def test_on_spark_the_raw_tables_are_parquet_partitioned_by_document(on_spark: Path):
    raw = on_spark / "build" / "spark" / "raw"
    for table in ("documents", "facts", "exclusions", "number_mentions"):
        assert sorted(p.name for p in (raw / table).iterdir()) == [f"document_id={d}" for d in SEED_DOCUMENTS], table
    # a claim's inputs go with the claim's document: only documents 000 and 003 state derived claims
    claims = [d for d in SEED_DOCUMENTS if d.startswith(("000_", "003_"))]
    assert sorted(p.name for p in (raw / "fact_inputs").iterdir()) == [f"document_id={d}" for d in claims]
    with duckdb.connect() as con:
        facts = con.execute(
            f"select count(*), count(distinct document_id) from read_parquet('{raw}/facts/*/*.parquet', hive_partitioning = true)"
        )
        assert facts.fetchone() == (65, 4)


def test_on_spark_a_10k_fact_corpus_publishes_the_marts_of_the_default_run_row_for_row(tmp_path: Path):
    corpus = generate(tmp_path / "sources", documents=100, facts_per_document=100)
    for engine in ("duckdb", "spark"):
        result = refresh_on(engine, corpus, tmp_path / engine)
        assert result.success, failure_text(result)
    published = {engine: tmp_path / engine / "ai_market.duckdb" for engine in ("duckdb", "spark")}
    assert mart_differences(published["duckdb"], published["spark"]) == {mart: [] for mart in MARTS}
    with duckdb.connect(str(published["spark"]), read_only=True) as con:
        assert con.execute("select row_count from meta.mart_rows where mart = 'facts'").fetchone() == (10_065,)


def test_a_failing_gate_on_spark_fails_the_run_and_publishes_nothing(on_spark: Path, sources: SourceCopy, tmp_path: Path):
    published = published_copy(on_spark, tmp_path / "data")
    before = published_fingerprint(published)
    # 885 / 691 - 1 = 28.08%: the claim audit on Spark finds the "29%" the curator now calls right inconsistent
    sources.edit_fact("d000.genai_vc_deals_growth_2024", audit={"expected_status": "consistent", "why": "taken at face value"})
    result = refresh_on("spark", sources.root, published.parent)
    assert not result.success
    failed = [e.check_name for e in result.get_asset_check_evaluations() if not e.passed]
    assert failed == ["gx_claim_audit"]
    assert published_fingerprint(published) == before


def test_a_bad_input_on_spark_fails_the_ingest_naming_it_and_publishes_nothing(on_spark: Path, sources: SourceCopy, tmp_path: Path):
    published = published_copy(on_spark, tmp_path / "data")
    before = published_fingerprint(published)
    row = sources.edit_fact("d000.genai_vc_deals_2024", value="eight hundred")
    result = refresh_on("spark", sources.root, published.parent)
    assert not result.success
    assert f"facts/{DOC_000}.jsonl, row {row}, field 'value'" in failure_text(result)
    assert [e.step_key for e in result.get_step_failure_events()] == ["ingest_sources"]
    assert published_fingerprint(published) == before


def test_a_row_breaking_a_marts_check_constraint_fails_its_model_on_spark(on_spark: Path, tmp_path: Path):
    """Spark's Parquet tables take no constraints; the project checks the contracts' own (macros/
    spark_constraints.sql). Two capital-expenditure plans made negative break investment_plans'
    check (amount_usd > 0), and the model fails naming it."""
    spark_dir = on_spark / "build" / "spark"
    usd = table_folder(spark_dir, "intermediate.int_facts_in_usd")
    with duckdb.connect() as con:
        con.execute(f"create table broken as select * from read_parquet('{usd}/*.parquet')")
        con.execute("update broken set amount_usd = -amount_usd where metric in ('capex_plan', 'public_programme')")
        assert con.execute("select count(*) from broken where amount_usd < 0").fetchone() == (2,)
        for part in usd.glob("*.parquet"):
            part.unlink()
        con.execute(f"copy broken to '{usd}/broken.parquet' (format parquet)")
    env = {**os.environ, "AI_MARKET_ENGINE": "spark", "AI_MARKET_DBT_SPARK_DIR": str(spark_dir)}
    dbt_project = PROJECT / "dbt_project"
    command = [str(Path(sys.executable).with_name("dbt")), "run", "--select", "investment_plans", "--project-dir", str(dbt_project)]
    command += ["--profiles-dir", str(dbt_project), "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path)]
    run = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert run.returncode == 1
    assert "marts.investment_plans breaks its contract: check (amount_usd > 0): 2 row(s)" in run.stdout


def test_the_gates_spark_driver_gets_the_memory_set_for_it_not_sparks_own_1g():
    # On the local master the driver runs every task of the gates' scans; at 10M facts 1g ran out.
    heap = "from orchestration import spark; print(spark._session('local[1]').sparkContext._jvm.java.lang.Runtime.getRuntime().maxMemory())"
    env = {**os.environ, "AI_MARKET_SPARK_DRIVER_MEMORY": "3g"}
    out = subprocess.run([sys.executable, "-c", heap], env=env, cwd=PROJECT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert 2.5 * 2**30 < int(out.stdout.split()[-1]) <= 3 * 2**30
