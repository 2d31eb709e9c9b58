"""The ingest reads and checks line by line only the files that changed since the last load into the
same build database, yet publishes exactly what a full ingest of the same tree publishes, and refuses
every bad input a full ingest refuses (the whole bad-input catalogue, run incrementally)."""

import hashlib
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from orchestration.ledger import reading
from orchestration.ledger.changes import since_last_load
from orchestration.ledger.ingest import ingest
from orchestration.ledger.violations import SourceValidationError

from .conftest import DOC_000, SourceCopy, build_path, published_fingerprint, rows_only_in_each, run_refresh
from .test_bad_input import CATALOGUE

CODE = "code-under-test"
RAW_TABLES = (
    "documents",
    "facts",
    "fact_inputs",
    "exclusions",
    "number_mentions",
    "regions",
    "currencies",
    "metrics",
    "measures",
    "providers",
    "source_files",
)
DOC_001 = "001_55f767c75a51dedd"
DOC_002 = "002_47236e943b7bd28c"
NEW_DOC = "900_copy_of_002"


def _raw_digest(con: duckdb.DuckDBPyConnection) -> str:
    """Every row of every raw table, in a stable order."""
    digest = hashlib.sha256()
    for table in RAW_TABLES:
        digest.update(repr(con.execute(f"select * from raw.{table} order by all").fetchall()).encode())
    return digest.hexdigest()


def _differences(con: duckdb.DuckDBPyConnection, other: str) -> dict[str, tuple[int, int]]:
    """Rows in each raw table of `con` and not in attached database `other`, and the other way round."""
    counts = {table: rows_only_in_each(con, f"raw.{table}", f"{other}.raw.{table}") for table in RAW_TABLES}
    return {table: pair for table, pair in counts.items() if pair != (0, 0)}


def _manifest(s: SourceCopy) -> list[dict]:
    return [json.loads(line) for line in (s.root / "documents" / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]


def _write_manifest(s: SourceCopy, entries: list[dict]) -> None:
    lines = "".join(json.dumps(entry, ensure_ascii=False) + "\n" for entry in entries)
    (s.root / "documents" / "manifest.jsonl").write_text(lines, encoding="utf-8")


def _copy_document(s: SourceCopy, source: str, new: str) -> None:
    """A new article: a copy of `source` under a new id, its facts renamed d002.* -> d900.*."""
    old_prefix, new_prefix = f"d{source[:3]}.", f"d{new[:3]}."

    def rename(fact_id: str) -> str:
        return new_prefix + fact_id.removeprefix(old_prefix) if fact_id.startswith(old_prefix) else fact_id

    shutil.copyfile(s.document(source), s.document(new))
    facts = s.read_facts(source)
    for fact in facts:
        fact.update(document_id=new, fact_id=rename(fact["fact_id"]))
        if "part_of" in fact:
            fact["part_of"] = rename(fact["part_of"])
        if "derived_from" in fact:
            fact["derived_from"] = [rename(i) for i in fact["derived_from"]]
    s.write_facts(facts, new)
    exclusions = s.root / "exclusions" / f"{source}.jsonl"
    lines = [json.loads(line) | {"document_id": new} for line in exclusions.read_text(encoding="utf-8").splitlines()]
    (s.root / "exclusions" / f"{new}.jsonl").write_text("".join(json.dumps(e) + "\n" for e in lines), encoding="utf-8")
    entry = next(e for e in _manifest(s) if e["document_id"] == source)
    _write_manifest(s, [*_manifest(s), entry | {"document_id": new}])


def _remove_document(s: SourceCopy, document_id: str) -> None:
    for path in (s.document(document_id), s.facts_file(document_id), s.root / "exclusions" / f"{document_id}.jsonl"):
        path.unlink()
    _write_manifest(s, [e for e in _manifest(s) if e["document_id"] != document_id])


@pytest.fixture
def loaded(sources: SourceCopy, tmp_path: Path) -> duckdb.DuckDBPyConnection:
    """A build database into which the four documents were ingested by CODE."""
    con = duckdb.connect(str(tmp_path / "build.duckdb"))
    ingest(con, sources.root, code_sha256=CODE)
    yield con
    con.close()


def _will_check_only_changes(con: duckdb.DuckDBPyConnection, s: SourceCopy) -> bool:
    reading.hash_files(con, reading.SourceTree(s.root.resolve()))
    return not since_last_load(con, CODE).everything


def test_an_unchanged_tree_is_not_read_again_and_raw_stays_the_same(loaded, sources: SourceCopy):
    before = _raw_digest(loaded)
    summary = ingest(loaded, sources.root, code_sha256=CODE)
    assert (summary.files_checked, summary.documents_rechecked) == (0, 0)
    assert (summary.documents, summary.facts, summary.exclusions, summary.numbers_in_text) == (4, 65, 16, 112)
    assert _raw_digest(loaded) == before


def test_edits_an_added_and_a_removed_document_load_exactly_as_a_full_ingest(loaded, sources: SourceCopy, tmp_path: Path):
    sources.replace_in_text("Elon Musk", "Elon R. Musk")  # document 000's text and the facts quoting it
    _copy_document(sources, DOC_002, NEW_DOC)
    _remove_document(sources, DOC_001)

    summary = ingest(loaded, sources.root, code_sha256=CODE)
    # the manifest, 000's text and facts, and 900's text, facts and exclusions; 001's files are gone
    assert summary.files_checked == 6
    assert summary.documents_rechecked == 3  # 000 and 900 covered again, 001's numbers removed
    assert (summary.documents, summary.facts, summary.exclusions) == (4, 65 - 2 + 18, 16 - 1 + 6)
    with duckdb.connect(str(tmp_path / "full.duckdb")) as full:
        ingest(full, sources.root)
    loaded.execute(f"attach '{tmp_path / 'full.duckdb'}' as full_load (read_only)")
    assert _differences(loaded, "full_load") == {}
    assert loaded.execute("select count(*) from raw.facts where evidence like '%Elon R. Musk%'").fetchone()[0] > 0
    assert loaded.execute(f"select count(*) from raw.number_mentions where document_id = '{DOC_001}'").fetchone()[0] == 0


@pytest.mark.parametrize("case", CATALOGUE)
def test_every_bad_input_is_refused_incrementally_too_and_raw_is_kept(case, loaded, sources: SourceCopy):
    before = _raw_digest(loaded)
    file, row, field, rule = CATALOGUE[case](sources)
    assert _will_check_only_changes(loaded, sources)  # (what stands in the tree is checked before: TREE_CATALOGUE)
    with pytest.raises(SourceValidationError) as refused:
        ingest(loaded, sources.root, hashed=True, code_sha256=CODE)
    assert (file, row, field, rule) in [(v.file, v.row, v.field, v.rule) for v in refused.value.violations]
    assert _raw_digest(loaded) == before


def test_a_new_fact_repeating_an_unchanged_files_fact_id_is_refused(loaded, sources: SourceCopy):
    facts = sources.read_facts(DOC_002)
    facts[0]["fact_id"] = "d000.genai_vc_funding_2023"  # a fact of document 000, whose file is unchanged
    sources.write_facts(facts, DOC_002)
    assert _will_check_only_changes(loaded, sources)
    with pytest.raises(SourceValidationError) as refused:
        ingest(loaded, sources.root, hashed=True, code_sha256=CODE)
    assert [(v.file, v.row, v.rule) for v in refused.value.violations] == [(f"facts/{DOC_002}.jsonl", 1, "unique_fact_id")]


def test_removing_only_a_facts_file_covers_that_documents_numbers_again(loaded, sources: SourceCopy):
    sources.facts_file(DOC_001).unlink()
    with pytest.raises(SourceValidationError) as refused:
        ingest(loaded, sources.root, code_sha256=CODE)
    uncovered = {(v.file, v.rule) for v in refused.value.violations}
    assert uncovered == {(f"documents/{DOC_001}.txt", "number_mapped")}


@pytest.mark.parametrize(
    "change",
    ["a reference list", "a schema", "the code", "no code named"],
)
def test_what_decides_which_rows_pass_makes_every_file_checked_again(change, loaded, sources: SourceCopy):
    code = CODE
    if change == "a reference list":
        with (sources.root / "reference" / "metrics.csv").open("a", encoding="utf-8") as metrics:
            metrics.write("new_metric,count,A metric added to the vocabulary\n")
    elif change == "a schema":
        schema = sources.root / "schemas" / "exclusion.schema.json"
        schema.write_text(schema.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    elif change == "the code":
        code = "other-code"
    else:
        code = None
    summary = ingest(loaded, sources.root, code_sha256=code)
    assert summary.files_checked == len(reading.SourceTree(sources.root).all_files())
    assert summary.documents_rechecked == 4


def test_a_failed_incremental_ingest_leaves_the_record_so_the_fix_is_checked_incrementally(loaded, sources: SourceCopy):
    facts_file = sources.facts_file(DOC_000)
    good = facts_file.read_bytes()
    sources.edit_fact("d000.mistral_2024", region="XX")
    with pytest.raises(SourceValidationError):
        ingest(loaded, sources.root, code_sha256=CODE)
    facts_file.write_bytes(good)
    assert ingest(loaded, sources.root, code_sha256=CODE).files_checked == 0


def _files_checked_anew(result) -> int:
    (facts,) = [e for e in result.get_asset_materialization_events() if e.asset_key.to_user_string() == "raw/facts"]
    return facts.materialization.metadata["files_checked_anew"].value


@pytest.mark.slow
def test_the_pipelines_next_run_reads_only_the_changed_file_and_rebuilds_and_publishes_its_change(
    built, pipeline_env: Path, sources: SourceCopy, monkeypatch: pytest.MonkeyPatch
):
    assert _files_checked_anew(built[0]) == 21  # the session's run, on a data folder with no build database
    shutil.copytree(build_path(built[1]).parent, build_path(pipeline_env).parent)  # the build folder that run left
    before = published_fingerprint(pipeline_env)
    facts = sources.read_facts()
    facts[0]["note"] = "Curator's note added after the first publication."
    sources.write_facts(facts)
    result, _ = run_refresh(run_config={})  # the change itself must make the run build
    assert result.success and _files_checked_anew(result) == 1
    materialized = {event.asset_key.to_user_string() for event in result.get_asset_materialization_events()}
    assert {"raw/facts", "marts/facts", "published/warehouse"} <= materialized
    assert published_fingerprint(pipeline_env) != before
    with duckdb.connect(str(pipeline_env), read_only=True) as published:
        note = published.execute("select note from marts.facts where fact_id = ?", [facts[0]["fact_id"]]).fetchone()[0]
    assert note == "Curator's note added after the first publication."
