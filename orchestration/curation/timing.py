"""Which period each drafted figure belongs to, from the periods its sentence (or the text before) writes."""

import re

from . import periods as periods_
from .reading import Sentence
from .state import Draft

YEAR_EARLIER = re.compile(r"[^,;]*?\b(?:a year (?:earlier|before|ago)|the (?:previous|prior|preceding) year)\b", re.I)


def resolved_periods(text: str, found: list[Sentence], reference_year: int | None) -> dict[int, list[periods_.Period]]:
    """Each sentence's periods, 'the same quarter of last year' resolved by the quarter written before it."""
    by_sentence, seen, in_force = {}, [], []
    for i, s in enumerate(found):
        written = periods_.find_periods(text, s.start, s.end, reference_year)
        here = []
        for period in written:
            if "part" in period.extra:
                period = year_in_force(text, s, period, written, in_force, reference_year)
            elif "same_year" in period.extra:
                period = periods_.same_year(period, in_force)
            elif period.label == "?":
                period = periods_.same_part(period, seen)
            if period:
                here.append(period)
                seen.append(period)
                in_force += [period] if _in_force(text, s, period) and period.type != "fiscal_year" else []
        by_sentence[i] = here
    return by_sentence


def _in_force(text: str, s: Sentence, period: periods_.Period) -> bool:
    """A period whose year the text states (or gives relative to now), and that dates no comparison's base."""
    return "part" not in period.extra and period.label != "?" and not COMPARISON.search(text[s.start : period.span[0]])


def year_in_force(text: str, s: Sentence, period, written: list, in_force: list, reference_year: int | None):
    """'the second quarter' with no year: the year its sentence names, else the year of the period in
    force before it (inferred), else the reference year (inferred)."""
    words = text[period.span[0] : period.span[1]]
    own = [p for p in written if p.type in ("year", "half") and _in_force(text, s, p)]
    if own:
        return periods_.in_year(period, own[0].start.year, own[0].basis, own[0].text, f"'{words}' is of the year its sentence names.")
    if in_force:
        model = in_force[-1]
        why = f"'{words}' names no year; the period in force, '{text[model.span[0] : model.span[1]]}', is {model.label}."
        return periods_.in_year(period, model.start.year, "inferred", None, why)
    if reference_year is None:
        return None
    return periods_.in_year(period, reference_year, "inferred", None, f"'{words}' names no year: the reference year {reference_year}.")


COMPARISON = re.compile(r"\b(?:times the|compared (?:to|with)|against|than|versus|from)\b[^,;]*$", re.I)


def _all_periods_before(draft: Draft, at: int, bases: bool = False) -> list[periods_.Period]:
    """The periods written before `at` that date no comparison's base ('from X in 2023'), or only those."""
    found = []
    for i in sorted(draft.periods):
        lo = draft.sentences[i].start
        found += [p for p in draft.periods[i] if p.span[1] <= at and bool(COMPARISON.search(draft.text[lo : p.span[0]])) == bases]
    # a quarter written without its year is itself inferred: a later sentence keeps the period in force
    return [p for p in found if "part" not in p.extra]


BASE_BEFORE = re.compile(r"\b(?:from|against|(?<!more )(?<!less )(?<!fewer )than|compared (?:to|with)|versus)\s+(?:the\s+)?$", re.I)


def _contrasted(text: str, lo: int, hi: int) -> bool:
    return bool(re.search(r"\b(?:against|compared (?:to|with)|than|versus|from)\b", text[lo:hi], re.I))


def assign_periods(draft: Draft) -> None:
    """A figure's period: the one written after it before the next figure, else before it since the
    previous figure, else one in its sentence that no contrast sets apart ('X, against Y in 2023'),
    else the last one the text wrote before (inferred)."""
    for fact in draft.facts:
        if "_fx_of" in fact:
            continue
        if "_span" in fact and draft.reference_year:
            plan_period(draft, fact)
            continue
        index, s = fact["_sentence"], draft.sentences[fact["_sentence"]]
        siblings = [f for f in draft.facts if f["_sentence"] == index and "_fx_of" not in f]
        position = siblings.index(fact)
        after_hi = siblings[position + 1]["_start"] if position + 1 < len(siblings) else s.end
        before_lo = siblings[position - 1]["_end"] if position else s.start
        own = draft.periods[index]
        # a multiple's later period is its base's ('twice the total for last year')
        choice = None if fact["unit"] == "ratio" else next((p for p in own if fact["_end"] <= p.span[0] < after_hi), None)
        choice = choice or next((p for p in reversed(own) if before_lo <= p.span[0] < fact["_start"]), None)
        if not choice:
            spans = sorted([(fact["_end"], p.span[0]) if p.span[0] >= fact["_end"] else (p.span[1], fact["_start"]), p] for p in own)
            choice = next((p for (lo, hi), p in spans if not _contrasted(draft.text, lo, hi)), None)
        earlier = _all_periods_before(draft, s.start)
        if YEAR_EARLIER.match(draft.text, fact["_end"], after_hi) and (choice or earlier):
            shifted = periods_.year_before(choice or earlier[-1])
            set_period(fact, shifted, "inferred")
            fact["note"] = f"'a year earlier' than {(choice or earlier[-1]).label}: {shifted.label}."
        elif choice:
            set_period(fact, choice, choice.basis)
            if "why" in choice.extra:
                fact["note"] = choice.extra["why"]
                if choice.basis == "inferred":
                    fact["_notes"].append(f"the year of '{draft.text[choice.span[0] : choice.span[1]]}' is inferred: check it")
        elif earlier:
            bases = _all_periods_before(draft, s.start, bases=True)
            carried = (
                bases[-1] if bases and BASE_BEFORE.search(draft.text, max(s.start, fact["_start"] - 20), fact["_start"]) else earlier[-1]
            )
            set_period(fact, carried, "inferred")
            fact["note"] = (
                f"The sentence names no period; '{draft.text[carried.span[0] : carried.span[1]]}' written before it is {carried.label}."
            )
        else:
            fact["_notes"].append("no period in the text: set period_label, period_type and period_basis")
            year = draft.reference_year or 2000
            set_period(fact, periods_.Period("year", str(year), *periods_.labelled("year", year)[1:], "inferred", None, (0, 0)), "inferred")
    for fact in draft.facts:
        if "_fx_of" in fact:
            base = fact["_fx_of"]
            for key in ("period_type", "period_label", "period_basis", "period_text", "note", "_period"):
                if key in base:
                    fact[key] = base[key]


def plan_period(draft: Draft, fact: dict) -> None:
    """A plan over a span to come: the reference year, as no period label can say 'the next five years'."""
    year = draft.reference_year
    set_period(fact, periods_.Period("year", str(year), *periods_.labelled("year", year)[1:], "inferred", None, (0, 0)), "inferred")
    span = fact["_span"].split(" ", 1)[1]
    fact["note"] = f"A plan over {span} from {year}; the period is the reference year."
    fact["_notes"].append(f"the span ('{span}') cannot be expressed as a period yet: the reference year stands in")


def set_period(fact: dict, period: periods_.Period, basis: str) -> None:
    fact |= {"period_type": period.type, "period_label": period.label, "period_basis": basis, "_period": period}
    if basis == "relative" and period.text:
        fact["period_text"] = period.text
    if period.note:
        fact["_notes"].append(period.note)
