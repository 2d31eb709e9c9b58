"""Coverage: every number in a document's text is either part of a fact's figure or excluded
with a reason. A number that is neither fails the ingest, so no figure is silently dropped.

A "number" is a run of digits ('82.34', '100,000', the '4' of 'GPT-4') or a number word (one to
twelve, twenty, dozen, half, third, twice, double, triple, any '-fold'). Ordinals ('fourth') are
not counted. A four-digit year is also covered when it stands in the evidence of a fact whose
period includes that year ('... in 2023' beside the 2023 figure)."""

import re
from dataclasses import dataclass
from datetime import date

NUMBER = re.compile(
    r"\d+(?:[.,]\d+)*"
    r"|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|dozen|half|third|twice|double|triple|\w+fold)\b",
    re.IGNORECASE,
)
YEAR = re.compile(r"^(?:19|20)\d{2}$")


@dataclass(frozen=True)
class Mention:
    document_id: str
    line_number: int
    char_offset: int
    token: str
    context: str
    covered_by_kind: str | None  # fact_figure, fact_period, exclusion, or None when unmapped
    covered_by: str | None


def _occurrences(haystack: str, needle: str, offset: int = 0) -> list[int]:
    found, start = [], haystack.find(needle)
    while start >= 0:
        found.append(offset + start)
        start = haystack.find(needle, start + 1)
    return found


def _spans(text: str, facts: list[dict], exclusions: list[dict]) -> tuple[list, list, list]:
    figures, periods, excluded = [], [], []
    for fact in facts:
        years = set(range(date.fromisoformat(fact["period_start"]).year, date.fromisoformat(fact["period_end"]).year + 1))
        for at in _occurrences(text, fact["evidence"]):
            periods.append((at, at + len(fact["evidence"]), years, fact["fact_id"]))
            for figure_at in _occurrences(fact["evidence"], fact["figure"], at):
                figures.append((figure_at, figure_at + len(fact["figure"]), fact["fact_id"]))
    for item in exclusions:
        for at in _occurrences(text, item["context"]):
            for token_at in _occurrences(item["context"], item["text"], at):
                excluded.append((token_at, token_at + len(item["text"]), f"{item['_file']}:{item['_row']}"))
    return figures, periods, excluded


def _cover(start: int, end: int, token: str, figures, periods, excluded) -> tuple[str | None, str | None]:
    for lo, hi, fact_id in figures:
        if lo <= start and end <= hi:
            return "fact_figure", fact_id
    if YEAR.match(token):
        for lo, hi, years, fact_id in periods:
            if lo <= start and end <= hi and int(token) in years:
                return "fact_period", fact_id
    for lo, hi, where in excluded:
        if lo <= start and end <= hi:
            return "exclusion", where
    return None, None


def document_mentions(document_id: str, text: str, facts: list[dict], exclusions: list[dict]) -> list[Mention]:
    figures, periods, excluded = _spans(text, facts, exclusions)
    mentions = []
    for match in NUMBER.finditer(text):
        kind, by = _cover(match.start(), match.end(), match.group(), figures, periods, excluded)
        line_number = text.count("\n", 0, match.start()) + 1
        context = text[max(0, match.start() - 40) : match.end() + 40].replace("\n", " ")
        mentions.append(Mention(document_id, line_number, match.start(), match.group(), context, kind, by))
    return mentions
