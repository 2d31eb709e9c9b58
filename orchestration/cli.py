"""`ai-market-ledger`: look after the published warehouse from a terminal.

ai-market-ledger versions   the kept versions, oldest first, the current one marked
ai-market-ledger rollback   make the version published before the current one current again
"""

import argparse
import json
import sys

from . import settings
from .ledger import publishing
from .ledger.recovery import take_writer
from .ledger.writer_lock import WriterBusy


def _versions(layout: publishing.Layout) -> int:
    current = layout.current_version()
    for version_id in layout.version_ids():
        description = json.loads((layout.versions / version_id / "publication.json").read_text(encoding="utf-8"))
        (publication,) = description["publication"]
        marker = "*" if version_id == current else " "
        gates = f"  gates passed {publication['gates_passed']}/{publication['gates']}" if "gates" in publication else ""
        print(f"{marker} {version_id}  run {publication.get('run_id')}{gates}")
    if current is None:
        print(f"nothing is published at {layout.published}")
    return 0


def _rollback(layout: publishing.Layout) -> int:
    # The writer lock keeps a rollback from crossing a run's publish.
    try:
        lock, _, cleaned = take_writer(settings.build_path(), layout, "rollback")
    except WriterBusy as busy:
        print(f"rollback refused: {busy}", file=sys.stderr)
        return 1
    try:
        for line in cleaned:
            print(line)
        before, after = publishing.rollback(layout)
    except (RuntimeError, FileNotFoundError) as problem:
        print(f"rollback refused: {problem}", file=sys.stderr)
        return 1
    finally:
        lock.release()
    print(f"{layout.published} now serves version {after} (was {before})")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ai-market-ledger", description="Look after the published warehouse.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("versions", help="list the kept versions, the current one marked with *")
    commands.add_parser("rollback", help="make the previously published version current again")
    arguments = parser.parse_args(argv)
    layout = publishing.Layout(settings.warehouse_path())
    return _versions(layout) if arguments.command == "versions" else _rollback(layout)


if __name__ == "__main__":
    sys.exit(main())
