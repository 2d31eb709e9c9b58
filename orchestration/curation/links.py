"""The links between draft facts that the text makes plain: derived claims (growth, share, multiple,
currency equivalent, lower bound) and their inputs, part_of, and the facts' ids."""

import re

from .state import Draft, exclude
from .wholes import annual_total, contains, keep_parts_within_wholes, magnitude, part_of, sums

GROWTH = re.compile(
    r"\b(?:increase[ds]?|rise|rose|risen|growth|grew|grown|jump(?:ed|s)?|gain(?:ed|s)?|surge[ds]?|up|decrease[ds]?|decline[ds]?|drop(?:ped|s)?"
    r"|fell|fall|down|climb(?:ed|s)?)\b(?:\s+(?:of|by))?",
    re.I,
)
COMPARED = re.compile(r"\b(?:compared (?:to|with)|from|than|versus|vs\.?|against)\b", re.I)
SHARE_BEFORE = re.compile(
    r"\b(?:accounting for|accounts? for|accounted for|making up|makes? up|made up|representing|represents?|share of)\s+"
    r"(?:just\s+|only\s+|about\s+|some\s+|nearly\s+)?$",
    re.I,
)
SHARE_AFTER = re.compile(r"^\s+of\s+(?:the\s+)?(?:total|all|overall|global|whole)\b", re.I)
NAMED_TOTAL = re.compile(r"\s+of\s+the\s+((?:[\w'’-]+\s+){1,3}?)total\b", re.I)
LIST_GAP = re.compile(r"\s*(?:,\s*and|,|and)\s*")
# 'the three rounds account for 41.7%': a share of the sum of the last n deals written before it
COUNTED_PARTS = re.compile(
    r"\b(?:the|these|those)\s+(?P<n>two|three|four|five|six|seven|eight|nine|ten|\d+)\s+(?:[\w'’-]+\s+){0,2}?"
    r"(?:rounds|deals|investments|companies|startups|firms)\s+(?:together\s+|combined\s+)?$",
    re.I,
)
SMALL_NUMBERS = dict(zip(("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"), range(2, 11), strict=True))


def _plain(fact: dict) -> bool:
    return "_fx_of" not in fact and "derivation" not in fact


def link(draft: Draft) -> None:
    for fact in draft.facts:
        if "_fx_of" in fact:
            derive(fact, "fx_equivalent", [fact["_fx_of"]])
    for fact in draft.facts:
        if fact["unit"] == "percent":
            share(draft, fact) or growth(draft, fact)
        elif fact["unit"] == "ratio":
            share(draft, fact) if fact["metric"] == "share" else multiple(draft, fact)
    for dropped in [f for f in draft.facts if "_drop" in f]:
        draft.facts.remove(dropped)
        exclude(draft, draft.sentences[dropped["_sentence"]], dropped["_start"], dropped["_end"], dropped["_drop"], "Check it.")
    for fact in draft.facts:
        lower_bound(draft, fact)
        part_of(draft, fact)
    keep_parts_within_wholes(draft)
    sums(draft)
    name(draft)


def derive(fact: dict, derivation: str, inputs: list[dict]) -> None:
    fact |= {"derivation": derivation, "_inputs": inputs}
    if not inputs:
        fact["_notes"].append("the text gives no figures to recompute it from")


def share(draft: Draft, fact: dict) -> bool:
    text, s = draft.text, draft.sentences[fact["_sentence"]]
    fraction = fact["metric"] == "share" and fact["unit"] == "ratio"  # 'a fifth of the total' (compose.py)
    before = SHARE_BEFORE.search(text[s.start : fact["_start"]])
    if not (fraction or before or SHARE_AFTER.match(text[fact["_end"] : s.end])):
        return False
    counted = COUNTED_PARTS.search(text, s.start, s.start + before.start()) if before else None
    if counted and share_of_sum(draft, fact, counted):
        return True
    earlier = [
        f for f in draft.facts if f["_end"] <= fact["_start"] and _plain(f) and f["unit"] not in ("percent", "ratio", "year", "event")
    ]
    parts = [f for f in earlier if f["_sentence"] == fact["_sentence"]]
    part = parts[-1] if parts else None
    wholes = [f for f in earlier if part and f is not part and f["unit"] == part["unit"] and f["period_label"] == part["period_label"]]
    wholes = [f for f in wholes if magnitude(f) > magnitude(part)]
    whole = max(wholes, key=magnitude) if wholes else None
    named = NAMED_TOTAL.match(text, fact["_end"], s.end)
    if part and named:  # 'accounting for 31% of the European total': the total whose subject it names, if any
        total, in_its_currency = named_total(draft, part, named.group(1).split())
        if total:
            whole, part = total, in_its_currency
    stated = [f for f in draft.facts if f["_sentence"] == fact["_sentence"] and f["_start"] >= fact["_end"] and _plain(f)]
    if part and stated and stated[0]["unit"] == part["unit"] and magnitude(stated[0]) > magnitude(part):
        whole = stated[0]  # '64% of the global total of $151 billion'
    annual = annual_total(draft, part, text[fact["_end"] : s.end]) if part else None
    whole = annual or whole  # 'roughly two-fifths of the annual total': the year's total that holds the part's period
    if part and whole and part["metric"] == whole["metric"] == "funding_amount" and "_part_of" not in part and contains(whole, part):
        part["_part_of"] = whole
        part["_notes"].append(f"part of {whole['figure']} (the whole of its share): check")
    fact["metric"] = "share"
    if part:
        fact |= {k: part[k] for k in ("subject", "subject_type", "region")}
    derive(fact, "share", [part, whole] if part and whole else [])
    return True


def share_of_sum(draft: Draft, fact: dict, counted: re.Match) -> bool:
    """A share of the sum of the last n named deals in the total whose period holds them all; the n
    itself ('the three rounds') counts what the share adds up, and is no figure of its own."""
    n_written = counted.group("n")
    n = int(n_written) if n_written.isdigit() else SMALL_NUMBERS[n_written.lower()]
    for count in [f for f in draft.facts if counted.start("n") <= f["_start"] < counted.end("n")]:
        count["_drop"] = f"The number of deals the share of {fact['figure']} adds up, not a figure of its own."
    deals = [f for f in draft.facts if f["_end"] <= fact["_start"] and _plain(f) and f["metric"] == "deal_amount"][-n:]
    if len(deals) < n:
        return False
    wholes = [
        f for f in draft.facts
        if _plain(f) and f["metric"] == "funding_amount" and all(f["unit"] == d["unit"] and contains(f, d) for d in deals)
    ]  # fmt: skip
    if not wholes:
        return False
    whole = min(wholes, key=lambda f: (f["_period"].end - f["_period"].start, -magnitude(f)))
    fact |= {"metric": "share", **{k: whole[k] for k in ("subject", "subject_type", "region")}}
    fact["_notes"].append(f"the share of {' + '.join(d['figure'] for d in deals)} in {whole['figure']}: check")
    derive(fact, "share", [*deals, whole])
    return True


def named_total(draft: Draft, part: dict, words: list[str]) -> tuple[dict | None, dict]:
    """The total of the part's period whose subject has every word of 'the <words> total', and the part
    in that total's currency (its stated equivalent, '£3.2 billion (about €3.8 billion)')."""
    totals = [
        f
        for f in draft.facts
        if f is not part and _plain(f) and f["metric"] == "funding_amount" and f["period_label"] == part["period_label"]
        and all(re.search(rf"\b{re.escape(w)}\b", f["subject"], re.I) for w in words)
    ]  # fmt: skip
    for whole in sorted(totals, key=magnitude, reverse=True):
        equivalents = [f for f in draft.facts if f.get("_fx_of") is part and f["unit"] == whole["unit"]]
        if part["unit"] == whole["unit"] or equivalents:
            return whole, part if part["unit"] == whole["unit"] else equivalents[0]
    if totals:
        part["_notes"].append(f"the {' '.join(words)} total is in {totals[0]['unit']} and the text gives no equivalent of {part['figure']}")
    return None, part


def _percent_list(draft: Draft, fact: dict) -> list[dict]:
    """The percentages written as one list with this one ('192% and 29%'), in order."""
    same = [f for f in draft.facts if f["_sentence"] == fact["_sentence"] and "_fx_of" not in f]
    at = same.index(fact)
    lo = at
    while lo > 0 and same[lo - 1]["unit"] == "percent" and LIST_GAP.fullmatch(draft.text[same[lo - 1]["_end"] : same[lo]["_start"]]):
        lo -= 1
    hi = at
    while (
        hi + 1 < len(same)
        and same[hi + 1]["unit"] == "percent"
        and LIST_GAP.fullmatch(draft.text[same[hi]["_end"] : same[hi + 1]["_start"]])
    ):
        hi += 1
    return same[lo : hi + 1]


def growth(draft: Draft, fact: dict) -> None:
    text, s = draft.text, draft.sentences[fact["_sentence"]]
    items = _percent_list(draft, fact)
    before = text[max(s.start, items[0]["_start"] - 30) : items[0]["_start"]]
    if not re.search(GROWTH.pattern + r"\s*$", before, re.I):
        return
    compared = COMPARED.search(text, items[-1]["_end"], s.end)
    if not compared:
        if fact["metric"] != "sector_index_growth":
            fact["metric"] = "growth_rate"
            growth_of_alone(draft, fact)
        return
    bases = [
        f
        for f in draft.facts
        if f["_sentence"] == fact["_sentence"] and f["_start"] >= compared.end() and _plain(f) and f["unit"] != "percent"
    ]
    k = items.index(fact)
    if "respectively" not in text[items[-1]["_end"] : compared.start()] or len(bases) < len(items):
        k = 0
    base = bases[k] if k < len(bases) else None
    current = _current_of(draft, fact, base) if base else None
    fact["metric"] = "growth_rate"
    if not base:
        growth_of_alone(draft, fact)
        return
    if not current:
        derive(fact, "growth", [])
        return
    fact |= {k_: current[k_] for k_ in ("subject", "subject_type", "region", "period_type", "period_label", "_period")}
    _period_basis_of(fact, current)
    fact["note"] = f"The growth of {current['figure']} ({current['period_label']}) over {base['figure']} ({base['period_label']})."
    derive(fact, "growth", [current, base])


def growth_of_alone(draft: Draft, fact: dict) -> None:
    """'$33.9 billion, up 18.7%' with no base given: the growth of the figure its sentence states before
    it, whose base the audit cannot check (it still stands beside its figure in the marts)."""
    same = [
        f for f in draft.facts
        if f["_sentence"] == fact["_sentence"] and f["_end"] <= fact["_start"] and _plain(f)
        and f["unit"] not in ("percent", "ratio", "rank", "year", "event")
    ]  # fmt: skip
    if not same:
        derive(fact, "growth", [])
        return
    current = same[-1]
    fact |= {k: current[k] for k in ("subject", "subject_type", "region", "period_type", "period_label", "_period")}
    _period_basis_of(fact, current)
    fact["_notes"].append(f"the growth of {current['figure']} over a base the text does not give: unverifiable")
    derive(fact, "growth", [current])


def _period_basis_of(fact: dict, current: dict) -> None:
    """A claim in its input's sentence has that input's basis; one about an earlier sentence's figure is inferred."""
    fact.pop("period_text", None)
    fact["period_basis"] = current["period_basis"] if current["_sentence"] == fact["_sentence"] else "inferred"
    if fact["period_basis"] == "relative":
        fact["period_text"] = current["period_text"]


def _current_of(draft: Draft, fact: dict, base: dict) -> dict | None:
    """What grew: the latest earlier figure of the same unit and metric as the base, in another period."""
    earlier = [f for f in draft.facts if f["_end"] <= fact["_start"] and _plain(f) and f is not base]
    fits = [f for f in earlier if f["unit"] == base["unit"] and f["metric"] == base["metric"] and f["period_label"] != base["period_label"]]
    return fits[-1] if fits else None


def multiple(draft: Draft, fact: dict) -> None:
    """'2.5 times the 480 billion won': the base follows; what it multiplies is the latest earlier
    figure of its kind. 'A is N times B' in one sentence: the two figures written there."""
    text = draft.text
    same = [f for f in draft.facts if f["_sentence"] == fact["_sentence"] and _plain(f) and f["_quantity"].is_money]
    after = [f for f in same if f["_start"] >= fact["_end"]]
    if after and re.match(
        r"\s*(?:(?:as much as|more than|higher than|larger than|bigger than|that of)\s+)?(?:the\s+)?$",
        text[fact["_end"] : after[0]["_start"]],
    ):
        # the numerator is the figure its sentence pairs it with ('reached X, nearly twice the Y'), else the latest of its kind
        paired = [f for f in same if f["_end"] <= fact["_start"] and f["unit"] == after[0]["unit"]]
        current = paired[-1] if paired else _current_of(draft, fact, after[0])
        if current:
            fact |= {k: current[k] for k in ("subject", "subject_type", "region", "period_type", "period_label", "_period")}
            _period_basis_of(fact, current)
            derive(fact, "multiple", [current, after[0]])
            return
    pair = same[:2] if len(same) == 2 and same[0]["unit"] == same[1]["unit"] else []
    derive(fact, "multiple", pair)


def lower_bound(draft: Draft, fact: dict) -> None:
    if fact["qualifier"] not in ("more_than", "at_least") or "derivation" in fact or fact["unit"] == "rank":
        return
    for other in draft.facts:
        same_kind = other["metric"] == fact["metric"] and other["unit"] == fact["unit"] and other["period_label"] == fact["period_label"]
        if (
            same_kind
            and other["qualifier"] == "exact"
            and other["_sentence"] != fact["_sentence"]
            and magnitude(other) > magnitude(fact)
            and re.search(rf"\b{re.escape(other['subject'])}\b", fact["evidence"])
        ):
            fact |= {k: other[k] for k in ("subject", "subject_type", "region")}
            derive(fact, "lower_bound", [other])
            return


def prefix_of(document_id: str) -> str:
    head = re.sub(r"[^a-z0-9]", "", document_id.split("_")[0].lower()) or "doc"
    return f"d{head}" if head.isdigit() else head


SHORT_METRICS = {"funding_amount": "funding", "deal_amount": "deal", "deal_count": "deals", "growth_rate": "growth"}
SHORT_METRICS |= {"market_size": "market", "capex_plan": "capex", "sector_index_growth": "index_growth", "foundation_model_count": "models"}
SHORT_METRICS |= {"public_programme": "programme"}


def subject_slug(subject: str, words: int = 3) -> str:
    """The subject's last few whole words (the head of a noun phrase comes last: 'AI chip startups')."""
    return "_".join(re.findall(r"[a-z0-9]+", subject.lower())[-words:]) or "unknown"


def name(draft: Draft) -> None:
    """fact_id '<prefix>.<subject>_<metric>_<period>' ('d902.ai_startups_funding_2025q2', its dollar
    equivalent '..._usd'), with a short suffix only where two facts would share one."""
    taken: set[str] = set()
    prefix = prefix_of(draft.document_id)
    for fact in draft.facts:
        if "_fx_of" in fact:
            stem = f"{fact['_fx_of']['fact_id']}_{fact['unit'].lower()}"
        else:
            metric = SHORT_METRICS.get(fact["metric"], fact["metric"])
            stem = f"{prefix}.{subject_slug(fact['subject'])}_{metric}_{re.sub(r'[^a-z0-9]', '', fact['period_label'].lower())}"
        fact_id, n = stem[:76], 2
        while fact_id in taken:
            fact_id, n = f"{stem[:76]}_{n}", n + 1
        taken.add(fact_id)
        fact["fact_id"] = fact_id
