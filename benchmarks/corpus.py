"""A synthetic corpus for benchmarks: the four real documents plus N generated articles, each with
its text, manifest line and facts in the project's documented format (sources/README in the main
README), so that the whole pipeline, every rule and every gate, runs on it unchanged.

Every generated figure comes with the sentence it is in, and every number in a text is either a
figure or a year inside the evidence of a fact for that year, so the ingest's coverage rule holds.
The metric mix is that of the real documents' funding coverage: named deals (deal_amount, USD
million), totals for a sector and country (funding_amount, USD billion) and deal counts
(deal_count). Deterministic: the same seed and sizes give byte-identical files.

    python -m benchmarks.corpus --documents 1000 --facts-per-document 100 --out /tmp/corpus
"""

import argparse
import json
import random
import shutil
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
COUNTRIES = [
    ("US", "American"),
    ("CN", "Chinese"),
    ("GB", "British"),
    ("FR", "French"),
    ("DE", "German"),
    ("JP", "Japanese"),
    ("KR", "South Korean"),
    ("IN", "Indian"),
    ("CA", "Canadian"),
    ("IL", "Israeli"),
    ("SG", "Singaporean"),
    ("SE", "Swedish"),
]
SECTORS = ["robotics", "chip design", "AI safety", "speech recognition", "computer vision", "drug discovery", "coding assistant"]
ROUNDS = ["seed", "Series A", "Series B", "Series C", "growth"]
SYLLABLES = ["ka", "lo", "mi", "ra", "ven", "tor", "zu", "bel", "qua", "nix", "sol", "dra", "fen", "gar", "hul", "jor"]
YEARS = [2022, 2023, 2024]
MEASURES = {"deal_amount": "vc_round_value", "funding_amount": "investment_unclassified", "deal_count": "deal_count_unclassified"}


def company_name(number: int) -> str:
    """A unique, digit-free company name for every number (base-16 in syllables)."""
    parts = []
    while True:
        number, digit = divmod(number, len(SYLLABLES))
        parts.append(SYLLABLES[digit])
        if number == 0:
            break
    return "".join(parts).capitalize() + " AI"


def _year_period(year: int) -> dict:
    return {
        "period_type": "year",
        "period_label": str(year),
        "period_start": f"{year}-01-01",
        "period_end": f"{year}-12-31",
        "period_basis": "stated",
    }


def _fact(document_id: str, slug: str, evidence: str, figure: str, **fields) -> dict:
    return {
        "fact_id": f"{document_id.replace('_', '-')}.{slug}",
        "document_id": document_id,
        "qualifier": "exact",
        "figure": figure,
        "evidence": evidence,
        **fields,
    }


def _sentences(document_id: str, number: int, facts_wanted: int, rng: random.Random) -> list[tuple[str, dict]]:
    """(sentence, fact) pairs; every sentence holds exactly one figure and one year."""
    pairs = []
    for index in range(facts_wanted):
        kind, triple = index % 3, index // 3
        if kind == 0:  # a named deal
            year = rng.choice(YEARS)
            country, adjective = rng.choice(COUNTRIES)
            company = company_name(number * facts_wanted + index)
            amount = rng.randrange(5, 900)
            figure = f"${amount} million"
            article = "an" if adjective[0] in "AEIOU" else "a"
            sentence = f"{company}, {article} {adjective} start-up, raised {figure} in a {rng.choice(ROUNDS)} round in {year}."
            fact = dict(metric="deal_amount", subject=company, subject_type="company", value=amount, unit="USD", scale="million")
        else:
            # A total and a deal count for the same sector, country and year; each triple of
            # sentences has its own combination, so a document never states one total twice.
            sector = SECTORS[triple % len(SECTORS)]
            country, adjective = COUNTRIES[(triple // len(SECTORS)) % len(COUNTRIES)]
            year = YEARS[(triple // (len(SECTORS) * len(COUNTRIES))) % len(YEARS)]
            subject = f"{sector} companies"
            # one sector's total for a country and year is the same in every document that states
            # it, as the ingest's agrees_across_documents wants of one measure and provider
            same_everywhere = random.Random(f"{sector}:{country}:{year}")
            if kind == 1:
                amount = f"{same_everywhere.uniform(0.5, 60):.1f}".rstrip("0").rstrip(".")
                figure = f"${amount} billion"
                sentence = f"Investment in {subject} in the {adjective} market reached {figure} in {year}."
                fact = dict(metric="funding_amount", subject=subject, subject_type="sector", value=float(amount), unit="USD")
                fact["scale"] = "billion"
            else:
                figure = str(same_everywhere.randrange(11, 999))
                sentence = f"Investors closed {figure} deals with {subject} in the {adjective} market during {year}."
                fact = dict(metric="deal_count", subject=subject, subject_type="sector", value=int(figure), unit="count", scale="one")
        slug = f"f{index:05d}"
        fact["measure"] = MEASURES[fact["metric"]]
        pairs.append((sentence, _fact(document_id, slug, sentence, figure, region=country, **_year_period(year), **fact)))
    return pairs


def manifest_line(document_id: str, number: int) -> dict:
    return {
        "document_id": document_id,
        "title": f"Synthetic funding round-up {company_name(number)}",
        "title_basis": "curated",
        "outlet": None,
        "author": None,
        "published_start": "2025-01-01",
        "published_end": "2025-12-31",
        "date_basis": "inferred_from_content",
        "date_evidence": "Generated for benchmarks; dated to the year after the latest figure it reports.",
        "reference_year": 2025,
        "language": "en",
        "default_data_provider": "unattributed",
        "source_note": "Synthetic benchmark document (benchmarks/corpus.py).",
    }


MAX_FACTS_PER_DOCUMENT = 3 * len(SECTORS) * len(COUNTRIES) * len(YEARS)


def write_document(out: Path, number: int, facts_per_document: int, seed: int) -> dict:
    """Write one generated document's text and facts; return its manifest line."""
    if not 1 <= facts_per_document <= MAX_FACTS_PER_DOCUMENT:
        raise ValueError(f"facts per document must be 1..{MAX_FACTS_PER_DOCUMENT}")
    document_id = f"{number + 100:06d}_synthetic"
    rng = random.Random(f"{seed}:{number}")
    pairs = _sentences(document_id, number, facts_per_document, rng)
    paragraphs = [" ".join(sentence for sentence, _ in pairs[i : i + 5]) for i in range(0, len(pairs), 5)]
    (out / "documents" / f"{document_id}.txt").write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    (out / "facts" / f"{document_id}.jsonl").write_text("".join(json.dumps(f) + "\n" for _, f in pairs), encoding="utf-8")
    return manifest_line(document_id, number)


def generate(out: Path, documents: int, facts_per_document: int, seed: int = 7) -> Path:
    """The real sources plus `documents` generated ones in `out` (replaced if it exists)."""
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(PROJECT / "sources", out)
    lines = [write_document(out, number, facts_per_document, seed) for number in range(documents)]
    with (out / "documents" / "manifest.jsonl").open("a", encoding="utf-8") as manifest:
        manifest.writelines(json.dumps(line) + "\n" for line in lines)
    return out


def add_one_document(out: Path, number: int, facts_per_document: int, seed: int = 7) -> str:
    """Add generated document `number` to an existing corpus (the 'one new article' rerun)."""
    line = write_document(out, number, facts_per_document, seed)
    with (out / "documents" / "manifest.jsonl").open("a", encoding="utf-8") as manifest:
        manifest.write(json.dumps(line) + "\n")
    return line["document_id"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, required=True)
    parser.add_argument("--facts-per-document", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, required=True)
    arguments = parser.parse_args()
    generate(arguments.out, arguments.documents, arguments.facts_per_document, arguments.seed)
    generated = arguments.documents * arguments.facts_per_document
    print(f"{arguments.out}: the 4 real documents + {arguments.documents} generated ones with {generated} facts")


if __name__ == "__main__":
    main()
