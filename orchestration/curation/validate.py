"""`ai-market-ledger validate`: every ingest rule and the claim audit's verdicts, printed for a curator."""

import sys
import time
from itertools import groupby
from pathlib import Path

from .checking import Check, check_sources


def violation_lines(check: Check) -> list[str]:
    """Each violation once, grouped by file: `file:row field: message [rule]`."""
    lines = []
    for file, group in groupby(sorted(check.violations), key=lambda v: v.file):
        lines.append(f"{file}")
        lines += [f"  {v.file}:{v.row} {v.field}: {v.message} [{v.rule}]" for v in group]
    return lines


def claim_lines(check: Check, off_only: bool = False) -> list[str]:
    lines = []
    for claim in check.claims:
        if off_only and claim.as_expected:
            continue
        verdict = "as expected" if claim.as_expected else f"EXPECTED {claim.expected_status}: gx_claim_audit will fail"
        lines.append(f"  {claim.file}:{claim.line} {claim.fact_id}: {claim.arithmetic} ({verdict})")
    return lines


def run(sources: Path, document: str | None, quiet: bool = False) -> int:
    started = time.perf_counter()
    check = check_sources(sources, document)
    took = time.perf_counter() - started
    where = f"document {document}" if document else str(sources)
    if check.violations:
        print("\n".join(violation_lines(check)))
        print(f"{len(check.violations)} problem(s) in {where}: nothing was checked further ({took:.2f} s)", file=sys.stderr)
        return 1
    off = [claim for claim in check.claims if not claim.as_expected]
    if not quiet:
        print(f"claims, recomputed as the audit will ({len(check.claims)}):")
    for line in claim_lines(check, off_only=quiet):
        print(line)
    claims_of = f"claims of document {document}" if document else "claims"
    print(
        f"Every ingest rule holds ({check.documents} documents, {check.facts} facts, {check.exclusions} exclusions checked); "
        f"{len(check.claims) - len(off)} of {len(check.claims)} {claims_of} audit as their curators expect ({took:.2f} s)"
    )
    return 1 if off else 0
