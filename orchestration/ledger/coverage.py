"""Coverage: every number in a document's text is either part of a fact's figure or excluded
with a reason. A number that is neither fails the ingest, so no figure is silently dropped.

A "number" is a run of digits ('82.34', '100,000', the '4' of 'GPT-4') or a number word, whatever
a reader takes for a number: cardinals ('twenty-five' is two), ordinals ('eighth'), fractions ('a
fifth', 'two-thirds', 'a quarter of'), multiples ('twice', any '-fold'), 'dozens', 'hundreds of'
and scale words ('a billion'; in '$56 billion' the word stands inside the figure). A fact's period
also covers, within the fact's evidence, the four-digit years it includes ('... in 2023' beside the
2023 figure) and the words that name it when it is a quarter or a half ('the fourth quarter') or the
first months of a year ('the first nine months').

Two implementations give the same rows. `document_mentions` is the reference: Python, one document
at a time, the definition to read. `build_mentions` is what the ingest runs: DuckDB SQL over every
document at once, into temp table src_mentions (several times faster than Python; docs/performance.md).
Their rows are equal, including where RE2 and DuckDB's string functions differ from Python's `re`
and `str.find` (tests/test_coverage_sql.py checks real, generated and random texts):

- Characters. Python's \\d, \\w and case-insensitive letters are Unicode (Arabic-Indic digits,
  'ſix', 'fİve'); RE2's are ASCII. The SQL spells out Python's classes, read off Python's own `re`
  over every code point, so both tokenise alike whatever the script.
- Word boundaries. RE2 has no Unicode \\b and no look-around. A number word is a whole run of word
  characters that does not start with a digit (there the digit alternative wins), so the SQL takes
  such runs and drops the digit tokens inside them ('a3fold' is one token; '3fold' is '3').
- Overlapping occurrences. str.find restarted one character on counts an evidence sentence (or an
  exclusion's context) that overlaps a repeat of itself twice; string_split cuts only at the
  occurrences that do not overlap. The SQL adds the others, which can only stand a shift after one
  of those, where the needle begins with its own tail.
- Empty figures, evidence, excluded texts or contexts cover nothing in either (the schemas forbid
  them anyway). Offsets and context widths count code points; lines count '\\n' only."""

import functools
import json
import re
import sys
from dataclasses import asdict, dataclass
from datetime import date, timedelta

import duckdb

from . import cache
from .reading import parallel_shares

ORDINALS = ("first", "second", "third", "fourth")  # the words that name a quarter or a half, in order
# how many of a year's first months a period runs over ('the first nine months'), from two to eleven
MONTH_COUNTS = ("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven")
NUMBER_WORDS = (
    *("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"),
    *("thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"),
    *("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"),
    *("hundred", "thousand", "million", "billion", "trillion"),
    *("dozen", "dozens", "hundreds", "thousands", "millions", "billions"),
    *ORDINALS,
    *("fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "eleventh", "twelfth", "twentieth", "hundredth"),
    *("half", "halves", "thirds", "quarter", "quarters", "fourths", "fifths", "sixths", "eighths", "tenths"),
    *("twice", "double", "triple", "quadruple"),
)
NUMBER = re.compile(r"\d+(?:[.,]\d+)*|\b(?:" + "|".join(NUMBER_WORDS) + r"|\w+fold)\b", re.IGNORECASE)
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


def period_words(start: date, end: date) -> frozenset[str]:
    """The number words that name a period of a quarter or a half, {'fourth', 'quarter'} for Q4, or
    of a year's first months, {'first', 'nine'} for January to September."""
    if start.day != 1 or (end + timedelta(days=1)).day != 1:
        return frozenset()
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    words = set()
    if months in (3, 6) and (start.month - 1) % months == 0:
        words |= {"quarter" if months == 3 else "half", ORDINALS[(start.month - 1) // months]}
    if start.month == 1 and 2 <= months <= 11:
        words |= {"first", MONTH_COUNTS[months - 2]}
    return frozenset(words)


PERIOD_WORDS = (*ORDINALS, "quarter", "half", *MONTH_COUNTS)


def period_word(token: str) -> str | None:
    """The word of PERIOD_WORDS a token is, as NUMBER matched it (case folded as Python's re folds it)."""
    return next((word for word in PERIOD_WORDS if re.fullmatch(word, token, re.IGNORECASE)), None)


def _spans(text: str, facts: list[dict], exclusions: list[dict]) -> tuple[list, list, list]:
    figures, periods, excluded = [], [], []
    for fact in facts:
        start, end = date.fromisoformat(fact["period_start"]), date.fromisoformat(fact["period_end"])
        years, words = set(range(start.year, end.year + 1)), period_words(start, end)
        for at in _occurrences(text, fact["evidence"]):
            periods.append((at, at + len(fact["evidence"]), years, words, fact["fact_id"]))
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
    year, word = int(token) if YEAR.match(token) else None, period_word(token)
    for lo, hi, years, words, fact_id in periods:
        if lo <= start and end <= hi and (year in years or word in words):
            return "fact_period", fact_id
    for lo, hi, where in excluded:
        if lo <= start and end <= hi:
            return "exclusion", where
    return None, None


def document_mentions(document_id: str, text: str, facts: list[dict], exclusions: list[dict]) -> list[Mention]:
    """The reference: facts and exclusions as parsed records (with _file/_row), in file order."""
    figures, periods, excluded = _spans(text, facts, exclusions)
    mentions = []
    for match in NUMBER.finditer(text):
        kind, by = _cover(match.start(), match.end(), match.group(), figures, periods, excluded)
        line_number = text.count("\n", 0, match.start()) + 1
        context = text[max(0, match.start() - 40) : match.end() + 40].replace("\n", " ")
        mentions.append(Mention(document_id, line_number, match.start(), match.group(), context, kind, by))
    return mentions


# The same rows in SQL ------------------------------------------------------------------------
#
# Positions are counted twice: in code points (char_offset, the context) and in bytes (where a token
# meets the occurrences of a needle). strlen() is O(1) and length() scans the string, so finding
# where a sentence stands in a 9 KB text by code points would scan that text once per fact.

BUCKET = 64  # bytes per bucket: a token meets the occurrences around it by an equality join on it
CONTEXT = 40  # characters of context on either side, as in document_mentions
LOOKAROUND = 3  # pieces either side of a match its context is taken from (else: cut from the text)


@dataclass(frozen=True)
class _Classes:
    """Python's Unicode character classes, spelt as the bodies of RE2 [...] classes."""

    digit: str  # \d
    word: str  # \w
    letters: dict[str, str]  # a letter of NUMBER's words -> "[...]" of what it matches case-insensitively
    digits: str  # every \d character, and its value, for translate() to ASCII
    values: str

    def spell(self, word: str) -> str:
        return "".join(self.letters[letter] for letter in word)


def _ranges(pattern: str, everything: str) -> str:
    return "".join(f"\\x{{{ord(m.group()[0]):x}}}-\\x{{{ord(m.group()[-1]):x}}}" for m in re.finditer(pattern, everything))


@functools.cache
def _classes() -> _Classes:
    # they depend only on Python's `re` and NUMBER_WORDS
    return _Classes(**json.loads(cache.remembered("coverage-classes", NUMBER_WORDS, lambda: json.dumps(asdict(_read_classes())))))


def _read_classes() -> _Classes:
    """Read off Python's own `re` over every code point, so that the SQL tokenises exactly as NUMBER
    does, whatever the script and whichever Unicode version Python has."""
    everything = "".join(map(chr, range(sys.maxunicode + 1)))
    digits = "".join(re.findall(r"\d+", everything))
    letters = sorted(set("".join(NUMBER_WORDS) + "fold"))
    folds = {letter: [] for letter in letters}
    for candidate in sorted(set(re.findall("[" + "".join(letters) + "]", everything, re.IGNORECASE))):
        for letter in letters:
            if re.fullmatch(letter, candidate, re.IGNORECASE):
                folds[letter].append(f"\\x{{{ord(candidate):x}}}")
    return _Classes(
        digit=_ranges(r"\d+", everything),
        word=_ranges(r"\w+", everything),
        letters={letter: "[" + "".join(spellings) + "]" for letter, spellings in folds.items()},
        digits=digits,
        values="".join(str(int(c)) for c in digits),
    )


def sql_literal(text: str) -> str:
    """`text` as a quoted SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _shares(shares: int) -> str:
    """The texts as a union of `shares` parts. DuckDB gives a table one thread per row group (122,880
    rows), so the regular expressions over 10,000 texts would run on one core; each branch of a
    union is a pipeline of its own, and they run side by side."""
    return " union all ".join(f"select * from coverage_texts where hash(document_id) % {shares} = {k}" for k in range(shares))


def _scan(text: str, pattern: str, shares: int, where: str = "true") -> str:
    """Every match of `pattern` in `text` (an expression over the texts) with where it ends, in code
    points and in bytes, its line and, when its neighbours hold it, its context.

    regexp_extract_all gives the matches and regexp_split_to_array the gaps around them; a piece is
    a gap and the match after it (the last gap has none). Running sums over the pieces give the
    positions; the few pieces either side of a match give its context, by list indexing (cutting it
    out of the text scans the text from its start each time; lag/lead over strings is slower)."""
    before = " || ".join(f"coalesce(pieces[greatest(k - {n}, 0)], '')" for n in range(LOOKAROUND, 0, -1)) + " || gaps[k]"
    after = " || ".join(f"coalesce(pieces[k + {n}], '')" for n in range(1, LOOKAROUND + 1))
    return f"""
        select
            document_id, match,
            (sum(length(gap) + length(match)) over run)::bigint as stop,
            (sum(strlen(gap) + strlen(match)) over run)::bigint as byte_stop,
            1 + (sum(strlen(gap || match) - strlen(replace(gap || match, chr(10), ''))) over run)::bigint as line_number,
            case
                when (i <= {LOOKAROUND + 1} or length(before) = {CONTEXT})  -- all the text before, or enough of it
                    and (i + {LOOKAROUND} >= piece_count or length(after) = {CONTEXT})
                    then replace(before || match || after, chr(10), ' ')
            end as context
        from (
            select
                document_id, unnest(gaps) as gap, unnest(matches) as match, generate_subscripts(gaps, 1) as i, len(gaps) as piece_count,
                unnest(list_transform(range(1, len(gaps) + 1), lambda k: right({before}, {CONTEXT}))) as before,
                unnest(list_transform(range(1, len(gaps) + 1), lambda k: left({after}, {CONTEXT}))) as after
            from (
                select *, list_transform(range(1, len(gaps) + 1), lambda k: gaps[k] || coalesce(matches[k], '')) as pieces
                from (
                    select document_id, regexp_extract_all({text}, {sql_literal(pattern)}) as matches,
                        regexp_split_to_array({text}, {sql_literal(pattern)}) as gaps
                    from ({_shares(shares)})
                    where {where}
                )
            )
        )
        where match is not null  -- the last gap, after every match: dropping it changes no running sum
        window run as (partition by document_id order by i)"""


def _tokens(c: _Classes, shares: int) -> str:
    digits = f"[{c.digit}]+(?:[.,][{c.digit}]+)*"
    words = "|".join(c.spell(word) for word in NUMBER_WORDS)
    # RE2 has no Unicode \b: take every run of word characters that may be a number word, with the
    # character before it (the text gets a leading space so that a run at its start has one too),
    # greedily to the run's end, and keep the runs that are wholly a number word.
    candidate = f"[^{c.word}](?:{words}|[{c.word}]*{c.spell('fold')})[{c.word}]*"
    number_word = f"(?:{words}|[{c.word}]+{c.spell('fold')})"
    year = f"(?:19|20)[{c.digit}][{c.digit}]"
    return f"""
    create or replace temp table coverage_tokens as
    with digit_tokens as (
        select
            document_id, line_number, stop - length(match) as start, stop, byte_stop - strlen(match) as byte_start, byte_stop,
            match as token, context
        from ({_scan("content", digits, shares)})
    ),
    word_tokens as (
        -- (rare) positions less the leading space; the context, taken from the padded text, is left to the fallback
        select
            document_id, line_number, stop - 1 - length(token) as start, stop - 1 as stop, byte_stop - 1 - strlen(token) as byte_start,
            byte_stop - 1 as byte_stop, token, null as context
        from (
            select *, substring(match, 2) as token
            from ({_scan("' ' || content", candidate, shares, f"regexp_matches(' ' || content, {sql_literal(candidate)})")})
        )
        where regexp_full_match(token, {sql_literal(number_word)})
            -- at a digit, the digit alternative of NUMBER wins ('3fold' is '3')
            and not regexp_matches(token, {sql_literal(f"^[{c.digit}]")})
    ),
    tokens as (
        -- Python never looks for digits inside a number word it has taken whole ('a3fold')
        select d.* from digit_tokens as d
        anti join word_tokens as w on d.document_id = w.document_id and w.start <= d.start and d.start < w.stop
        union all
        select * from word_tokens
    )
    select
        *,
        case
            when not regexp_full_match(token, {sql_literal(year)}) then null
            when regexp_full_match(token, '[0-9]+') then token::integer
            else translate(token, {sql_literal(c.digits)}, {sql_literal(c.values)})::integer  -- as Python's int()
        end as year,
        case {" ".join(f"when regexp_full_match(token, {sql_literal(c.spell(word))}) then {sql_literal(word)}" for word in PERIOD_WORDS)}
        end as word
    from tokens"""


# The context of the tokens whose neighbouring pieces did not hold it, cut out of the whole text.
CONTEXT_FALLBACK = f"""
    update coverage_tokens as t
    set context = replace(
        substring(x.content, greatest(t.start - {CONTEXT}, 0) + 1, t.stop + {CONTEXT} - greatest(t.start - {CONTEXT}, 0)), chr(10), ' '
    )
    from coverage_texts as x
    where t.document_id = x.document_id and t.context is null"""

# Each distinct text whose occurrences are looked for (an evidence sentence, an exclusion's context).
NEEDLES = """
    create or replace temp table coverage_needles as
    select
        row_number() over () as needle_id, document_id, needle,
        strlen(needle) as size, length(needle) as chars
    from (
        select document_id, evidence as needle from coverage_facts
        union
        select document_id, context from coverage_exclusions
    )
    where needle <> ''"""

# Where each needle occurs in its document (byte offsets), overlapping occurrences included, as
# str.find restarted one character on finds them.
OCCURRENCES = """
    create or replace temp table coverage_occurrences as
    with greedy as (
        -- string_split cuts at the leftmost occurrences that do not overlap
        select
            needle_id, document_id, needle, size, chars,
            (sum(piece_size) over (partition by needle_id order by k))::bigint + (k - 1) * size as pos
        from (
            select needle_id, document_id, needle, size, chars, unnest(piece_sizes) as piece_size, generate_subscripts(piece_sizes, 1) as k
            from (
                select n.*, list_slice(list_transform(string_split(t.content, n.needle), lambda piece: strlen(piece)), 1, -2) as piece_sizes
                from coverage_needles as n
                inner join coverage_texts as t on n.document_id = t.document_id
            )
        )
    ),
    recurring as (
        -- where the first character recurs in the needle: the only shifts at which it can overlap itself
        select
            needle_id, needle, size,
            (sum(part_size) over (partition by needle_id order by k))::bigint + (k - 1) * strlen(first) as shift
        from (
            select needle_id, needle, size, first, unnest(part_sizes) as part_size, generate_subscripts(part_sizes, 1) as k
            from (
                select *, left(needle, 1) as first,
                    list_slice(list_transform(string_split(needle, left(needle, 1)), lambda part: strlen(part)), 1, -2) as part_sizes
                from coverage_needles
                where contains(substring(needle, 2), left(needle, 1))
            )
        )
    ),
    shifts as (
        -- the needle starts with its own tail from the shift on
        select needle_id, shift from recurring
        where shift > 0 and encode(needle)[shift + 1:size] = encode(needle)[1:size - shift]
    ),
    overlapping as (
        -- every occurrence string_split skips overlaps the one before it, by a shift (rare)
        select g.needle_id, g.document_id, g.needle, g.size, g.chars, g.pos + s.shift as pos
        from greedy as g
        inner join shifts as s on g.needle_id = s.needle_id
        inner join coverage_texts as t on g.document_id = t.document_id
        where encode(t.content)[g.pos + s.shift + 1:g.pos + s.shift + g.size] = encode(g.needle)
    )
    select needle_id, document_id, needle, size, chars, pos from greedy
    union all
    select needle_id, document_id, needle, size, chars, pos from overlapping"""

# Whatever can cover a token, with its precedence: the order document_mentions tries them in (every
# fact's figure, then every fact's period, then every exclusion, each in file order), packed into one
# bigint as kind, file number and line, 30 bits each for the last two (numbering 2M coverers in that
# order with a window sorted them all; now only the files are sorted). A figure or an excluded text
# (the part) covers the tokens inside its occurrences within an occurrence of its needle; a period
# covers the years in its range within an occurrence of its evidence.
# period_words as a list, from the dates alone
PERIOD_WORDS_OF_DATES = f"""case
    when day(period_start) = 1 and day(period_end + 1) = 1 then list_concat(
        case
            when date_diff('month', period_start, period_end + 1) in (3, 6)
                and (month(period_start) - 1) % date_diff('month', period_start, period_end + 1) = 0
            then [
                if(date_diff('month', period_start, period_end + 1) = 3, 'quarter', 'half'),
                {list(ORDINALS)}[(month(period_start) - 1) // date_diff('month', period_start, period_end + 1) + 1]
            ]
            else []::varchar[]
        end,
        case
            when month(period_start) = 1 and date_diff('month', period_start, period_end + 1) between 2 and 11
            then ['first', {list(MONTH_COUNTS)}[date_diff('month', period_start, period_end + 1) - 1]]
            else []::varchar[]
        end
    )
    end"""

COVERERS = f"""
    create or replace temp table coverage_coverers as
    with files as (
        select source_file, row_number() over (order by source_file) as file_number
        from (select distinct source_file from coverage_facts union select source_file from coverage_exclusions)
    )
    select
        (c.rank::bigint << 60) + (f.file_number << 30) + c.source_line as precedence,
        c.kind, c.covered_by, c.part, c.first_year, c.last_year, c.period_words, n.needle_id
    from (
        select 1 as rank, 'fact_figure' as kind, fact_id as covered_by, figure as part, null as first_year, null as last_year,
            null::varchar[] as period_words, document_id, evidence as needle, source_file, source_line
        from coverage_facts
        union all
        select
            2, 'fact_period', fact_id, null, year(period_start), year(period_end), {PERIOD_WORDS_OF_DATES}, document_id, evidence,
            source_file, source_line
        from coverage_facts
        union all
        select 3, 'exclusion', source_file || ':' || source_line, excluded_text, null, null, null, document_id, context, source_file,
            source_line
        from coverage_exclusions
    ) as c
    inner join coverage_needles as n on c.document_id = n.document_id and c.needle = n.needle
    inner join files as f on c.source_file = f.source_file"""


def _within(part: str) -> str:
    """An occurrence of `part` in p.needle that holds the token, which stands at rel_start..rel_stop
    (code points) of the needle: any occurrence inside the window rel_stop - len .. rel_start + len."""
    low = f"greatest(p.rel_stop - length({part}), 0)"
    high = f"least(p.chars, p.rel_start + length({part}))"
    return f"{part} <> '' and contains(substring(p.needle, {low} + 1, greatest({high} - {low}, 0)), {part})"


# The first coverer of each token that has one.
COVER = f"""
    create or replace temp table coverage_cover as
    with spans as (
        select *, unnest(range(pos // {BUCKET}, (pos + size - 1) // {BUCKET} + 1)) as bucket
        from coverage_occurrences
    ),
    pairs as (
        -- a token and an occurrence of a needle that holds it, and where (in code points) it stands in
        -- the needle: the bytes before it, when the needle is ASCII
        select
            t.document_id, t.start, t.year, t.word, s.needle_id, s.needle, s.chars, rel_start, rel_start + length(t.token) as rel_stop
        from coverage_tokens as t
        inner join spans as s on t.document_id = s.document_id and t.byte_start // {BUCKET} = s.bucket,
            lateral (
                select
                    case
                        when s.size = s.chars then t.byte_start - s.pos
                        else length(decode(encode(s.needle)[1:t.byte_start - s.pos]))
                    end as rel_start
            )
        where s.pos <= t.byte_start and t.byte_stop <= s.pos + s.size
    )
    select document_id, start, min(precedence) as precedence
    from (
        select p.document_id, p.start, c.precedence
        from pairs as p inner join coverage_coverers as c on p.needle_id = c.needle_id and c.part is not null
        where {_within("c.part")}
        union all
        select p.document_id, p.start, c.precedence
        from pairs as p inner join coverage_coverers as c on p.needle_id = c.needle_id and c.kind = 'fact_period'
        where p.year between c.first_year and c.last_year or list_contains(c.period_words, p.word)
    )
    group by document_id, start"""

MENTIONS = """
    create or replace temp table src_mentions as
    select
        t.document_id::varchar as document_id,
        t.line_number::integer as line_number,
        t.start::integer as char_offset,
        t.token::varchar as token,
        t.context::varchar as context,
        c.kind::varchar as covered_by_kind,
        c.covered_by::varchar as covered_by
    from coverage_tokens as t
    left join coverage_cover as best on t.document_id = best.document_id and t.start = best.start
    left join coverage_coverers as c on best.precedence = c.precedence
    order by t.document_id, t.start"""

WORK_VIEWS = ("coverage_texts", "coverage_facts", "coverage_exclusions")
WORK_TABLES = ("coverage_tokens", "coverage_needles", "coverage_occurrences", "coverage_coverers", "coverage_cover")


def build_mentions(con: duckdb.DuckDBPyConnection, documents: str | None = None) -> None:
    """Temp table src_mentions: document_mentions' rows for every text in src_texts, from the facts in
    stage_facts and the exclusions in stage_exclusions (each in (source_file, source_line) order).
    With `documents` (a table of document_id), only for those documents: an incremental ingest
    re-covers the documents whose text, facts or exclusions changed, and no other."""
    scope = f"where document_id in (select document_id from {documents})" if documents else ""
    for view, table in (("coverage_texts", "src_texts"), ("coverage_facts", "stage_facts"), ("coverage_exclusions", "stage_exclusions")):
        con.execute(f"create or replace temp view {view} as select * from {table} {scope}")
    for statement in (_tokens(_classes(), parallel_shares(con)), CONTEXT_FALLBACK, NEEDLES, OCCURRENCES, COVERERS, COVER, MENTIONS):
        con.execute(statement)
    for table in WORK_TABLES:
        con.execute(f"drop table {table}")
    for view in WORK_VIEWS:
        con.execute(f"drop view {view}")
