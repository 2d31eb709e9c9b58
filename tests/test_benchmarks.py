"""The benchmark's parts, small and fast (the big runs are `make bench`): the synthetic corpus is
deterministic and passes every ingest rule, the raw-SQL floor computes the same marts as the
pipeline, and the summary computes the ratios the targets are stated in."""

import hashlib
import json
import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import duckdb
import pytest

from benchmarks import bench, corpus, floor, results
from orchestration.ledger.ingest import ingest

from .conftest import PROJECT, build_path, rows_only_in_each


def _digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_synthetic_corpus_is_deterministic_and_passes_every_ingest_rule(tmp_path: Path):
    first = corpus.generate(tmp_path / "a", documents=5, facts_per_document=40, seed=3)
    second = corpus.generate(tmp_path / "b", documents=5, facts_per_document=40, seed=3)
    assert _digest(first) == _digest(second)
    assert _digest(first) != _digest(corpus.generate(tmp_path / "c", documents=5, facts_per_document=40, seed=4))
    with duckdb.connect() as con:
        summary = ingest(con, first)
        metrics = dict(con.execute("select metric, count(*) from raw.facts where document_id like '%synthetic' group by all").fetchall())
        uncovered = con.execute("select count(*) from raw.number_mentions where covered_by_kind is null").fetchone()[0]
    assert (summary.documents, summary.facts) == (4 + 5, 65 + 5 * 40)
    assert uncovered == 0
    assert metrics == {"deal_amount": 70, "funding_amount": 65, "deal_count": 65}


def test_one_more_document_is_added_to_an_existing_corpus(tmp_path: Path):
    root = corpus.generate(tmp_path / "corpus", documents=2, facts_per_document=9)
    document_id = corpus.add_one_document(root, number=2, facts_per_document=9)
    with duckdb.connect() as con:
        assert ingest(con, root).documents == 4 + 3
    assert (root / "facts" / f"{document_id}.jsonl").read_text().count("\n") == 9


@pytest.mark.slow
def test_raw_sql_floor_computes_the_same_marts_as_the_pipeline(built, tmp_path: Path):
    _, published = built
    database = tmp_path / "floor" / "ai_market.duckdb"  # the catalog name dbt compiled against
    database.parent.mkdir()
    database.write_bytes(build_path(published).read_bytes())
    env = {**os.environ, "AI_MARKET_DBT_BUILD_PATH": str(database)}
    dbt = [
        str(Path(sys.executable).with_name("dbt")),
        "compile",
        "--full-refresh",
        "--project-dir",
        "dbt_project",
        "--profiles-dir",
        "dbt_project",
    ]
    subprocess.run([*dbt, "--target-path", str(tmp_path / "compiled"), "--quiet"], cwd=PROJECT, env=env, check=True)
    with duckdb.connect(str(database)) as con:  # start the floor from the raw tables alone
        for (schema,) in con.execute("select distinct schema_name from duckdb_tables() where schema_name <> 'raw'").fetchall():
            con.execute(f"drop schema {schema} cascade")
    assert floor.build(tmp_path / "compiled" / "manifest.json", database) == 27
    with duckdb.connect(str(database)) as con:
        con.execute(f"attach '{published}' as published (read_only)")
        marts = con.execute("select table_name from duckdb_tables() where database_name = 'published' and schema_name = 'marts'")
        for (mart,) in marts.fetchall():
            assert rows_only_in_each(con, f"marts.{mart}", f"published.marts.{mart}") == (0, 0), mart


def test_summary_reports_medians_and_the_target_ratios():
    def runs(*seconds: float) -> list[results.Timing]:
        return [results.Timing(s, 100.0 + s) for s in seconds]

    summary = results.summarise(
        {
            "bare_dbt_build": runs(10, 12, 11),
            "raw_sql_floor": runs(2, 2, 3),
            "full_pipeline": runs(20, 24, 22),
            "noop_rerun": runs(5, 6, 4),
            "add_one_document": runs(7, 6, 8),
        }
    )
    assert summary["scenarios"]["full_pipeline"] == {"seconds": [20, 24, 22], "median_seconds": 22, "peak_rss_mb": 124.0}
    assert summary["ratios"] == {
        "full_pipeline / bare_dbt_build": 2.0,
        "full_pipeline / raw_sql_floor": 11.0,
        "bare_dbt_build / raw_sql_floor": 5.5,
        "noop_rerun / full_pipeline": 0.23,
        "add_one_document / full_pipeline": 0.32,
    }
    table = results.results_table({"machine": bench.machine("duckdb"), "sizes": {"real": _size(65, summary, repeat=3)}})
    assert "| real | 65 | 2026-12-02, 3 rounds, a CPU | 11 s | 2 s | 22 s | 5 s | 7 s | 2.0 | 0.23 | 0.32 | 124 MB |" in table


def _size(facts: int, summary: dict, repeat: int = 1, measured_at: str = "2026-12-02T10:00:00+00:00") -> dict:
    return {"facts": facts, "measured_at": measured_at, "repeat": repeat, "cpu": "a CPU", **summary}


def test_a_run_of_some_scenarios_reports_their_figures_and_only_the_ratios_they_make():
    summary = results.summarise({"full_pipeline": [results.Timing(600.0, 5000.0)], "bare_dbt_build": [results.Timing(400.0, 3000.0)]})
    assert summary["ratios"] == {"full_pipeline / bare_dbt_build": 1.5}
    table = results.results_table({"machine": bench.machine("duckdb"), "sizes": {"10m": _size(10_000_065, summary)}})
    assert "| 10m | 10,000,065 | 2026-12-02, 1 round, a CPU | 400.0 s | — | 600.0 s | — | — | 1.5 | — | — | 5000 MB |" in table


def test_a_rerun_scenario_without_the_full_run_it_reruns_is_refused(tmp_path: Path):
    with pytest.raises(SystemExit, match="rerun a round's full_pipeline"):
        bench.run(["real"], 1, tmp_path, scenarios=["noop_rerun"])
    assert not (tmp_path / "corpora").exists()


def test_new_results_replace_the_sizes_they_measured_and_keep_the_others_with_their_own_dates():
    one = results.summarise({name: [results.Timing(1.0, 50.0)] for name in results.SCENARIOS})
    two = results.summarise({"full_pipeline": [results.Timing(2.0, 60.0)]})
    previous = {"machine": {}, "sizes": {"real": _size(65, one, measured_at="2026-11-01T00:00:00"), "1m": _size(9, one)}}
    measured = results.merged(previous, {"machine": bench.machine("duckdb"), "sizes": {"1m": _size(10, two)}})
    assert list(measured["sizes"]) == ["real", "1m"]
    assert measured["sizes"]["real"]["measured_at"] == "2026-11-01T00:00:00"
    assert measured["sizes"]["1m"] == _size(10, two)


def test_a_prepared_corpus_is_kept_while_its_code_is_unchanged_and_made_again_when_it_is_not(tmp_path: Path):
    size = bench.Size("real", tmp_path)
    size._prepare_corpus()
    raw = size.prepared / "raw" / "ai_market.duckdb"
    made = raw.stat().st_mtime_ns
    size._prepare_corpus()
    assert raw.stat().st_mtime_ns == made
    record = size.prepared / "prepared.json"
    assert json.loads(record.read_text()) == {"key": bench.preparation_key(0), "facts": 65}
    assert bench.preparation_key(0) != bench.preparation_key(1)
    record.write_text(json.dumps({"key": "made by other code", "facts": 65}))
    size._prepare_corpus()
    assert raw.stat().st_mtime_ns != made
    assert json.loads(record.read_text())["key"] == bench.preparation_key(0)


def test_the_table_replaces_the_one_between_the_markers_of_the_performance_doc_and_nothing_else(tmp_path: Path):
    document = tmp_path / "performance.md"
    document.write_bytes(results.PERFORMANCE_DOC.read_bytes())
    text = document.read_text(encoding="utf-8")
    start, end = results.table_markers("duckdb")
    before, after = text.split(start)[0], text.split(end)[1]
    summary = results.summarise({name: [results.Timing(1.0, 50.0)] for name in results.SCENARIOS})
    measured = {"machine": bench.machine("duckdb"), "sizes": {"real": _size(65, summary)}}
    results.write_table(measured, document)
    assert document.read_text(encoding="utf-8") == before + results.results_table(measured) + after


def test_peak_rss_counts_the_whole_process_tree(tmp_path: Path):
    hold = "import time; x = bytearray({} * 2**20); time.sleep(1)"
    both = f'{sys.executable} -c "{hold.format(150)}" & {sys.executable} -c "{hold.format(100)}"; wait'
    timing = bench.timed(["bash", "-c", both], dict(os.environ), tmp_path / "log")
    assert 250 <= timing.peak_rss_mb < 400 and timing.seconds >= 1


def test_a_spark_table_names_its_engine_and_goes_between_its_own_markers(tmp_path: Path):
    document = tmp_path / "performance.md"
    document.write_bytes(results.PERFORMANCE_DOC.read_bytes())
    duckdb_table = (
        document.read_text(encoding="utf-8").split(results.table_markers("duckdb")[0])[1].split(results.table_markers("duckdb")[1])[0]
    )
    summary = results.summarise({name: [results.Timing(1.0, 50.0)] for name in results.SCENARIOS})
    measured = {"machine": bench.machine("spark"), "sizes": {"1m": _size(10, summary)}}
    results.write_table(measured, document)
    text = document.read_text(encoding="utf-8")
    assert results.results_table(measured) in text and duckdb_table in text
    assert f"on Spark {version('pyspark')} (dbt-spark {version('dbt-spark')}, local master)" in results.results_table(measured)
