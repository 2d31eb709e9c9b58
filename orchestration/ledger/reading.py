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


def read_lines(con: duckdb.DuckDBPyConnection, tree: SourceTree, table: str, files: list[Path]) -> list[Violation]:
    """Create temp table `table` (source_file, line_number, line) from JSON-lines files; return problems
    that concern whole files or raw lines (encoding, byte-order mark, blank files)."""
    con.execute(f"create or replace temp table {table} (source_file varchar, line_number bigint, line varchar)")
    problems = []
    for path in files:
        name = tree.relative(path)
        try:
            con.execute(
                f"""insert into {table}
                select ? as source_file, i as line_number, rtrim(lines[i], chr(13)) as line
                from (select string_split(content, chr(10)) as lines from read_text(?)), range(1, len(lines) + 1) t(i)
                where trim(lines[i]) <> ''""",
                [name, str(path)],
            )
        except duckdb.InvalidInputException as error:
            problems.append(Violation(name, 0, "encoding", "utf8", f"file is not valid UTF-8 text ({error})"))
            continue
        (records,) = con.execute(f"select count(*) from {table} where source_file = ?", [name]).fetchone()
        if records == 0:
            problems.append(Violation(name, 0, "file", "not_empty", "file holds no records"))
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


def read_texts(con: duckdb.DuckDBPyConnection, tree: SourceTree) -> dict[str, str]:
    """Document texts by document id (the file name without .txt), kept in temp table src_texts so
    that publishing does not read the files again."""
    con.execute("create or replace temp table src_texts (document_id varchar, content varchar)")
    for path in tree.documents():
        try:
            con.execute("insert into src_texts select ?, content from read_text(?)", [path.stem, str(path)])
        except duckdb.InvalidInputException as error:
            raise SourceValidationError([Violation(tree.relative(path), 0, "encoding", "utf8", str(error))]) from error
    return dict(con.execute("select document_id, content from src_texts").fetchall())


def read_reference(con: duckdb.DuckDBPyConnection, tree: SourceTree, name: str, key: str) -> frozenset[str]:
    """Load reference list `name` into temp table src_<name>; return the values of its `key` column."""
    con.execute(
        f"create or replace temp table src_{name} as select * from read_csv(?, header = true, all_varchar = true)",
        [str(tree.reference(name))],
    )
    return frozenset(value for (value,) in con.execute(f"select {key} from src_{name}").fetchall())
