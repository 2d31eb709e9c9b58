"""Periods written in a sentence: years, quarters, halves, months, fiscal years, the first months of a
year and a year to date, stated ('in 2023',
'June 2014') or relative to the document's reference year ('the fourth quarter of last year').

Written by hand: dateparser (measured in docs/curation.md) resolves 'last year' to one day and drops
the quarter of 'the fourth quarter of last year' and the half of 'first half of 2025'; a period here
is a labelled span (2024-Q4, 2025-H1, FY2025), which no date parser returns."""

import calendar
import re
from dataclasses import dataclass, field
from datetime import date

MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
MONTHS |= {name.lower(): number for number, name in enumerate(calendar.month_abbr) if name}
MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"
)
FULL_MONTH = "|".join(calendar.month_name[1:])
YEAR = r"(?:19|20)\d\d"
RELATIVE = r"(?:last|this|next|the previous|the past|the current|the coming|the following) year"
YEAR_REF = rf"(?:{YEAR}|{RELATIVE})"
ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "latter": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}
ORDINAL = r"(?:first|second|third|fourth|latter|1st|2nd|3rd|4th)"
MONTH_COUNTS = dict(zip(("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven"), range(2, 12), strict=True))
MONTH_COUNT = rf"(?:{'|'.join(MONTH_COUNTS)}|[2-9]|1[01])"
OFFSETS = {"last": -1, "this": 0, "next": 1, "the previous": -1, "the past": -1, "the current": 0, "the coming": 1}
OFFSETS |= {"the following": 1}

# 'over the same year', 'in the same year', 'that year': the last year stated (timing.resolved_periods), not the quarter in force
SAME_YEAR = re.compile(r"\b(?:the\s+same\s+(?:calendar\s+)?year|that\s+(?:same\s+)?year)\b", re.I)
SAME_PART = re.compile(rf"\bthe same (?P<part>quarter|half|month)\s+(?:of|in)\s+(?P<y>{YEAR_REF})", re.I)
PATTERNS = (
    ("quarter", re.compile(rf"\b(?:the\s+)?(?P<n>{ORDINAL})\s+quarter\s+(?:of\s+)?(?P<y>{YEAR_REF})", re.I)),
    ("quarter", re.compile(rf"\bQ(?P<n>[1-4])\s*(?:of\s+)?(?P<y>{YEAR_REF})")),
    ("quarter", re.compile(rf"\b(?P<y>{YEAR})[\s-]?Q(?P<n>[1-4])\b")),
    ("range", re.compile(rf"\b(?:the\s+)?first\s+(?P<n>{MONTH_COUNT})\s+months\s+(?:of\s+)?(?P<y>{YEAR_REF})", re.I)),
    ("year_to_date", re.compile(rf"\bso\s+far\s+(?:in\s+|this\s+)?(?P<y>{YEAR_REF})", re.I)),
    ("year_to_date", re.compile(rf"\b(?P<y>{YEAR})\s+(?:year[\s-]to[\s-]date|to\s+date)\b", re.I)),
    ("half", re.compile(rf"\b(?:the\s+)?(?P<n>first|second|latter|1st|2nd)\s+half\s+(?:of\s+)?(?P<y>{YEAR_REF})", re.I)),
    ("half", re.compile(rf"\bH(?P<n>[12])\s*(?P<y>{YEAR})\b")),
    ("fiscal_year", re.compile(rf"\b(?:the\s+)?(?P<y>{YEAR})\s+fiscal\s+year\b", re.I)),
    ("fiscal_year", re.compile(rf"\bfiscal\s+(?:year\s+)?(?P<y>{YEAR})\b", re.I)),
    ("fiscal_year", re.compile(rf"\bFY\s?(?P<y>{YEAR})\b")),
    ("month", re.compile(rf"\b(?P<m>{MONTH})\s+(?:of\s+)?(?P<y>{YEAR_REF})\b", re.I)),
    ("year", re.compile(rf"\b(?P<y>{YEAR_REF})\b", re.I)),
)
# A quarter, half or month named without its year ('in the second quarter alone', 'in June'): the year is the one in
# force where it is written (timing.resolved_periods), so these run after PATTERNS took the dated ones.
BARE = (
    ("quarter", re.compile(rf"\b(?:the\s+)?(?P<n>{ORDINAL})[\s-]+quarter\b", re.I)),
    ("quarter", re.compile(r"\bQ(?P<n>[1-4])\b")),
    ("half", re.compile(r"\b(?:the\s+)?(?P<n>first|second|latter|1st|2nd)[\s-]+half\b", re.I)),
    # 'in June': a month in full after a preposition ('May' alone is too often the verb)
    ("month", re.compile(rf"\b(?:in|during|since|until|through|by|from|early|late|mid-?)\s+(?P<m>{FULL_MONTH})\b")),
)
FISCAL_MONTHS = re.compile(
    rf"from\s+(?P<m1>{MONTH})\s+(?P<y1>{YEAR_REF})\s+(?:to|through|until)\s+(?P<m2>{MONTH})\s+(?P<y2>{YEAR_REF})", re.I
)
# A year that names a thing ('AI Index 2024', 'Vision 2030') rather than dating a figure.
NAMED_YEAR = re.compile(rf"[\"“‘']?\b[A-Z][\w-]*\s+{YEAR}\b[\"”’']?(?!\s+(?:fiscal|to|and|-))")
PEAK_YEAR = re.compile(rf"\bpeak(?:ed|ing|s)?\s+(?:in|at)\s+(?P<y>{YEAR})\b", re.I)
# A comparison base or a span ('two years prior', 'within one year'), which dates no figure of its own.
DURATION = re.compile(
    r"\b(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|\w+)\s+(?:full\s+)?(?:years?|months?|quarters?|weeks?|days?)\b", re.I
)


@dataclass
class Period:
    type: str
    label: str
    start: date
    end: date
    basis: str  # stated or relative (inferred is set by the drafter when it carries a period over)
    text: str | None  # the relative words as written
    span: tuple[int, int]  # where it stands in the document
    note: str = ""
    fiscal_dates: bool = False  # the fiscal year's dates come from the text, so they are written out
    extra: dict = field(default_factory=dict)


def _year(written: str, reference_year: int | None) -> tuple[int | None, str | None]:
    """A year as written, or a relative one through the reference year (and its words)."""
    if re.fullmatch(YEAR, written):
        return int(written), None
    offset = OFFSETS.get(written.lower().rsplit(" year", 1)[0])
    if offset is None or reference_year is None:
        return None, written
    return reference_year + offset, written


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def labelled(kind: str, year: int, n: int = 0) -> tuple[str, date, date]:
    if kind == "range":  # the first n months
        return f"{year}-01-01/{_month_end(year, n)}", date(year, 1, 1), _month_end(year, n)
    if kind == "year_to_date":  # to a day the text does not say: the drafter notes it
        return f"{year}-YTD", date(year, 1, 1), date(year, 12, 31)
    if kind == "quarter":
        return f"{year}-Q{n}", date(year, 3 * n - 2, 1), _month_end(year, 3 * n)
    if kind == "half":
        return f"{year}-H{n}", date(year, 6 * n - 5, 1), _month_end(year, 6 * n)
    if kind == "month":
        return f"{year}-{n:02d}", date(year, n, 1), _month_end(year, n)
    if kind == "fiscal_year":
        return f"FY{year}", date(year, 1, 1), date(year, 12, 31)
    return str(year), date(year, 1, 1), date(year, 12, 31)


def _fiscal_dates(text: str, at: int, reference_year: int | None) -> tuple[date, date] | None:
    """'(from July last year to June this year)' just after a fiscal year."""
    found = FISCAL_MONTHS.search(text, at, at + 80)
    if not found:
        return None
    first, _ = _year(found.group("y1"), reference_year)
    last, _ = _year(found.group("y2"), reference_year)
    if first is None or last is None:
        return None
    start = date(first, MONTHS[found.group("m1").lower().rstrip(".")], 1)
    return start, _month_end(last, MONTHS[found.group("m2").lower().rstrip(".")])


def find_periods(text: str, lo: int, hi: int, reference_year: int | None) -> list[Period]:
    """Every period written in text[lo:hi], longest first where they overlap, in text order."""
    taken: list[tuple[int, int]] = []
    found: list[Period] = []
    for match in SAME_PART.finditer(text, lo, hi):
        year, words = _year(match.group("y"), reference_year)
        if year is not None:  # which quarter (half, month) is the one written before: see same_part()
            kind = match.group("part").lower()
            found.append(Period(kind, "?", date(year, 1, 1), date(year, 12, 31), "relative" if words else "stated", words, match.span()))
            taken.append(match.span())
    for match in SAME_YEAR.finditer(text, lo, hi):
        found.append(Period("year", "?", date(1, 1, 1), date(1, 1, 1), "inferred", None, match.span(), extra={"same_year": True}))
        taken.append(match.span())
    for kind, pattern in PATTERNS:
        for match in pattern.finditer(text, lo, hi):
            span = match.span()
            if any(a < span[1] and span[0] < b for a, b in taken) or _is_not_a_period(text, match, kind):
                continue
            year, words = _year(match.group("y"), reference_year)
            if year is None:
                continue
            n = ORDINALS.get(match.group("n").lower(), 0) if "n" in match.groupdict() else 0
            if kind == "range":
                n = MONTH_COUNTS.get(match.group("n").lower()) or int(match.group("n"))
            if kind in ("quarter", "half") and not n:
                n = int(match.group("n"))
            if kind == "month":
                n = MONTHS[match.group("m").lower().rstrip(".")]
            label, start, end = labelled(kind, year, n)
            period = Period(kind, label, start, end, "relative" if words else "stated", words, span)
            if kind in ("range", "year_to_date"):
                period.fiscal_dates = True  # the schema wants the dates of a range written out
            if kind == "year_to_date":
                period.note = "Year to date: set period_end to the day the figure runs to."
            if kind == "fiscal_year":
                dates = _fiscal_dates(text, span[1], reference_year)
                if dates:
                    period.start, period.end, period.fiscal_dates = *dates, True
                else:
                    period.note = "The text gives no months for this fiscal year; set period_start and period_end."
                    period.fiscal_dates = True
            taken.append(span)
            found.append(period)
    for kind, pattern in BARE:
        for match in pattern.finditer(text, lo, hi):
            span = match.span("m") if kind == "month" else match.span()
            if not any(a < span[1] and span[0] < b for a, b in taken):
                n = MONTHS[match.group("m").lower()] if kind == "month" else ORDINALS.get(match.group("n").lower()) or int(match.group("n"))
                found.append(Period(kind, "?", date(1, 1, 1), date(1, 1, 1), "inferred", None, span, extra={"part": n}))
                taken.append(span)
    return sorted(found, key=lambda p: p.span)


def in_year(period: Period, year: int, basis: str, text: str | None, why: str) -> Period:
    """A quarter or half written without its year, placed in `year`."""
    label, start, end = labelled(period.type, year, period.extra["part"])
    return Period(period.type, label, start, end, basis, text, period.span, extra={"part": period.extra["part"], "why": why})


def _is_not_a_period(text: str, match: re.Match, kind: str) -> bool:
    if kind != "year" or not match.group("y")[:1].isdigit():
        return False
    at = match.start()
    named = NAMED_YEAR.search(text, max(0, at - 40), match.end() + 1)
    before = text[max(0, at - 12) : at]
    preposition = re.search(r"\b(?:in|by|of|since|from|to|for|during|until|end|early|late|mid)\s+$", before, re.I)
    if named and named.end() >= match.end() and not preposition and not re.search(r"(?:^|[.!?]\s+)$", text[max(0, at - 3) : at]):
        return True
    return bool(PEAK_YEAR.search(text, max(0, at - 20), match.end()))


def same_part(period: Period, earlier: list[Period]) -> Period | None:
    """'the same quarter of last year': the quarter of the latest quarter written before, in that year."""
    model = next((p for p in reversed(earlier) if p.type == period.type and p.label != "?"), None)
    if model is None:
        return None
    n = int(model.label[-1]) if period.type in ("quarter", "half") else model.start.month
    label, start, end = labelled(period.type, period.start.year, n)
    return Period(period.type, label, start, end, period.basis, period.text, period.span)


def same_year(period: Period, earlier: list[Period]) -> Period | None:
    """'the same year': the latest year written before it (else the year of the latest period)."""
    model = next((p for p in reversed(earlier) if p.type == "year"), None) or (earlier[-1] if earlier else None)
    if model is None:
        return None
    year = model.start.year
    label, start, end = labelled("year", year)
    why = f"'the same year' is the last year the text states before it, {year}."
    return Period("year", label, start, end, "inferred", None, period.span, extra={"why": why})


def year_before(period: Period) -> Period:
    """The same part of the year before ('a year earlier' than 2025-H1 is 2024-H1)."""
    if period.type in ("range", "year_to_date"):
        start, end = period.start.replace(year=period.start.year - 1), period.end.replace(year=period.end.year - 1)
        label = f"{start}/{end}" if period.type == "range" else f"{start.year}-YTD"
        return Period(period.type, label, start, end, "inferred", None, period.span, fiscal_dates=True)
    n = int(period.label[-1]) if period.type in ("quarter", "half") else period.start.month
    year = int(period.label[2:] if period.type == "fiscal_year" else period.label[:4]) - 1
    label, start, end = labelled(period.type, year, n)
    return Period(period.type, label, start, end, "inferred", None, period.span)


def peak_year(text: str, lo: int, hi: int) -> list[re.Match]:
    return list(PEAK_YEAR.finditer(text, lo, hi))
