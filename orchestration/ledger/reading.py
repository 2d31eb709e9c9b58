"""Read the source tree with DuckDB's own readers into temporary tables.

Files are read as text and split into numbered lines, so that every later message can name the file
and the row; JSON is parsed only after the structure checks have passed."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
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


def parallel_shares(con: duckdb.DuckDBPyConnection) -> int:
    """Into how many shares to split a scan that DuckDB would run on one thread, so that the shares,
    as the branches of a union all (each a pipeline of its own), run side by side: one per thread."""
    (threads,) = con.execute("select current_setting('threads')").fetchone()
    return min(threads, 16)


def _in_shares(con: duckdb.DuckDBPyConnection, select: str, files: list[str]) -> tuple[str, dict[str, list[str]]]:
    """`select`, which reads the list `$files`, as a union of one such select per share of `files`,
    and its parameters. DuckDB reads a list of files on one thread (on two cores, shares hash and
    split a million facts in half the time). The rows come in no particular order."""
    shares = max(1, min(parallel_shares(con), len(files)))
    union = " union all ".join(f"({select.replace('$files', f'$files_{k}')})" for k in range(shares))
    return f"select * from ({union})", {f"files_{k}": files[k::shares] for k in range(shares)}


@contextmanager
def _in_any_order(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """The shares' rows come in no particular order anyway; DuckDB keeping the order they come in
    made the inserts wait on each other (at a million facts: the texts 1.4 to 0.2 s, the lines
    2.3 to 1.1 s)."""
    (before,) = con.execute("select current_setting('preserve_insertion_order')").fetchone()
    con.execute("set preserve_insertion_order = false")
    try:
        yield
    finally:
        con.execute(f"set preserve_insertion_order = {'true' if before else 'false'}")


def _read_text_files(con: duckdb.DuckDBPyConnection, tree: SourceTree, target: str, select: str, files: list[Path]) -> None:
    """Insert into `target` what `select` makes of `files` (it reads them as `read_text($files)`),
    in one statement. A file that is not UTF-8 fails the whole statement, so the files are then
    read one by one to name every such file."""

    def insert(paths: list[Path]) -> None:
        union, parameters = _in_shares(con, select, [str(path) for path in paths])
        with _in_any_order(con):
            con.execute(f"insert into {target} {union}", parameters)

    if not files:
        return
    try:
        insert(files)
        return
    except duckdb.InvalidInputException:
        pass
    problems = []
    for path in files:
        try:
            insert([path])
        except duckdb.InvalidInputException as error:
            problems.append(Violation(tree.relative(path), 0, "encoding", "utf8", f"file is not valid UTF-8 text ({error})"))
    raise SourceValidationError(problems)


def read_lines(con: duckdb.DuckDBPyConnection, tree: SourceTree, table: str, files: list[Path]) -> list[Violation]:
    """Create temp table `table` (source_file, line_number, line) from JSON-lines files; return problems
    that concern whole files or raw lines (byte-order mark, blank files). A file that is not UTF-8
    raises at once: nothing of it can be checked further."""
    con.execute(f"create or replace temp table {table} (source_file varchar, line_number bigint, line varchar)")
    # A CR before the LF goes; then lines that trim() empties are blank (in a file saved with CRLF
    # too). rtrim() and trim() copy every line they are given (three quarters of this statement's
    # time at a million lines), so each is asked only where it can matter: rtrim where the line ends
    # in CR, trim where the first character is one it removes.
    _read_text_files(
        con,
        tree,
        table,
        """select source_file, line_number, line
        from (
            select source_file, line_number, if(ends_with(line, chr(13)), rtrim(line, chr(13)), line) as line
            from (
                select regexp_extract(filename, '[^/]+/[^/]+$') as source_file, unnest(string_split(content, chr(10))) as line,
                    generate_subscripts(string_split(content, chr(10)), 1) as line_number
                from read_text($files)
            )
        )
        where trim(left(line, 1)) <> '' or trim(line) <> ''""",
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
    union, parameters = _in_shares(
        con,
        """select regexp_extract(filename, '[^/]+/[^/]+$') as source_file, size as bytes, sha256(content) as sha256, last_modified
        from read_blob($files)""",
        [str(p) for p in tree.all_files() if not p.is_symlink()],  # links are refused by name, later
    )
    con.execute(f"create or replace temp table src_files as {union} order by source_file", parameters)
    return dict(con.execute("select source_file, sha256 from src_files").fetchall())
