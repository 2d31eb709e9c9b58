"""What a published version was built from: the pipeline's code, the tool versions and the source
files. The publish records it; the next run compares against it, so that a rerun with nothing
changed does not rebuild what is already published."""

import hashlib
import json
import subprocess
from importlib.metadata import version

import duckdb

from . import settings
from .ledger.ingest import hash_sources
from .ledger.publishing import Layout
from .ledger.recovery import LOCK_NAME
from .ledger.violations import SourceValidationError

CODE_PATHS = ("orchestration", "dbt_project/models", "dbt_project/macros", "dbt_project/tests", "expectations")
CODE_FILES = ("pyproject.toml", "requirements.lock", "dbt_project/dbt_project.yml", "dbt_project/profiles.yml")
# Columns of meta.publication that, with the source files, decide what a build produces.
BUILD_INPUTS = ("code_sha256", "dagster_version", "dbt_version", "duckdb_version", "storage_version")


def _git(*arguments: str) -> str:
    return subprocess.run(["git", *arguments], cwd=settings.PROJECT_ROOT, capture_output=True, text=True, check=True).stdout


def code_sha256() -> str:
    """sha256 of the pipeline's code files, names included."""
    root = settings.PROJECT_ROOT
    files = sorted(p for folder in CODE_PATHS for p in (root / folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    digest = hashlib.sha256()
    for path in files + [root / name for name in CODE_FILES]:
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def code_version() -> tuple[str | None, bool | None, str]:
    """(git commit, whether the work tree differs from it, sha256 of the pipeline's code files)."""
    try:
        commit = _git("rev-parse", "HEAD").strip()
        dirty = bool(_git("status", "--porcelain", "--", *CODE_PATHS, *CODE_FILES).strip())
    except (OSError, subprocess.CalledProcessError):
        commit, dirty = None, None
    return commit, dirty, code_sha256()


def build_inputs(code_sha256: str) -> dict[str, str]:
    return dict(
        zip(
            BUILD_INPUTS,
            (code_sha256, version("dagster"), version("dbt-core"), version("duckdb"), settings.storage_version()),
            strict=True,
        )
    )


def unchanged_publication(layout: Layout, source_sha256: dict[str, str], code_sha256: str) -> str | None:
    """The current published version's id if it was built from exactly these source files (path and
    sha256), this code (code_sha256()) and these tool versions, and its report was drawn; otherwise None. It passed every gate on the same
    inputs, so building again would publish the same marts."""
    version_id = layout.current_version()
    if version_id is None:
        return None
    try:
        published = layout.description(version_id)
    except (OSError, ValueError):
        return None
    publication = published["publication"][0]
    same_code = all(publication.get(key) == value for key, value in build_inputs(code_sha256).items())
    same_files = {row["source_file"]: row["sha256"] for row in published["source_files"]} == source_sha256
    return version_id if same_code and same_files and report_drawn(version_id) else None


def report_drawn(version_id: str) -> bool:
    """Whether the report shows this version. A publication whose report was not drawn (the report
    step failed after the swap) is work still to do, so the next run does it again and draws the
    report of what it publishes: drawing from the build before the swap instead would describe a
    version that is not yet, and may never be, the published one."""
    try:
        drawn = json.loads((settings.report_dir() / "chart_data.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return drawn.get("about", {}).get("version_id") == version_id


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


def unchanged_before_a_run() -> str | None:
    """The 'Nothing to do' message when the sources, code and tool versions are those of the current
    publication, found without Dagster, dbt or GX (importing them costs seconds). None whenever a
    run must decide instead: nothing is published, a writer holds the lock or
    died holding it, or the source tree is refused (the run reports why, naming the file)."""
    layout = Layout(settings.warehouse_path())
    if layout.current_version() is None or _writer_unreleased(layout):
        return None
    with duckdb.connect() as con:
        try:
            files = hash_sources(con, settings.sources_dir())
        except SourceValidationError:
            return None
    version_id = unchanged_publication(layout, files, code_sha256())
    return nothing_to_do(len(files), version_id) if version_id else None
