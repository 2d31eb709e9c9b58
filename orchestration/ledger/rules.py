"""Rules that need more than one record: references between files, the documents' own text,
dates, and arithmetic that must hold before any figure is published."""

import calendar
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import PurePath

from .violations import Violation

SCALE = {"one": 1, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
# Relative words resolve through the document's reference year (manifest); keys are lower case.
RELATIVE_YEAR_OFFSETS = {"last year": -1, "this year": 0, "next year": 1}
DIGITS = re.compile(r"\d[\d,]*(?:\.\d+)?")
NON_CURRENCY_UNITS = {"count", "percent", "ratio", "rank", "year", "event"}


@dataclass(frozen=True)
class Reference:
    regions: frozenset[str]
    currencies: frozenset[str]
    metrics: frozenset[str]


def base_amount(fact: dict) -> float:
    """The value in whole units: $56 billion -> 56e9."""
    return fact["value"] * SCALE[fact["scale"]]


def _at(record: dict, field: str, rule: str, message: str) -> Violation:
    return Violation(record["_file"], record["_row"], field, rule, message)


def _file_document_id(record: dict) -> str:
    return PurePath(record["_file"]).stem


def check_manifest(manifest: list[dict], texts: dict[str, str]) -> list[Violation]:
    problems = []
    seen = set()
    for doc in manifest:
        if doc["document_id"] in seen:
            problems.append(_at(doc, "document_id", "unique_document_id", f"document id {doc['document_id']!r} appears twice"))
        seen.add(doc["document_id"])
        if doc["document_id"] not in texts:
            problems.append(_at(doc, "document_id", "document_text_exists", f"no text file documents/{doc['document_id']}.txt"))
        if date.fromisoformat(doc["published_start"]) > date.fromisoformat(doc["published_end"]):
            problems.append(_at(doc, "published_end", "period_start_before_end", "published_end is before published_start"))
    for document_id in sorted(set(texts) - seen):
        problems.append(
            Violation(
                f"documents/{document_id}.txt",
                0,
                "document_id",
                "document_in_manifest",
                "text file has no entry in documents/manifest.jsonl",
            )
        )
    return problems


def _period_problems(fact: dict, reference_year: int | None) -> list[Violation]:
    start, end = date.fromisoformat(fact["period_start"]), date.fromisoformat(fact["period_end"])
    label, kind = fact["period_label"], fact["period_type"]
    if start > end:
        return [_at(fact, "period_end", "period_start_before_end", f"period ends ({end}) before it starts ({start})")]
    expected: tuple[date, date] | None = None
    if kind == "year" and re.fullmatch(r"\d{4}", label):
        expected = (date(int(label), 1, 1), date(int(label), 12, 31))
    elif kind == "quarter" and re.fullmatch(r"\d{4}-Q[1-4]", label):
        year, quarter = int(label[:4]), int(label[-1])
        last_month = quarter * 3
        expected = (date(year, last_month - 2, 1), date(year, last_month, calendar.monthrange(year, last_month)[1]))
    elif kind == "month" and re.fullmatch(r"\d{4}-\d{2}", label) and 1 <= int(label[5:]) <= 12:
        year, month = int(label[:4]), int(label[5:])
        expected = (date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]))
    elif kind == "fiscal_year" and re.fullmatch(r"FY\d{4}", label):
        if end.year != int(label[2:]) or not 364 <= (end - start).days <= 365:
            return [
                _at(fact, "period_end", "fiscal_year_dates", f"{label} must end in {label[2:]} and span one year, not {start} to {end}")
            ]
    else:
        return [_at(fact, "period_label", "period_label_matches_type", f"label {label!r} is not a {kind} label")]
    problems = []
    if expected and expected != (start, end):
        problems.append(
            _at(fact, "period_start", "period_dates_match_label", f"{label} runs {expected[0]} to {expected[1]}, not {start} to {end}")
        )
    if fact["period_basis"] == "relative":
        words = fact["period_text"]
        offset = RELATIVE_YEAR_OFFSETS.get(words.lower())
        if offset is None:
            problems.append(_at(fact, "period_text", "known_relative_period", f"{words!r} is not one of {sorted(RELATIVE_YEAR_OFFSETS)}"))
        elif reference_year is not None:
            year = end.year if kind == "fiscal_year" else start.year
            if year != reference_year + offset:
                problems.append(
                    _at(
                        fact,
                        "period_label",
                        "relative_period_resolves",
                        f"{words!r} in a document whose reference year is {reference_year} means {reference_year + offset}, not {year}",
                    )
                )
        if words not in fact["evidence"]:
            problems.append(_at(fact, "period_text", "period_text_in_evidence", f"{words!r} is not in the evidence sentence"))
    return problems


def _value_problems(fact: dict, reference: Reference) -> list[Violation]:
    problems = []
    unit, value = fact["unit"], fact["value"]
    if unit not in NON_CURRENCY_UNITS and unit not in reference.currencies:
        problems.append(
            _at(fact, "unit", "known_currency", f"{unit!r} is neither an ISO 4217 currency code nor one of {sorted(NON_CURRENCY_UNITS)}")
        )
    if value is None:
        return problems
    if (unit in reference.currencies or unit == "count") and value < 0:
        problems.append(_at(fact, "value", "non_negative_amount", f"{unit} figure {value} is negative"))
    if unit == "rank" and (value < 1 or value != int(value)):
        problems.append(_at(fact, "value", "rank_is_positive_integer", f"rank {value} is not a whole number from 1"))
    if fact["metric"] == "share" and not 0 <= value * (0.01 if unit == "percent" else 1) <= 1:
        problems.append(_at(fact, "value", "share_within_0_1", f"share {value} {unit} is outside 0..1 of its whole"))
    written = DIGITS.search(fact["figure"])
    if written and unit not in ("event",) and abs(float(written.group().replace(",", "")) - value) > 1e-9:
        problems.append(
            _at(fact, "value", "value_matches_figure", f"value {value} differs from the figure as written ({fact['figure']!r})")
        )
    return problems


def check_facts(facts: list[dict], manifest: list[dict], texts: dict[str, str], reference: Reference) -> list[Violation]:
    problems = []
    reference_years = {d["document_id"]: d["reference_year"] for d in manifest}
    by_id: dict[str, dict] = {}
    for fact in facts:
        fid = fact["fact_id"]
        if fid in by_id:
            first = by_id[fid]
            problems.append(_at(fact, "fact_id", "unique_fact_id", f"{fid!r} is already used at {first['_file']}, row {first['_row']}"))
            continue
        by_id[fid] = fact
    for fact in facts:
        doc = fact["document_id"]
        if doc not in reference_years:
            problems.append(_at(fact, "document_id", "known_document_id", f"{doc!r} is not in documents/manifest.jsonl"))
        elif _file_document_id(fact) != doc:
            problems.append(
                _at(fact, "document_id", "document_matches_file", f"a fact of {doc!r} is in the file of {_file_document_id(fact)!r}")
            )
        if fact["metric"] not in reference.metrics:
            problems.append(_at(fact, "metric", "known_metric", f"{fact['metric']!r} is not in reference/metrics.csv"))
        if fact["region"] not in reference.regions:
            problems.append(_at(fact, "region", "known_region", f"{fact['region']!r} is not an ISO 3166-1 alpha-2 code or GLOBAL"))
        text = texts.get(doc)
        if text is not None and fact["evidence"] not in text:
            problems.append(_at(fact, "evidence", "evidence_in_document", f"the evidence sentence is not found verbatim in document {doc}"))
        if fact["figure"] not in fact["evidence"]:
            problems.append(_at(fact, "figure", "figure_in_evidence", f"figure {fact['figure']!r} is not in the evidence sentence"))
        problems += _period_problems(fact, reference_years.get(doc))
        problems += _value_problems(fact, reference)
        problems += _link_problems(fact, by_id)
    problems += _parts_within_wholes(facts, by_id)
    return problems


_ARITY = {"growth": 2, "share": 2, "multiple": 2, "fx_equivalent": 1, "lower_bound": 1}


def _link_problems(fact: dict, by_id: dict[str, dict]) -> list[Violation]:
    problems = []
    for field, ids in (("part_of", [fact["part_of"]] if "part_of" in fact else []), ("derived_from", fact.get("derived_from", []))):
        for other in ids:
            if other == fact["fact_id"]:
                problems.append(_at(fact, field, "no_self_reference", "a fact cannot refer to itself"))
            elif other not in by_id:
                problems.append(_at(fact, field, "known_fact_id", f"{other!r} is not a fact id"))
    if "derivation" in fact:
        inputs = len(fact["derived_from"])
        wanted = _ARITY[fact["derivation"]]
        unverifiable = fact["audit"]["expected_status"] == "unverifiable"
        if inputs != wanted and not (inputs == 0 and unverifiable):
            problems.append(
                _at(
                    fact,
                    "derived_from",
                    "derivation_inputs",
                    f"a {fact['derivation']} claim takes {wanted} input fact(s), not {inputs}"
                    " (or none, when the audit expects it to be unverifiable)",
                )
            )
    return problems


def _parts_within_wholes(facts: list[dict], by_id: dict[str, dict]) -> list[Violation]:
    parts_of: dict[str, list[dict]] = defaultdict(list)
    for fact in facts:
        if fact.get("part_of") in by_id and fact["value"] is not None:
            parts_of[fact["part_of"]].append(fact)
    problems = []
    for whole_id, parts in parts_of.items():
        whole = by_id[whole_id]
        mismatched = [p for p in parts if p["unit"] != whole["unit"]]
        for part in mismatched:
            problems.append(_at(part, "unit", "part_unit_matches_whole", f"part in {part['unit']} of a whole in {whole['unit']}"))
        # An 'at least' whole is no ceiling; parts that are themselves upper bounds set no floor.
        if mismatched or whole["value"] is None or whole["qualifier"] in ("at_least", "more_than"):
            continue
        counted = [p for p in parts if p["qualifier"] not in ("at_most", "less_than")]
        total = sum(base_amount(p) for p in counted)
        if total > base_amount(whole) * (1 + 1e-9):
            names = ", ".join(p["fact_id"] for p in counted)
            problems.append(
                _at(
                    whole,
                    "value",
                    "parts_within_whole",
                    f"its parts ({names}) add up to {total:,.0f} {whole['unit']}, more than this whole of "
                    f"{base_amount(whole):,.0f} {whole['unit']}",
                )
            )
    return problems


def check_exclusions(exclusions: list[dict], texts: dict[str, str]) -> list[Violation]:
    problems = []
    for item in exclusions:
        doc = item["document_id"]
        if doc not in texts:
            problems.append(_at(item, "document_id", "known_document_id", f"{doc!r} has no document text"))
            continue
        if _file_document_id(item) != doc:
            problems.append(
                _at(item, "document_id", "document_matches_file", f"an exclusion of {doc!r} is in the file of {_file_document_id(item)!r}")
            )
        if item["context"] not in texts[doc]:
            problems.append(
                _at(item, "context", "context_in_document", f"context {item['context']!r} is not found verbatim in document {doc}")
            )
        if item["text"] not in item["context"]:
            problems.append(_at(item, "text", "text_in_context", f"{item['text']!r} is not in its context"))
    return problems
