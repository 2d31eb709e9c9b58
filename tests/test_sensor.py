"""The source sensor fingerprints the tree by size and modification time first and hashes only the
files whose size or modification time changed, with the ingest's own hashing (reading.file_digest):
touching a file hashes it again and starts no run; a new, changed or removed file, a link, a folder
or a FIFO starts one."""

import json
import os
import stat
from pathlib import Path

import duckdb
from dagster import RunRequest, SkipReason, build_sensor_context

from orchestration.ledger import reading
from orchestration.resources import LedgerSettings
from orchestration.sensors import fingerprint_sources, source_files_changed, source_fingerprint

from .conftest import DOC_000, SourceCopy

SOURCE_FILES = 21  # the four seed documents' tree
ENTRIES = SOURCE_FILES + 5  # and its five folders


def _resources(sources: SourceCopy) -> dict:
    return {"settings": LedgerSettings(sources_dir=str(sources.root))}


def _touch(path: Path) -> None:
    status = path.stat()
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns + 1_000_000_000))


def test_a_first_fingerprint_hashes_every_file_as_the_ingest_does(sources: SourceCopy):
    first = fingerprint_sources(sources.root)
    assert (first.hashed, len(first.entries)) == (SOURCE_FILES, ENTRIES)
    with duckdb.connect() as con:
        ingest_hashes = reading.hash_files(con, reading.SourceTree(sources.root.resolve()))
    regular = {name: entry[3] for name, entry in first.entries.items() if entry[0] == stat.S_IFREG}
    assert regular == ingest_hashes


def test_an_unchanged_tree_hashes_no_file_and_keeps_its_digest(sources: SourceCopy):
    first = fingerprint_sources(sources.root)
    again = fingerprint_sources(sources.root, first.entries)
    assert (again.hashed, again.digest, again.entries) == (0, first.digest, first.entries)


def test_a_touched_file_is_hashed_again_and_leaves_the_digest_as_it_was(sources: SourceCopy):
    first = fingerprint_sources(sources.root)
    _touch(sources.facts_file())
    touched = fingerprint_sources(sources.root, first.entries)
    assert (touched.hashed, touched.digest) == (1, first.digest)
    assert touched.entries[f"facts/{DOC_000}.jsonl"][1] == first.entries[f"facts/{DOC_000}.jsonl"][1] + 1_000_000_000


def test_a_changed_file_is_the_only_one_hashed_and_changes_the_digest(sources: SourceCopy):
    first = fingerprint_sources(sources.root)
    sources.edit_fact("d000.mistral_2024", note="Checked against the press release.")
    changed = fingerprint_sources(sources.root, first.entries)
    assert changed.hashed == 1 and changed.digest != first.digest
    assert changed.digest == fingerprint_sources(sources.root).digest  # the same as hashing everything


def test_a_new_a_removed_file_a_folder_a_link_and_a_fifo_each_change_the_digest(sources: SourceCopy):
    digests, hashed = [], []

    def record() -> None:
        known = fingerprint_sources(sources.root) if not digests else previous[-1]
        now = fingerprint_sources(sources.root, known.entries)
        digests.append(now.digest)
        hashed.append(now.hashed)
        previous.append(now)

    previous: list = []
    record()
    (sources.root / "facts" / "004_new_article.jsonl").write_text("{}\n", encoding="utf-8")
    record()
    (sources.root / "facts" / "004_new_article.jsonl").unlink()
    record()
    (sources.root / "facts" / "archive").mkdir()
    record()
    (sources.root / "facts" / "alias.jsonl").symlink_to(sources.facts_file())
    record()
    os.mkfifo(sources.root / "exclusions" / "pipe.jsonl")  # never opened: hashing it would wait for ever
    record()
    assert len(set(digests)) == 5 and digests[0] == digests[2]  # removing the new file restores the first digest
    assert hashed == [0, 1, 0, 0, 0, 0]


def test_the_sensor_starts_a_run_for_a_change_and_none_for_a_touch(sources: SourceCopy):
    first = build_sensor_context(resources=_resources(sources))
    assert isinstance(source_files_changed(first), SkipReason)
    recorded = json.loads(first.cursor)
    assert recorded["digest"] == source_fingerprint(sources.root) and len(recorded["entries"]) == ENTRIES
    _touch(sources.document())
    touched = build_sensor_context(cursor=first.cursor, resources=_resources(sources))
    skipped = source_files_changed(touched)
    assert isinstance(skipped, SkipReason) and skipped.skip_message == f"source files unchanged (1 of {ENTRIES} hashed anew)"
    assert json.loads(touched.cursor)["digest"] == recorded["digest"] and touched.cursor != first.cursor
    sources.replace_in_text("Elon Musk", "Elon R. Musk")
    changed = build_sensor_context(cursor=touched.cursor, resources=_resources(sources))
    request = source_files_changed(changed)
    assert isinstance(request, RunRequest) and request.run_key == json.loads(changed.cursor)["digest"] != recorded["digest"]


def test_a_cursor_of_the_earlier_sensor_stays_valid(sources: SourceCopy):
    """Cursors were the bare digest; the digest is computed as it was, so no run starts on upgrade."""
    context = build_sensor_context(cursor=source_fingerprint(sources.root), resources=_resources(sources))
    assert isinstance(source_files_changed(context), SkipReason)
