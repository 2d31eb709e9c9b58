"""Years that stand in no figure: covered by a fact's period, a peak year, a name, or a milestone."""

import re

from . import periods as periods_
from .numbers import Quantity
from .places import places_in
from .reading import company_before
from .state import Draft, exclude
from .timing import set_period


def year_mention(draft: Draft, index: int, q: Quantity) -> None:
    """A year that is not in a figure: covered by a fact's period, a peak year, a name, or a milestone."""
    text, s, year = draft.text, draft.sentences[index], int(q.figure)
    here = [f for f in draft.facts if f["_sentence"] == index]
    if any(f["_start"] <= q.start < f["_end"] for f in here):
        return
    if any(f["_period"].start.year <= year <= f["_period"].end.year for f in here):
        return
    peak = next((m for m in periods_.peak_year(text, s.start, s.end) if m.start("y") == q.start), None)
    month = any(p.type == "month" and p.span[0] <= q.start < p.span[1] for p in draft.periods[index])
    named = periods_.NAMED_YEAR.search(text, max(0, q.start - 40), q.end + 1)
    if peak or (named and named.end() >= q.end and not month and not _preposition_before(text, q.start)):
        if peak:
            draft.facts.append(peak_fact(draft, index, q))
            return
        exclude(
            draft, s, q.start, q.end, "A year in a name (an edition or title), not a figure.", "Check whether it dates the figures near it."
        )
        return
    if here:
        exclude(
            draft,
            s,
            q.start,
            q.end,
            "A year that dates another figure of the sentence, not a figure itself.",
            "Check which figure it dates.",
        )
        return
    if not text[s.start : q.start].strip():
        exclude(
            draft,
            s,
            q.start,
            q.end,
            "The year under review; it dates the figures after it, not a figure itself.",
            "Check the periods it sets.",
        )
        return
    draft.facts.append(milestone_fact(draft, index, q))


def _preposition_before(text: str, at: int) -> bool:
    return bool(re.search(r"\b(?:in|by|of|since|from|to|for|during|until)\s+$", text[max(0, at - 10) : at], re.I))


def peak_fact(draft: Draft, index: int, q: Quantity) -> dict:
    text, s = draft.text, draft.sentences[index]
    places = places_in(text, s.start, s.end)
    subject, kind = (places[0].name, "country") if places else (company_before(text, s.start, q.start) or "unknown", "company")
    fact = {"_sentence": index, "_start": q.start, "_end": q.end, "_quantity": q, "_notes": ["name the series that peaked in a note"]}
    fact |= {"metric": "peak_year", "subject": subject, "subject_type": kind, "region": places[0].code if places else "GLOBAL"}
    period = periods_.Period("year", q.figure, *periods_.labelled("year", int(q.figure))[1:], "stated", None, (q.start, q.end))
    set_period(fact, period, "stated")
    return fact | {"value": int(q.figure), "unit": "year", "scale": "one", "qualifier": "exact", "figure": q.figure, "evidence": s.of(text)}


def milestone_fact(draft: Draft, index: int, q: Quantity) -> dict:
    """'In February 2021, OpenAI launched ...': an event dated by the year (and month) written."""
    text, s = draft.text, draft.sentences[index]
    period = next((p for p in draft.periods[index] if p.span[0] <= q.start < p.span[1]), None)
    start = period.span[0] if period and period.type == "month" else q.start
    lead = re.search(
        r"(?:\b(?:end|beginning|start|middle)\s+of|\b(?:in|by|since|during))\s+$", text[max(s.start, start - 20) : start], re.I
    )
    if lead and period and period.type != "month":
        start -= len(lead.group())
    after = re.match(r"[\s,]*((?:[A-Z][\w.-]*|[a-z]+[A-Z]\w*)(?:\s+(?:[A-Z][\w.-]*|\(\w+\)))*)", text[q.end : s.end])
    subject = after.group(1) if after else (company_before(text, s.start, s.end) or "unknown")
    places = places_in(text, s.start, s.end)
    fact = {
        "_sentence": index,
        "_start": start,
        "_end": q.end,
        "_quantity": q,
        "_notes": ["a dated event: check the subject and that it is a milestone"],
    }
    fact |= {"metric": "milestone", "subject": subject, "subject_type": "technology", "region": places[0].code if places else "GLOBAL"}
    if period is None or period.type not in ("month", "year"):
        period = periods_.Period("year", q.figure, *periods_.labelled("year", int(q.figure))[1:], "stated", None, (q.start, q.end))
    set_period(fact, period, "stated")
    return fact | {
        "value": None,
        "unit": "event",
        "scale": "one",
        "qualifier": "exact",
        "figure": text[start : q.end],
        "evidence": s.of(text),
    }
