"""Which drafted total a figure is part of: a named deal or a shorter period in the smallest total whose
period contains it, a fraction's 'annual total', and no whole whose parts would add up to more than it;
and the totals the text splits into periods it also gives, which are sums of them."""

import re
from datetime import timedelta

from .state import Draft

SUB_YEAR = ("quarter", "half", "month")
# 'roughly two-fifths of the annual total', 'a third of the year's total', 'half of the full-year figure'
ANNUAL_TOTAL = re.compile(
    r"\s+of\s+(?:the\s+|this\s+|that\s+)?(?:annual|yearly|full[\s-]year|whole[\s-]year|year['’]s|year)\s+(?:total|figure|sum|tally)\b",
    re.I,
)


def magnitude(fact: dict) -> float:
    scales = {"one": 1, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
    return (fact["value"] or 0) * scales[fact["scale"]]


def contains(whole: dict, part: dict) -> bool:
    return whole["_period"].start <= part["_period"].start and part["_period"].end <= whole["_period"].end


def _total(fact: dict) -> bool:
    return "_fx_of" not in fact and "derivation" not in fact and fact["metric"] == "funding_amount"


def annual_total(draft: Draft, part: dict, after: str) -> dict | None:
    """The year's total of the part's subject, for the year that holds the part's period, when the text
    calls the whole 'the annual total' (the latest one written, if the text states two)."""
    if not ANNUAL_TOTAL.match(after):
        return None
    years = [
        f for f in draft.facts
        if f is not part and _total(f) and f["period_type"] == "year" and f["unit"] == part["unit"]
        and f["subject"] == part["subject"] and contains(f, part)
    ]  # fmt: skip
    if not years:
        part["_notes"].append(f"no {part['unit']} total of {part['subject']} for the year of {part['period_label']} in the text")
    return years[-1] if years else None


def part_of(draft: Draft, fact: dict) -> None:
    """A named deal is part of the total of the smallest period that contains its own (a November deal
    in the fourth quarter's total, else the year's); a quarter, half or month in the longest such total."""
    if "_fx_of" in fact or "derivation" in fact or not fact["_quantity"].is_money or "_part_of" in fact:
        return
    totals = [f for f in draft.facts if f is not fact and _total(f) and f["unit"] == fact["unit"]]
    if fact["metric"] == "deal_amount":
        earlier = [f for f in totals if f["_end"] <= fact["_start"] and contains(f, fact)]
        # the smallest period first, then the total written nearest before the deal
        wholes = sorted(earlier, key=lambda f: (f["_period"].end - f["_period"].start, -f["_start"]), reverse=True)
        if not wholes:
            fact["_notes"].append(f"no total in {fact['unit']} of a period that contains {fact['period_label']} in the text: no part_of")
    elif fact["metric"] == "funding_amount" and fact["period_type"] in SUB_YEAR:
        longer = [f for f in totals if contains(f, fact) and f["_period"] != fact["_period"] and f["region"] == fact["region"]]
        wholes = sorted(longer, key=lambda f: (f["_period"].end - f["_period"].start, abs(f["_start"] - fact["_start"])), reverse=True)
    else:
        return
    if wholes:
        fact["_part_of"] = wholes[-1]
        fact["_notes"].append(f"part of {wholes[-1]['figure']} ({wholes[-1]['period_label']}): check")


def keep_parts_within_wholes(draft: Draft) -> None:
    """Drop the part_of links of a whole whose parts would add up to more than it (the ingest refuses that)."""
    for whole in draft.facts:
        parts = [f for f in draft.facts if f.get("_part_of") is whole and f["qualifier"] not in ("at_most", "less_than", "nearly")]
        deals = [f for f in parts if f["metric"] == "deal_amount"]
        if deals and len(deals) < len(parts) and _exceeds(whole, parts):
            # the deals lie inside the shorter periods' totals, so both together count them twice: keep the deals
            for part in [f for f in parts if f not in deals]:
                _unlink(part, whole, "its deals are part of it already and fall within this period's total")
            parts = deals
        if _exceeds(whole, parts):
            for part in parts:
                _unlink(part, whole, "the parts would add up to more")


def _exceeds(whole: dict, parts: list[dict]) -> bool:
    bounded = whole["qualifier"] not in ("at_least", "more_than")
    return bool(parts) and bounded and sum(map(magnitude, parts)) > magnitude(whole) * (1 + 1e-9)


def _unlink(part: dict, whole: dict, why: str) -> None:
    del part["_part_of"]
    part["_notes"] = [n for n in part["_notes"] if not n.startswith(f"part of {whole['figure']} ")]
    part["_notes"].append(f"not made part of {whole['figure']}: {why}")


def sums(draft: Draft) -> None:
    """A total whose period the text splits into shorter totals it also gives ('X in the first quarter
    and Y in the second, for a first-half total of Z') is a sum claim over them: the audit adds them up."""
    for whole in [f for f in draft.facts if _total(f) and f["period_type"] != "month"]:
        parts = [
            f for f in draft.facts
            if f is not whole and _total(f) and f["_period"] != whole["_period"] and contains(whole, f)
            and all(f[k] == whole[k] for k in ("unit", "subject", "region"))
        ]  # fmt: skip
        for kind in ("quarter", "month", "half"):
            tiling = _tiling(whole, [f for f in parts if f["period_type"] == kind])
            if tiling:
                whole |= {"derivation": "sum", "_inputs": tiling}
                whole["_notes"].append(f"the sum of {' + '.join(p['figure'] for p in tiling)}, which the text splits it into: check")
                break


def _tiling(whole: dict, parts: list[dict]) -> list[dict] | None:
    """Parts whose periods follow one another without a gap from the whole's first day to its last."""
    ordered = sorted(parts, key=lambda f: f["_period"].start)
    if len(ordered) < 2 or len({f["_period"].start for f in ordered}) < len(ordered):
        return None
    gapless = all(b["_period"].start == a["_period"].end + timedelta(days=1) for a, b in zip(ordered, ordered[1:], strict=False))
    spans = ordered[0]["_period"].start == whole["_period"].start and ordered[-1]["_period"].end == whole["_period"].end
    return ordered if gapless and spans else None
