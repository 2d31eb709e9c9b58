"""The code location loads with its assets, checks, schedule and sensors (the sensors' behaviour: test_sensor.py)."""

import json
import os

from dagster import AssetKey

from .conftest import PROJECT


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
