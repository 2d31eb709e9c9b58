"""Every number mention of a text, as the coverage check tokenises it, made a draft fact or a draft
exclusion with its reason. Derived claims and part_of links are added by links.py."""

import re
from dataclasses import dataclass, field

from ..ledger.coverage import NUMBER
from . import periods as periods_
from .numbers import Quantity, is_projected, is_year, read_quantity
from .places import places_in, says_global
from .reading import Sentence, company_before, count_metric, group_before, money_metric, rank_metric, sentences

CREDIT = re.compile(r"^(?:Illustration|Photo|Image|Picture|Credit|Graphic|Source)s?\b", re.I)
BIOGRAPHY = re.compile(r"\byears? of experience\b|\bis an? (?:[\w-]+ )*?(?:writer|journalist|reporter|editor|author|columnist)\b", re.I)
SCALE_SUFFIX = re.compile(r"(?:st|nd|rd|th|bn|mn|tn|[mkb])\b", re.I)
FX_BETWEEN = re.compile(r"\s*\(\s*(?:about|approximately|around|roughly|some|or|equivalent to|approx\.|~)?\s*$", re.I)
PERIOD_WORDS = re.compile(
    r"\b(?:first|second|third|fourth|latter|1st|2nd|3rd|4th)\s+(?:half|quarter)\b|\b(?:half|quarter)\s+of\s+the\s+year\b|\b(?:half|quarter)[- ]year\b",
    re.I,
)
YEAR_EARLIER = re.compile(r"[^,;]*?\b(?:a year (?:earlier|before|ago)|the (?:previous|prior|preceding) year)\b", re.I)
STATED_VERB = re.compile(r"\b(?:was|were|is|are|reached|totaled|totalled|stood|had|hit)\b", re.I)
SPELLED_SMALL = re.compile(r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozen)", re.I)


@dataclass
class Draft:
    document_id: str
    text: str
    reference_year: int | None
    sentences: list[Sentence]
    periods: dict[int, list[periods_.Period]]
    facts: list[dict] = field(default_factory=list)
    exclusions: list[dict] = field(default_factory=list)

    def sentence_at(self, at: int) -> int:
        return next(i for i, s in enumerate(self.sentences) if s.start <= at < s.end or at < s.start)


def context_of(text: str, sentence: Sentence, start: int, end: int, words: int = 3) -> str:
    """Verbatim words around a token, within its sentence, that pin down where it stands."""
    before = re.findall(r"\S+\s*$", text[sentence.start : start]) and text[sentence.start : start]
    lo = start
    if before:
        cut = [m.start() for m in re.finditer(r"\S+", before)][-words:]
        lo = sentence.start + cut[0]
    after = [m.end() for m in re.finditer(r"\S+", text[end : sentence.end])][:words]
    hi = end + (after[-1] if after else 0)
    return text[lo:hi].strip()


def exclude(draft: Draft, sentence: Sentence, start: int, end: int, reason: str, note: str) -> None:
    draft.exclusions.append(
        {
            "text": draft.text[start:end],
            "context": context_of(draft.text, sentence, start, end),
            "reason": reason,
            "review": "draft",
            "review_note": note,
        }
    )


def reason_before_reading(draft: Draft, s: Sentence, start: int, end: int, author: str | None) -> tuple[str, str] | None:
    """Why a token is no figure, from where it stands alone: (reason, what the drafter is unsure of)."""
    text, token = draft.text, draft.text[start:end]
    if CREDIT.match(text[s.paragraph[0] : s.paragraph[1]]):
        return "Part of an image credit line, not a figure.", "Check that this line is a credit."
    if BIOGRAPHY.search(s.of(text)) or (author and author in s.of(text) and not s.headline):
        return "The author's biography, not a market figure.", "Check that this sentence is about the writer."
    if start > 1 and text[start - 1] == "-" and text[start - 2].isalpha():
        name = re.search(r"[\w.-]*$", text[:start]).group() + token
        return f"Part of the name {name} (a product, model or disease), not a figure.", "Check that this is a name."
    if token[:1].isdigit() and re.match(r"[A-Za-z]", text[end : end + 1]) and not SCALE_SUFFIX.match(text, end):
        return f"Part of the name {token}{re.match(r'[A-Za-z]+', text[end:]).group()}, not a figure.", "Check that this is a name."
    if re.fullmatch(r"\d+\.0", token) and not re.match(r"\s*(?:%|percent|[a-z]*illion|trillion|times)", text[end:]):
        return "A version or generation name (like AI 2.0), not a figure.", "Check that this is a version name."
    if re.search(r"\bper\s+$", text[max(0, start - 5) : start]):
        return f"Denominator of a per-capita measure (per {token}), not a figure.", "Check that this is a denominator."
    if re.search(r"\bTop\s+$", text[max(0, start - 5) : start]):
        return f"Size of a list named in a title (Top {token}), not a figure.", "Check that this is a list's name."
    for period in draft.periods[draft.sentences.index(s)]:
        if period.span[0] <= start and end <= period.span[1] and not re.fullmatch(periods_.YEAR, token):
            phrase = text[period.span[0] : period.span[1]]
            return f"Part of the period '{phrase}' ({period.label}), not a figure.", "The period is recorded on the facts of this sentence."
    words = PERIOD_WORDS.search(text, max(s.start, start - 12), min(s.end, end + 16))
    if words and words.start() <= start and end <= words.end():
        return f"Part of a period phrase ('{words.group()}'), not a figure.", "Check which period the text means."
    span = periods_.DURATION.search(text, start, min(s.end, end + 20))
    if span and span.start() == start and not re.fullmatch(periods_.YEAR, token):
        kind = "comparison period" if re.search(r"\b(?:prior|ago|earlier|before)\b", text[span.end() : span.end() + 8]) else "span of time"
        return f"A {kind} ('{span.group()}'), not a figure of its own.", "Check that no figure is stated for it."
    if re.match(r"(?:st|nd|rd|th)\b", text[end : end + 3]) and re.search(
        r"\bthe\s+$|\b" + periods_.MONTH + r"\s+$", text[max(0, start - 12) : start]
    ):
        return f"Day of the month ({token}{text[end : end + 2]}), a date, not a figure.", "Check whether it dates the document (manifest)."
    return None


def reason_after_reading(draft: Draft, s: Sentence, quantity: Quantity) -> tuple[str, str] | None:
    text = draft.text
    if quantity.unit == "ordinal":
        return "An ordinal, not a figure.", "Check that no figure is stated."
    if quantity.unit != "count" or is_year(quantity) or re.search(r"\btop\s+$", text[max(0, quantity.start - 5) : quantity.start], re.I):
        return None
    if count_metric(text, s, quantity.start, quantity.end):
        return None
    if SPELLED_SMALL.fullmatch(quantity.figure):
        noun = re.match(r"\s+((?:[\w-]+\s+)?[\w-]+)", text[quantity.end : s.end])
        what = f"{quantity.figure}{noun.group()}" if noun else quantity.figure
        return f"A small count written out ('{what}'), not a market figure.", "Check that it counts no market quantity."
    return "A number with no unit and no counted noun that metrics.csv knows.", "Decide: a fact (add a metric) or an exclusion."


def compose(document_id: str, text: str, reference_year: int | None, author: str | None = None) -> Draft:
    found = sentences(text)
    draft = Draft(
        document_id,
        text,
        reference_year,
        found,
        {i: periods_.find_periods(text, s.start, s.end, reference_year) for i, s in enumerate(found)},
    )
    consumed, years = -1, []
    for match in NUMBER.finditer(text):
        if match.start() < consumed:
            continue
        index = draft.sentence_at(match.start())
        s = found[index]
        reason = reason_before_reading(draft, s, match.start(), match.end(), author)
        quantity = None if reason else read_quantity(text, match.start(), match.end())
        if not reason and quantity is None:
            reason = ("Not read as a quantity by the drafter.", "Decide: fact or exclusion.")
        reason = reason or reason_after_reading(draft, s, quantity)
        if reason:
            exclude(draft, s, match.start(), match.end(), *reason)
        elif is_year(quantity):
            years.append((index, quantity))
        else:
            draft.facts.append(fact_of(draft, index, quantity))
            consumed = quantity.end
    assign_periods(draft)
    for index, quantity in years:
        year_mention(draft, index, quantity)
    return draft


def fact_of(draft: Draft, index: int, q: Quantity) -> dict:
    """A draft fact's own fields (its period, links and id come later)."""
    text, s = draft.text, draft.sentences[index]
    previous = [f for f in draft.facts if f["_sentence"] == index]
    lo = previous[-1]["_end"] if previous else s.start
    fact = {"_sentence": index, "_start": q.start, "_end": q.end, "_notes": [], "_quantity": q}
    fx_base = previous[-1] if previous and previous[-1]["unit"] != q.unit and q.is_money and previous[-1]["_quantity"].is_money else None
    if fx_base and FX_BETWEEN.fullmatch(text[fx_base["_end"] : q.start + 0]) is None:
        fx_base = None
    qualifier = q.qualifier
    if qualifier == "exact" and fx_base:
        qualifier = fx_base["qualifier"]
    elif qualifier == "exact" and is_projected(text[lo : q.start] if previous else text[s.start : q.start]):
        qualifier = "projected"
    elif qualifier == "exact" and previous and previous[-1]["qualifier"] == "projected" and not STATED_VERB.search(text[lo : q.start]):
        qualifier = "projected"  # a list after a projection: 'projected to reach X in 2023 and Y by 2026'
    subject, subject_type, metric = subject_and_metric(draft, s, lo, q, fx_base, fact)
    fact |= {"metric": metric, "subject": subject, "subject_type": subject_type, "region": region_of(draft, s, lo, q.start, fact)}
    if fx_base:
        fact |= {"subject": fx_base["subject"], "subject_type": fx_base["subject_type"], "region": fx_base["region"], "_fx_of": fx_base}
    value, unit, scale = q.value, q.unit, q.scale
    if re.search(r"\btop\s+$", text[max(0, q.start - 5) : q.start], re.I):
        unit, qualifier = "rank", "at_most"
        fact["_start"] = q.start - 4
        fact["metric"] = rank_metric(s.of(text), text[q.start : q.end + 40])
    fact |= {
        "value": value,
        "unit": unit,
        "scale": scale,
        "qualifier": qualifier,
        "figure": text[fact["_start"] : q.end],
        "evidence": s.of(text),
    }
    return fact


def subject_and_metric(draft: Draft, s: Sentence, lo: int, q: Quantity, fx_base: dict | None, fact: dict) -> tuple[str, str, str]:
    text = draft.text
    if fx_base:
        return fx_base["subject"], fx_base["subject_type"], "currency_equivalent"
    comma = text.rfind(",", lo, q.start)
    company = company_before(text, comma + 1 if comma >= 0 else lo, q.start)
    group = group_before(text, s.start, q.start)
    places = places_in(text, s.start, s.end)
    if q.is_money:
        metric = money_metric(text, s, lo, q.start, q.end, company)
        if metric in ("deal_amount", "capex_plan"):
            return company, "company", metric
        if group:
            return group[0], group[1], metric
        return carried_subject(draft, metric, fact), "sector", metric
    if q.unit == "percent":
        sector = group_before(text, lo, q.start) or group_before(text, q.end, min(s.end, q.end + 30))
        metric = "sector_index_growth" if re.search(r"\b(?:sectors?|index|indices|stocks?|shares?)\b", s.of(text), re.I) else "growth_rate"
        return (sector[0], sector[1], metric) if sector else (carried_subject(draft, metric, fact), "sector", metric)
    if q.unit == "ratio":
        if places:
            return places[0].name, "country", "multiple"
        return (
            (company or (group[0] if group else carried_subject(draft, "multiple", fact))),
            "company" if company else "sector",
            "multiple",
        )
    if q.unit == "count" and re.search(r"\btop\s+$", text[max(0, q.start - 5) : q.start], re.I):
        return (places[0].name, "country", "rank") if places else (company or "unknown", "company", "rank")
    metric = count_metric(text, s, q.start, q.end) or "deal_count"
    same = [f for f in draft.facts if f["_sentence"] == draft.sentences.index(s) and f["_quantity"].is_money]
    if same:
        return same[-1]["subject"], same[-1]["subject_type"], metric
    return (group[0], group[1], metric) if group else (carried_subject(draft, metric, fact), "sector", metric)


def carried_subject(draft: Draft, metric: str, fact: dict | None = None) -> str:
    """The subject of the latest earlier figure of the same metric (a sentence that names none)."""
    for earlier in reversed(draft.facts):
        if earlier["metric"] in (metric, "funding_amount") and earlier["subject"] != "unknown":
            if fact is not None:
                fact["_carried"] = earlier
                fact["_notes"].append(f"subject carried over from {earlier['figure']}")
            return earlier["subject"]
    return "unknown"


def region_of(draft: Draft, s: Sentence, lo: int, hi: int, fact: dict) -> str:
    """The country named before the figure, else in its sentence, else the paragraph's one country;
    GLOBAL where the text says global (or names none)."""
    text = draft.text
    for lo_, hi_, where in ((lo, hi, ""), (s.start, s.end, "sentence"), (*s.paragraph, "paragraph")):
        found = places_in(text, lo_, hi_)
        codes = sorted({p.code for p in found})
        if found and (where != "paragraph" or (len(codes) == 1 and not says_global(text[lo_:hi_]))):
            if where:
                fact["_notes"].append(f"region {found[0].code} from the {where} ('{found[0].name}')")
            return found[0].code
        if where and says_global(text[lo_:hi_]):
            return "GLOBAL"
        if where == "sentence" and fact.get("_carried"):
            return fact["_carried"]["region"]
    opening = [x for x in draft.sentences if not x.headline][:1] + [x for x in draft.sentences if x.headline]
    codes = {p.code for x in opening for p in places_in(text, *x.paragraph)}
    if len(codes) == 1 and not any(says_global(text[x.paragraph[0] : x.paragraph[1]]) for x in opening):
        fact["_notes"].append(f"region {next(iter(codes))}: the one country of the text's opening")
        return next(iter(codes))
    fact["_notes"].append("no country named near it: GLOBAL; set the country if it has one")
    return "GLOBAL"


COMPARISON = re.compile(r"\b(?:times the|compared (?:to|with)|against|than|versus|from)\b[^,;]*$", re.I)


def _all_periods_before(draft: Draft, at: int) -> list[periods_.Period]:
    """The periods written before `at`, less those that date a comparison's base ('from X in 2023')."""
    found = []
    for i in sorted(draft.periods):
        lo = draft.sentences[i].start
        found += [p for p in draft.periods[i] if p.span[1] <= at and not COMPARISON.search(draft.text[lo : p.span[0]])]
    return found


def _contrasted(text: str, lo: int, hi: int) -> bool:
    return bool(re.search(r"\b(?:against|compared (?:to|with)|than|versus|from)\b", text[lo:hi], re.I))


def assign_periods(draft: Draft) -> None:
    """A figure's period: the one written after it before the next figure, else before it since the
    previous figure, else one in its sentence that no contrast sets apart ('X, against Y in 2023'),
    else the last one the text wrote before (inferred)."""
    for fact in draft.facts:
        if "_fx_of" in fact:
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
        elif earlier:
            carried = earlier[-1]
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


def set_period(fact: dict, period: periods_.Period, basis: str) -> None:
    fact |= {"period_type": period.type, "period_label": period.label, "period_basis": basis, "_period": period}
    if basis == "relative" and period.text:
        fact["period_text"] = period.text
    if period.note:
        fact["_notes"].append(period.note)


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
