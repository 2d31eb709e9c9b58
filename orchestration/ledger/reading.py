"""Read the source tree with DuckDB's own readers into temporary tables.

Files are read as text and split into numbered lines, so that every later message can name the file
and the row; JSON is parsed only after the structure checks have passed.

Every file is read once, and its size and checksum are taken from the very bytes that are loaded
(temp table loaded_files): a file edited while a run reads the tree is published with the checksum
of what was loaded from it, never with that of another state of the file. hash_files, which the
no-op check and the choice of what to read again use, is the tree as it stood before; the record an
ingest writes (raw.source_files) is what it loaded (checksums_as_loaded)."""

import hashlib
import os
import stat
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from .files import check_tree
from .violations import SourceValidationError, Violation

# One JSON line holds one record, a few kilobytes; far longer lines are refused before anything
# parses them (a line of tens of megabytes takes DuckDB's JSON checks past the memory limit).
MAX_LINE_BYTES = 1024 * 1024


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
    made the inserts wait on each other."""
    (before,) = con.execute("select current_setting('preserve_insertion_order')").fetchone()
    con.execute("set preserve_insertion_order = false")
    try:
        yield
    finally:
        con.execute(f"set preserve_insertion_order = {'true' if before else 'false'}")


LOADED_RECORD = '{"bytes": "BIGINT", "sha256": "VARCHAR", "last_modified": "TIMESTAMPTZ", "utf8": "BOOLEAN"}'
# What a reading statement records of each file, as DuckDB's read_blob gives it.
_READ_AS = "try(decode(content)) as text, sha256(content) as sha256, size as bytes, last_modified"


def _read_files(con: duckdb.DuckDBPyConnection, tree: SourceTree, target: str, select: str, files: list[Path]) -> None:
    """Insert into `target` what `select` makes of `files`, in one statement: it reads them as
    `read_blob($files)` with the columns of _READ_AS (`text` is NULL where a file is not UTF-8).
    A file that cannot be read (it went, or lost its permissions, since the tree was checked) fails
    the whole statement, so the files are then read one by one to name every such file."""

    def insert(paths: list[Path]) -> None:
        union, parameters = _in_shares(con, select, [str(path) for path in paths])
        with _in_any_order(con):
            con.execute(f"insert into {target} {union}", parameters)

    if not files:
        return
    try:
        insert(files)
        return
    except duckdb.IOException:
        pass
    problems = []
    for path in files:
        try:
            insert([path])
        except duckdb.IOException as error:
            problems.append(Violation(tree.relative(path), 0, "file", "unreadable_file", f"cannot be read: {error}"))
    raise SourceValidationError(problems)


def _not_utf8(tree: SourceTree, files: list[str]) -> list[Violation]:
    return [Violation(tree.relative(f), 0, "encoding", "utf8", "file is not valid UTF-8 text") for f in files]


def read_lines(con: duckdb.DuckDBPyConnection, tree: SourceTree, table: str, files: list[Path]) -> list[Violation]:
    """Create temp table `table` (source_file, line_number, line) from JSON-lines files; return problems
    that concern whole files or raw lines (byte-order mark, blank files, overlong lines). A file that
    is not UTF-8 raises at once: nothing of it can be checked further. Lines longer than
    MAX_LINE_BYTES are reported and left out, so that nothing after this parses them."""
    con.execute(f"create or replace temp table {table} (source_file varchar, line_number bigint, line varchar)")
    # Each file gives its lines and, as line 0, a record of the bytes they were read from, which goes
    # to loaded_files (one statement reads each file once; a column on every line would cost more).
    # A CR before the LF goes; then lines that trim() empties are blank (in a file saved with CRLF
    # too). rtrim() and trim() copy every line they are given (three quarters of this statement's
    # time at a million lines), so each is asked only where it can matter: rtrim where the line ends
    # in CR, trim where the first character is one it removes.
    _read_files(
        con,
        tree,
        table,
        f"""select source_file, line_number, line
        from (
            select source_file, line_number, if(line_number > 0 and ends_with(line, chr(13)), rtrim(line, chr(13)), line) as line
            from (
                select source_file, unnest(lines) as line, generate_subscripts(lines, 1) - 1 as line_number
                from (
                    select
                        regexp_extract(filename, '[^/]+/[^/]+$') as source_file,
                        list_prepend(
                            to_json({{bytes: bytes, sha256: sha256, last_modified: last_modified, utf8: text is not null}})::varchar,
                            coalesce(string_split(text, chr(10)), [])
                        ) as lines
                    from (select filename, {_READ_AS} from read_blob($files))
                )
            )
        )
        where line_number = 0 or trim(left(line, 1)) <> '' or trim(line) <> ''""",
        files,
    )
    con.execute(
        f"""insert into loaded_files
        select source_file, r.bytes, r.sha256, r.last_modified, r.utf8
        from (
            select source_file, json_transform(line, '{LOADED_RECORD}') as r
            from {table} where line_number = 0
        )"""
    )
    con.execute(f"delete from {table} where line_number = 0")
    names = [tree.relative(path) for path in files]
    # (a text that is not UTF-8 raised before; schemas and reference lists are read in Python)
    undecodable = [name for (name,) in con.execute("select source_file from loaded_files where not utf8").fetchall()]
    if undecodable:
        raise SourceValidationError(_not_utf8(tree, undecodable))
    read = {name for (name,) in con.execute(f"select distinct source_file from {table}").fetchall()}
    problems = [Violation(name, 0, "file", "not_empty", "file holds no records") for name in names if name not in read]
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
    overlong = f"from {table} where strlen(line) > {MAX_LINE_BYTES}"
    for name, line_number, size in con.execute(f"select source_file, line_number, strlen(line) {overlong}").fetchall():
        message = f"line of {size} bytes is longer than the {MAX_LINE_BYTES} allowed; one record takes one line of a few kilobytes"
        problems.append(Violation(name, line_number, "(record)", "max_line_length", message))
    con.execute(f"delete {overlong}")
    return problems


def read_texts(con: duckdb.DuckDBPyConnection, tree: SourceTree, files: list[Path]) -> list[Violation]:
    """Texts of `files` by document id (the file name without .txt), into temp table src_texts, with
    the size and checksum of the bytes read (also into loaded_files). Returns the files that are not
    UTF-8."""
    con.execute(
        """create or replace temp table src_texts (
            document_id varchar, content varchar, source_file varchar, bytes bigint, sha256 varchar, last_modified timestamptz
        )"""
    )
    _read_files(
        con,
        tree,
        "src_texts",
        f"""select parse_filename(filename, true), text, regexp_extract(filename, '[^/]+/[^/]+$'), bytes, sha256, last_modified
        from (select filename, {_READ_AS} from read_blob($files))""",
        files,
    )
    con.execute("insert into loaded_files select source_file, bytes, sha256, last_modified, content is not null from src_texts")
    return _not_utf8(tree, [name for (name,) in con.execute("select source_file from src_texts where content is null").fetchall()])


def read_bytes(con: duckdb.DuckDBPyConnection, tree: SourceTree, path: Path) -> bytes:
    """The bytes of a small file (a schema, a reference list), read once into Python and recorded in
    loaded_files. Opened without following links or waiting on a FIFO, should the file have been
    replaced since the tree was checked."""
    name = tree.relative(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as error:
        raise SourceValidationError([Violation(name, 0, "file", "unreadable_file", f"cannot be read: {error.strerror}")]) from None
    with os.fdopen(fd, "rb") as file:
        found = os.fstat(fd)
        if not stat.S_ISREG(found.st_mode):
            raise SourceValidationError([Violation(name, 0, "file", "regular_file", "is not a regular file")])
        data = file.read()
    modified = datetime.fromtimestamp(int(found.st_mtime), UTC)
    con.execute("insert into loaded_files values (?, ?, ?, ?, true)", [name, len(data), hashlib.sha256(data).hexdigest(), modified])
    return data


REFERENCE_KEYS = {
    "regions": "region_code",
    "currencies": "currency_code",
    "metrics": "metric",
    "measures": "measure",
    "providers": "data_provider",
}


def read_reference(con: duckdb.DuckDBPyConnection, tree: SourceTree, name: str) -> list[Violation]:
    """Load reference list `name` into temp table src_<name>; returns why it cannot be, if so."""
    path = tree.reference(name)
    # DuckDB parses a copy of the bytes hashed (a file object would import fsspec, slower than the check)
    with tempfile.NamedTemporaryFile(suffix=".csv") as copy:
        copy.write(read_bytes(con, tree, path))
        copy.flush()
        try:
            con.execute(
                f"create or replace temp table src_{name} as select * from read_csv(?, header = true, all_varchar = true)", [copy.name]
            )
        except duckdb.Error as error:
            return [Violation(tree.relative(path), 0, "file", "valid_csv", f"not a readable CSV file with a header line ({error})")]
    columns = [d[0] for d in con.execute(f"select * from src_{name} limit 0").description]
    if REFERENCE_KEYS[name] not in columns:
        return [
            Violation(tree.relative(path), 1, REFERENCE_KEYS[name], "valid_csv", f"the header line has no column {REFERENCE_KEYS[name]}")
        ]
    return []


def file_digest(path: str) -> tuple[str, int, str, datetime]:
    """(path, bytes, sha256, last_modified) of one file; OSError if it cannot be read."""
    with open(path, "rb") as file:
        status = os.fstat(file.fileno())
        sha256 = hashlib.file_digest(file, "sha256").hexdigest()
    # whole seconds, as read_blob gives the files the ingest reads
    return path, status.st_size, sha256, datetime.fromtimestamp(int(status.st_mtime), UTC)


def sha256_files(con: duckdb.DuckDBPyConnection, paths: list[str], table: str = "hashed_files") -> None:
    """Temp table `table` (filename, bytes, sha256, last_modified) of the files at `paths` (the
    ingest and the no-op check hash the whole tree with it; the sensor calls file_digest for the
    files whose size or modification time changed); raises OSError for a file that cannot be
    read. hashlib hashes with the GIL released, so threads share the cores: at 1M facts it
    took a third of the time of DuckDB's sha256 over read_blob (docs/performance.md)."""
    with ThreadPoolExecutor(max_workers=parallel_shares(con)) as pool:
        rows = list(pool.map(file_digest, paths))
    con.execute(f"create or replace temp table {table} (filename varchar, bytes bigint, sha256 varchar, last_modified timestamptz)")
    if rows:
        columns = [list(column) for column in zip(*rows, strict=True)]
        con.execute(f"insert into {table} select unnest($1), unnest($2), unnest($3), unnest($4)", columns)


def hash_files(con: duckdb.DuckDBPyConnection, tree: SourceTree) -> dict[str, str]:
    """Check what stands in the tree (files.check_tree), then take the checksum, size and
    modification time of every source file into temp table src_files; returns sha256 by file,
    relative to the source root. Starts loaded_files, which the readers fill."""
    problems = check_tree(tree.root)
    if problems:
        raise SourceValidationError(problems)
    sha256_files(con, [str(p) for p in tree.all_files()])
    con.execute(
        """create or replace temp table src_files as
        select regexp_extract(filename, '[^/]+/[^/]+$') as source_file, bytes, sha256, last_modified
        from hashed_files order by source_file"""
    )
    con.execute(
        "create or replace temp table loaded_files"
        " (source_file varchar, bytes bigint, sha256 varchar, last_modified timestamptz, utf8 boolean)"
    )
    return dict(con.execute("select source_file, sha256 from src_files").fetchall())


def checksums_as_loaded(con: duckdb.DuckDBPyConnection) -> None:
    """src_files, for the record the ingest writes: the size and checksum of the bytes each file was
    loaded from, and for the files not read again (unchanged since the last load), those hashed."""
    con.execute(
        """create or replace temp table src_files as
        select source_file, bytes, sha256, last_modified from loaded_files
        union all by name
        select * from src_files where source_file not in (select source_file from loaded_files)
        order by source_file"""
    )
