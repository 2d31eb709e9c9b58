"""What may stand in the source tree, checked before any source file is opened for reading.

sources/ holds five folders and, in them, regular files with safe names. A link could bring in a
file from outside the tree (a permissive schema, say), so none is followed; a FIFO or a device would
make a reader wait for ever while it holds the writer lock, so none is opened. The check runs
first in every ingest, before the no-op check hashes the tree, so that a link, a folder or a special
file added with nothing else changed is refused rather than overlooked."""

import os
import re
import stat
from pathlib import Path

from .violations import Violation

# Source files are addressed by document id; anything else in a file name (path separators, '..',
# spaces, shell characters) is refused before DuckDB is asked to open it.
DATA_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*\.(?:jsonl|txt|csv)$")
SCHEMA_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*\.schema\.json$")
FOLDERS = {"documents": DATA_NAME, "facts": DATA_NAME, "exclusions": DATA_NAME, "reference": DATA_NAME, "schemas": SCHEMA_NAME}
REQUIRED = (
    "documents/manifest.jsonl",
    "reference/regions.csv",
    "reference/currencies.csv",
    "reference/metrics.csv",
    "reference/measures.csv",
    "reference/providers.csv",
    "schemas/document.schema.json",
    "schemas/fact.schema.json",
    "schemas/exclusion.schema.json",
)
MAX_FILE_BYTES = 64 * 1024 * 1024

UNSAFE_NAME = (
    "file names may hold only letters, digits, '_' and '-' before .jsonl/.txt/.csv, or .schema.json in schemas/ "
    "(no path separators, '..' or links)"
)
SPECIAL_KINDS = {
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
}


def check_tree(root: Path) -> list[Violation]:
    """Every problem with what stands under `root`, each named by its path relative to it."""
    if not root.is_dir():
        return [Violation(str(root), 0, "file", "required_file", "the source folder does not exist")]
    problems = [
        Violation(name, 0, "file name", "source_folder", f"sources/ holds only the folders {', '.join(FOLDERS)}")
        for name in sorted(os.listdir(root))
        if name not in FOLDERS
    ]
    for folder, pattern in FOLDERS.items():
        path = root / folder
        if path.is_symlink() or (path.exists() and not path.is_dir()):
            problems.append(Violation(folder, 0, "file name", "safe_file_name", "must be a folder of the source tree itself, not a link"))
        elif path.is_dir():
            problems += [problem for name in sorted(os.listdir(path)) if (problem := _check_entry(path / name, folder, pattern))]
    problems += [Violation(name, 0, "file", "required_file", "required file is missing") for name in REQUIRED if not (root / name).exists()]
    return problems


def _check_entry(path: Path, folder: str, pattern: re.Pattern) -> Violation | None:
    name = f"{folder}/{path.name}"  # not resolved: a link is named as the link
    found = os.lstat(path)
    kind = SPECIAL_KINDS.get(stat.S_IFMT(found.st_mode))
    if kind:
        return Violation(name, 0, "file", "regular_file", f"is {kind}, not a regular file; nothing under sources/ may be one")
    if not stat.S_ISREG(found.st_mode) or not pattern.match(path.name):
        return Violation(name, 0, "file name", "safe_file_name", UNSAFE_NAME)
    if found.st_size > MAX_FILE_BYTES:
        return Violation(name, 0, "file size", "max_file_size", f"{found.st_size} bytes is more than the {MAX_FILE_BYTES} allowed")
    try:
        os.close(os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK))
    except OSError as error:
        return Violation(name, 0, "file", "unreadable_file", f"cannot be opened for reading: {error.strerror}")
    return None
