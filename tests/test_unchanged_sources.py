"""A rerun with nothing changed since the current publication stops after hashing the sources: the
published version already passed every gate on the same source files, code and tool versions."""

from pathlib import Path

import pytest

from .conftest import published_fingerprint, run_refresh


@pytest.fixture
def no_forced_rebuild(pipeline_env: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("AI_MARKET_REBUILD_UNCHANGED")
    return pipeline_env


def _materialized(result) -> set[str]:
    return {event.asset_key.to_user_string() for event in result.get_asset_materialization_events()}


def _log_messages(result, instance) -> str:
    return "\n".join(entry.user_message for entry in instance.all_logs(result.run_id))


def test_rerun_with_nothing_changed_skips_models_gates_and_publish(no_forced_rebuild: Path):
    before = published_fingerprint(no_forced_rebuild)
    result, instance = run_refresh()
    assert result.success
    assert _materialized(result) == set()
    assert not result.get_asset_check_evaluations()
    assert "Nothing to do: the 21 source files, the code and the tool versions are those of the current published version" in (
        _log_messages(result, instance)
    )
    assert published_fingerprint(no_forced_rebuild) == before
