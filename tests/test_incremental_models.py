"""The incremental models (int_facts_in_usd, int_claims_recomputed, marts.facts) rebuild only the
documents whose sources, or the rates and claim inputs they use, changed, and end up exactly equal
to a full rebuild; a changed model is rebuilt in full with the incremental models after it, and no
other. Real ingest, real dbt, real DuckDB files."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration import dbt_state
from orchestration.ledger.ingest import ingest

from .conftest import DOC_000, PROJECT, SOURCES, build_path, rows_only_in_each

INCREMENTAL = ("intermediate.int_facts_in_usd", "intermediate.int_claims_recomputed", "marts.facts")
DOC_001, DOC_002, DOC_003 = "001_55f767c75a51dedd", "002_47236e943b7bd28c", "003_49800daea670d6a7"
NEW_DOC = "900_cny_equivalents"
DBT = Path(sys.executable).with_name("dbt")
MARK = "left alone since the first build"


def dbt_run(database: Path, *arguments: str) -> None:
    env = {**os.environ, "AI_MARKET_DBT_BUILD_PATH": str(database)}
    command = [str(DBT), "run", "--quiet", "--project-dir", "dbt_project", "--profiles-dir", "dbt_project"]
    command += ["--target-path", str(database.parent / "target"), *arguments]
    subprocess.run(command, cwd=PROJECT, env=env, check=True)


def link_claim_of_003_to_a_figure_of_000(con: duckdb.DuckDBPyConnection) -> str:
    """Make document 003's one derived claim take its input from document 000 (a cross-document
    link, as sources may have); returns the input's fact id."""
    con.execute(
        """update raw.fact_inputs set input_fact_id = 'd000.genai_vc_funding_2024'
        where fact_id in (select fact_id from raw.facts where document_id = ?)""",
        [DOC_003],
    )
    return "d000.genai_vc_funding_2024"


def change_source_file(con: duckdb.DuckDBPyConnection, source_file: str) -> None:
    # the ingest records a new checksum whenever a file's content changes
    con.execute("update raw.source_files set sha256 = md5(sha256) where source_file = ?", [source_file])


def add_document_stating_cny_equivalents(con: duckdb.DuckDBPyConnection) -> None:
    """A copy of document 000 whose won equivalents are yuan: the first rate for CNY, which document
    003's yuan amounts (unconverted so far) are then converted with."""
    renamed = "replace(fact_id, 'd000.', 'd900.')"
    con.execute(
        f"insert into raw.documents select * replace ('{NEW_DOC}' as document_id) from raw.documents where document_id = ?", [DOC_000]
    )
    con.execute(
        f"""insert into raw.facts select * replace (
            {renamed} as fact_id, '{NEW_DOC}' as document_id,
            case unit when 'KRW' then 'CNY' else unit end as unit, replace(part_of, 'd000.', 'd900.') as part_of)
        from raw.facts where document_id = ?""",
        [DOC_000],
    )
    con.execute(
        f"""insert into raw.fact_inputs select {renamed}, input_position, replace(input_fact_id, 'd000.', 'd900.')
        from raw.fact_inputs where fact_id like 'd000.%' and input_fact_id like 'd000.%'"""
    )
    con.execute(
        f"""insert into raw.source_files select * replace (replace(source_file, '{DOC_000}', '{NEW_DOC}') as source_file)
        from raw.source_files where source_file like '%{DOC_000}%'"""
    )


def remove_document(con: duckdb.DuckDBPyConnection, document_id: str) -> None:
    for table in ("fact_inputs", "facts", "exclusions", "number_mentions", "documents"):
        key = "fact_id in (select fact_id from raw.facts where document_id = ?)" if table == "fact_inputs" else "document_id = ?"
        con.execute(f"delete from raw.{table} where {key}", [document_id])
    con.execute("delete from raw.source_files where source_file like ?", [f"%{document_id}%"])


def leave_a_mark(database: Path, document_id: str) -> None:
    """Change the built rows of one document in place: a rebuild of its rows would undo it."""
    with duckdb.connect(str(database)) as con:
        for table in INCREMENTAL:
            con.execute(f"update {table} set evidence = '{MARK}' where document_id = ?", [document_id])


def marked(database: Path, table: str, document_id: str) -> tuple[int, int]:
    """(rows of the document, of which still marked) in `table`."""
    with duckdb.connect(str(database), read_only=True) as con:
        sql = f"select count(*), count(*) filter (where evidence = '{MARK}') from {table} where document_id = ?"
        return con.execute(sql, [document_id]).fetchone()


def claim_of_003(database: Path) -> tuple[str, float]:
    with duckdb.connect(str(database), read_only=True) as con:
        sql = "select input_fact_ids, recomputed_value from intermediate.int_claims_recomputed where document_id = ?"
        return con.execute(sql, [DOC_003]).fetchone()


def differences(left: Path, right: Path, table: str) -> tuple[int, int]:
    """Rows of `table` only in left, and only in right (as multisets)."""
    with duckdb.connect() as con:
        con.execute(f"attach '{left}' as l (read_only)")
        con.execute(f"attach '{right}' as r (read_only)")
        return rows_only_in_each(con, f"l.{table}", f"r.{table}")


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A full build on the real sources; then sources change (one figure of 000, which a claim of 003
    reads; a new document implying the first CNY rate; document 001 removed) and the models are
    built again incrementally, and, in a copy, in full."""
    root = tmp_path_factory.mktemp("incremental")
    database = root / "incremental" / "ai_market.duckdb"
    database.parent.mkdir()
    with duckdb.connect(str(database)) as con:
        ingest(con, SOURCES)
        input_fact = link_claim_of_003_to_a_figure_of_000(con)
    dbt_run(database)
    claim_before = claim_of_003(database)
    for document_id in (DOC_002, DOC_003):
        leave_a_mark(database, document_id)
    with duckdb.connect(str(database)) as con:
        con.execute("update raw.facts set value = value * 2 where fact_id = ?", [input_fact])
        change_source_file(con, f"facts/{DOC_000}.jsonl")
        add_document_stating_cny_equivalents(con)
        remove_document(con, DOC_001)
    full = root / "full" / "ai_market.duckdb"
    full.parent.mkdir()
    shutil.copy(database, full)
    dbt_run(database)
    dbt_run(full, "--full-refresh")
    return {"incremental": database, "full": full, "claim_of_003_before": claim_before}


@pytest.mark.slow
@pytest.mark.parametrize("table", INCREMENTAL)
def test_incremental_build_after_changes_equals_a_full_rebuild_but_for_the_unchanged_marked_document(rebuilt: dict, table: str):
    marked_rows, _ = marked(rebuilt["incremental"], table, DOC_002)
    assert differences(rebuilt["incremental"], rebuilt["full"], table) == (marked_rows, marked_rows)


@pytest.mark.slow
@pytest.mark.parametrize("table", INCREMENTAL)
def test_only_documents_whose_inputs_changed_are_rebuilt(rebuilt: dict, table: str):
    rows_002, marked_002 = marked(rebuilt["incremental"], table, DOC_002)
    assert rows_002 > 0 and marked_002 == rows_002
    # 003's sources did not change, but its yuan amounts gained a rate and its claim's input changed:
    # the document is rebuilt, all of it
    rows_003, marked_003 = marked(rebuilt["incremental"], table, DOC_003)
    assert rows_003 > 0 and marked_003 == 0


@pytest.mark.slow
def test_a_new_rate_converts_another_documents_amounts(rebuilt: dict):
    with duckdb.connect(str(rebuilt["incremental"]), read_only=True) as con:
        converted = con.execute(
            "select count(*), count(amount_usd), min(fx_rate_document_id), min(fx_rate_basis) from intermediate.int_facts_in_usd "
            "where document_id = ? and unit = 'CNY'",
            [DOC_003],
        ).fetchone()
    assert converted == (7, 7, NEW_DOC, "nearest_document")


@pytest.mark.slow
def test_a_claim_is_recomputed_when_the_other_document_it_reads_changes(rebuilt: dict):
    # a lower bound's recomputed value is its input: $56 billion, doubled in document 000 only
    assert rebuilt["claim_of_003_before"] == ("d000.genai_vc_funding_2024", 56e9)
    assert claim_of_003(rebuilt["incremental"]) == ("d000.genai_vc_funding_2024", 112e9)


@pytest.mark.slow
def test_a_removed_document_leaves_no_rows(rebuilt: dict):
    for table in INCREMENTAL:
        assert marked(rebuilt["incremental"], table, DOC_001) == (0, 0)


def dbt_in(project: Path, database: Path, target: Path, *arguments: str) -> None:
    """dbt on the project copy at `project`, into `database`, with artifacts in `target`."""
    env = {**os.environ, "AI_MARKET_DBT_BUILD_PATH": str(database)}
    command = [str(DBT), *arguments, "--quiet", "--project-dir", str(project), "--profiles-dir", str(project), "--target-path", str(target)]
    subprocess.run(command, cwd=PROJECT, env=env, check=True)


def append_comment(path: Path) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\n-- reviewed\n", encoding="utf-8")


@pytest.fixture(scope="module")
def one_model_changed(built, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The session run's build database with the dbt state it kept; then one model's SQL
    (int_facts_in_usd) changes and the models are built again as the pipeline builds them: the
    changed model and the incremental models after it dropped (dbt_state.plan), the rest incremental."""
    from orchestration.provenance import step_code

    root = tmp_path_factory.mktemp("one_model")
    project, target = root / "dbt_project", root / "target"
    for folder in ("models", "macros", "tests"):
        shutil.copytree(PROJECT / "dbt_project" / folder, project / folder)
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copyfile(PROJECT / "dbt_project" / name, project / name)
    database = root / "build" / "ai_market.duckdb"
    session_build = build_path(built[1])
    shutil.copytree(session_build.parent, database.parent, ignore=shutil.ignore_patterns(session_build.with_name("dbt_target").name))
    state, code = dbt_state.state_dir(database), step_code("ingest")
    leave_a_mark(database, DOC_002)
    append_comment(project / "models" / "intermediate" / "int_facts_in_usd.sql")
    dbt_in(project, database, target, "parse")
    plan = dbt_state.plan(target / "manifest.json", code, state)
    with duckdb.connect(str(database)) as con:
        dbt_state.drop_for_rebuild(con, plan.rebuilt)
    dbt_in(project, database, target, "run")  # as `build` does, without its tests
    macros = project / "macros" / "incremental_by_document.sql"
    # inside a macro's body: text between macros belongs to none
    macros.write_text(
        macros.read_text(encoding="utf-8").replace(
            "{% macro documents_to_rebuild(fingerprint) -%}", "{% macro documents_to_rebuild(fingerprint) -%}\n    {#- reviewed -#}", 1
        ),
        encoding="utf-8",
    )
    dbt_in(project, database, target, "parse")
    return {"plan": plan, "database": database, "state": state, "target": target, "code": code}


@pytest.mark.slow
def test_one_changed_model_is_rebuilt_in_full_with_the_incremental_models_after_it(one_model_changed: dict):
    plan = one_model_changed["plan"]
    assert (plan.full_refresh, plan.rebuilt, plan.arguments) == (False, ("intermediate.int_facts_in_usd", "marts.facts"), ["build"])
    assert (
        plan.why
        == "dbt: models changed since the last build: int_facts_in_usd; rebuilt in full: intermediate.int_facts_in_usd, marts.facts"
    )
    database = one_model_changed["database"]
    for table in ("intermediate.int_facts_in_usd", "marts.facts"):
        rows, still_marked = marked(database, table, DOC_002)
        assert rows > 0 and still_marked == 0
    rows, still_marked = marked(database, "intermediate.int_claims_recomputed", DOC_002)
    assert rows > 0 and still_marked == rows  # not after the changed model: built incrementally, its rows kept


@pytest.mark.slow
def test_a_changed_macro_rebuilds_every_model_that_uses_it(one_model_changed: dict):
    plan = dbt_state.plan(one_model_changed["target"] / "manifest.json", one_model_changed["code"], one_model_changed["state"])
    assert plan.rebuilt == tuple(sorted(INCREMENTAL)) and not plan.full_refresh


def test_a_change_of_the_ingests_code_or_no_state_is_a_full_refresh(built, tmp_path: Path):
    from orchestration.provenance import step_code

    manifest, state = PROJECT / "dbt_project" / "target" / "manifest.json", dbt_state.state_dir(build_path(built[1]))
    unchanged = dbt_state.plan(manifest, step_code("ingest"), state)
    assert (unchanged.arguments, unchanged.rebuilt) == (["build"], ())
    other_code = dbt_state.plan(manifest, "other-ingest-code", state)
    assert (other_code.arguments, other_code.rebuilt) == (["build", "--full-refresh"], ())
    assert other_code.why == "dbt: full refresh, ingest_code_sha256 changed since the last build of every model"
    assert dbt_state.plan(manifest, step_code("ingest"), tmp_path / "no_state").arguments == ["build", "--full-refresh"]


def test_a_successful_pipeline_run_keeps_its_manifest_and_what_it_was_built_with(built):
    from orchestration.provenance import step_code

    _, published = built
    state = build_path(published).with_name("dbt_state")
    recorded = json.loads((state / "built_with.json").read_text(encoding="utf-8"))
    assert recorded == dbt_state.built_with(step_code("ingest"))
    assert "model.ai_market_ledger.int_facts_in_usd" in json.loads((state / "manifest.json").read_text(encoding="utf-8"))["nodes"]


def test_dbt_writes_no_log_file_beside_the_build_database_by_default(built):
    assert not (build_path(built[1]).with_name("dbt_target") / "dbt.log").exists()


def test_the_dbt_file_log_level_is_passed_to_dbt_and_checked(monkeypatch: pytest.MonkeyPatch):
    from orchestration import settings

    monkeypatch.setenv("DBT_LOG_LEVEL_FILE", "none")  # restored afterwards: export_for_dbt sets it
    monkeypatch.setenv("AI_MARKET_DBT_FILE_LOG_LEVEL", "DEBUG")
    settings.export_for_dbt()
    assert os.environ["DBT_LOG_LEVEL_FILE"] == "debug"
    monkeypatch.setenv("AI_MARKET_DBT_FILE_LOG_LEVEL", "verbose")
    with pytest.raises(ValueError, match="AI_MARKET_DBT_FILE_LOG_LEVEL='verbose'"):
        settings.export_for_dbt()
