"""The code location loads, and its sensors and schedule behave."""

import json
import os

from dagster import AssetKey, RunRequest, SkipReason, build_sensor_context

from .conftest import PROJECT, SourceCopy


def test_definitions_load_with_assets_checks_schedule_and_sensors():
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    assert {"raw/facts", "staging/stg_articles__facts", "intermediate/int_claims_recomputed", "marts/claim_audit"} <= keys
    assert defs.resolve_schedule_def("daily_refresh").cron_schedule == "0 6 * * *"
    assert {s.name for s in defs.sensors} == {"source_files_changed", "deliver_alerts"}
    gx_checks = {key for key in graph.asset_check_keys if key.name.startswith("gx_")}
    assert len(gx_checks) == 9
    assert all(check.asset_key in graph.get_all_asset_keys() for check in gx_checks)
    assert AssetKey(["marts", "facts"]) in {c.asset_key for c in gx_checks if c.name == "gx_headline_figures"}


def test_the_planned_checks_are_each_dbt_test_of_the_project_and_one_per_gx_suite():
    from orchestration.definitions import defs
    from orchestration.gx_suites import load_suites
    from orchestration.resources import dbt_project

    manifest = json.loads(dbt_project().manifest_path.read_text(encoding="utf-8"))
    tests = [node["name"] for node in manifest["nodes"].values() if node["resource_type"] == "test"]
    suites = [f"gx_{suite.name}" for suite in load_suites(PROJECT / "expectations")]
    planned = defs.resolve_job_def("refresh_warehouse").asset_layer.asset_graph.asset_check_keys
    assert sorted(key.name for key in planned) == sorted(tests + suites)
    assert (len(tests), len(suites)) == (60, 9)


def test_every_asset_and_check_takes_the_alerts_resource_so_every_failed_run_records_its_alert():
    # A run's resources live from its first step to its last, whichever assets it selects; the
    # alerts resource records the run's alert when it is torn down.
    from orchestration.definitions import defs

    nodes = [*defs.assets, *defs.asset_checks]
    assert len(nodes) == 5 + 9
    assert {node.node_def.name for node in nodes if "alerts" not in node.required_resource_keys} == set()


def test_gx_is_not_imported_when_definitions_load():
    import subprocess
    import sys

    code = "import sys; import orchestration.definitions; print('great_expectations' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=os.environ.copy())
    assert out.stdout.strip() == "False"


def test_source_sensor_runs_only_when_a_source_file_changes(sources: SourceCopy, monkeypatch):
    from orchestration.resources import LedgerSettings
    from orchestration.sensors import source_files_changed

    monkeypatch.setenv("AI_MARKET_SOURCES", str(sources.root))
    resources = {"settings": LedgerSettings()}
    first = build_sensor_context(resources=resources)
    assert isinstance(source_files_changed(first), SkipReason) and first.cursor
    unchanged = build_sensor_context(cursor=first.cursor, resources=resources)
    assert isinstance(source_files_changed(unchanged), SkipReason)
    (sources.root / "facts" / "004_new_article.jsonl").write_text("{}\n", encoding="utf-8")
    changed = build_sensor_context(cursor=first.cursor, resources=resources)
    request = source_files_changed(changed)
    assert isinstance(request, RunRequest) and request.run_key == json.loads(changed.cursor)["digest"] != json.loads(first.cursor)["digest"]


def test_source_sensor_sees_a_link_or_a_folder_added_with_nothing_else_changed(sources: SourceCopy, monkeypatch):
    from orchestration.sensors import source_fingerprint

    before = source_fingerprint(sources.root)
    (sources.root / "facts" / "archive").mkdir()
    with_folder = source_fingerprint(sources.root)
    (sources.root / "facts" / "alias.jsonl").symlink_to(sources.facts_file())
    with_link = source_fingerprint(sources.root)
    assert len({before, with_folder, with_link}) == 3
