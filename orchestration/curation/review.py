"""`ai-market-ledger review <id>`: one static HTML page per document for a curator, the article's
text with every number marked by what accounts for it (a fact, a claim, an exclusion, a draft line,
or nothing), and a click on a number showing that fact's fields, the exclusion's reason or the
claim audit's arithmetic. Everything comes from `check_sources`; nothing here decides coverage or
recomputes a claim. Every piece of text from the sources is passed through html.escape; besides,
the page's policy lets only its own script run."""

import base64
import hashlib
import re
import sys
from collections import Counter
from dataclasses import dataclass
from html import escape
from pathlib import Path

from ..ledger.coverage import NUMBER
from .checking import Check, ClaimCheck, check_sources

KINDS = {
    "fact": "fact",
    "claim": "claim (a fact with a derivation)",
    "exclusion": "exclusion",
    "draft": 'draft (still marked "review": "draft")',
    "uncovered": "nothing: the ingest refuses it",
    "unchecked": "not checked (the sources break a rule)",
}
FACT_FIELDS = (
    *("metric", "subject", "subject_type", "region", "period_type", "period_label", "period_start", "period_end"),
    *("period_basis", "period_text", "value", "unit", "scale", "qualifier", "figure", "part_of", "derivation"),
    *("audit_expected_status", "audit_why", "deal_round", "investor", "note", "evidence"),
)


@dataclass(frozen=True)
class Mark:
    start: int  # code points into the text
    token: str
    kind: str
    detail: str  # the id of the detail section a click shows
    status: str | None = None  # a claim's audit status
    how: str = ""  # how the number is covered, as raw.number_mentions says


@dataclass
class Review:
    html: str
    counts: Counter
    violations: int


def read_text(sources_root: Path, document_id: str) -> str:
    # Bytes decoded as the ingest reads them: no newline translation, so offsets are the ingest's.
    return (sources_root / "documents" / f"{document_id}.txt").read_bytes().decode("utf-8")


def _fact_kind(fact: dict, drafts: set[tuple[str, int]]) -> str:
    if (fact["source_file"], fact["source_line"]) in drafts:
        return "draft"
    return "claim" if fact["derivation"] else "fact"


def checked_marks(check: Check) -> list[Mark]:
    """Each row of raw.number_mentions as a mark, by what covers it."""
    facts = {fact["fact_id"]: fact for fact in check.fact_rows}
    claims = {claim.fact_id: claim for claim in check.claims}
    marks = []
    for mention in check.mentions:
        by, start, token = mention["covered_by"], mention["char_offset"], mention["token"]
        if mention["covered_by_kind"] in ("fact_figure", "fact_period"):
            claim = claims.get(by)
            how = "in the fact's figure" if mention["covered_by_kind"] == "fact_figure" else "a year or words of the fact's period"
            marks.append(Mark(start, token, _fact_kind(facts[by], check.drafts), _anchor(by), claim and claim.status, how))
        elif mention["covered_by_kind"] == "exclusion":
            file, line = by.rsplit(":", 1)
            kind = "draft" if (file, int(line)) in check.drafts else "exclusion"
            marks.append(Mark(start, token, kind, _anchor(by), how="listed in the exclusions"))
        else:
            marks.append(Mark(start, token, "uncovered", "rule:uncovered"))
    return marks


def unchecked_marks(check: Check, text: str, document_id: str) -> list[Mark]:
    """When a rule is broken there are no mentions: every number NUMBER finds, marked not checked,
    but those the ingest's own number_mapped violations name (by line and token), marked uncovered."""
    refused = Counter()
    for violation in check.violations:
        quoted = re.match(r"number '(.*?)' in ", violation.message)
        if violation.rule == "number_mapped" and violation.file == f"documents/{document_id}.txt" and quoted:
            refused[(violation.row, quoted.group(1))] += 1
    marks = []
    for match in NUMBER.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        if refused[(line, match.group())] > 0:
            refused[(line, match.group())] -= 1
            marks.append(Mark(match.start(), match.group(), "uncovered", "rule:uncovered"))
        else:
            marks.append(Mark(match.start(), match.group(), "unchecked", "rule:unchecked"))
    return marks


def _anchor(key: str) -> str:
    # fact ids and exclusion files hold no spaces (schema, safe_file_name), which is all an id may not hold
    return escape("for:" + key)


def marked_text(text: str, marks: list[Mark]) -> str:
    parts, at = [], 0
    for mark in sorted(marks, key=lambda m: m.start):
        if text[mark.start : mark.start + len(mark.token)] != mark.token:
            raise ValueError(f"mention {mark.token!r} at {mark.start} is not in the text as read")
        status = f' data-status="{escape(mark.status)}"' if mark.status else ""
        parts.append(escape(text[at : mark.start]))
        parts.append(
            f'<mark class="n {mark.kind}{" bad" if mark.status == "inconsistent" else ""}" data-kind="{mark.kind}"{status} '
            f'data-detail="{mark.detail}" data-how="{escape(mark.how)}" tabindex="0">{escape(mark.token)}</mark>'
        )
        at = mark.start + len(mark.token)
    return "".join(parts) + escape(text[at:])


def _rows(pairs: list[tuple[str, object]]) -> str:
    return "".join(f"<dt>{escape(name)}</dt><dd>{escape(str(value))}</dd>" for name, value in pairs if value is not None)


def claim_rows(claim: ClaimCheck) -> list[tuple[str, object]]:
    verdict = "as expected" if claim.as_expected else f"NOT as expected: gx_claim_audit will fail (expected {claim.expected_status})"
    return [
        ("audit", claim.arithmetic),
        ("status", claim.status),
        ("expected status", claim.expected_status),
        ("verdict", verdict),
        ("inputs", ", ".join(claim.inputs)),
    ]


def fact_section(fact: dict, claim: ClaimCheck | None, drafts: set[tuple[str, int]]) -> str:
    where = f"{fact['source_file']}:{fact['source_line']}"
    draft = [("review", "draft: not yet confirmed by a curator")] if (fact["source_file"], fact["source_line"]) in drafts else []
    audit = claim_rows(claim) if claim else []
    rows = [("fact_id", fact["fact_id"]), ("file:line", where), *draft, *audit, *((name, fact.get(name)) for name in FACT_FIELDS)]
    css = " bad" if claim and claim.status == "inconsistent" else ""
    heading = f"<h3>{escape(fact['fact_id'])}</h3>"
    return f'<section class="detail{css}" id="{_anchor(fact["fact_id"])}" hidden>{heading}<dl>{_rows(rows)}</dl></section>'


def exclusion_section(row: dict, drafts: set[tuple[str, int]]) -> str:
    key = f"{row['source_file']}:{row['source_line']}"
    draft = [("review", "draft: not yet confirmed by a curator")] if (row["source_file"], row["source_line"]) in drafts else []
    rows = [("exclusion", key), *draft, ("text", row["excluded_text"]), ("context", row["context"]), ("reason", row["reason"])]
    return f'<section class="detail" id="{_anchor(key)}" hidden><h3>excluded: {escape(key)}</h3><dl>{_rows(rows)}</dl></section>'


GENERIC_SECTIONS = """
<section class="detail" id="rule:uncovered" hidden><h3>nothing accounts for this number</h3><p>It is neither in a fact's figure
nor listed in the document's exclusions: the ingest refuses it (rule number_mapped). Add a fact or an exclusion.</p></section>
<section class="detail" id="rule:unchecked" hidden><h3>not checked</h3><p>The sources break an ingest rule (listed at the top),
so coverage was not computed. Mend those first.</p></section>"""


def violations_block(check: Check) -> str:
    if not check.violations:
        return ""
    items = "".join(f"<li>{escape(f'{v.file}:{v.row} {v.field}: {v.message} [{v.rule}]')}</li>" for v in sorted(check.violations))
    heading = f"<h2>{len(check.violations)} problem(s): the ingest refuses these sources</h2>"
    return f'<section class="violations">{heading}<ul>{items}</ul></section>'


def legend(counts: Counter, claims: list[ClaimCheck], refused: bool) -> str:
    items = "".join(
        f'<li><mark class="n {kind}">{escape(label)}</mark> <span class="count" data-kind="{kind}">{counts[kind]}</span></li>'
        for kind, label in KINDS.items()
    )
    bad = sum(claim.status == "inconsistent" for claim in claims)
    off = sum(not claim.as_expected for claim in claims)
    summary = f"{len(claims)} claims audited: {bad} inconsistent (red), {off} not as their curators expect"
    if refused:
        summary = "claims not audited: the sources break an ingest rule (above)"
    return f'<ul class="legend">{items}</ul><p class="claims">{escape(summary)}</p>'


def checked(sources_root: Path, document_id: str) -> Check:
    check = check_sources(sources_root, document=document_id, allow_drafts=True)
    if check.documents == 0 and not check.violations:
        # Refused for another document's files, whose violations the document's check leaves out:
        # the curator must see them, since nothing of this document was checked either.
        check = check_sources(sources_root, allow_drafts=True)
    return check


def build_review(sources_root: Path, document_id: str) -> Review:
    check = checked(sources_root, document_id)
    text = read_text(sources_root, document_id)
    marks = unchecked_marks(check, text, document_id) if check.violations else checked_marks(check)
    counts = Counter(mark.kind for mark in marks)
    claims = {claim.fact_id: claim for claim in check.claims}
    sections = [fact_section(fact, claims.get(fact["fact_id"]), check.drafts) for fact in check.fact_rows]
    sections += [exclusion_section(row, check.drafts) for row in check.exclusion_rows]
    page = PAGE.format(
        title=escape(document_id),
        violations=violations_block(check),
        legend=legend(counts, check.claims, bool(check.violations)),
        text=marked_text(text, marks),
        details="".join(sections) + GENERIC_SECTIONS,
        style=STYLE,
        script=SCRIPT,
        script_hash=base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode(),
    )
    return Review(page, counts, len(check.violations))


def run(sources_root: Path, document_id: str, out_dir: Path) -> int:
    if Path(document_id).name != document_id or not (sources_root / "documents" / f"{document_id}.txt").is_file():
        print(f"no document {document_id!r} in {sources_root / 'documents'}", file=sys.stderr)
        return 2
    review = build_review(sources_root, document_id)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{document_id}.html"
    path.write_text(review.html, encoding="utf-8")
    shown = ", ".join(f"{review.counts[kind]} {kind}" for kind in KINDS if review.counts[kind])
    print(f"{path}: {shown}")
    if review.violations:
        print(f"{review.violations} problem(s) in the sources of {document_id}: listed at the top of the page", file=sys.stderr)
        return 1
    return 0


STYLE = """
body{font:15px/1.6 system-ui,sans-serif;margin:0;display:flex;color:#222}
main{flex:1;padding:1em 2em;max-width:60em}
aside{width:30em;padding:1em;border-left:1px solid #ccc;position:sticky;top:0;height:100vh;overflow:auto;background:#fafafa}
.text{white-space:pre-wrap;font-family:Georgia,serif}
mark.n{padding:0 2px;border-radius:3px;cursor:pointer;border:1px solid transparent}
.fact{background:#cdeccd}.claim{background:#cfe0fb}.claim.bad{background:#f7b9b9;border-color:#c00;color:#900}
.exclusion{background:#e4e4e4;color:#555}.draft{background:#ffe08a}
.uncovered{background:#fff;border:2px dashed #c00 !important;color:#c00;font-weight:bold}
.unchecked{background:#fff;border:1px dotted #888 !important}
mark.selected{outline:3px solid #333}
.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.3em 1.2em}
.violations{border:2px solid #c00;background:#fee;padding:.5em 1em}
.detail.bad h3{color:#c00}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2em .8em}dt{font-weight:bold}dd{margin:0;word-break:break-word}
"""

SCRIPT = """
document.addEventListener("click", function (event) {
  var mark = event.target.closest("mark.n[data-detail]");
  if (!mark) return;
  document.querySelectorAll("mark.selected").forEach(function (m) { m.classList.remove("selected"); });
  document.querySelectorAll("section.detail").forEach(function (s) { s.hidden = true; });
  mark.classList.add("selected");
  var shown = document.getElementById(mark.dataset.detail);
  if (shown) { shown.hidden = false; }
  document.getElementById("hint").hidden = true;
  var how = document.getElementById("how");
  how.textContent = mark.dataset.how ? "\u201c" + mark.textContent + "\u201d: " + mark.dataset.how : "";
});
"""

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{script_hash}'">
<title>review {title}</title><style>{style}</style></head>
<body><main><h1>Review: {title}</h1>{violations}{legend}<div class="text">{text}</div></main>
<aside id="details"><p id="hint">Click a number to see what accounts for it.</p><p id="how"></p>{details}</aside>
<script>{script}</script></body></html>
"""
