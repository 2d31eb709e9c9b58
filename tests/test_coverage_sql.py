"""coverage.build_mentions (DuckDB SQL) gives exactly the rows of coverage.document_mentions (the
Python reference): on the real documents, on a generated corpus, on edge cases and on random texts
made to trip the places where RE2 and string_split differ from Python's re and str.find."""

import random
from pathlib import Path

import duckdb
import pytest

from benchmarks.corpus import generate
from orchestration.ledger import coverage, ingest, reading
from orchestration.ledger.reading import SourceTree

from .conftest import SOURCES

Row = tuple[str, int, int, str, str, str | None, str | None]

FACT_COLUMNS = "fact_id varchar, document_id varchar, figure varchar, evidence varchar, period_start date, period_end date"
EXCLUSION_COLUMNS = "document_id varchar, excluded_text varchar, context varchar"
SOURCE_COLUMNS = "source_file varchar, source_line bigint"


# --- the stage tables build_mentions reads ---------------------------------------------------


def load_tree(con: duckdb.DuckDBPyConnection, root: Path) -> None:
    """src_texts, stage_facts and stage_exclusions from a source tree, as the ingest makes them."""
    tree = SourceTree(root.resolve())
    reading.hash_files(con, tree)
    ingest.validate(con, tree)


def stage(con: duckdb.DuckDBPyConnection, texts: dict[str, str], facts: list[dict], exclusions: list[dict]) -> None:
    """The same tables from records in memory; each record's row is its place among its document's."""
    con.execute("create or replace temp table src_texts (document_id varchar, content varchar)")
    con.execute(f"create or replace temp table stage_facts ({FACT_COLUMNS}, {SOURCE_COLUMNS})")
    con.execute(f"create or replace temp table stage_exclusions ({EXCLUSION_COLUMNS}, {SOURCE_COLUMNS})")
    _insert(con, "src_texts", list(texts.items()))
    _insert(con, "stage_facts", _rows(facts, "facts", ("fact_id", "document_id", "figure", "evidence", "period_start", "period_end")))
    _insert(con, "stage_exclusions", _rows(exclusions, "exclusions", ("document_id", "text", "context")))


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple]) -> None:
    if rows:
        con.executemany(f"insert into {table} values ({', '.join('?' * len(rows[0]))})", rows)


def _rows(records: list[dict], folder: str, fields: tuple[str, ...]) -> list[tuple]:
    """The records' fields, then their file and row: their place among their document's records."""
    rows, seen = [], {}
    for record in records:
        seen[record["document_id"]] = row = seen.get(record["document_id"], 0) + 1
        rows.append((*(record[k] for k in fields), f"{folder}/{record['document_id']}.jsonl", row))
    return rows


# --- the two implementations -----------------------------------------------------------------


def sql_rows(con: duckdb.DuckDBPyConnection) -> list[Row]:
    coverage.build_mentions(con)
    return con.execute("select * from src_mentions order by document_id, char_offset").fetchall()


def python_rows(con: duckdb.DuckDBPyConnection) -> list[Row]:
    """document_mentions over the same tables, with the records in file order as the ingest read them."""
    facts, exclusions = {}, {}
    for fact_id, document_id, figure, evidence, start, end, file, row in con.execute(
        "select fact_id, document_id, figure, evidence, period_start::varchar, period_end::varchar, source_file, source_line "
        "from stage_facts order by source_file, source_line"
    ).fetchall():
        record = {"fact_id": fact_id, "figure": figure, "evidence": evidence, "period_start": start, "period_end": end}
        facts.setdefault(document_id, []).append(record | {"_file": file, "_row": row})
    for document_id, text, context, file, row in con.execute(
        "select document_id, excluded_text, context, source_file, source_line from stage_exclusions order by source_file, source_line"
    ).fetchall():
        exclusions.setdefault(document_id, []).append({"text": text, "context": context, "_file": file, "_row": row})
    texts = con.execute("select document_id, content from src_texts order by document_id").fetchall()
    return [
        (m.document_id, m.line_number, m.char_offset, m.token, m.context, m.covered_by_kind, m.covered_by)
        for document_id, text in texts
        for m in coverage.document_mentions(document_id, text, facts.get(document_id, []), exclusions.get(document_id, []))
    ]


def mentions(texts: dict[str, str], facts: tuple[dict, ...] = (), exclusions: tuple[dict, ...] = ()) -> list[Row]:
    """The SQL rows for these records, once they are shown to equal the Python rows."""
    with duckdb.connect() as con:
        stage(con, texts, list(facts), list(exclusions))
        rows = sql_rows(con)
        assert rows == python_rows(con)
    return rows


def fact(fact_id: str, figure: str, evidence: str, year: int = 2024, document_id: str = "doc") -> dict:
    return {
        "fact_id": fact_id,
        "document_id": document_id,
        "figure": figure,
        "evidence": evidence,
        "period_start": f"{year}-01-01",
        "period_end": f"{year}-12-31",
    }


def exclusion(text: str, context: str, document_id: str = "doc") -> dict:
    return {"document_id": document_id, "text": text, "context": context}


def covered(rows: list[Row]) -> list[tuple[str, str | None, str | None]]:
    return [(token, kind, by) for _, _, _, token, _, kind, by in rows]


# --- whole corpora ---------------------------------------------------------------------------


def test_the_real_documents_give_the_same_rows():
    with duckdb.connect() as con:
        load_tree(con, SOURCES)
        rows = sql_rows(con)
        assert rows == python_rows(con)
    assert len(rows) > 50 and {kind for *_, kind, _ in rows} == {"fact_figure", "fact_period", "exclusion"}


def test_a_generated_corpus_gives_the_same_rows(tmp_path: Path):
    with duckdb.connect() as con:
        load_tree(con, generate(tmp_path / "corpus", 20, 100))
        rows = sql_rows(con)
        assert rows == python_rows(con)
    assert len({row[0] for row in rows}) == 4 + 20


# --- edge cases ------------------------------------------------------------------------------


def test_number_words_next_to_punctuation_are_found_whole_words_only():
    text = "Growth was ninefold, (three) times the rest; twice-yearly. Someone came fourth, then Twenty."
    rows = mentions({"doc": text})
    expected = ("ninefold", "three", "twice", "fourth", "Twenty")
    assert [(token, offset) for _, _, offset, token, *_ in rows] == [(t, text.index(t)) for t in expected]


def test_ordinals_fractions_spelled_numbers_and_scale_words_are_numbers():
    text = (
        "It ranked eighth; more than a fifth, two-thirds and a quarter of firms; twenty-five or one hundred deals; "
        "dozens of startups, hundreds of millions, a billion users. Someone quartered thirdly."
    )
    rows = mentions({"doc": text})
    assert [token for _, _, _, token, *_ in rows] == [
        *("eighth", "fifth", "two", "thirds", "quarter", "twenty", "five", "one", "hundred"),
        *("dozens", "hundreds", "millions", "billion"),
    ]


def test_the_words_naming_a_quarter_or_a_half_are_covered_by_its_period():
    sentence = "In the fourth quarter of 2024 it raised $5 billion, against the first half."
    q4 = fact("d.q4", "$5 billion", sentence) | {"period_start": "2024-10-01", "period_end": "2024-12-31"}
    assert covered(mentions({"doc": sentence}, (q4,))) == [
        ("fourth", "fact_period", "d.q4"),
        ("quarter", "fact_period", "d.q4"),
        ("2024", "fact_period", "d.q4"),
        ("5", "fact_figure", "d.q4"),
        ("billion", "fact_figure", "d.q4"),
        ("first", None, None),
        ("half", None, None),
    ]
    h1 = fact("d.h1", "$5 billion", sentence) | {"period_start": "2024-01-01", "period_end": "2024-06-30"}
    assert [kind for _, kind, _ in covered(mentions({"doc": sentence}, (h1,)))] == [
        *(None, None, "fact_period", "fact_figure", "fact_figure", "fact_period", "fact_period")
    ]


def test_the_words_naming_a_years_first_months_are_covered_by_its_period():
    sentence = "In the first nine months of 2025 it raised $5 billion, after six months of talks."
    january_to_september = fact("d.ytd", "$5 billion", sentence) | {"period_start": "2025-01-01", "period_end": "2025-09-30"}
    assert covered(mentions({"doc": sentence}, (january_to_september,))) == [
        ("first", "fact_period", "d.ytd"),
        ("nine", "fact_period", "d.ytd"),
        ("2025", "fact_period", "d.ytd"),
        ("5", "fact_figure", "d.ytd"),
        ("billion", "fact_figure", "d.ytd"),
        ("six", None, None),
    ]
    february_to_september = january_to_september | {"period_start": "2025-02-01"}
    assert [kind for _, kind, _ in covered(mentions({"doc": sentence}, (february_to_september,)))] == [
        *(None, None, "fact_period", "fact_figure", "fact_figure", None)
    ]


def test_a_year_is_covered_by_the_period_of_a_fact_whose_evidence_holds_it():
    sentence = "In 2023 sales reached $5 billion, up from 2022."
    rows = mentions({"doc": sentence}, (fact("d.sales", "$5 billion", sentence, year=2023),))
    assert covered(rows) == [
        ("2023", "fact_period", "d.sales"),
        ("5", "fact_figure", "d.sales"),
        ("billion", "fact_figure", "d.sales"),
        ("2022", None, None),
    ]


def test_a_number_covered_only_by_an_exclusion():
    text = "The 2023 Top 10 Hot Sectors list."
    rows = mentions({"doc": text}, exclusions=(exclusion("2023", "2023 Top"), exclusion("10", "Top 10 Hot")))
    assert covered(rows) == [("2023", "exclusion", "exclusions/doc.jsonl:1"), ("10", "exclusion", "exclusions/doc.jsonl:2")]


def test_an_uncovered_number_has_no_kind():
    sentence = "It raised $56 billion."
    rows = mentions({"doc": f"{sentence} It has 42 staff."}, (fact("d.raised", "$56 billion", sentence),))
    assert covered(rows) == [("56", "fact_figure", "d.raised"), ("billion", "fact_figure", "d.raised"), ("42", None, None)]


def test_a_figure_twice_in_the_text_is_covered_at_both_places():
    sentence = "Funding hit $5 billion in 2024."
    text = f"{sentence} Analysts repeat it. {sentence} Of 5 deals, 5 were seed."
    rows = mentions({"doc": text}, (fact("d.funding", "$5 billion", sentence), fact("d.deals", "5", "Of 5 deals, 5 were seed.")))
    assert covered(rows) == [
        ("5", "fact_figure", "d.funding"),
        ("billion", "fact_figure", "d.funding"),
        ("2024", "fact_period", "d.funding"),
        ("5", "fact_figure", "d.funding"),
        ("billion", "fact_figure", "d.funding"),
        ("2024", "fact_period", "d.funding"),
        ("5", "fact_figure", "d.deals"),
        ("5", "fact_figure", "d.deals"),
    ]


def test_the_first_fact_in_file_order_covers_a_shared_figure():
    sentence = "Revenue was $3 billion in 2024."
    rows = mentions({"doc": sentence}, (fact("d.b", "$3 billion", sentence), fact("d.a", "3 billion", sentence)))
    assert covered(rows) == [("3", "fact_figure", "d.b"), ("billion", "fact_figure", "d.b"), ("2024", "fact_period", "d.b")]


def test_a_document_without_facts_lists_its_numbers_uncovered():
    sentence = "It raised $7 million."
    rows = mentions({"doc": sentence, "other": "Nine of 12 firms."}, (fact("d.raised", "$7 million", sentence),))
    assert [(doc, token, kind) for doc, _, _, token, _, kind, _ in rows] == [
        ("doc", "7", "fact_figure"),
        ("doc", "million", "fact_figure"),
        ("other", "Nine", None),
        ("other", "12", None),
    ]


def test_line_numbers_and_context_across_lines():
    text = "Title 1\n\nFirst paragraph with 22 words.\nSecond line: 333 and\n4444"
    rows = mentions({"doc": text})
    assert [(line, token) for _, line, _, token, *_ in rows] == [(1, "1"), (3, "First"), (3, "22"), (4, "Second"), (4, "333"), (5, "4444")]
    assert rows[0][4] == "Title 1  First paragraph with 22 words. Second "


def test_offsets_count_code_points_after_non_ascii_characters():
    text = "Société Générale’s “€5 billion” deal — 한국 2024 😀 7"
    rows = mentions({"doc": text})
    assert [(token, offset) for _, _, offset, token, *_ in rows] == [(t, text.index(t)) for t in ("5", "billion", "2024", "7")]
    assert rows[0][4] == text and rows[2][4] == text[len("So") :]  # 40 code points before 2024


def test_unicode_digits_and_case_folding_tokenise_as_in_python():
    text = "٣٤ units, ſix and fİve, x²fold, a3fold, 3fold, 12abc3.4, one2 ONE_ 20٢٣."
    sentence = "x²fold, a3fold, 3fold, 12abc3.4, one2 ONE_ 20٢٣."
    rows = mentions({"doc": text}, (fact("d.y", "a3fold", sentence, year=2023),))
    assert covered(rows) == [
        ("٣٤", None, None),
        ("ſix", None, None),
        ("fİve", None, None),
        ("x²fold", None, None),
        ("a3fold", "fact_figure", "d.y"),
        ("3", None, None),
        ("12", None, None),
        ("3.4", None, None),
        ("2", None, None),
        ("20٢٣", "fact_period", "d.y"),
    ]


def test_evidence_overlapping_a_repeat_of_itself_covers_the_repeat():
    # 'ab 1 ab' stands at 0 and at 5 (overlapping): string_split alone would find only the first
    rows = mentions({"doc": "ab 1 ab 1 ab"}, (fact("d.one", "1", "ab 1 ab"),))
    assert covered(rows) == [("1", "fact_figure", "d.one"), ("1", "fact_figure", "d.one")]


# --- random texts ----------------------------------------------------------------------------

PIECES = [" ", " ", "\n", ".", ",", "-", "1", "2", "7", "19", "20", "2020", "2023", "1999", "٣", "²", "a", "x", "_", "é", "’", "😀"]
PIECES += ["one", "Two", "TEN", "ſix", "fİve", "third", "fold", "tenfold", "someone", "fourth", "half", "ﬁrst", "First", "quarter"]
PIECES += ["QUARTER", "second", "billion", "fifths", "dozens", "nine", "Eleven", "six"]


def _years(first: int, last: int) -> dict:
    return {"period_start": f"{first}-01-01", "period_end": f"{last}-12-31"}


# every quarter and half of 2020, a year's first months, and periods that look like them but are none
QUARTERS_AND_HALVES = [
    {"period_start": start, "period_end": end}
    for start, end in [
        *(("2020-01-01", "2020-03-31"), ("2020-04-01", "2020-06-30"), ("2020-07-01", "2020-09-30"), ("2020-10-01", "2020-12-31")),
        *(("2020-01-01", "2020-06-30"), ("2020-07-01", "2020-12-31"), ("2020-02-01", "2020-04-30"), ("2020-01-02", "2020-03-31")),
        *(("2020-01-01", "2020-09-30"), ("2020-01-01", "2020-11-30"), ("2020-01-01", "2020-09-29")),
    ]
]


def _random_records(rng: random.Random, document_id: str) -> tuple[str, list[dict], list[dict]]:
    """A text of random pieces (some of few kinds, so that sentences repeat and overlap), with facts
    and exclusions quoting random spans of it (and, now and then, something it does not hold)."""
    pieces = PIECES if rng.random() < 0.6 else rng.sample(PIECES, 3)
    text = "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 60)))

    def span(within: str) -> str:
        if rng.random() < 0.05:
            return rng.choice(["", "absent", "1"])
        start = rng.randrange(len(within))
        return within[start : start + rng.randrange(1, 25)]

    facts = []
    for n in range(rng.randrange(0, 6)):
        evidence = span(text)
        first = rng.choice([1999, 2000, 2019, 2020, 2023])
        record = fact(f"{document_id}.f{n}", span(evidence) if evidence else "", evidence, document_id=document_id)
        facts.append(record | rng.choice([_years(first, first + rng.randrange(0, 3)), *QUARTERS_AND_HALVES]))
    exclusions = []
    for _ in range(rng.randrange(0, 4)):
        context = span(text)
        exclusions.append(exclusion(span(context) if context else "", context, document_id))
    return text, facts, exclusions


@pytest.mark.parametrize("seed", range(3))
def test_random_texts_give_the_same_rows(seed: int):
    rng = random.Random(seed)
    texts, facts, exclusions = {}, [], []
    for n in range(150):
        document_id = f"doc{n:03d}"
        texts[document_id], more_facts, more_exclusions = _random_records(rng, document_id)
        facts += more_facts
        exclusions += more_exclusions
    rows = mentions(texts, tuple(facts), tuple(exclusions))
    kinds = {kind for *_, kind, _ in rows}
    assert len(rows) > 500 and kinds == {"fact_figure", "fact_period", "exclusion", None}
