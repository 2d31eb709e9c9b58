"""What a drafted fact is about, read off the words around its figure: the sentences of a text, the
subject, its kind and the metric (one of sources/reference/metrics.csv)."""

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from .places import places_in

ABBREVIATION = re.compile(
    r"(?:\b(?:[A-Z]\.)+|\b(?:Mr|Mrs|Ms|Dr|Prof|Inc|Corp|Co|Ltd|St|vs|No|etc|e\.g|i\.e|approx|Jan|Feb|Aug|Sept?|Oct|Nov|Dec))\.$"
)
SENTENCE_END = re.compile(r"[.!?][\"”’)]*(?=\s+[\"“‘(]?[A-Z0-9–-])")
NAME = re.compile(r"(?:[A-Z][\w.&-]*|[a-z]+[A-Z][\w-]*)(?:['’]s)?(?:\s+(?:[A-Z][\w.&-]*|[a-z]+[A-Z][\w-]*|AI)(?:['’]s)?)*")
NOT_NAMES = {
    "According", "Additionally", "Also", "And", "As", "At", "But", "By", "Consequently", "During", "For", "From", "However",
    "In", "It", "Its", "Meanwhile", "Moreover", "Notably", "Of", "On", "Only", "Research", "Series", "Since", "So", "That",
    "The", "Their", "These", "This", "Those", "Through", "To", "Under", "While", "With", "Startups", "Data", "Despite",
    "Internationally", "Domestically", "Particularly", "Previously", "Currently", "Unlike", "AI", "VC", "CEO", "IT",
    # a figure's qualifier opening a sentence ('Nearly a quarter of ...') is never its subject
    "Nearly", "Almost", "About", "Around", "Roughly", "Approximately", "Some", "More", "Over", "Less", "Fewer",
    "Up", "Just", "Close", "Upwards", "Well", "Barely",
    # a pronoun opening a sentence refers back (compose.carried_subject), it names no company
    "They", "He", "She", "We", "Both", "Each",
}  # fmt: skip
DEAL = re.compile(r"\b(?:secured|received|raised|raises|raise|attract\w*|closed|landed|obtained|round|series)\b", re.I)
SOURCE_VERB = re.compile(r"\s+(?:said|says|expects?|estimates?|reported|reports|predicts?|forecasts?|noted|notes|projects)\b", re.I)
CAPEX = re.compile(r"\b(?:data cent(?:er|re)s?|facilit\w*|infrastructure|capital expenditure|capex|spend\w*|build\w* out)\b", re.I)
MARKET = re.compile(r"\b(?:market(?: size)?|industry scale|economy|revenue|sales)\b", re.I)
GROUP = re.compile(
    r"\b((?:[\w'’-]+\s+){0,3}?(?:companies|corporations|startups|firms|ventures|sector|industry|market|economy))\b",
    re.I,
)
REGION_WORDS = {"European", "Europe", "Asian", "Asia", "African", "Africa", "Nordic", "Western", "Eastern", "Global", "Middle", "Latin"}
GROUP_NOUN = re.compile(r"\s+(?:[\w-]+\s+){0,2}?(?:startups|companies|firms|corporations|makers|ventures|sector|industry|market)\b", re.I)
ANAPHOR = re.compile(
    r"(?:the|these|those|such|its|their)\s+(?:startups|companies|firms|corporations|ventures|sector|industry|market)", re.I
)
SECTOR = re.compile(r"\b(?:the\s+)?([A-Z][\w-]*)\s+(?:sector|industry)\b")
# A plan over a span to come ('over the next five years'): no period label can say it yet.
FUTURE_SPAN = re.compile(r"\b(?:over|in|within|during|for)\s+the\s+(?:next|coming|following)\s+(?:[\w-]+\s+)?(?:years|decades?)\b", re.I)
GOVERNMENT = re.compile(r"\b(?:the\s+)?((?:[A-Z][\w-]*\s+)?government)\b", re.I)
COUNTED = (
    (re.compile(r"\b(?:transactions?|deals?|rounds?|investments)\b", re.I), "deal_count"),
    (re.compile(r"\bmodels?\b", re.I), "foundation_model_count"),
)
RANKED = (
    (re.compile(r"\bpatent", re.I), "patents_per_capita_rank"),
    (re.compile(r"\btalent", re.I), "talent_concentration_rank"),
    (re.compile(r"\bfoundation model", re.I), "foundation_model_rank"),
    (re.compile(r"\binvest", re.I), "private_investment_rank"),
)


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    paragraph: tuple[int, int]
    headline: bool

    def of(self, text: str) -> str:
        return text[self.start : self.end]


def sentences(text: str) -> list[Sentence]:
    """Each line is a paragraph; a sentence ends at . ! or ? before a capital, not after an
    abbreviation ('the U.S. Treasury' stays whole). The first non-empty line is the headline."""
    found, headline_seen, at = [], False, 0
    for line in text.splitlines(keepends=True):
        lo, hi = at + len(line) - len(line.lstrip()), at + len(line.rstrip())
        at += len(line)
        if lo >= hi:
            continue
        start = lo
        for end in SENTENCE_END.finditer(text, lo, hi):
            if ABBREVIATION.search(text[max(lo, end.start() - 12) : end.start() + 1]):
                continue
            found.append(Sentence(start, end.end(), (lo, hi), not headline_seen))
            start = end.end() + len(text[end.end() : hi]) - len(text[end.end() : hi].lstrip())
        found.append(Sentence(start, hi, (lo, hi), not headline_seen))
        headline_seen = True
    return found


def load_metrics(sources: Path) -> dict[str, str]:
    with open(sources / "reference" / "metrics.csv", newline="", encoding="utf-8") as handle:
        return {row["metric"]: row["value_kind"] for row in csv.DictReader(handle)}


def company_before(text: str, lo: int, hi: int) -> str | None:
    """The last proper name before a figure in text[lo:hi] that is not a place ('Elon Musk's xAI' is xAI)."""
    best = None
    for match in NAME.finditer(text, lo, hi):
        if GROUP_NOUN.match(text, match.end()):  # 'South Korean AI chip startups' is a group, not a name
            continue
        words = re.sub(r"['’]s$", "", re.split(r"['’]s\s+", match.group())[-1]).split()
        while words and (words[0] in NOT_NAMES or words[0] in REGION_WORDS or places_in(words[0])):
            words.pop(0)
        if SOURCE_VERB.match(text, match.end()):
            continue  # 'Dealroom expects ...': the source of a figure, not its subject
        sentence_start = re.search(r"(?:^|[.!?:\n])\s*$", text[max(0, match.start() - 3) : match.start()])
        if sentence_start and len(words) == 1 and re.match(r"\s+(?:in|of|for|on|from|at|to|into)\b", text[match.end() :]):
            continue  # 'Investment in ...' opens a sentence: a common noun, not a name
        name = " ".join(words)
        places = places_in(name)
        if name and name not in NOT_NAMES and not (places and places[0].name == name):
            best = name
    return best


# 'Chinese makers of artificial intelligence chips raised': the group is '<thing> makers', its region the demonym's.
MAKERS_OF = re.compile(
    r"\b(?P<role>makers|developers|providers|producers|manufacturers|designers|suppliers|vendors)\s+of\s+"
    r"(?P<thing>(?:[\w-]+\s+){0,3}?[\w-]+?)(?=\s+(?:raised|secured|received|attracted|drew|took|got|saw|were|are|had|have|closed|"
    r"landed|collected|pulled|brought|in|during|for|with|and|to)\b|\s*[,.;(]|\s*$)",
    re.I,
)


def makers_of(text: str, lo: int, hi: int) -> re.Match | None:
    found = list(MAKERS_OF.finditer(text, lo, hi))
    return found[-1] if found else None


def makers_phrase(found: re.Match) -> str:
    """'makers of artificial intelligence chips' -> 'AI chip makers' (the thing made, singular, before the role)."""
    words = re.sub(r"\bartificial intelligence\b", "AI", found.group("thing"), flags=re.I).split()
    if re.search(r"[^s]s$", words[-1]):
        words[-1] = words[-1][:-1]
    return " ".join([*words, found.group("role").lower()])


def group_before(text: str, lo: int, hi: int) -> tuple[str, str] | None:
    """'investment in generative AI corporations' -> ('generative AI corporations', 'sector');
    'Chinese makers of AI chips' -> ('AI chip makers', 'sector')."""
    makers = makers_of(text, lo, hi)
    later = [g for g in GROUP.finditer(text, lo, hi) if makers and g.start() >= makers.end()]
    if makers and not later and not [m for m in SECTOR.finditer(text, lo, hi) if m.start() >= makers.end()]:
        return makers_phrase(makers), "sector"
    sector = list(SECTOR.finditer(text, lo, hi))
    if sector:
        return sector[-1].group(1), "sector"
    groups = list(GROUP.finditer(text, lo, hi))
    if not groups:
        return None
    if ANAPHOR.search(groups[-1].group(1)) and ANAPHOR.search(groups[-1].group(1)).end() == len(groups[-1].group(1)):
        return None  # 'investment in the sector' refers back: the drafter carries the subject over
    lead = r"^(?:(?:the|a|an|in|into|of|for|on|by|and|with|saw|total|all|last|this|next|year|their|its|our)\s+)+"
    phrase = re.sub(lead, "", groups[-1].group(1), flags=re.I)
    for place in places_in(phrase):  # 'South Korean AI chip startups', "Japan's AI startups": the country is the region
        if place.start == 0 or phrase[: place.start].strip() in ("", "the"):
            phrase = re.sub(r"^['’]s\b", "", phrase[place.end :]).strip()
    phrase = re.sub(r"\bartificial intelligence\b", "AI", phrase, flags=re.I)  # the short form curators write
    return phrase, "market" if MARKET.search(phrase) else "sector"


INVESTED = re.compile(r"\b(?:put|puts|invest(?:s|ed)?|pour(?:s|ed)?|pump(?:s|ed)?|inject(?:s|ed)?|channel(?:l?ed|s)?)\s+$", re.I)


def recipient_after(text: str, start: int, end: int) -> tuple[str, str] | None:
    """'put €12.4 billion into European AI companies': the group the money went into, right after the figure."""
    opening = re.match(r"\s+in(?:to)?\s+", text[start:end])
    if not opening:
        return None
    lo = start + opening.end()
    hi = lo + re.search(r"[,;(]|$", text[lo:end]).start()
    found = GROUP.match(text, lo, hi)
    return group_before(text, found.start(), found.end()) if found else None


WHOLE_OF = re.compile(
    r"\s+of\s+(?:all\s+|the\s+|total\s+)*(?P<whole>[\w'’-]+(?:\s+[\w'’-]+){0,4}?)\s+(?:went|go|goes|flowed|flows|was|were|is|are)\b"
    r"(?:\s+to\s+(?P<to>(?:(?!(?:in|on|at|by|for|during|over|from|last|this|the)\b)[\w-]+\s*){1,3}))?",
    re.I,
)


def whole_of_fraction(text: str, start: int, end: int) -> str | None:
    """'a quarter of all European venture capital went to AI': 'European venture capital to AI'."""
    found = WHOLE_OF.match(text, start, end)
    if not found:
        return None
    whole = found.group("whole") + (f" to {found.group('to').strip()}" if found.group("to") else "")
    return re.sub(r"\bartificial intelligence\b", "AI", whole, flags=re.I)


# 'Analysts forecast Chinese AI chip funding to reach X': the population the projection is about, in its own words.
FUNDING_OF = re.compile(
    r"\b(?P<phrase>(?:[\w'’-]+\s+){0,3}?(?:funding|investment|financing|spending))\s+(?:to|will|would|could|should|may|might|is|was)\b",
    re.I,
)


def projected_population(text: str, lo: int, hi: int, earlier: list[str]) -> str | None:
    """The projection's own phrase ('AI chip funding'), or the earlier subject it names ('AI chip makers')."""
    found = list(FUNDING_OF.finditer(text, lo, hi))
    if not found:
        return None
    phrase = re.split(r"\b(?:expect|forecast|predict|project|anticipate|see|estimate)(?:s|ed)?\s+", found[-1].group("phrase"), flags=re.I)[
        -1
    ]
    words = re.sub(r"\bartificial intelligence\b", "AI", phrase, flags=re.I).split()
    dropped = []
    while words and (places_in(words[0]) or words[0] in REGION_WORDS or words[0].lower() in ("the", "total", "all", "annual")):
        dropped.append(words.pop(0))
    if len(words) < 2:  # 'the funding' alone names no population
        return None
    head = [w.lower().rstrip("s") for w in words[:-1]]
    regional = [w.lower() for w in dropped if w in REGION_WORDS]  # 'European AI funding': 'European AI startups' first
    for wanted in ([*head, *regional], head) if regional else (head,):
        for subject in reversed(earlier):
            if all(w in [x.lower().rstrip("s") for x in subject.split()] for w in wanted):
                return subject
    return " ".join(words)


def money_metric(text: str, sentence: Sentence, lo: int, start: int, end: int, company: str | None) -> str:
    clause = text[lo:start]
    after = text[end : sentence.end]
    if CAPEX.search(clause + after[:60]) and company:
        return "capex_plan"
    if MARKET.search(text[sentence.start : end]) and not DEAL.search(clause):
        return "market_size"
    if company and (DEAL.search(clause + after[:40]) or re.search(r"\(\s*(?:about\s+)?$", clause)):
        return "deal_amount"
    return "funding_amount"


def count_metric(text: str, sentence: Sentence, start: int, end: int) -> str | None:
    window = text[max(sentence.start, start - 40) : min(sentence.end, end + 30)]
    return next((metric for pattern, metric in COUNTED if pattern.search(window)), None)


def rank_metric(sentence_text: str, context: str) -> str:
    return next(
        (metric for pattern, metric in RANKED if pattern.search(sentence_text) or pattern.search(context)), "private_investment_rank"
    )
