"""Every number mention of a text, as the coverage check tokenises it, made a draft fact or a draft
exclusion with its reason. Derived claims and part_of links are added by links.py."""

import re

from ..ledger.coverage import NUMBER
from .exclusions import reason_after_reading, reason_before_reading
from .numbers import Quantity, is_projected, is_year, rank_of, read_quantity
from .places import continent_in, places_in, qualifies_another, says_global
from .rankings import draft_ranks
from .reading import (
    FUTURE_SPAN,
    GOVERNMENT,
    INVESTED,
    Sentence,
    company_before,
    count_metric,
    group_before,
    money_metric,
    projected_population,
    rank_metric,
    recipient_after,
    sentences,
    whole_of_fraction,
)
from .state import Draft, exclude
from .timing import assign_periods, resolved_periods
from .years import year_mention

FX_BETWEEN = re.compile(r"\s*\(\s*(?:about|approximately|around|roughly|some|or|equivalent to|approx\.|~)?\s*$", re.I)
COUNTED_NOUN = re.compile(r"\s+((?:[\w'’-]+\s+){1,3}?)(deals|transactions|rounds|investments)\b", re.I)
GENERIC = {"new", "more", "such", "these", "those", "the", "other", "separate", "individual", "total", "all", "of", "in"}
# 'the government's 100 trillion won AI programme': a state's commitment, not a company's capex
PROGRAMME = re.compile(r"\b(?:programmes?|programs?|plans?|funds?|initiatives?|packages?|strategy)\b", re.I)
# '78% of organizations reported using AI': a statistic about a population, an indicator
POPULATION_SHARE = re.compile(
    r"\s+of\s+((?:[\w-]+\s+){0,2}?(?:organi[sz]ations|companies|firms|businesses|enterprises|respondents|executives|adults)"
    r"(?:\s+(?:surveyed|polled))?\s+(?:(?:say|said|reported|report|now)\s+)?(?:use|using|used|adopt\w*|deploy\w*)\s+[\w-]+)",
    re.I,
)
STATED_VERB = re.compile(r"\b(?:was|were|is|are|reached|totaled|totalled|stood|had|hit)\b", re.I)


def compose(document_id: str, text: str, reference_year: int | None, author: str | None = None) -> Draft:
    found = sentences(text)
    draft = Draft(document_id, text, reference_year, found, resolved_periods(text, found, reference_year))
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
        if quantity and quantity.unit == "ordinal":
            quantity = rank_of(text, quantity) or quantity
        reason = reason or reason_after_reading(draft, s, quantity)
        if reason:
            exclude(draft, s, match.start(), match.end(), *reason)
        elif is_year(quantity):
            years.append((index, quantity))
        else:
            draft.facts.append(fact_of(draft, index, quantity))
            consumed = quantity.end
    draft_ranks(draft)  # ranks written in words hold no number token
    assign_periods(draft)
    for index, quantity in years:
        year_mention(draft, index, quantity)
    drop_headline_repeats(draft)
    return draft


def drop_headline_repeats(draft: Draft) -> None:
    """A headline figure the body states again is excluded: the body's sentence carries the fact."""
    for fact in [f for f in draft.facts if draft.sentences[f["_sentence"]].headline]:
        same = ("value", "unit", "scale", "qualifier")
        repeat = next((f for f in draft.facts if not draft.sentences[f["_sentence"]].headline and all(f[k] == fact[k] for k in same)), None)
        if repeat:
            draft.facts.remove(fact)
            s = draft.sentences[fact["_sentence"]]
            reason = f"The headline restates {repeat['figure']}, recorded from the body's sentence."
            exclude(draft, s, fact["_start"], fact["_end"], reason, "Check that it is the same figure.")  # all its tokens
            exclude_restated_period(draft, s, fact["_period"], repeat)


def exclude_restated_period(draft: Draft, s: Sentence, period, repeat: dict) -> None:
    """The period a restated headline figure took ('the first half of 2025'), years included, as one exclusion."""
    lo, hi = period.span
    if not (s.start <= lo < hi <= s.end):  # a period carried from elsewhere has no words in the headline
        return
    lo += len(re.match(r"(?:the\s+)?", draft.text[lo:hi], re.I).group())
    draft.exclusions = [e for e in draft.exclusions if not lo <= e["_at"] < hi]  # its words, excluded one by one before
    reason = f"The headline restates the period of {repeat['figure']} ({period.label}), recorded from the body's sentence."
    exclude(draft, s, lo, hi, reason, "Check that it is the same period.")


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
    span = FUTURE_SPAN.search(text, q.end, s.end)
    government = GOVERNMENT.search(text, s.start, q.start) if q.is_money and not fx_base and subject_type != "company" else None
    if q.is_money and not fx_base and qualifier == "projected" and span:
        metric, fact["_span"] = "capex_plan", span.group()  # 'plans to invest X over the next five years'
    if government and (metric == "capex_plan" or PROGRAMME.search(text, q.end, min(s.end, q.end + 40))):
        metric, subject, subject_type = "public_programme", government.group(1), "government"
        fact["_notes"] = [n for n in fact["_notes"] if not n.startswith("subject carried over")]
    fact |= {"metric": metric, "subject": subject, "subject_type": subject_type}
    fact["region"] = region_of(draft, s, lo, q.start, fact)
    if fx_base:
        fact |= {"subject": fx_base["subject"], "subject_type": fx_base["subject_type"], "region": fx_base["region"], "_fx_of": fx_base}
    value, unit, scale = q.value, q.unit, q.scale
    if q.unit == "count" and q.scale == "one" and re.search(r"\btop\s+$", text[max(0, q.start - 5) : q.start], re.I):
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
        recipient = recipient_after(text, q.end, s.end) if INVESTED.search(text[lo : q.start]) else None
        if recipient:  # 'investors put X into <group>': the group is the subject, not who invested
            return recipient[0], recipient[1], metric
        if group:
            return group[0], group[1], metric
        earlier = [f["subject"] for f in draft.facts if f["metric"] == "funding_amount" and f["subject_type"] == "sector"]
        own = projected_population(text, s.start, q.start, earlier) if is_projected(text[s.start : q.start]) else None
        if own:  # 'Analysts forecast Chinese AI chip funding to reach X': its own words, not the sentence before's
            return own, "sector", metric
        return carried_subject(draft, metric, fact), "sector", metric
    if q.unit == "rank":  # 'France ranked third in Europe by AI funding': the country (or company) it places
        metric = rank_metric(s.of(text), "")
        if metric == "private_investment_rank" and not re.search(r"\binvest", s.of(text), re.I):
            fact["_notes"].append("metrics.csv has no rank by funding: private_investment_rank is the closest")
        placed = places_in(text, s.start, q.start)
        return (placed[0].name, "country", metric) if placed else (company or "unknown", "company", metric)
    population = POPULATION_SHARE.match(text, q.end, s.end) if q.unit == "percent" else None
    if population:
        return population.group(1), "sector", "indicator"
    if q.unit == "percent":
        sector = group_before(text, lo, q.start) or group_before(text, q.end, min(s.end, q.end + 30))
        metric = "sector_index_growth" if re.search(r"\b(?:sectors?|index|indices|stocks?|shares?)\b", s.of(text), re.I) else "growth_rate"
        return (sector[0], sector[1], metric) if sector else (carried_subject(draft, metric, fact), "sector", metric)
    if q.unit == "ratio" and q.note == "fraction" and re.match(r"\s+of\b(?!\s+(?:its|their)\b)", text[q.end : s.end]):
        # 'about a fifth of the Korean total' is a share of that total; 'shrank to a third of its value' a multiple
        sector = group_before(text, lo, q.start)
        if sector:
            return sector[0], sector[1], "share"
        whole = None if company else whole_of_fraction(text, q.end, s.end)
        return company or whole or carried_subject(draft, "share", fact), "company" if company else "sector", "share"
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
    own = COUNTED_NOUN.match(text, q.end, s.end)
    if not group and own and set(own.group(1).lower().split()) - GENERIC:  # 'More than 500 AI deals': the sentence's own noun
        return own.group(1) + own.group(2), "sector", metric
    return (group[0], group[1], metric) if group else (carried_subject(draft, metric, fact), "sector", metric)


PRONOUN = re.compile(r"(?:^|[,;:]\s+)(?:they|it|that|this|these|those)\s+(?!(?:year|quarter|month|half|week)\b)\w+", re.I)


def carried_subject(draft: Draft, metric: str, fact: dict | None = None) -> str:
    """The subject of the latest earlier figure of the same metric (a sentence that names none); after a
    pronoun ('They raised', 'That was up'), the subject of the latest earlier sentence that has one."""
    named = [f for f in draft.facts if f["subject"] != "unknown"]
    fitting = [f for f in named if f["metric"] in (metric, "funding_amount")]
    if fact is not None:
        s = draft.sentences[fact["_sentence"]]
        if PRONOUN.search(draft.text[s.start : fact["_start"]]):
            fitting = [f for f in named if f["_sentence"] < fact["_sentence"]] or fitting
    earlier = (fitting or named)[-1:]
    for carried in earlier:
        if fact is not None:
            fact["_carried"] = carried
            fact["_notes"].append(f"subject carried over from {carried['figure']}")
        return carried["subject"]
    return "unknown"


def region_of(draft: Draft, s: Sentence, lo: int, hi: int, fact: dict) -> str:
    """The country named before the figure, else in its sentence, else the paragraph's one country;
    GLOBAL where the text says global (or names none)."""
    text = draft.text
    commas = [m.end() for m in re.finditer(r"[,;]", text[s.start : hi])]
    begin = s.start + (commas[-1] if commas else 0)
    clause = text[begin : hi + len(re.split(r"[,;]", text[hi : s.end])[0])]
    if continent_in(clause) and not places_in(clause):  # '..., and more than 40 deals were recorded across Asia'
        fact["_notes"].append(f"the text says {continent_in(clause)}: GLOBAL, as no ISO code names a continent")
        return "GLOBAL"
    for lo_, hi_, where in ((lo, hi, ""), (s.start, s.end, "sentence"), (*s.paragraph, "paragraph")):
        found = places_in(text, lo_, hi_)
        if fact["subject_type"] == "company":  # "Germany's Helsing" places Helsing, not the other companies of the sentence
            found = [p for p in found if not qualifies_another(text, p, fact["subject"])]
        codes = sorted({p.code for p in found})
        if not where and says_global(text[lo_:hi_]) and not found:
            return "GLOBAL"
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
    scope = continent_in(text[s.paragraph[0] : s.paragraph[1]]) or next(
        (continent_in(text[x.paragraph[0] : x.paragraph[1]]) for x in opening if continent_in(text[x.paragraph[0] : x.paragraph[1]])), None
    )
    if fact["subject_type"] == "company":
        fact["_notes"].append(f"no country stated for {fact['subject']}: GLOBAL; set the country if it has one")
    elif scope:  # the text's scope, wider than a country ('European venture capital')
        fact["_notes"].append(f"the text's scope is {scope}: GLOBAL, as no ISO code names a continent")
    else:
        fact["_notes"].append("no country named near it: GLOBAL; set the country if it has one")
    return "GLOBAL"
