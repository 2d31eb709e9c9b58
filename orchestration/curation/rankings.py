"""Ranks and zero counts written in words ('the highest', 'took the lead', 'followed by China and the United
Kingdom', 'bettered only by Israel and Singapore', 'outpacing Meta', "didn't produce any models"). They hold no
number token, so the drafter's reading of number mentions never meets them: these rules read the phrases
themselves. A phrase is drafted only when its sentence says what is ranked or counted (a metric of
metrics.csv), as 'took the lead' or 'produced no' alone are everyday English."""

import re

from .numbers import Quantity
from .places import is_demonym, places_in, qualifies_another
from .reading import COUNTED, NAME, NOT_NAMES, RANKED, Sentence, company_before
from .state import Draft

# 'the highest <X>' has 'highest' as its figure, as curators write it.
# 'topped' a ranking, not 'topped $5 billion' nor 'topped only by'.
TOPPED = r"topped(?!\s+(?:by|only)\b|\s+\S*[\d$€£¥₩])"
LEAD = re.compile(
    rf"\bthe (?P<figure>highest)(?=\s+\w)|\b(?P<phrase>led the charge|took the lead|at (?:its|the) forefront|ranked first|{TOPPED})\b",
    re.I,
)
FOLLOWED = re.compile(r"\bfollowed by\s+", re.I)
ONLY_BY = re.compile(r"\b(?:(?:bettered|surpassed|beaten|outranked|exceeded) only by|(?P<second>second) only to)\s+", re.I)
AHEAD = re.compile(r"\b(?:surpassing|outpacing|ahead of)\s+", re.I)
PRODUCED_NONE = re.compile(
    r"\b(?:did(?:n['’]t| not) produce any|(?:has|have)(?:n['’]t| not) produced any|produced no)\s+(?:[\w-]+\s+){0,2}?[\w-]*[a-z]s\b",
    re.I,
)
PRONOUN = re.compile(r"\b(?:the (?P<country>country|nation)|the (?P<company>company|firm)|it)\b", re.I)
WORD = r"(?:[A-Z](?:\.[A-Z])+\.?|[A-Z][\w&-]*)"  # 'U.S.' keeps its dots; 'OpenAI.' ends a sentence
ITEM = re.compile(rf"(?:the\s+)?(?P<name>{WORD}(?:\s+{WORD})*)")
GAP = re.compile(r",\s*and\s+|\s+and\s+|,\s*")
CHECK = "a {} written in words: check the subject, the value and the qualifier"


def draft_ranks(draft: Draft) -> None:
    """Every rank or zero count its sentence writes in words, in text order among the other facts."""
    for index, s in enumerate(draft.sentences):
        if s.headline:  # a headline's 'Tops' restates the body
            continue
        metric = rank_metric_of(s.of(draft.text))
        if metric:
            for found in LEAD.finditer(draft.text, s.start, s.end):
                lead(draft, index, found, metric)
            for found in FOLLOWED.finditer(draft.text, s.start, s.end):
                followed_by(draft, index, found, metric)
            for found in ONLY_BY.finditer(draft.text, s.start, s.end):
                only_by(draft, index, found, metric)
            for found in AHEAD.finditer(draft.text, s.start, s.end):
                ahead_of(draft, index, found, metric)
        for found in PRODUCED_NONE.finditer(draft.text, s.start, s.end):
            produced_none(draft, index, found)
    draft.facts.sort(key=lambda f: f["_start"])  # stable: the facts of one phrase keep their order


def rank_metric_of(sentence_text: str) -> str | None:
    return next((metric for pattern, metric in RANKED if pattern.search(sentence_text)), None)


def lead(draft: Draft, index: int, found: re.Match, metric: str) -> None:
    """'the highest', 'took the lead', 'at its forefront': the subject before it is first."""
    group = "figure" if found.group("figure") else "phrase"
    start, end = found.span(group)
    if any(f["_start"] < end and start < f["_end"] for f in draft.facts):  # 'ranked first' is read from its ordinal
        return
    subject = subject_before(draft, index, found.start())
    if subject:
        add(draft, index, start, end, subject, metric, 1, "exact", [f"'{found.group(group)}' read as rank 1"])


def followed_by(draft: Draft, index: int, found: re.Match, metric: str) -> None:
    """'X took the lead followed by A and B': A and B come next, in the order written, after X's rank."""
    s = draft.sentences[index]
    before = [f for f in draft.facts if f["_sentence"] == index and f["unit"] == "rank" and f["qualifier"] == "exact"]
    before = [f for f in before if f["_end"] <= found.start()]
    if not before:
        return
    leader = before[-1]
    for n, (name, name_end) in enumerate(names_after(draft.text, found.end(), s.end), 1):
        why = f"'followed by' after {leader['subject']}'s rank {leader['value']}: rank {leader['value'] + n} in the order written"
        add(draft, index, found.start(), name_end, named(draft, index, name), metric, leader["value"] + n, "exact", [why])


def only_by(draft: Draft, index: int, found: re.Match, metric: str) -> None:
    """'bettered only by A and B': the subject comes after them (rank 3); each of them is second at best."""
    s, text = draft.sentences[index], draft.text
    names = names_after(text, found.end(), s.end)[: 1 if found.group("second") else None]  # 'second' spells the subject's 2
    if not names:
        return
    subject = subject_before(draft, index, found.start()) or subject_after(draft, index, names[-1][1])
    if not subject:
        return
    start, end = found.start(), names[-1][1]
    add(draft, index, start, end, subject, metric, len(names) + 1, "exact", [f"ranked after the {len(names)} named: rank {len(names) + 1}"])
    for name, _ in names:
        low = found.start("second") + len("second ") if found.group("second") else start  # its figure must not spell 2
        why = f"one of the {len(names)} ranked above {subject[0]}: rank {len(names)} at most, the order among them is not stated"
        add(draft, index, low, end, named(draft, index, name), metric, len(names), "at_most", [why])


def ahead_of(draft: Draft, index: int, found: re.Match, metric: str) -> None:
    """'X ..., outpacing A, B, and C': each named one is below X (rank 2 at best after a first X)."""
    s = draft.sentences[index]
    names = names_after(draft.text, found.end(), s.end)
    if not names:
        return
    ranked = [f for f in draft.facts if f["_sentence"] == index and f["unit"] == "rank" and f["_end"] <= found.start()]
    subject = None if ranked else subject_before(draft, index, found.start())
    if not ranked and not subject:
        return
    rank = ranked[-1]["value"] + 1 if ranked and ranked[-1]["qualifier"] == "exact" else 2
    above = ranked[-1]["subject"] if ranked else subject[0]
    for name, _ in names:
        why = f"below {above}: rank {rank} at best, the text does not say it is {rank}"
        add(draft, index, found.start(), names[-1][1], named(draft, index, name), metric, rank, "at_least", [why])


def produced_none(draft: Draft, index: int, found: re.Match) -> None:
    """'didn't produce any foundation models': a count of 0 of the thing counted, when metrics.csv counts it."""
    metric = next((m for pattern, m in COUNTED if pattern.search(found.group())), None)
    subject = subject_before(draft, index, found.start()) if metric else None
    if subject:
        add(draft, index, *found.span(), subject, metric, 0, "exact", ["a count of none, written in words"], unit="count")


def names_after(text: str, at: int, hi: int) -> list[tuple[str, int]]:
    """The names listed from `at` ('Meta, Microsoft, and OpenAI'; 'China and the United Kingdom'), each with
    where it ends; the list ends with the name after 'and' ('Israel and Singapore, South Korea has')."""
    found: list[tuple[str, int]] = []
    last = False
    item = name_at(text, at, hi)
    while item:
        found.append(item)
        gap = GAP.match(text, item[1], hi)
        if last or not gap:
            break
        last = "and" in gap.group()
        item = name_at(text, gap.end(), hi)
    return found


def name_at(text: str, at: int, hi: int) -> tuple[str, int] | None:
    item = ITEM.match(text, at, hi)
    return (item.group("name"), item.end()) if item and item.group("name").split()[0] not in NOT_NAMES else None


def subject_before(draft: Draft, index: int, at: int) -> tuple[str, str, str, list[str]] | None:
    """The country, company or pronoun written last before `at` in its clause (else in its sentence);
    a pronoun ('the country') is the subject of the sentence before."""
    text, s = draft.text, draft.sentences[index]
    commas = [m.end() for m in re.finditer(r"[,;]", text[s.start : at])]
    for lo in dict.fromkeys([s.start + commas[-1] if commas else s.start, s.start]):
        # a demonym qualifies a noun ('Cohere, the Canadian firm, led'): it is never the subject itself
        candidates = [(p.start, named(draft, index, p.name)) for p in places_in(text, lo, at) if not is_demonym(p.name)]
        company = company_before(text, lo, at)
        if company and not places_in(company):
            candidates.append((text.rfind(company, lo, at), named(draft, index, company)))
        candidates += [(m.start(), pronoun(draft, index, m)) for m in PRONOUN.finditer(text, lo, at)]
        candidates = [c for c in candidates if c[1]]
        if candidates:
            return max(candidates, key=lambda c: c[0])[1]
    return None


def subject_after(draft: Draft, index: int, at: int) -> tuple[str, str, str, list[str]] | None:
    """'..., bettered only by Israel and Singapore, South Korea has become': the first name after the list."""
    s = draft.sentences[index]
    places = places_in(draft.text, at, s.end)
    return named(draft, index, places[0].name) if places else None


def pronoun(draft: Draft, index: int, found: re.Match) -> tuple[str, str, str, list[str]] | None:
    """The subject of the latest earlier sentence that names one ('the country' a country, 'the company' a
    company, 'it' either): the subject of its first fact stated exactly, else the first name it writes."""
    text = draft.text
    for earlier in reversed([x for x in draft.sentences[:index] if not x.headline]):
        kinds = {"country"} if found.group("country") else {"company"} if found.group("company") else {"country", "company"}
        at = draft.sentences.index(earlier)
        own = [f for f in draft.facts if f["_sentence"] == at and f["subject_type"] in kinds and f["qualifier"] == "exact"]
        if own:  # 'bettered only by Israel and Singapore, South Korea ...': the subject a fact of it has
            first = min(own, key=lambda f: f["_start"])
            why = f"'{found.group()}' read as {first['subject']}, the subject of the sentence before"
            return first["subject"], first["subject_type"], first["region"], [why]
        places = [] if found.group("company") else [(p.start, p.name) for p in places_in(text, earlier.start, earlier.end)]
        companies = [] if found.group("country") else companies_in(text, earlier)
        if places or companies:
            subject = named(draft, at, min(places + companies)[1])
            why = f"'{found.group()}' read as {subject[0]}, the subject of the sentence before"
            return (*subject[:3], [*subject[3], why])
    return None


def companies_in(text: str, s: Sentence) -> list[tuple[int, str]]:
    """The proper names of a sentence that are not places, where each starts."""
    found = []
    for match in NAME.finditer(text, s.start, s.end):
        company = company_before(text, match.start(), match.end())
        if company and not places_in(company):
            found.append((text.find(company, match.start(), match.end()), company))
    return found


def named(draft: Draft, index: int, name: str) -> tuple[str, str, str, list[str]]:
    """(subject, subject_type, region, notes): a country is its own region; a company's is the country
    the text gives it ('Germany's Helsing', 'German startup Helsing'), else GLOBAL."""
    text, s = draft.text, draft.sentences[index]
    name = re.sub(r"^the\s+", "", name, flags=re.I)
    places = places_in(name)
    if places and places[0].name == name:
        return name, "country", places[0].code, []
    at = text.find(name, s.start, s.end)
    near = places_in(text, max(s.start, at - 40), at) if at >= 0 else []
    own = [p for p in near if (is_demonym(p.name) or re.match(r"['’]s\s", text[p.end :])) and not qualifies_another(text, p, name)]
    if own:
        return name, "company", own[-1].code, [f"region {own[-1].code} from '{own[-1].name}'"]
    return name, "company", "GLOBAL", [f"no country stated for {name}: GLOBAL; set the country if it has one"]


def add(
    draft: Draft,
    index: int,
    start: int,
    end: int,
    subject: tuple,
    metric: str,
    value: int,
    qualifier: str,
    notes: list[str],
    unit: str = "rank",
) -> None:
    text, s = draft.text, draft.sentences[index]
    name, subject_type, region, subject_notes = subject
    figure = text[start:end]
    draft.facts.append(
        {
            "_sentence": index, "_start": start, "_end": end, "_notes": [*notes, *subject_notes, CHECK.format(unit)],
            "_quantity": Quantity(start, end, figure, value, "one", unit, qualifier, "in words"),
            "metric": metric, "subject": name, "subject_type": subject_type, "region": region, "value": value,
            "unit": unit, "scale": "one", "qualifier": qualifier, "figure": figure, "evidence": s.of(text),
        }
    )  # fmt: skip
