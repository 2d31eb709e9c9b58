"""Shared fixtures: a private copy of the source tree, a private warehouse, and a real Dagster run
of the whole job against them (ephemeral instance, real DuckDB file, real dbt, real GX)."""

import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest

PROJECT = Path(__file__).resolve().parents[1]
SOURCES = PROJECT / "sources"
# Articles written for the tests, laid out like sources/ (their manifest holds only their own entries).
ARTICLES = PROJECT / "tests" / "articles"
DOC_000 = "000_0abe4671bbdbf48d"
# The marts the seeds' run publishes (dbt_project/models/marts).
MARTS = [
    "claim_audit",
    "country_rankings",
    "documents",
    "facts",
    "figure_comparisons",
    "funding_by_period",
    "funding_deals",
    "fx_rates",
    "indicators",
    "investment_plans",
    "market_size",
    "sector_performance",
]


class SourceCopy:
    """A writable copy of sources/ with helpers to edit facts the way a curator would."""

    def __init__(self, root: Path):
        self.root = root

    def facts_file(self, document_id: str = DOC_000) -> Path:
        return self.root / "facts" / f"{document_id}.jsonl"

    def document(self, document_id: str = DOC_000) -> Path:
        return self.root / "documents" / f"{document_id}.txt"

    def read_facts(self, document_id: str = DOC_000) -> list[dict]:
        return [json.loads(line) for line in self.facts_file(document_id).read_text(encoding="utf-8").splitlines()]

    def write_facts(self, facts: list[dict], document_id: str = DOC_000) -> None:
        self.facts_file(document_id).write_text("".join(json.dumps(f, ensure_ascii=False) + "\n" for f in facts), encoding="utf-8")

    def edit_fact(self, target: str, /, **changes) -> int:
        """Apply changes to the fact with id `target`; return its row number in the file (1-based)."""
        document_id = fact_id_document(target)
        facts = self.read_facts(document_id)
        row = next(i for i, f in enumerate(facts) if f["fact_id"] == target)
        facts[row].update(changes)
        self.write_facts(facts, document_id)
        return row + 1

    def replace_in_text(self, old: str, new: str, document_id: str = DOC_000) -> None:
        """Change the document and every fact quoting it, so that only the rule under test can fail."""
        path = self.document(document_id)
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new), encoding="utf-8")
        facts = self.read_facts(document_id)
        for fact in facts:
            fact["evidence"] = fact["evidence"].replace(old, new)
        self.write_facts(facts, document_id)


def rows_only_in_each(con: duckdb.DuckDBPyConnection, left: str, right: str) -> tuple[int, int]:
    """How many rows of relation `left` are not in `right`, and of `right` not in `left`, counted as
    multisets (EXCEPT ALL): (0, 0) when the two hold the same rows."""
    return tuple(
        con.execute(f"select count(*) from (select * from {a} except all select * from {b})").fetchone()[0]
        for a, b in ((left, right), (right, left))
    )


def fact_id_document(fact_id: str) -> str:
    prefix = fact_id.split(".")[0][1:]
    return next(p.stem for root in (SOURCES, ARTICLES) for p in (root / "documents").glob(f"{prefix}_*.txt"))


def sources_with_articles(root: Path, *document_ids: str) -> SourceCopy:
    """A copy of sources/ at `root` with the named test articles (tests/articles/) added as a curator
    adds them: text, manifest entry, facts and exclusions, and nothing else changed."""
    shutil.copytree(SOURCES, root)
    entries = {
        json.loads(line)["document_id"]: line
        for line in (ARTICLES / "documents" / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    }
    with (root / "documents" / "manifest.jsonl").open("a", encoding="utf-8") as manifest:
        for document_id in document_ids:
            manifest.write(entries[document_id] + "\n")
            shutil.copy(ARTICLES / "documents" / f"{document_id}.txt", root / "documents")
            for folder in ("facts", "exclusions"):
                if (ARTICLES / folder / f"{document_id}.jsonl").exists():
                    shutil.copy(ARTICLES / folder / f"{document_id}.jsonl", root / folder)
    return SourceCopy(root)


@pytest.fixture
def sources(tmp_path: Path) -> SourceCopy:
    root = tmp_path / "sources"
    shutil.copytree(SOURCES, root)
    return SourceCopy(root)


def published_fingerprint(published: Path) -> str:
    """A digest of what BI sees: which version the published path resolves to and every byte of it
    (DuckDB file, Parquet files, publication.json)."""
    digest = hashlib.sha256(str(published.resolve()).encode())
    folder = published.resolve().parent
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode() + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def failure_text(result) -> str:
    """Every failed step's description (or error), as the run log shows it."""
    texts = []
    for event in result.get_step_failure_events():
        data = event.step_failure_data
        texts.append((data.user_failure_data.description if data.user_failure_data else "") or data.error.message)
    return "\n".join(texts)


def build_path(published: Path) -> Path:
    return published.parent / "build" / "ai_market.duckdb"


@pytest.fixture
def pipeline_env(tmp_path: Path, sources: SourceCopy, built, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the pipeline at the private sources copy and a private data folder that already holds
    a published warehouse (a copy of the session's); returns the published path."""
    _, session_published = built
    data = tmp_path / "data"
    shutil.copytree(
        session_published.parent,
        data,
        symlinks=True,
        ignore=shutil.ignore_patterns("build", "alerts.jsonl", "alert_deliveries.jsonl", "writer.lock"),
    )
    monkeypatch.setenv("AI_MARKET_SOURCES", str(sources.root))
    monkeypatch.setenv("AI_MARKET_DATA_DIR", str(data))
    monkeypatch.setenv("AI_MARKET_DUCKDB", str(data / session_published.name))
    return data / session_published.name


def run_refresh(job: str = "refresh_warehouse", run_config: dict | None = None, asset_selection: list | None = None):
    """Execute a job (the refresh by default, or the assets of it selected) in this process, as
    `make run` does; return its result and instance. The refresh rebuilds even when nothing changed
    since the copied publication, unless run_config says otherwise (run_config={}: the short-cut)."""
    from dagster import DagsterInstance

    from orchestration.definitions import defs
    from orchestration.schedules import REBUILD_UNCHANGED

    if run_config is None:
        run_config = REBUILD_UNCHANGED if job == "refresh_warehouse" else {}

    instance = DagsterInstance.ephemeral()
    result = defs.resolve_job_def(job).execute_in_process(
        instance=instance, raise_on_error=False, run_config=run_config, asset_selection=asset_selection
    )
    return result, instance


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[object, Path]]:
    """One full, successful run of the pipeline on the real sources; yields its result and the
    published warehouse path (data/ai_market.duckdb in a temp folder)."""
    data = tmp_path_factory.mktemp("built")
    published = data / "ai_market.duckdb"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AI_MARKET_SOURCES", str(SOURCES))
        patch.setenv("AI_MARKET_DATA_DIR", str(data))
        patch.setenv("AI_MARKET_DUCKDB", str(published))
        result, _ = run_refresh()
        yield result, published


# The test articles that need a full run of their own (tests/articles/): one run serves them all.
TEST_ARTICLES_RUN = ("004_korea_h1_2025", "005_ai_index_2025")


@pytest.fixture(scope="session")
def with_test_articles(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], list[tuple]]:
    """One full, successful run of the pipeline on the seeds plus the test articles of
    TEST_ARTICLES_RUN; queries its published warehouse."""
    root = tmp_path_factory.mktemp("with_test_articles")
    sources = sources_with_articles(root / "sources", *TEST_ARTICLES_RUN)
    published = root / "data" / "ai_market.duckdb"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AI_MARKET_SOURCES", str(sources.root))
        patch.setenv("AI_MARKET_DATA_DIR", str(published.parent))
        patch.setenv("AI_MARKET_DUCKDB", str(published))
        result, _ = run_refresh()
    assert result.success, failure_text(result)
    return _query(published)


def _query(path: Path) -> Callable[[str], list[tuple]]:
    def run(sql: str) -> list[tuple]:
        with duckdb.connect(str(path), read_only=True) as con:
            return con.execute(sql).fetchall()

    return run


@pytest.fixture(scope="session")
def query(built) -> Callable[[str], list[tuple]]:
    """Queries the published warehouse, as BI does."""
    return _query(built[1])


@pytest.fixture(scope="session")
def build_query(built) -> Callable[[str], list[tuple]]:
    """Queries the private build database (raw, staging and intermediate live only there)."""
    return _query(build_path(built[1]))


os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
