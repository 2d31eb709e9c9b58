"""`ai-market-ledger draft sources/documents/<id>.txt`: the curation a person would otherwise type,
written as draft lines (`"review": "draft"`) for the curator to correct and confirm.

Reads only the text and its manifest line (drafting that line too when there is none); writes
facts/<id>.jsonl and exclusions/<id>.jsonl; then has the ingest rules and the claim audit check the
drafts (checking.check_sources) and shows each claim's arithmetic and status."""

import json
import re
import shutil
import sys
from pathlib import Path

from ..ledger.coverage import document_mentions
from . import links, periods
from .compose import compose
from .meaning import Vocabulary, lift_defaults, propose
from .numbers import is_projected
from .state import Draft, context_of, exclude

FACT_KEYS = (
    *("fact_id", "metric", "measure", "data_provider", "subject", "subject_type", "region"),
    *("period_type", "period_label", "period_start", "period_end"),
    *("period_basis", "period_text", "value", "unit", "scale", "qualifier", "figure", "evidence", "part_of", "derived_from"),
    *("derivation", "compares_across", "audit", "note", "review", "review_note"),
)


class DraftRefused(Exception):
    """A draft that would overwrite the curator's files, or that lacks what it needs."""


def draft(
    document_id: str, text: str, reference_year: int | None, author: str | None = None, vocabulary: Vocabulary | None = None
) -> Draft:
    """Every number of `text` drafted as a fact or an exclusion; pure: nothing is read or written."""
    drafted = compose(document_id, text, reference_year, author)
    links.link(drafted)
    if vocabulary:
        propose(drafted, vocabulary)
    account_for_every_number(drafted)
    return drafted


def account_for_every_number(drafted: Draft) -> None:
    """What the coverage check would still find uncovered becomes an exclusion the curator decides on."""
    facts = [fact_record(f, drafted.document_id) for f in drafted.facts]
    by_facts = {m.char_offset for m in mentions_of(drafted, facts, []) if m.covered_by_kind}
    drafted.exclusions = [e for e in drafted.exclusions if e["_at"] not in by_facts]  # a fact's figure or period covers it
    for mention in uncovered(drafted, facts):
        index = drafted.sentence_at(mention.char_offset)
        end = mention.char_offset + len(mention.token)
        exclude(drafted, drafted.sentences[index], mention.char_offset, end, "Not classified by the drafter.", "Decide: fact or exclusion.")


def uncovered(drafted: Draft, facts: list[dict]) -> list:
    return [m for m in mentions_of(drafted, facts, drafted.exclusions) if m.covered_by_kind is None]


def exclusion_record(exclusion: dict) -> dict:
    return {key: value for key, value in exclusion.items() if not key.startswith("_")}


def mentions_of(drafted: Draft, facts: list[dict], exclusions: list[dict]) -> list:
    """The coverage check's own reading of the drafted lines (with the dates a label fixes)."""
    exclusions = [e | {"_file": "draft", "_row": n} for n, e in enumerate(exclusions, 1)]
    internal = [
        f | {"period_start": str(d["_period"].start), "period_end": str(d["_period"].end)}
        for f, d in zip(facts, drafted.facts, strict=True)
    ]
    return document_mentions(drafted.document_id, drafted.text, internal, exclusions)


def fact_record(fact: dict, document_id: str) -> dict:
    """The line as written: no document_id (the file's name gives it) and no dates the label fixes."""
    record = {key: fact[key] for key in FACT_KEYS if key in fact}
    if fact.get("period_type") in ("fiscal_year", "range", "year_to_date"):
        record["period_start"], record["period_end"] = str(fact["_period"].start), str(fact["_period"].end)
    if "_part_of" in fact:
        record["part_of"] = fact["_part_of"]["fact_id"]
    if "derivation" in fact:
        record["derived_from"] = [f["fact_id"] for f in fact["_inputs"]]
        differs = [k for k in ("measure", "data_provider") if len({meaning_of(f, k) for f in fact["_inputs"]}) > 1]
        if fact["derivation"] != "fx_equivalent" and differs:
            record["compares_across"] = differs  # a named deal's share of its total, say
        # a growth of one figure has no base to recompute it from
        status = "consistent" if fact["_inputs"] and not (fact["derivation"] == "growth" and len(fact["_inputs"]) == 1) else "unverifiable"
        record["audit"] = {"expected_status": status, "why": "Drafted: replace with the audit's status and the reason."}
    notes = list(dict.fromkeys(fact["_notes"])) or ["check the subject and the metric"]
    record |= {"review": "draft", "review_note": "; ".join(notes)}
    return {key: record[key] for key in FACT_KEYS if key in record}


def meaning_of(fact: dict, field: str) -> str | None:
    """What an input means: its own measure or provider, or, for a currency equivalent, its amount's."""
    return fact["_fx_of"].get(field) if "_fx_of" in fact else fact.get(field)


def draft_manifest(document_id: str, text: str, reference_year: int | None) -> dict:
    """The manifest line of a text that has none: its headline and the latest year it states as past."""
    title = next(line.strip() for line in text.splitlines() if line.strip())
    stated = []
    for found in periods.find_periods(text, 0, len(text), None):
        before = text[max(0, found.span[0] - 60) : found.span[0]]
        if found.basis == "stated" and not is_projected(before.split(".")[-1]) and not re.search(r"\bby\s+$", before):
            stated.append(found.end.year if found.type != "fiscal_year" else int(found.label[2:]))
    year = reference_year or (max(stated) if stated else None)
    if year is None:
        raise DraftRefused("the text states no year to date it by: pass --reference-year")
    how = "given with --reference-year" if reference_year else f"the latest year the text states as past ({year})"
    return {
        "document_id": document_id, "title": title[:300], "title_basis": "stated", "outlet": None, "author": None,
        "published_start": f"{year}-01-01", "published_end": f"{year}-12-31", "date_basis": "inferred_from_content",
        "date_evidence": f"Drafted: reference year {how}; the publication dates are that whole year.",
        "reference_year": year, "language": "en", "review": "draft",
        "review_note": "title is the first line of the text; outlet, author and publication dates are not read from it: check them",
    }  # fmt: skip


def manifest_entry(sources: Path, document_id: str) -> dict | None:
    manifest = sources / "documents" / "manifest.jsonl"
    if not manifest.exists():
        return None
    for line in manifest.read_text(encoding="utf-8").splitlines():
        if line.strip() and json.loads(line).get("document_id") == document_id:
            return json.loads(line)
    return None


def write_jsonl(path: Path, records: list[dict]) -> None:
    """One record a line; no records, no file (the ingest refuses an empty one)."""
    if not records:
        path.unlink(missing_ok=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


def place_text(text_path: Path, sources: Path) -> Path:
    """The text inside sources/documents (copied there when it is elsewhere)."""
    target = sources / "documents" / text_path.name
    if target.exists() and target.resolve() != text_path.resolve() and target.read_bytes() != text_path.read_bytes():
        raise DraftRefused(f"{target} exists with other text; drafting {text_path} would replace it")
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(text_path, target)
    return target


def run(text_path: Path, sources: Path, reference_year: int | None = None, force: bool = False) -> int:
    """The command: draft, write, check, show. Exit 1 on a refusal or when the draft breaks a rule."""
    from .checking import check_sources
    from .validate import violation_lines

    document_id = text_path.stem
    outputs = (sources / "facts" / f"{document_id}.jsonl", sources / "exclusions" / f"{document_id}.jsonl")
    try:
        if not text_path.is_file():
            raise DraftRefused(f"{text_path}: no such text")
        existing = [str(p) for p in outputs if p.exists()]
        if existing and not force:
            raise DraftRefused(
                f"{', '.join(existing)} {'already exists' if len(existing) == 1 else 'already exist'}: pass --force to overwrite"
            )
        text = text_path.read_text(encoding="utf-8")
        entry = manifest_entry(sources, document_id)
        drafted_entry = entry is None
        if drafted_entry:
            entry = draft_manifest(document_id, text, reference_year)
        place_text(text_path, sources)
    except DraftRefused as refusal:
        print(f"draft refused: {refusal}", file=sys.stderr)
        return 1
    vocabulary = Vocabulary.read(sources)
    drafted = draft(document_id, text, reference_year or entry["reference_year"], entry.get("author"), vocabulary)
    facts = [fact_record(f, document_id) for f in drafted.facts]
    lift_defaults(entry, facts, drafted_entry)
    if drafted_entry:
        with open(sources / "documents" / "manifest.jsonl", "a", encoding="utf-8") as manifest:
            manifest.write(json.dumps(entry, ensure_ascii=False) + "\n")
        print(f"drafted the manifest line of {document_id} (reference year {entry['reference_year']})")
    write_jsonl(outputs[0], facts)
    write_jsonl(outputs[1], [exclusion_record(e) for e in drafted.exclusions])
    print(f"{outputs[0]}: {len(facts)} draft facts; {outputs[1]}: {len(drafted.exclusions)} draft exclusions")
    check = check_sources(sources, document=document_id, allow_drafts=True)
    if check.violations:
        print("\n".join(violation_lines(check)))
        print(f"the draft breaks {len(check.violations)} ingest rule(s): correct the lines named above", file=sys.stderr)
        return 1
    if check.documents == 0:
        print("the drafts were not audited: other files of the tree break ingest rules (see `ai-market-ledger validate`)", file=sys.stderr)
        return 1
    by_id = {f["fact_id"]: f for f in facts}
    for claim in check.claims:
        fact = by_id[claim.fact_id]
        fact["audit"] = {"expected_status": claim.status, "why": f"Drafted from the audit: {claim.arithmetic}."}
        fact["review_note"] += f"; the audit says: {claim.arithmetic}"
        print(f"  {claim.fact_id}: {claim.arithmetic}")
    write_jsonl(outputs[0], facts)
    return 0


__all__ = ["DraftRefused", "context_of", "draft", "draft_manifest", "fact_record", "run"]
