"""A rerun with nothing changed since the current publication stops after hashing the sources: the
published version already passed every gate on the same source files, code and tool versions. A
change to one step's code redoes that step and those after it, and no more: a chart's code only
redraws the report; a GX suite re-runs the gates and the publish, reading no source file again and
refreshing no model in full."""

import json
import shutil
from pathlib import Path

import duckdb
import pytest
from dagster import DagsterEventType, DagsterInstance

from orchestration import definitions, provenance, refresh, settings

from .conftest import PROJECT, build_path, published_fingerprint, run_refresh
from .test_incremental_ingest import _files_checked_anew


@pytest.fixture
def no_forced_rebuild(pipeline_env: Path) -> Path:
    return pipeline_env


def _materialized(result) -> set[str]:
    return {event.asset_key.to_user_string() for event in result.get_asset_materialization_events()}


def _log_messages(result, instance) -> str:
    return "\n".join(entry.user_message for entry in instance.all_logs(result.run_id))


def test_rerun_with_nothing_changed_skips_models_gates_and_publish(no_forced_rebuild: Path):
    before = published_fingerprint(no_forced_rebuild)
    result, instance = run_refresh(run_config={})
    assert result.success
    assert _materialized(result) == set()
    assert not result.get_asset_check_evaluations()
    assert "Nothing to do: the 21 source files, the code and the tool versions are those of the current published version" in (
        _log_messages(result, instance)
    )
    assert published_fingerprint(no_forced_rebuild) == before


def test_a_rerun_whose_folders_come_from_run_config_only_is_seen_as_nothing_to_do(
    no_forced_rebuild: Path, sources, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    # the environment names other, empty folders: the report drawn must be looked for where the run's
    # settings put it, or the rerun would draw it again and every rerun would count as work
    folders = {"sources_dir": str(sources.root), "data_dir": str(no_forced_rebuild.parent), "published_path": str(no_forced_rebuild)}
    for variable in ("AI_MARKET_SOURCES", "AI_MARKET_DATA_DIR", "AI_MARKET_DUCKDB"):
        monkeypatch.setenv(variable, str(tmp_path / "elsewhere"))
    result, instance = run_refresh(run_config={"resources": {"settings": {"config": folders}}})
    assert result.success
    assert _materialized(result) == set()
    assert "Nothing to do: the 21 source files" in _log_messages(result, instance)


def _code_copy(root: Path) -> Path:
    """A copy of the project's code (what provenance.STEPS hash) at `root`, to edit."""
    for folder in ("orchestration", "expectations"):
        shutil.copytree(PROJECT / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__"))
    for folder in ("models", "macros", "tests"):
        shutil.copytree(PROJECT / "dbt_project" / folder, root / "dbt_project" / folder)
    for name in ("requirements.lock", "pyproject.toml", "dbt_project/dbt_project.yml", "dbt_project/profiles.yml"):
        shutil.copyfile(PROJECT / name, root / name)
    return root


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


CAPTION = ('"Funding by period (USD billion)"', '"Funding by period (US$ billion)"')
EDITS = {
    "a chart's caption": ("orchestration/ledger/charts.py", *CAPTION),
    "a GX message": ("expectations/funding_by_period.json", '"why": "', '"why": "Checked: '),
    "one model": ("dbt_project/models/marts/funding_deals.sql", "\n", "\n-- reviewed\n"),
    "a rule of the ingest": ("orchestration/ledger/rules.sql", "\n", "\n-- reviewed\n"),
    "a module every Python step imports": ("orchestration/ledger/rules.py", "\n", "\n# reviewed\n"),
    "the GX runner": ("orchestration/gx_suites.py", "\n", "\n# reviewed\n"),
    "the command line": ("orchestration/cli.py", "\n", "\n# reviewed\n"),
}
STALE = {
    "a chart's caption": {"report"},
    "a GX message": {"gates"},
    "one model": {"dbt"},
    "a rule of the ingest": {"ingest"},
    "a module every Python step imports": {"ingest", "dbt", "publish", "report"},
    "the GX runner": {"gates", "report"},
    "the command line": set(),
}


@pytest.mark.parametrize("change", EDITS)
def test_a_code_change_makes_stale_only_the_steps_that_run_that_code(change: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    root = _code_copy(tmp_path / "project")
    monkeypatch.setattr(settings, "PROJECT_ROOT", root)
    before = provenance.step_hashes()
    file, old, new = EDITS[change]
    _edit(root / file, old, new)
    after = provenance.step_hashes()
    assert {
        step.name for step, column in zip(provenance.STEPS, provenance.STEP_COLUMNS, strict=True) if before[column] != after[column]
    } == (STALE[change])


def test_the_publication_records_each_steps_code_beside_the_code_hash_older_readers_use(built):
    _, published = built
    with duckdb.connect(str(published), read_only=True) as con:
        cursor = con.execute("select * from meta.publication")
        row = dict(zip([d[0] for d in cursor.description], cursor.fetchone(), strict=True))
    assert {column: row[column] for column in provenance.STEP_COLUMNS} == provenance.step_hashes()
    assert row["code_sha256"] == provenance.code_sha256()
    assert list(row)[:13] == [
        "run_id", "version_id", "published_at_utc", "code_git_commit", "code_git_dirty", "code_sha256", "dagster_version",
        "dbt_version", "duckdb_version", "storage_version", "marts", "gates", "gates_passed",
    ]  # fmt: skip


def test_a_chart_code_change_redraws_only_the_report(no_forced_rebuild: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    before = published_fingerprint(no_forced_rebuild)
    root = _code_copy(tmp_path / "project")
    _edit(root / EDITS["a chart's caption"][0], *CAPTION)
    monkeypatch.setattr(settings, "PROJECT_ROOT", root)
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    assert provenance.before_a_run() == (None, True)
    assert refresh.refresh(rebuild_unchanged=False, verbose=True) == 0
    with DagsterInstance.get() as instance:
        (run,) = instance.get_runs()
        events = instance.all_logs(run.run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION)
        materialized = {e.dagster_event.asset_key.to_user_string() for e in events}
        steps = {e.step_key for e in instance.all_logs(run.run_id, of_type=DagsterEventType.STEP_START)}
    # no source file read, no dbt, no gate, no publish: the same version, drawn by the new code
    assert (materialized, steps) == ({"report/charts"}, {"report__charts"})
    assert published_fingerprint(no_forced_rebuild) == before
    drawn = json.loads((settings.report_dir() / "chart_data.json").read_text(encoding="utf-8"))
    assert drawn["about"]["report_code_sha256"] == provenance.step_code("report")
    assert provenance.before_a_run()[0].startswith("Nothing to do: the 21 source files")


@pytest.mark.slow
def test_a_gx_suite_change_gates_and_publishes_again_without_reading_sources_or_refreshing_models(
    no_forced_rebuild: Path, built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    # the build database, its ingest record and dbt state, as the session's run left them
    shutil.copytree(build_path(built[1]).parent, build_path(no_forced_rebuild).parent)
    before = published_fingerprint(no_forced_rebuild)
    root = _code_copy(tmp_path / "project")
    _edit(root / EDITS["a GX message"][0], *EDITS["a GX message"][1:])
    monkeypatch.setattr(settings, "PROJECT_ROOT", root)
    assert provenance.before_a_run() == (None, False)
    result, instance = run_refresh()
    assert result.success
    assert _files_checked_anew(result) == 0
    assert "dbt: models changed since the last build: none; rebuilt in full: none; running dbt build\n" in (
        _log_messages(result, instance) + "\n"
    )
    assert len(result.get_asset_check_evaluations()) == len(
        definitions.defs.resolve_job_def("refresh_warehouse").asset_layer.asset_graph.asset_check_keys
    )
    assert "published/warehouse" in _materialized(result) and published_fingerprint(no_forced_rebuild) != before
    assert provenance.before_a_run()[0].startswith("Nothing to do")
