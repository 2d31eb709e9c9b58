"""What a drafted figure measures and who compiled it: a measure of reference/measures.csv and a
data provider of reference/providers.csv, proposed for every amount and count the ingest wants them
on, and lifted to the manifest's defaults where one value holds for the whole document.

The provider is the one named in the figure's sentence, else the latest one named before it in its
paragraph, else the one provider the text names at all; an outlet ('according to TechCrunch') is not
a provider unless the list has it. The measure is the one of the fact's kind (amount or count) whose
id and definition share the most words with the fact's subject, metric and sentence. Both are
proposals: the review note says what they were read from."""

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from .state import Draft

# Figures that restate or derive from another figure take its meaning from their inputs.
DERIVED_METRICS = {"currency_equivalent", "growth_rate", "share", "multiple"}
WORD = re.compile(r"[a-z0-9]+")
STOP = {"the", "of", "in", "a", "an", "and", "or", "to", "by", "for", "on", "its", "their", "during", "period", "one", "that", "which"}
# What a figure of each metric is given when no measure's definition fits it, for the curator to narrow.
FALLBACK_MEASURES = {
    "funding_amount": "investment_unclassified",
    "deal_count": "deal_count_unclassified",
    "deal_amount": "vc_round_value",
    "capex_plan": "ai_capex_plan",
    "public_programme": "public_ai_programme",
    "market_size": "market_size_unclassified",
    "foundation_model_count": "notable_foundation_model_count",
}
# Metrics whose every figure is of one measure: no other fits them.
SINGLE_MEASURE_METRICS = ("deal_amount", "capex_plan", "public_programme", "foundation_model_count")
UNATTRIBUTED = "unattributed"
SYNONYMS = {"generative": "genai", "vc": "venture", "startups": "startup", "companies": "company"}
SYNONYMS |= {"organizations": "organisation", "organisations": "organisation", "organization": "organisation"}


# Who compiles figures about others; a company or a government is the provider only of its own
# figures (its capex plan, its programme), named in the figure's own sentence.
COMPILERS = {"data_vendor", "research_institute", "investor", "analyst", "statistics"}


@dataclass(frozen=True)
class Vocabulary:
    value_kinds: dict[str, str]  # metric -> value kind (metrics.csv)
    measures: dict[str, dict]  # measure -> its row of measures.csv
    providers: dict[str, list[str]]  # data_provider -> the names that stand for it in a text
    compilers: frozenset[str] = frozenset()  # the providers that compile figures about others

    @classmethod
    def read(cls, sources: Path) -> "Vocabulary":
        reference = sources / "reference"
        return cls(
            {row["metric"]: row["value_kind"] for row in _rows(reference / "metrics.csv")},
            {row["measure"]: row for row in _rows(reference / "measures.csv")},
            {row["data_provider"]: _names(row) for row in _rows(reference / "providers.csv")},
            frozenset(row["data_provider"] for row in _rows(reference / "providers.csv") if row.get("kind") in COMPILERS),
        )

    def wants_meaning(self, fact: dict) -> bool:  # the ingest's rule measure_named, and indicators
        """Amounts and counts, and indicators (a statistic means nothing without who measured what)."""
        kind = self.value_kinds.get(fact["metric"])
        return (kind in ("amount", "count") and fact["metric"] not in DERIVED_METRICS) or fact["metric"] == "indicator"


def _rows(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _names(row: dict) -> list[str]:
    """The provider's name, its words in brackets ('Quid (AI Index)' -> 'Quid', 'AI Index') and its aliases."""
    name = row.get("name") or ""
    names = [name, *re.split(r"\s*[()]\s*", name), *(row.get("aliases") or "").split("|")]
    return sorted({n.strip() for n in names if len(n.strip()) > 2}, key=len, reverse=True)


def provider_mentions(text: str, vocabulary: Vocabulary) -> list[tuple[int, str]]:
    """(offset, data_provider) for every provider name written in the text, in text order."""
    found = []
    for provider, names in vocabulary.providers.items():
        for name in names:
            found += [(m.start(), provider) for m in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", text)]
    return sorted(set(found))


def propose(drafted: Draft, vocabulary: Vocabulary) -> None:
    """Set `measure` and `data_provider` on every drafted fact that needs them."""
    mentions = provider_mentions(drafted.text, vocabulary)
    named = sorted({provider for _, provider in mentions if provider in vocabulary.compilers})
    wanting = [f for f in drafted.facts if vocabulary.wants_meaning(f)]
    # counts last: a count is of the population of the amount its subject has (its measure family)
    for fact in sorted(wanting, key=lambda f: vocabulary.value_kinds.get(f["metric"]) == "count"):
        provider, where = provider_of(drafted, fact, mentions, named, vocabulary)
        if provider:
            fact["data_provider"] = provider
            fact["_notes"].append(f"data_provider {provider} from {where}")
        elif UNATTRIBUTED in vocabulary.providers:
            fact["data_provider"] = UNATTRIBUTED
            fact["_notes"].append("the text names no provider of reference/providers.csv: name who compiled the figure")
        measure = count_of_family(fact, drafted, vocabulary) or measure_of(fact, vocabulary)
        if measure:
            fact["measure"] = measure
            fact["_notes"].append(f"measure {measure} read from its definition: check")
        elif FALLBACK_MEASURES.get(fact["metric"]) in vocabulary.measures:
            fact["measure"] = FALLBACK_MEASURES[fact["metric"]]
            fact["_notes"].append(f"no measure's definition fits: {fact['measure']}, to narrow")


def count_of_family(fact: dict, drafted: Draft, vocabulary: Vocabulary) -> str | None:
    """The count measure of the family of the measure drafted for an amount of the same subject, when
    that family has one count measure ('885 transactions' of PitchBook's deal value: its deal count)."""
    if vocabulary.value_kinds.get(fact["metric"]) != "count":
        return None
    families = {
        vocabulary.measures[f["measure"]].get("family")
        for f in drafted.facts
        if f.get("measure") in vocabulary.measures and f["subject"] == fact["subject"] and f is not fact
    }
    counts = [m for m, row in vocabulary.measures.items() if row.get("unit_kind") == "count" and row.get("family") in families]
    return counts[0] if len(counts) == 1 and counts[0] not in FALLBACK_MEASURES.values() else None


def provider_of(
    drafted: Draft, fact: dict, mentions: list[tuple[int, str]], named: list[str], vocabulary: Vocabulary
) -> tuple[str | None, str]:
    s = drafted.sentences[fact["_sentence"]]
    lo, hi = s.paragraph
    own = [p for at, p in mentions if s.start <= at < s.end and (p in vocabulary.compilers or _names_itself(fact, vocabulary.providers[p]))]
    if own:
        return own[-1], "its sentence"
    if fact["subject_type"] == "government" or fact["metric"] == "capex_plan":  # its own plan, unless its sentence says who
        return None, ""
    before = [p for at, p in mentions if lo <= at < s.start and p in vocabulary.compilers]
    if before:
        return before[-1], "its paragraph"
    if len(named) == 1:
        return named[0], "the one provider the text names"
    return None, ""


def _named_providers(row: dict, vocabulary: Vocabulary) -> set[str]:
    """The compilers a measure's definition names, or its parent's (a subset is counted by its whole's)."""
    defined = _words(row.get("definition", ""))
    named = {p for p, names in vocabulary.providers.items() if any(_words(n) and _words(n) <= defined for n in names)}
    parent = vocabulary.measures.get(row.get("parent_measure") or "")
    return (named & vocabulary.compilers) or (_named_providers(parent, vocabulary) if parent and parent is not row else set())


def _names_itself(fact: dict, names: list[str]) -> bool:
    """A company or government provider of its own figure: its name and the fact's subject overlap."""
    subject = fact["subject"].lower()
    return any(subject in name.lower() or name.lower() in subject for name in names)


def _words(text: str) -> set[str]:
    words = {SYNONYMS.get(w, w) for w in WORD.findall(text.lower().replace("-", " "))}
    return words - STOP


def measure_of(fact: dict, vocabulary: Vocabulary) -> str | None:
    """A metric with one measure of its own (a named round, a capex plan) takes it; any other, the
    measure of its kind whose words the fact's subject and sentence share most, among the measures
    whose definitions name the fact's provider if any do, else among those that name no provider."""
    own_measure = FALLBACK_MEASURES.get(fact["metric"])
    if fact["metric"] in SINGLE_MEASURE_METRICS and own_measure in vocabulary.measures:
        return own_measure
    kind = vocabulary.value_kinds.get(fact["metric"])
    said = _words(f"{fact['subject']} {fact['metric']} {fact['evidence']}")
    reserved = set(FALLBACK_MEASURES.values())
    candidates = {m: row for m, row in vocabulary.measures.items() if row.get("unit_kind") == kind and m not in reserved}
    naming = {m: _named_providers(row, vocabulary) for m, row in candidates.items()}
    # a provider's figures follow its own definitions where the list has them, never another's
    own = {m for m, named in naming.items() if fact.get("data_provider") in named}
    scored = []
    for measure, row in candidates.items():
        words, defined = _words(measure.replace("_", " ")), _words(row.get("definition", ""))
        # a provider's own measures compete among themselves; a measure that names no provider must
        # have every word of its id said, and one naming another provider is never proposed
        if (own and measure not in own) or (not own and (naming[measure] or words - said)):
            continue
        scored.append((2 * len(words & said) + len(defined & said) - len(words - said), measure))
    best = max(scored, default=(0, None))
    return best[1] if best[0] > 0 else None


def lift_defaults(entry: dict, facts: list[dict], drafted_entry: bool) -> None:
    """A manifest line the drafter writes takes the provider (and measure) every fact shares as its
    default, and those facts leave it out; a line the curator wrote keeps its own defaults."""
    wanting = [f for f in facts if "data_provider" in f or "measure" in f]
    for field, default in (("data_provider", "default_data_provider"), ("measure", "default_measure")):
        if drafted_entry:
            values = {f.get(field) for f in wanting}
            if len(values) == 1 and None not in values and len(wanting) > 1:
                entry[default] = values.pop()
        if entry.get(default):
            for f in wanting:
                if f.get(field) == entry[default]:
                    del f[field]
