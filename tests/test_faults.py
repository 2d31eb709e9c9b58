"""Faults around the pipeline rather than in a source's content: a build database that cannot be
read, a `current` link that is not one, a source file edited while the ingest reads the tree, a FIFO
where a file should be, and the build folder deleted under a live writer. None of them may wedge the
pipeline (every run after it failing until someone deletes files by hand) or publish what the
sources do not say."""

import hashlib
import os
import shutil
import subprocess
import threading
from pathlib import Path

import duckdb
import pytest

from orchestration.ledger.ingest import ingest
from orchestration.ledger.publishing import Layout
from orchestration.ledger.recovery import take_writer
from orchestration.ledger.writer_lock import WriterBusy
from orchestration.provenance import step_code

from .conftest import DOC_000, PROJECT, SourceCopy, build_path, failure_text, run_refresh
from .live import BIN, deployment
from .test_publishing import published_run_id


def _warnings(result, instance) -> str:
    return "\n".join(entry.user_message for entry in instance.all_logs(result.run_id) if entry.level >= 30)


def _a_build_database_of(sources: SourceCopy, published: Path) -> Path:
    """The build database a previous run of this code left, as the pipeline's ingest makes it."""
    build = build_path(published)
    build.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(build)) as con:
        ingest(con, sources.root, code_sha256=step_code("ingest"))
    return build


@pytest.mark.slow
def test_a_truncated_build_database_is_set_aside_and_the_run_rebuilds_it_from_the_sources(sources: SourceCopy, pipeline_env: Path):
    build = _a_build_database_of(sources, pipeline_env)
    os.truncate(build, 4096)  # as a full disk or a copy cut short leaves it
    result, instance = run_refresh()
    assert result.success, failure_text(result)
    (aside,) = build.parent.glob("ai_market.duckdb.unreadable-*")
    assert aside.stat().st_size == 4096
    assert f"the build database {build} could not be read (IO Error: Could not read enough bytes" in _warnings(result, instance)
    assert f"it was set aside as {aside}, and this run rebuilds it from the sources" in _warnings(result, instance)
    assert published_run_id(pipeline_env) == result.run_id


@pytest.mark.slow
def test_a_damaged_block_in_the_build_database_is_set_aside_and_the_run_rebuilds_it(sources: SourceCopy, pipeline_env: Path):
    build = _a_build_database_of(sources, pipeline_env)
    with duckdb.connect(str(build)) as con:
        (block_size,) = con.execute("select block_size from pragma_database_size()").fetchone()
        blocks = con.execute(
            "select distinct block_id from pragma_storage_info('raw.facts') where column_name = 'evidence' and block_id >= 0"
        ).fetchall()
    with build.open("r+b") as file:  # a torn write: the blocks of every fact's evidence overwritten
        for (block_id,) in blocks:
            file.seek(3 * 4096 + block_id * block_size)  # after the file's three header blocks
            file.write(b"\xff" * block_size)
    result, instance = run_refresh()
    assert result.success, failure_text(result)
    assert [p.name for p in build.parent.glob("ai_market.duckdb.unreadable-*")]
    assert "(Corrupt database file: computed checksum" in _warnings(result, instance)
    assert "and this run loads the sources into a new one" in _warnings(result, instance)
    assert published_run_id(pipeline_env) == result.run_id


@pytest.mark.slow
def test_a_damaged_block_only_dbt_reads_is_set_aside_for_the_next_run_which_rebuilds_it(built, pipeline_env: Path):
    build = build_path(pipeline_env)
    shutil.copytree(build_path(built[1]).parent, build.parent)  # the build folder a successful run left
    with duckdb.connect(str(build)) as con:
        (block_size,) = con.execute("select block_size from pragma_database_size()").fetchone()
        used = {}
        for schema, table in con.execute("select schema_name, table_name from duckdb_tables()").fetchall():
            for (block_id,) in con.execute(
                f"select distinct block_id from pragma_storage_info('{schema}.{table}') where block_id >= 0"
            ).fetchall():
                used.setdefault(block_id, set()).add(f"{schema}.{table}")
    only_facts = [block for block, tables in used.items() if tables == {"marts.facts"}]  # an incremental model of dbt's
    assert only_facts
    with build.open("r+b") as file:
        for block_id in only_facts:
            file.seek(3 * 4096 + block_id * block_size)
            file.write(b"\xff" * block_size)
    failed, instance = run_refresh()
    assert not failed.success and "dbt build failed" in failure_text(failed)
    assert "and the next run rebuilds it from the sources" in _warnings(failed, instance)
    result, _ = run_refresh()
    assert result.success, failure_text(result)
    assert published_run_id(pipeline_env) == result.run_id


def _current_as_a_folder(layout: Layout) -> str:
    layout.current.unlink()
    layout.current.mkdir()
    (layout.current / "ai_market.duckdb").write_bytes(b"not a database")
    return "was a folder, not a link; it was moved to"


def _current_pointing_at_no_version(layout: Layout) -> str:
    layout.current.unlink()
    layout.current.symlink_to("versions/20000101T000000000000Z-gone")
    return "which is no complete version; it now points at"


def _published_file_as_a_folder(layout: Layout) -> str:
    layout.published.unlink()
    layout.published.mkdir()
    return "was a folder, not a link; it was moved to"


@pytest.mark.slow
@pytest.mark.parametrize("breakage", [_current_as_a_folder, _current_pointing_at_no_version, _published_file_as_a_folder])
def test_a_current_link_that_is_not_one_is_repaired_by_the_next_publish_which_says_so(breakage, pipeline_env: Path):
    layout = Layout(pipeline_env)
    said = breakage(layout)
    result, instance = run_refresh()
    assert result.success, failure_text(result)
    assert said in _warnings(result, instance)
    assert layout.current.is_symlink() and layout.current_version() == layout.version_ids()[-1]
    assert published_run_id(pipeline_env) == result.run_id  # BI's path resolves through the repaired links again


@pytest.mark.slow
def test_a_source_file_edited_while_the_ingest_reads_is_published_with_the_checksum_of_what_was_loaded(
    sources: SourceCopy, pipeline_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    manifest = sources.root / "documents" / "manifest.jsonl"
    original = manifest.read_bytes()
    edited = original.replace(b'"title": "Generative AI investment hit', b'"title": "EDITED DURING THE RUN: Generative AI investment hit')
    pause = tmp_path / "paused"
    monkeypatch.setenv("AI_MARKET_PAUSE_AT", "ingest:hashed")
    monkeypatch.setenv("AI_MARKET_PAUSE_FILE", str(pause))

    def edit_once_hashed() -> None:  # the run has hashed the tree and waits: the curator saves
        while not pause.exists():
            pass
        manifest.write_bytes(edited)
        pause.unlink()

    editor = threading.Thread(target=edit_once_hashed, daemon=True)
    editor.start()
    result, _ = run_refresh()
    editor.join(timeout=60)
    assert result.success, failure_text(result)

    def published() -> tuple[str, str]:
        with duckdb.connect(str(pipeline_env), read_only=True) as con:
            (title,) = con.execute("select title from marts.documents where document_id = ?", [DOC_000]).fetchone()
            (sha,) = con.execute("select sha256 from meta.source_files where source_file = 'documents/manifest.jsonl'").fetchone()
        return title, sha

    assert published() == (edited.decode().split('"title": "')[1].split('"')[0], hashlib.sha256(edited).hexdigest())

    # Put back as it was, the file no longer matches what is published: the next run rebuilds.
    monkeypatch.delenv("AI_MARKET_PAUSE_AT")
    manifest.write_bytes(original)
    result, _ = run_refresh(run_config={})
    assert result.success and published_run_id(pipeline_env) == result.run_id
    assert published() == (original.decode().split('"title": "')[1].split('"')[0], hashlib.sha256(original).hexdigest())


@pytest.mark.slow
def test_a_fifo_in_the_sources_is_refused_at_once_and_leaves_the_writer_lock_free(built, sources: SourceCopy, tmp_path: Path):
    made = deployment(tmp_path, built[1], sources.root)
    (sources.root / "schemas" / "fact.schema.json").unlink()
    os.mkfifo(sources.root / "schemas" / "fact.schema.json")  # nothing writes to it: a reader would wait for ever
    refresh = subprocess.run(
        [str(BIN / "ai-market-ledger"), "refresh"], cwd=PROJECT, env=made.env(), capture_output=True, text=True, timeout=120
    )
    assert refresh.returncode == 1
    assert "schemas/fact.schema.json, row 0, field 'file': is a FIFO (named pipe), not a regular file" in refresh.stdout + refresh.stderr
    lock, dead, _ = take_writer(build_path(made.published), Layout(made.published), "next-writer")
    lock.release()
    assert dead is None  # the refused run released the lock as it left


def test_deleting_the_build_folder_under_a_live_writer_lets_no_second_writer_in(tmp_path: Path):
    layout, build = Layout(tmp_path / "data" / "ai_market.duckdb"), tmp_path / "data" / "build" / "ai_market.duckdb"
    build.parent.mkdir(parents=True)
    lock, _, _ = take_writer(build, layout, "run-a")
    try:
        shutil.rmtree(build.parent)  # someone starts afresh while run-a still writes
        with pytest.raises(WriterBusy, match="run run-a"):
            take_writer(build, layout, "run-b")
    finally:
        lock.release()
