"""Read the source tree with DuckDB's own readers into temporary tables.

Files are read as text and split into numbered lines, so that every later message can name the file
and the row; JSON is parsed only after the structure checks have passed."""

import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from .violations import SourceValidationError, Violation

# Source files are addressed by document id; anything else in a file name (path separators, '..',
# spaces, shell characters) is refused before DuckDB is asked to open it.
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*\.(?:jsonl|txt|csv)$")
MAX_FILE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class SourceTree:
    root: Path

    @property
    def manifest(self) -> Path:
        return self.root / "documents" / "manifest.jsonl"

    def documents(self) -> list[Path]:
        return sorted((self.root / "documents").glob("*.txt"))

    def facts(self) -> list[Path]:
        return sorted((self.root / "facts").glob("*.jsonl"))

    def exclusions(self) -> list[Path]:
        return sorted((self.root / "exclusions").glob("*.jsonl"))

    def reference(self, name: str) -> Path:
        return self.root / "reference" / f"{name}.csv"

    def schema(self, name: str) -> Path:
        return self.root / "schemas" / f"{name}.schema.json"

    def relative(self, path: Path | str) -> str:
        try:
            return str(Path(path).resolve().relative_to(self.root.resolve()))
        except ValueError:
            return str(path)

    def all_files(self) -> list[Path]:
        folders = ("documents", "facts", "exclusions", "reference", "schemas")
        return sorted(p for folder in folders for p in (self.root / folder).glob("*") if p.is_file())


UNSAFE_NAME = "file names may hold only letters, digits, '_' and '-' before .jsonl/.txt/.csv (no path separators, '..' or links)"


def check_file_names(tree: SourceTree) -> list[Violation]:
    problems = []
    for folder in ("documents", "facts", "exclusions", "reference"):
        entries = sorted((tree.root / folder).iterdir()) if (tree.root / folder).is_dir() else []
        for path in entries:
            name = f"{folder}/{path.name}"  # not resolved: a link must be named as the link
            if path.is_symlink() or not path.is_file() or not SAFE_NAME.match(path.name):
                problems.append(Violation(name, 0, "file name", "safe_file_name", UNSAFE_NAME))
            elif (size := path.stat().st_size) > MAX_FILE_BYTES:
                problems.append(Violation(name, 0, "file size", "max_file_size", f"{size} bytes is more than the {MAX_FILE_BYTES} allowed"))
    for required in (tree.manifest, tree.reference("regions"), tree.reference("currencies"), tree.reference("metrics")):
        if not required.is_file():
            problems.append(Violation(tree.relative(required), 0, "file", "required_file", "required file is missing"))
    return problems


def _read_text_files(con: duckdb.DuckDBPyConnection, tree: SourceTree, target: str, select: str, files: list[Path]) -> None:
    """Insert into `target` from one read_text over all `files` (one statement, so DuckDB reads them
    in parallel); `select` reads them as `read_text($files)`. A file that is not UTF-8 fails the
    whole statement, so the files are then read one by one to name every such file."""
    if not files:
        return
    statement = f"insert into {target} {select}"
    try:
        con.execute(statement, {"files": [str(path) for path in files]})
        return
    except duckdb.InvalidInputException:
        pass
    problems = []
    for path in files:
        try:
            con.execute(statement, {"files": [str(path)]})
        except duckdb.InvalidInputException as error:
            problems.append(Violation(tree.relative(path), 0, "encoding", "utf8", f"file is not valid UTF-8 text ({error})"))
    raise SourceValidationError(problems)


def read_lines(con: duckdb.DuckDBPyConnection, tree: SourceTree, table: str, files: list[Path]) -> list[Violation]:
    """Create temp table `table` (source_file, line_number, line) from JSON-lines files; return problems
    that concern whole files or raw lines (byte-order mark, blank files). A file that is not UTF-8
    raises at once: nothing of it can be checked further."""
    con.execute(f"create or replace temp table {table} (source_file varchar, line_number bigint, line varchar)")
    _read_text_files(
        con,
        tree,
        table,
        """select source_file, line_number, rtrim(line, chr(13)) as line
        from (
            select regexp_extract(filename, '[^/]+/[^/]+$') as source_file, unnest(string_split(content, chr(10))) as line,
                generate_subscripts(string_split(content, chr(10)), 1) as line_number
            from read_text($files)
        )
        where trim(line) <> ''""",
        files,
    )
    read = {name for (name,) in con.execute(f"select distinct source_file from {table}").fetchall()}
    problems = [
        Violation(tree.relative(path), 0, "file", "not_empty", "file holds no records") for path in files if tree.relative(path) not in read
    ]
    for name, line_number in con.execute(f"select source_file, line_number from {table} where starts_with(line, chr(65279))").fetchall():
        problems.append(
            Violation(
                name,
                line_number,
                "encoding",
                "no_byte_order_mark",
                "line starts with a UTF-8 byte-order mark; save the file as UTF-8 without BOM",
            )
        )
    return problems


def read_texts(con: duckdb.DuckDBPyConnection, tree: SourceTree, files: list[Path]) -> None:
    """Texts of `files` by document id (the file name without .txt), into temp table src_texts."""
    con.execute("create or replace temp table src_texts (document_id varchar, content varchar)")
    _read_text_files(con, tree, "src_texts", "select parse_filename(filename, true), content from read_text($files)", files)


def read_reference(con: duckdb.DuckDBPyConnection, tree: SourceTree, name: str) -> None:
    """Load reference list `name` into temp table src_<name>."""
    con.execute(
        f"create or replace temp table src_{name} as select * from read_csv(?, header = true, all_varchar = true)",
        [str(tree.reference(name))],
    )


def hash_files(con: duckdb.DuckDBPyConnection, tree: SourceTree) -> dict[str, str]:
    """Checksum, size and modification time of every source file, into temp table src_files (which
    becomes raw.source_files); returns sha256 by file, relative to the source root."""
    con.execute(
        """create or replace temp table src_files as
        select regexp_extract(filename, '[^/]+/[^/]+$') as source_file, size as bytes, sha256(content) as sha256, last_modified
        from read_blob($files)
        order by source_file""",
        {"files": [str(p) for p in tree.all_files() if not p.is_symlink()]},  # links are refused by name, later
    )
    return dict(con.execute("select source_file, sha256 from src_files").fetchall())
