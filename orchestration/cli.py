"""`ai-market-ledger`: look after the published warehouse from a terminal.

ai-market-ledger refresh    run the refresh_warehouse job now, in this process (what `make run` does);
                            one line per stage and a summary (--verbose: Dagster's events too)
ai-market-ledger versions   the kept versions, oldest first, the current one marked
ai-market-ledger rollback   make the version published before the current one current again
ai-market-ledger validate   check the source files against every ingest rule and audit their claims, without a run
ai-market-ledger review ID  write data/review/ID.html: the article with every number marked by what accounts for it

These commands run outside any Dagster run (most without importing Dagster), so they read their
paths from settings.py, the functions the LedgerSettings resource of a run falls back to; `refresh
--rebuild-unchanged` is the refresh job's run config `rebuild_unchanged`, the one switch for it.
"""

import argparse
import sys
from pathlib import Path

from . import settings
from .ledger import publishing
from .ledger.recovery import take_writer
from .ledger.writer_lock import WriterBusy


def _versions(layout: publishing.Layout) -> int:
    current = layout.current_version()
    for version_id in layout.version_ids():
        (publication,) = layout.description(version_id)["publication"]
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
        before, after, repaired = publishing.rollback(layout)
    except (RuntimeError, FileNotFoundError) as problem:
        print(f"rollback refused: {problem}", file=sys.stderr)
        return 1
    finally:
        lock.release()
    for line in repaired:
        print(f"repaired: {line}")
    print(f"{layout.published} now serves version {after} (was {before})")
    return 0


def _refresh(rebuild_unchanged: bool, verbose: bool) -> int:
    from .refresh import refresh_and_leave

    refresh_and_leave(rebuild_unchanged, verbose)
    return 1  # not reached: refresh_and_leave leaves the process with the run's exit status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ai-market-ledger", description="Run the pipeline and look after the published warehouse.")
    commands = parser.add_subparsers(dest="command", required=True)
    refresh = commands.add_parser("refresh", help="validate, build, gate and publish now (refresh_warehouse)")
    refresh.add_argument("--rebuild-unchanged", action="store_true", help="rebuild even if nothing changed since the current version")
    refresh.add_argument("--verbose", action="store_true", help="also print Dagster's event stream (it is always in the run's event log)")
    commands.add_parser("versions", help="list the kept versions, the current one marked with *")
    commands.add_parser("rollback", help="make the previously published version current again")
    validate = commands.add_parser("validate", help="check the source files and audit their claims, without Dagster, dbt or GX")
    validate.add_argument("--document", help="only this document's files and claims")
    validate.add_argument("--quiet", action="store_true", help="print only the problems, the claims off their expectation and a summary")
    review = commands.add_parser("review", help="write data/review/<id>.html: the text with every number marked by what covers it")
    review.add_argument("document", help="the document id, e.g. 000_0abe4671bbdbf48d")
    draft = commands.add_parser("draft", help="draft facts/<id>.jsonl and exclusions/<id>.jsonl from documents/<id>.txt")
    draft.add_argument("text", type=Path, help="the document's text, sources/documents/<id>.txt")
    for command in (validate, review, draft):
        command.add_argument("--sources", type=Path, default=None, help="the source tree (default: AI_MARKET_SOURCES or sources/)")
    draft.add_argument("--reference-year", type=int, help="the year 'this year' means, for a text without a manifest line")
    draft.add_argument("--force", action="store_true", help="overwrite the document's facts and exclusions files")
    arguments = parser.parse_args(argv)
    if arguments.command == "refresh":
        return _refresh(arguments.rebuild_unchanged, arguments.verbose)
    if arguments.command == "validate":
        from .curation import validate as validating

        return validating.run(arguments.sources or settings.sources_dir(), arguments.document, arguments.quiet)
    if arguments.command == "review":
        from .curation import review as reviewing

        return reviewing.run(arguments.sources or settings.sources_dir(), arguments.document, settings.data_dir() / "review")
    if arguments.command == "draft":
        from .curation import draft as drafting

        return drafting.run(arguments.text, arguments.sources or settings.sources_dir(), arguments.reference_year, arguments.force)
    layout = publishing.Layout(settings.warehouse_path())
    return _versions(layout) if arguments.command == "versions" else _rollback(layout)


if __name__ == "__main__":
    sys.exit(main())
