"""What a person sees (a failed gate naming its rows is in test_pipeline.py): a failed ingest
prints each violation once and no traceback, `ai-market-ledger refresh` works from a plain shell
with one line per stage and a summary, and a rerun with nothing changed answers before Dagster,
dbt or GX is imported. Real runs: DuckDB files in temp folders, dbt, GX and Dagster."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from orchestration.settings import WRITER_POOL

from .conftest import DOC_000, PROJECT, SOURCES, SourceCopy
from .live import instance_at

FACTS = f"facts/{DOC_000}.jsonl"
# The CLI as a plain shell runs it, except that the project's own .dagster_home, which it defaults
# to, is replaced by one in the test's folder (argv[1]); the rest of argv goes to the CLI.
PLAIN_SHELL = (
    "import sys; from pathlib import Path; import orchestration.home as home; "
    "home.default_dagster_home = lambda: Path(sys.argv[1]); "
    "from orchestration.cli import main; main(sys.argv[2:])"
)
# A refresh, then whether Dagster, dbt or GX was imported on the way.
IMPORTED_AFTER_REFRESH = (
    "import sys; from orchestration.refresh import refresh; code = refresh(False, False); "
    "print('imported:', sorted(m for m in ('dagster', 'dbt', 'great_expectations') if m in sys.modules)); sys.exit(code)"
)


def _plain_env(data: Path, sources: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
    return env | {
        "AI_MARKET_SOURCES": str(sources),
        "AI_MARKET_DATA_DIR": str(data),
        "AI_MARKET_DUCKDB": str(data / "ai_market.duckdb"),
        **extra,
    }


def _python(code: str, *arguments: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code, *arguments], cwd=PROJECT, env=env, capture_output=True, text=True, timeout=900)


def _copy_of_published(built, data: Path) -> Path:
    shutil.copytree(
        built[1].parent,
        data,
        symlinks=True,
        ignore=shutil.ignore_patterns("build", "alerts.jsonl", "alert_deliveries.jsonl", "writer.lock"),
    )
    return data / built[1].name


def test_failed_ingest_prints_each_violation_once_without_traceback(sources: SourceCopy, pipeline_env: Path, tmp_path: Path):
    rows = [sources.edit_fact(fact, region="XX") for fact in ("d000.mistral_2024", "d000.databricks_series_j", "d000.anthropic_amazon")]
    env = _plain_env(pipeline_env.parent, sources.root, DAGSTER_HOME=str(tmp_path / "home"))
    done = subprocess.run([sys.executable, "-m", "orchestration.cli", "refresh"], cwd=PROJECT, env=env, capture_output=True, text=True)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    for row in rows:
        violation = f"{FACTS}, row {row}, field 'region': "
        assert output.count(violation) == 1, output
    assert output.count("[rule: known_region]") == 3
    assert "Traceback" not in output and "DEBUG" not in output
    assert output.splitlines()[0].startswith("ingest      FAILED (")
    assert "ingest_sources: 3 problem(s) in the source files:" in output.splitlines()


@pytest.mark.slow
def test_verbose_brings_back_dagsters_event_stream(sources: SourceCopy, pipeline_env: Path, tmp_path: Path):
    row = sources.edit_fact("d000.mistral_2024", region="XX")
    env = _plain_env(pipeline_env.parent, sources.root, DAGSTER_HOME=str(tmp_path / "home"))
    command = [sys.executable, "-m", "orchestration.cli", "refresh", "--verbose"]
    done = subprocess.run(command, cwd=PROJECT, env=env, capture_output=True, text=True)
    assert done.returncode == 1
    assert " - DEBUG - refresh_warehouse - " in done.stdout + done.stderr
    assert " - STEP_FAILURE - " in done.stdout + done.stderr
    assert f"ingest_sources: 1 problem(s) in the source files:\n- {FACTS}, row {row}, field 'region': " in done.stdout


@pytest.fixture(scope="module")
def plain_shell_run(built, tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess, Path, Path]:
    """`ai-market-ledger refresh --rebuild-unchanged` from a shell with no DAGSTER_HOME, on a copy
    of the published warehouse: (the finished process, the Dagster home it defaulted to, the data folder)."""
    root = tmp_path_factory.mktemp("plain_shell")
    data, home = root / "data", root / "project_dagster_home"
    _copy_of_published(built, data)
    done = _python(PLAIN_SHELL, str(home), "refresh", "--rebuild-unchanged", env=_plain_env(data, SOURCES))
    return done, home, data


@pytest.mark.slow
def test_refresh_works_without_dagster_home(plain_shell_run):
    done, home, _ = plain_shell_run
    assert done.returncode == 0, done.stdout + done.stderr
    assert (home / "dagster.yaml").read_bytes() == (PROJECT / "orchestration" / "dagster.yaml").read_bytes()
    instance = instance_at(home)
    assert instance.event_log_storage.get_concurrency_info(WRITER_POOL).slot_count == 1
    (run,) = instance.get_runs()
    assert run.job_name == "refresh_warehouse" and run.is_success
    assert f"http://127.0.0.1:3000/runs/{run.run_id}" in done.stdout


@pytest.mark.slow
def test_run_prints_one_line_per_stage_and_a_summary(plain_shell_run):
    done, _, data = plain_shell_run
    lines = done.stdout.splitlines()
    assert done.stderr == ""
    assert [line.split("  ")[0] for line in lines[:5]] == ["ingest", "dbt models", "gates", "publish", "report"]
    assert lines[0].startswith("ingest      21 source files (")
    assert "4 documents, 65 facts loaded" in lines[0]
    assert lines[1].startswith("dbt models  27 models built, ")
    assert lines[2].startswith("gates       9 of 9 Great Expectations suites passed (")
    import duckdb

    with duckdb.connect(str(data / "ai_market.duckdb"), read_only=True) as con:
        version_id, gates = con.execute("select version_id, gates from meta.publication").fetchone()
    assert lines[3].startswith(f"publish     version {version_id} published (")
    assert lines[5:] == [
        f"Published version {version_id}: 4 documents, 65 facts; {gates} of {gates} gates passed.",
        "  3 claims found inconsistent, as the curators expect: "
        "d000.genai_startup_share_2024, d000.genai_vc_deals_growth_2024, d000.genai_vc_funding_growth_2024",
        f"  published file: {data / 'ai_market.duckdb'} (Parquet copies: {data / 'parquet'})",
        f"  report:         {data / 'report' / 'index.html'}",
        lines[9],
    ]
    assert "Completed successfully" in (data / "refresh.log").read_text(encoding="utf-8")  # what dbt printed


@pytest.mark.slow
def test_a_rerun_with_nothing_changed_answers_before_dagster_dbt_or_gx_is_imported(plain_shell_run):
    done, home, data = plain_shell_run
    assert done.returncode == 0
    (version_id,) = [line.split()[2].rstrip(":") for line in done.stdout.splitlines() if line.startswith("Published version")]
    again = _python(IMPORTED_AFTER_REFRESH, env=_plain_env(data, SOURCES, DAGSTER_HOME=str(home)))
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines()[0] == (
        f"Nothing to do: the 21 source files, the code and the tool versions are those of the current published version "
        f"{version_id}, which passed every gate. Models, gates and publish are skipped."
    )
    assert again.stdout.splitlines()[-1] == "imported: []"
    assert len(instance_at(home).get_runs()) == 1  # no run recorded
