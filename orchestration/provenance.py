"""What a published version was built from: each step's code, the tool versions and the source
files. The publish records it; the next run compares against it, so that a rerun with nothing
changed does not rebuild what is already published, and a change to one step's code redoes that
step and those after it, not the others.

Each step's code is hashed with its dependencies, as owid/etl hashes its steps: the step's own
files and every module of this package they import (followed through relative imports), with the
pinned tool versions (requirements.lock). A step's hash then changes exactly when something that
step runs changes. The dbt step's models are compared one by one with dbt's own state instead
(dbt_assets.py); the hash here says only whether any of them changed."""

import ast
import hashlib
import json
import subprocess
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import duckdb

from . import settings
from .ledger.ingest import hash_sources
from .ledger.publishing import Layout
from .ledger.recovery import LOCK_NAME
from .ledger.violations import SourceValidationError

CODE_PATHS = ("orchestration", "dbt_project/models", "dbt_project/macros", "dbt_project/tests", "expectations")
CODE_FILES = ("pyproject.toml", "requirements.lock", "dbt_project/dbt_project.yml", "dbt_project/profiles.yml")
# The engine dbt builds on is a build input too: a version built on Spark is not rebuilt as unchanged on DuckDB.
TOOL_VERSIONS = ("dagster_version", "dbt_version", "duckdb_version", "storage_version", "engine")
# Columns of meta.publication that, with the source files, decide what a build produces.
BUILD_INPUTS = ("code_sha256", *TOOL_VERSIONS)
DBT_FILES = (
    "dbt_project/dbt_project.yml",
    "dbt_project/profiles.yml",
    "dbt_project/models/**/*",
    "dbt_project/macros/**/*",
    "dbt_project/tests/**/*",
)


@dataclass(frozen=True)
class Step:
    """A step of the run: the Python modules it runs (with what they import) and its other files."""

    name: str
    modules: tuple[str, ...]
    files: tuple[str, ...] = ()


STEPS = (
    # the raw rows depend on the ledger's checks; the asset around them only calls them
    Step("ingest", ("orchestration/ledger/ingest.py",), ("orchestration/sources.py", "orchestration/ledger/*.sql")),
    Step("dbt", ("orchestration/dbt_assets.py",), DBT_FILES),
    Step("gates", ("orchestration/checks.py",), ("expectations/*.json",)),
    Step("publish", ("orchestration/publish.py",)),
    Step("report", ("orchestration/report.py",)),
)
STEP_COLUMNS = tuple(f"{step.name}_code_sha256" for step in STEPS)
# What every step runs with.
SHARED_FILES = ("requirements.lock",)


def _git(*arguments: str) -> str:
    return subprocess.run(["git", *arguments], cwd=settings.PROJECT_ROOT, capture_output=True, text=True, check=True).stdout


def digest_files(root: Path, files: list[Path]) -> str:
    """sha256 of `files`, each with its path under `root`, in the order given."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def code_sha256() -> str:
    """sha256 of all the pipeline's code files, names included."""
    root = settings.PROJECT_ROOT
    files = sorted(p for folder in CODE_PATHS for p in (root / folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return digest_files(root, files + [root / name for name in CODE_FILES])


def _imported(module: Path) -> list[Path]:
    """The files of this package that `module` imports with relative imports."""
    found = []
    for node in ast.walk(ast.parse(module.read_bytes())):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = module.parents[node.level - 1]
            target = base.joinpath(*node.module.split(".")) if node.module else base
            found += [target.with_suffix(".py"), target / "__init__.py", *(target / f"{a.name}.py" for a in node.names)]
    return [path for path in found if path.is_file()]


def _with_imports(modules: list[Path]) -> set[Path]:
    seen: set[Path] = set()
    todo = list(modules)
    while todo:
        module = todo.pop()
        if module not in seen:
            seen.add(module)
            todo += _imported(module) + [p / "__init__.py" for p in module.parents if (p / "__init__.py").is_file()]
    return seen


def step_sha256(step: Step) -> str:
    root = settings.PROJECT_ROOT
    modules = _with_imports([root / name for name in step.modules])
    files = {p for pattern in (*step.files, *SHARED_FILES) for p in root.glob(pattern) if p.is_file() and "__pycache__" not in p.parts}
    return digest_files(root, sorted(modules | files))


def step_code(name: str) -> str:
    """The code hash of the step called `name` (the report records its own beside the version it drew)."""
    return step_sha256(next(step for step in STEPS if step.name == name))


def step_hashes() -> dict[str, str]:
    """Each step's code hash, by the meta.publication column that records it."""
    return {column: step_sha256(step) for column, step in zip(STEP_COLUMNS, STEPS, strict=True)}


def code_version() -> tuple[str | None, bool | None, str]:
    """(git commit, whether the work tree differs from it, sha256 of the pipeline's code files)."""
    try:
        commit = _git("rev-parse", "HEAD").strip()
        dirty = bool(_git("status", "--porcelain", "--", *CODE_PATHS, *CODE_FILES).strip())
    except (OSError, subprocess.CalledProcessError):
        commit, dirty = None, None
    return commit, dirty, code_sha256()


def tool_versions() -> dict[str, str]:
    values = (version("dagster"), version("dbt-core"), version("duckdb"), settings.storage_version(), settings.engine())
    return dict(zip(TOOL_VERSIONS, values, strict=True))


def build_inputs(code_sha256: str) -> dict[str, str]:
    return {"code_sha256": code_sha256, **tool_versions()}


def stale_steps(layout: Layout, source_sha256: dict[str, str], steps: dict[str, str], report: Path) -> set[str]:
    """What differs between the current published version and these source files, step hashes
    (step_hashes()) and tool versions: 'sources', 'tools' or the names of the steps whose code
    changed, and 'report' when the report folder `report` does not show this version drawn by this
    report code.
    Everything, when nothing is published or it records no step hashes (published before they were
    recorded)."""
    everything = {"sources", "tools", *(step.name for step in STEPS)}
    version_id = layout.current_version()
    if version_id is None:
        return everything
    try:
        published = layout.description(version_id)
    except (OSError, ValueError):
        return everything
    publication = published["publication"][0]
    stale = {step.name for step, column in zip(STEPS, STEP_COLUMNS, strict=True) if publication.get(column) != steps[column]}
    if any(publication.get(key) != value for key, value in tool_versions().items()):
        stale.add("tools")
    if {row["source_file"]: row["sha256"] for row in published["source_files"]} != source_sha256:
        stale.add("sources")
    stale.discard("report")  # the report is redrawn on its own, so what drew it is recorded with it
    if not report_drawn(report, version_id, steps["report_code_sha256"]):
        stale.add("report")
    return stale


def unchanged_publication(layout: Layout, source_sha256: dict[str, str], steps: dict[str, str], report: Path) -> str | None:
    """The current published version's id if it was built from exactly these source files (path and
    sha256), this code and these tool versions, and its report was drawn by this report code;
    otherwise None. It passed every gate on the same inputs, so building again would publish the
    same marts."""
    return None if stale_steps(layout, source_sha256, steps, report) else layout.current_version()


def report_drawn(report: Path, version_id: str, report_code: str | None = None) -> bool:
    """Whether the report in the folder `report` shows this version (drawn by the report code
    `report_code`, if given). A publication whose report was not drawn (the report step failed after the swap) is work still to
    do, so the next run does it again and draws the report of what it publishes: drawing from the
    build before the swap instead would describe a version that is not yet, and may never be, the
    published one."""
    try:
        drawn = json.loads((report / "chart_data.json").read_text(encoding="utf-8")).get("about", {})
    except (OSError, ValueError, AttributeError):
        return False
    return drawn.get("version_id") == version_id and report_code in (None, drawn.get("report_code_sha256"))


def nothing_to_do(files: int, version_id: str) -> str:
    return (
        f"Nothing to do: the {files} source files, the code and the tool versions are those of the current "
        f"published version {version_id}, which passed every gate. Models, gates and publish are skipped."
    )


def _writer_unreleased(layout: Layout) -> bool:
    """A writer holds the lock or died holding it: only a run (its Warehouse resource) may clean up."""
    try:
        record = json.loads((layout.root / LOCK_NAME).read_text(encoding="utf-8") or "{}")
    except FileNotFoundError:
        return False
    except (OSError, ValueError):
        return True
    return not record.get("released", True)


def before_a_run() -> tuple[str | None, bool]:
    """(the 'Nothing to do' message, whether only the report is to be drawn again), found without
    Dagster, dbt or GX (importing them costs seconds). (None, False) whenever a run must decide
    instead: nothing is published, a writer holds the lock or died holding
    it, or the source tree is refused (the run reports why, naming the file)."""
    layout = Layout(settings.warehouse_path())
    if layout.current_version() is None or _writer_unreleased(layout):
        return None, False
    with duckdb.connect() as con:
        try:
            files = hash_sources(con, settings.sources_dir())
        except SourceValidationError:
            return None, False
    stale = stale_steps(layout, files, step_hashes(), settings.report_dir())
    if not stale:
        return nothing_to_do(len(files), layout.current_version()), False
    return None, stale == {"report"}
