"""`make draft-eval`: draft the seed documents blind and score the drafts against their curated files.

Each seed text is drafted into a temporary copy of sources/ that holds the texts, the manifest and
the reference lists, and none of the curated facts or exclusions; those are read only afterwards,
to compare. Also drafts benchmarks/draft_article/ (an article written for this evaluation, with its
curation written by hand) and counts the typing the curator still has to do there."""

import contextlib
import io
import json
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..ledger.coverage import NUMBER
from ..settings import PROJECT_ROOT, sources_dir
from .checking import check_sources
from .draft import draft, exclusion_record, fact_record, manifest_entry, run, uncovered, write_jsonl
from .meaning import Vocabulary

FIELDS = ("value", "unit", "scale", "period_label", "metric", "region", "qualifier")
# Scored over the curated facts that have them (their own or the manifest's default).
MEANING = ("measure", "data_provider")
ARTICLE = PROJECT_ROOT / "benchmarks" / "draft_article"
# Free text a curator may keep as drafted: not counted as typing left.
FREE_TEXT = {"fact_id", "note", "review", "review_note", "reason", "context", "deal_round", "investor"}


@dataclass
class Score:
    curated: int = 0
    with_number: int = 0
    matched: int = 0
    matched_with_number: int = 0
    figure_exact: int = 0
    right: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    meant: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MEANING, 0))
    meant_right: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MEANING, 0))
    claims: int = 0
    claims_matched: int = 0
    claims_inputs: int = 0
    claims_status: int = 0
    mentions: int = 0
    accounted: int = 0
    unclassified: int = 0
    misses: list[str] = field(default_factory=list)


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()] if path.exists() else []


def blind_copy(sources: Path, into: Path) -> None:
    """The texts, manifest, reference lists and schemas; no facts and no exclusions."""
    for folder in ("documents", "reference", "schemas"):
        shutil.copytree(sources / folder, into / folder)
    for folder in ("facts", "exclusions"):
        (into / folder).mkdir()


def _span(evidence: str, figure: str) -> tuple[int, int]:
    at = evidence.find(figure)
    return (at, at + len(figure)) if at >= 0 else (-1, -1)


def match(curated: list[dict], drafted: list[dict]) -> dict[int, int]:
    """Curated line -> drafted line: the same evidence sentence and figures that overlap there."""
    pairs, used = {}, set()
    for i, c in enumerate(curated):
        lo, hi = _span(c["evidence"], c["figure"])
        for j, d in enumerate(drafted):
            dlo, dhi = _span(d["evidence"], d["figure"])
            if j not in used and d["evidence"] == c["evidence"] and lo < dhi and dlo < hi and lo >= 0:
                pairs[i] = j
                used.add(j)
                break
    return pairs


def score_document(
    curated: list[dict], drafted: list[dict], claims: dict[str, str], score: Score, entry: dict, vocabulary: Vocabulary
) -> None:
    pairs = match(curated, drafted)
    ids = {curated[i]["fact_id"]: drafted[j]["fact_id"] for i, j in pairs.items()}
    score.curated += len(curated)
    for i, c in enumerate(curated):
        numbered = bool(NUMBER.search(c["figure"]))
        score.with_number += numbered
        if "derivation" in c:
            score.claims += 1
        if i not in pairs:
            score.misses.append(f"{c['fact_id']} ({c['figure']!r}){'' if numbered else ' - no number token'}")
            continue
        d = drafted[pairs[i]]
        score.matched += 1
        score.matched_with_number += numbered
        score.figure_exact += d["figure"] == c["figure"]
        for name in FIELDS:
            score.right[name] += d.get(name) == c.get(name)
        for name in MEANING:
            meant = c.get(name, entry.get(f"default_{name}"))
            if meant and vocabulary.wants_meaning(c):  # what the ingest wants named (a rank takes the default too)
                score.meant[name] += 1
                score.meant_right[name] += d.get(name) == meant
        if "derivation" in c:
            score.claims_matched += 1
            inputs = [ids.get(x, "?") for x in c["derived_from"]]
            score.claims_inputs += d.get("derived_from") == inputs and d.get("derivation") == c["derivation"]
            score.claims_status += (
                claims.get(d["fact_id"], "unverifiable" if not d.get("derived_from") else "?") == c["audit"]["expected_status"]
            )


def typing_left(gold: list[dict], drafted: list[dict], key, defaults: dict | None = None) -> tuple[int, int, int]:
    """Lines the curator must still change, add or delete, the characters typed to do it, and the
    characters of the curated lines (the typing without the drafter). References are compared
    through the line matching, so the drafter's own fact ids may stay; a measure or provider is
    compared as it applies, the manifest's default where a line names none."""
    defaults = defaults or {}
    pairs = key(gold, drafted)
    ids = {gold[i].get("fact_id"): drafted[j].get("fact_id") for i, j in pairs.items()}
    lines = chars = 0
    for i, g in enumerate(gold):
        if i not in pairs:
            lines, chars = lines + 1, chars + len(json.dumps(g, ensure_ascii=False))
            continue
        d = drafted[pairs[i]]
        changed = []
        for name in MEANING:
            if defaults.get(name) and g.get(name, defaults[name]) != d.get(name, defaults[name]):
                changed.append(len(json.dumps({name: g.get(name, defaults[name])}, ensure_ascii=False)) - 2)
        for name, value in g.items():
            if name in MEANING and defaults.get(name):
                continue
            if name in FREE_TEXT:
                continue
            if name == "derived_from":
                value = [ids.get(x, x) for x in value]
            if name == "part_of":
                value = ids.get(value, value)
            if name == "audit":
                value, mine = value["expected_status"], d.get("audit", {}).get("expected_status")
            else:
                mine = d.get(name)
            if mine != value:
                changed.append(len(json.dumps({name: value}, ensure_ascii=False)) - 2)
        lines, chars = lines + bool(changed), chars + sum(changed)
    extra = len(drafted) - len(pairs)
    return lines + extra, chars, sum(len(json.dumps(g, ensure_ascii=False)) for g in gold)


def covered_positions(text: str, exclusion: dict) -> set[int]:
    """The characters of the text the exclusion's text covers (every occurrence inside every occurrence
    of its context), so that '€9.2 billion' meets the '9.2' and the 'billion' inside it."""
    found, at = set(), text.find(exclusion["context"])
    while at >= 0:
        inner = exclusion["context"].find(exclusion["text"])
        while inner >= 0:
            found.update(range(at + inner, at + inner + len(exclusion["text"])))
            inner = exclusion["context"].find(exclusion["text"], inner + 1)
        at = text.find(exclusion["context"], at + 1)
    return found


def match_exclusions(gold: list[dict], drafted: list[dict], text: str) -> dict[int, int]:
    pairs, used = {}, set()
    for i, g in enumerate(gold):
        for j, d in enumerate(drafted):
            if j not in used and covered_positions(text, g) & covered_positions(text, d):
                pairs[i] = j
                used.add(j)
                break
    return pairs


def draft_tree(root: Path, documents: list[str]) -> tuple[dict[str, list[dict]], dict[str, int], float]:
    """Draft each document into root; the drafted fact lines, the numbers left unclassified, the time."""
    drafted, unclassified, took = {}, {}, 0.0
    vocabulary = Vocabulary.read(root)
    for document_id in documents:
        entry = manifest_entry(root, document_id)
        text = (root / "documents" / f"{document_id}.txt").read_text(encoding="utf-8")
        started = time.perf_counter()
        made = draft(document_id, text, entry["reference_year"], entry.get("author"), vocabulary)
        took += time.perf_counter() - started
        facts = [fact_record(f, document_id) for f in made.facts]
        write_jsonl(root / "facts" / f"{document_id}.jsonl", facts)
        write_jsonl(root / "exclusions" / f"{document_id}.jsonl", [exclusion_record(e) for e in made.exclusions])
        drafted[document_id] = facts
        unclassified[document_id] = sum(e["reason"] == "Not classified by the drafter." for e in made.exclusions)
        assert not uncovered(made, facts), f"{document_id}: a number left unaccounted for"
    return drafted, unclassified, took


def evaluate(sources: Path) -> dict:
    documents = sorted(p.stem for p in (sources / "documents").glob("*.txt"))
    score = Score()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "sources"
        blind_copy(sources, root)
        drafted, unclassified, took = draft_tree(root, documents)
        started = time.perf_counter()
        check = check_sources(root, allow_drafts=True)
        checked = time.perf_counter() - started
        claims = {c.fact_id: c.status for c in check.claims}
        vocabulary = Vocabulary.read(sources)
        for document_id in documents:
            curated = read_jsonl(sources / "facts" / f"{document_id}.jsonl")
            entry = manifest_entry(sources, document_id) or {}
            score_document(curated, drafted[document_id], claims, score, entry, vocabulary)
            text = (sources / "documents" / f"{document_id}.txt").read_text(encoding="utf-8")
            score.mentions += len(NUMBER.findall(text))
        score.unclassified = sum(unclassified.values())
        score.accounted = score.mentions if not check.violations else score.mentions - len(check.violations)
    return {
        "score": score,
        "draft_seconds": took,
        "check_seconds": checked,
        "violations": check.violations,
        "articles": [article_typing(path, sources) for path in sorted(ARTICLE.glob("*.txt"))],
    }


def article_typing(text_path: Path, sources: Path) -> dict:
    """Run the draft command on an article in a fresh tree and count what its hand-written curation
    (beside it) still differs in, audit statuses included."""
    document_id = text_path.stem
    text = text_path.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "sources"
        for name in ("reference", "schemas"):
            shutil.copytree(sources / name, root / name)
        (root / "documents").mkdir()
        shutil.copyfile(text_path.with_suffix(".manifest.json"), root / "documents" / "manifest.jsonl")
        shutil.copyfile(text_path, root / "documents" / text_path.name)
        with contextlib.redirect_stdout(io.StringIO()):
            run(root / "documents" / text_path.name, root)
        facts, exclusions = read_jsonl(root / "facts" / f"{document_id}.jsonl"), read_jsonl(root / "exclusions" / f"{document_id}.jsonl")
    gold_facts, gold_exclusions = read_jsonl(text_path.with_suffix(".facts.jsonl")), read_jsonl(text_path.with_suffix(".exclusions.jsonl"))
    entry = json.loads(text_path.with_suffix(".manifest.json").read_text(encoding="utf-8"))
    defaults = {name: entry.get(f"default_{name}") for name in MEANING}
    fact_lines, fact_chars, fact_total = typing_left(gold_facts, facts, match, defaults)
    ex_lines, ex_chars, ex_total = typing_left(gold_exclusions, exclusions, lambda g, d: match_exclusions(g, d, text))
    return {
        "document_id": document_id, "words": len(text.split()),
        "lines": len(gold_facts) + len(gold_exclusions), "drafted_lines": len(facts) + len(exclusions),
        "lines_to_change": fact_lines + ex_lines, "chars_to_type": fact_chars + ex_chars, "chars_by_hand": fact_total + ex_total,
    }  # fmt: skip


def share(part: int, whole: int) -> str:
    return f"{part}/{whole} = {100 * part / whole:.1f}%" if whole else "n/a"


def report(result: dict) -> list[str]:
    s = result["score"]
    lines = [
        f"curated facts: {s.curated} ({s.with_number} with a number token; the rest state a rank or a count in words)",
        f"figure and evidence found:        {share(s.matched, s.curated)} of all, "
        f"{share(s.matched_with_number, s.with_number)} of those with a number",
        f"  evidence verbatim:              {share(s.matched, s.matched)} of the found",
        f"  figure written as curated:      {share(s.figure_exact, s.matched)}",
    ]
    lines += [f"  {name + ' right:':<31} {share(s.right[name], s.matched)}" for name in FIELDS]
    lines += [f"  {name + ' right:':<31} {share(s.meant_right[name], s.meant[name])} of the found that have one" for name in MEANING]
    lines += [
        f"claims found:                     {share(s.claims_matched, s.claims)}",
        f"  right inputs and derivation:    {share(s.claims_inputs, s.claims_matched)}",
        f"  audit status right:             {share(s.claims_status, s.claims_matched)}",
        f"numbers accounted for:            {share(s.accounted, s.mentions)} ({s.unclassified} left to the curator as unclassified)",
        f"draft time of the seeds: {result['draft_seconds']:.2f} s (the audit's check of the drafts: {result['check_seconds']:.2f} s)",
    ]
    lines += [
        f"typing left on {a['document_id']} ({a['words']} words): {a['lines_to_change']} of {a['lines']} curated lines "
        "to change, add or delete "
        f"({a['drafted_lines']} drafted); {a['chars_to_type']} characters to type, against {a['chars_by_hand']} by hand"
        for a in result["articles"]
    ]
    lines += [f"missed: {m}" for m in s.misses]
    return lines


def main() -> int:
    result = evaluate(sources_dir())
    print("\n".join(report(result)))
    for violation in result["violations"]:
        print(f"draft breaks a rule: {violation}", file=sys.stderr)
    return 1 if result["violations"] else 0


if __name__ == "__main__":
    sys.exit(main())
