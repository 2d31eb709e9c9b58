"""Why a number mention is no figure: an image credit, a biography, a name ('GPT-4'), a version, a
denominator, a list's size, part of a period, a span of time, a date, an ordinal, a small count."""

import re

from . import periods as periods_
from .numbers import Quantity, is_year
from .reading import Sentence, count_metric
from .state import Draft, context_of

CREDIT = re.compile(r"^(?:Illustration|Photo|Image|Picture|Credit|Graphic|Source)s?\b", re.I)
BIOGRAPHY = re.compile(r"\byears? of experience\b|\bis an? (?:[\w-]+ )*?(?:writer|journalist|reporter|editor|author|columnist)\b", re.I)
SCALE_SUFFIX = re.compile(r"(?:st|nd|rd|th|bn|mn|tn|[mkb])\b", re.I)
PERIOD_WORDS = re.compile(
    r"\b(?:first|second|third|fourth|latter|1st|2nd|3rd|4th)\s+(?:half|quarter)\b"
    r"|\b(?:half|quarter)\s+of\s+the\s+year\b|\b(?:half|quarter)[- ]year\b|\bthe\s+(?:same\s+)?(?:quarter|half)\b",
    re.I,
)
COUNTED_NOUN = re.compile(r"\s+(?:new\s+)?(?:deals?|transactions?|rounds?|investments|models?)\b", re.I)
SPELLED_SMALL = re.compile(r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozen)", re.I)


def reason_before_reading(draft: Draft, s: Sentence, start: int, end: int, author: str | None) -> tuple[str, str] | None:
    """Why a token is no figure, from where it stands alone: (reason, what the drafter is unsure of)."""
    text, token = draft.text, draft.text[start:end]
    if token.lower() in ("dozens", "hundreds", "thousands", "millions", "billions"):
        return f"A vague quantity ('{token} of'), not a figure.", "Check that no figure is stated."
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
    if re.match(r"\s+or\s+(?:\w+)", text[quantity.end : s.end]) or re.search(r"\b(?:\w+)\s+or\s+$", text[s.start : quantity.start]):
        return f"A vague count ('{context_of(text, s, quantity.start, quantity.end, 2)}'), not a figure.", "Check that no figure is stated."
    spelled = SPELLED_SMALL.fullmatch(quantity.figure)
    if count_metric(text, s, quantity.start, quantity.end) and not (spelled and not COUNTED_NOUN.match(text, quantity.end)):
        return None
    if spelled:
        noun = re.match(r"\s+((?:[\w-]+\s+)?[\w-]+)", text[quantity.end : s.end])
        what = f"{quantity.figure}{noun.group()}" if noun else quantity.figure
        return f"A small count written out ('{what}'), not a market figure.", "Check that it counts no market quantity."
    return "A number with no unit and no counted noun that metrics.csv knows.", "Decide: a fact (add a metric) or an exclusion."
