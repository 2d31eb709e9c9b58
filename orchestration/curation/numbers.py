"""A number mention read as a quantity: the figure as written around a token that the coverage
tokenizer found, its value, scale, unit and qualifier.

The tokens come from orchestration.ledger.coverage.NUMBER, so whatever it yields (digits, number
words, ordinals, scale words) is read here from the text around it, never re-tokenised. Written by
hand because the libraries measured (docs/curation.md) do not: quantulum3 takes seconds to load its
unit index, reads "(42.79 trillion won)" as negative and misses "-fold"; text2num reads spelled-out
cardinals, which it is used for, but not multiples, fractions or currencies."""

import re
from dataclasses import dataclass

from text_to_num import text2num

SCALES = {"thousand": "thousand", "k": "thousand", "million": "million", "mn": "million", "m": "million"}
SCALES |= {"billion": "billion", "bn": "billion", "b": "billion", "trillion": "trillion", "tn": "trillion", "tr": "trillion"}
PREFIX_CURRENCIES = {"US$": "USD", "$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₩": "KRW", "RMB": "CNY", "HK$": "HKD"}
PREFIX_CURRENCIES |= {"S$": "SGD", "A$": "AUD", "C$": "CAD", "NT$": "TWD", "₹": "INR", "USD": "USD", "EUR": "EUR", "KRW": "KRW"}
PREFIX_CURRENCIES |= {"CNY": "CNY", "JPY": "JPY", "GBP": "GBP"}
SUFFIX_CURRENCIES = {"won": "KRW", "yuan": "CNY", "rmb": "CNY", "renminbi": "CNY", "dollars": "USD", "dollar": "USD"}
SUFFIX_CURRENCIES |= {"euros": "EUR", "euro": "EUR", "pounds": "GBP", "yen": "JPY", "rupees": "INR", "usd": "USD", "eur": "EUR"}
SUFFIX_CURRENCIES |= {"krw": "KRW", "cny": "CNY", "jpy": "JPY", "gbp": "GBP"}
FRACTIONS = {"half": 0.5, "halves": 0.5, "third": 1 / 3, "thirds": 1 / 3, "quarter": 0.25, "quarters": 0.25, "fifth": 0.2}
FRACTIONS |= {"fifths": 0.2, "tenth": 0.1, "tenths": 0.1}
HALF_OF_TOTAL = re.compile(r"\s+of\s+(?:the\s+)?(?:annual|yearly|full[\s-]year|whole[\s-]year|year['’]s)\s+(?:total|figure|sum)\b", re.I)
MULTIPLES = {"twice": 2, "double": 2, "doubled": 2, "triple": 3, "tripled": 3, "quadruple": 4}
QUALIFIERS = (
    (r"(?:about|approximately|around|roughly|some|an estimated|close to)", "approximately"),
    (r"(?:nearly|almost|just under)", "nearly"),  # 'nearly twice': at most twice, and close to it
    (r"(?:more than|over|above|exceed|exceeds|exceeding|surpass|surpassing|top|upwards of|in excess of)", "more_than"),
    (r"(?:at least|no less than|a minimum of)", "at_least"),
    (r"(?:up to|as much as|at most|no more than|a maximum of)", "at_most"),
    (r"(?:less than|under|below|fewer than)", "less_than"),
)
PROJECTED = re.compile(
    r"\b(?:projected|expect(?:s|ed)?|forecasts?(?:ed)?|estimated to|anticipate[sd]?|set to|will"
    r"|plans? to|predict(?:s|ed)?)\b",
    re.I,
)
SCALE_WORD = r"(?:[\s-]*(?P<scale>trillion|billion|million|thousand|tn|bn|mn|tr|[kmb])\b)"
UNIT_WORD = (
    r"(?:\s*(?P<percent>%|percent\b|per cent\b|percentage points?\b)"
    r"|\s+(?P<currency>won|yuan|rmb|renminbi|dollars?|euros?|pounds|yen|rupees|usd|eur|krw|cny|jpy|gbp)\b)"
)
PREFIX = re.compile(r"(?P<prefix>US\$|HK\$|NT\$|[SAC]\$|\$|€|£|¥|₩|₹|(?:RMB|USD|EUR|KRW|CNY|JPY|GBP)\s?)$")
DIGITS = r"\d+(?:[.,]\d+)*"
WORD_NUMBER = (
    r"(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|"
    r"eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|billion|trillion)"
)
SPELLED = re.compile(rf"(?:{WORD_NUMBER}(?:[\s-]+(?:and[\s-]+)?{WORD_NUMBER}\b)*)", re.I)
ORDINAL = re.compile(
    r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|latter|\d+(?:st|nd|rd|th))\b", re.I
)


ORDINALS_IN_WORDS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")
ORDINAL_VALUES = {word: n for n, word in enumerate(ORDINALS_IN_WORDS, 1)}
# 'France ranked third', 'came in second', 'is the fifth': an ordinal that places its subject is a rank
RANK_BEFORE = re.compile(
    r"\b(?:rank(?:s|ed)?|plac(?:es|ed)|c(?:a|o)me(?:s)?(?:\s+in)?|finish(?:es|ed)?(?:\s+in)?|(?:is|was|are|were)\s+(?:now\s+)?the)\s+$",
    re.I,
)


def rank_of(text: str, quantity: "Quantity") -> "Quantity | None":
    """An ordinal after ranked/placed/came/'is the' read as a rank (unit rank, its value), else None."""
    word = quantity.figure.lower()
    value = ORDINAL_VALUES.get(word) or (int(word[:-2]) if re.fullmatch(r"\d+(?:st|nd|rd|th)", word) else None)
    if value is None or not RANK_BEFORE.search(text[max(0, quantity.start - 30) : quantity.start]):
        return None
    return Quantity(quantity.start, quantity.end, quantity.figure, value, "one", "rank", "exact")


@dataclass
class Quantity:
    start: int  # the figure's span in the text
    end: int
    figure: str
    value: float | int | None
    scale: str
    unit: str  # an ISO 4217 code, percent, ratio, count (a bare number, decided later), ordinal
    qualifier: str
    note: str = ""

    @property
    def is_money(self) -> bool:
        return len(self.unit) == 3 and self.unit.isupper()


def tidy(value: float) -> float | int:
    """The value as a JSON number: whole numbers without '.0', else as few digits as written."""
    return int(value) if float(value).is_integer() else round(value, 6)


def _digits_value(token: str) -> float | int | None:
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", token):
        token = token.replace(",", "")
    try:
        return tidy(float(token))
    except ValueError:
        return None


def _words_value(words: str) -> int | None:
    try:
        return text2num(re.sub(r"[\s-]+", " ", words.lower()).replace(" and ", " "), "en")
    except ValueError:
        return None


def qualifier_before(text: str, start: int) -> tuple[str, int]:
    """The qualifier written just before a figure (within its clause) and where its words start."""
    before = text[max(0, start - 40) : start]
    for pattern, name in QUALIFIERS:
        found = re.search(rf"\b{pattern}\s+(?:a\s+|an\s+|the\s+)?$", before, re.I)
        if found:
            return name, start - (len(before) - found.start())
    return "exact", start


def _multiple_or_fraction(text: str, start: int, end: int, token: str) -> Quantity | None:
    """'ninefold', '3-fold', 'twice', 'a third', 'two thirds', '2.5 times'."""
    word = token.lower()
    if word.endswith("fold"):
        head = word[: -len("fold")].rstrip("-")
        value = _digits_value(head) if head[:1].isdigit() else _words_value(head)
        return Quantity(start, end, text[start:end], value, "one", "ratio", "exact") if value is not None else None
    if word in MULTIPLES:
        return Quantity(start, end, text[start:end], MULTIPLES[word], "one", "ratio", "exact")
    if word in FRACTIONS:
        article = re.search(r"\b(a|an|one|two|three)[\s-]$", text[max(0, start - 6) : start], re.I)
        if not article and word == "half" and HALF_OF_TOTAL.match(text, end):  # 'half of the full-year figure'
            return Quantity(start, end, text[start:end], 0.5, "one", "ratio", "exact", "fraction")
        if not article:
            return None  # 'the quarter', 'half of them': no fraction is written
        numerator = 1 if article.group(1).lower() in ("a", "an", "one") else _words_value(article.group(1))
        begin = start - len(article.group(0)) if article else start
        return Quantity(begin, end, text[begin:end], round(numerator * FRACTIONS[word], 4), "one", "ratio", "exact", "fraction")
    return None


def read_quantity(text: str, token_start: int, token_end: int) -> Quantity | None:
    """The quantity a token starts (None for a token that is a scale word or an ordinal alone)."""
    token = text[token_start:token_end]
    fraction = token.lower() in FRACTIONS and re.search(
        r"\b(?:a|an|one|two|three)[\s-]$", text[max(0, token_start - 6) : token_start], re.I
    )
    if not fraction and (ORDINAL.fullmatch(text[token_start : token_end + 2]) or ORDINAL.fullmatch(token)):
        return Quantity(token_start, token_end, token, None, "one", "ordinal", "exact")
    spelled_fraction = re.match(r"(?:two|three|four)[\s-]+(thirds|quarters|fifths|tenths)\b", text[token_start:], re.I)
    if spelled_fraction:
        token_start, token_end = token_start + spelled_fraction.start(1), token_start + spelled_fraction.end(1)
        token = text[token_start:token_end]
    special = _multiple_or_fraction(text, token_start, token_end, token)
    if special:
        special.qualifier = qualifier_before(text, special.start)[0]
        fold = re.match(r"-?fold\b", text[token_end:], re.I)
        times = re.match(r"\s+times\b", text[token_end:], re.I)
        if fold or times:  # '3-fold' reaches here only for words; digits below
            special.end += (fold or times).end()
            special.figure = text[special.start : special.end]
        return special
    if token[:1].isdigit():
        number = re.match(DIGITS, text[token_start:])
        value = _digits_value(number.group()) if number else None
        cursor = token_start + (number.end() if number else len(token))
    else:
        spelled = SPELLED.match(text, token_start)
        if not spelled:
            return None
        words = spelled.group()
        last = re.search(r"(?:^|[\s-])(thousand|million|billion|trillion)$", words, re.I)
        if last:  # 'two hundred million': 200, scale million; 'a billion': 1, scale billion
            head = words[: last.start()].strip()
            value = _words_value(head) if head else 1
            cursor = token_start + last.start(1)
        else:
            value = _words_value(words)
            cursor = spelled.end()
        if last and not head:
            article = re.search(r"\b(?:a|one)\s+$", text[max(0, token_start - 4) : token_start], re.I)
            token_start -= len(article.group()) if article else 0
    if value is None:
        return None
    start, unit, scale = token_start, "count", "one"
    prefix = PREFIX.search(text[max(0, token_start - 5) : token_start])
    if prefix:
        unit = PREFIX_CURRENCIES[prefix.group("prefix").strip()]
        start = token_start - len(prefix.group())
    tail = re.match(rf"{SCALE_WORD}?{UNIT_WORD}?", text[cursor:], re.I)
    scale_word = tail.group("scale")
    if scale_word and (len(scale_word) > 1 or unit != "count" or tail.group("currency")):
        scale = SCALES[scale_word.lower()]
    elif scale_word:  # a lone 'm' or 'b' after a bare number is not a scale ('5 m' is metres)
        tail = re.match(UNIT_WORD + "?", text[cursor:], re.I)
    if tail.group("percent"):
        unit = "percent"
    elif tail.group("currency"):
        unit = SUFFIX_CURRENCIES[tail.group("currency").lower()]
    end = cursor + (tail.end() if (tail.group("percent") or tail.group("currency") or scale != "one") else 0)
    fold = re.match(r"(?:-fold\b|\s+times\b)", text[end:], re.I)
    if fold and unit == "count":
        unit, end = "ratio", end + fold.end()
    if prefix and prefix.group("prefix") == "¥" and re.search(r"\b(?:yuan|RMB|renminbi)\b", text, re.I):
        unit = "CNY"
    qualifier, _ = qualifier_before(text, start)
    return Quantity(start, end, text[start:end], value, scale, unit, qualifier)


def is_year(quantity: Quantity) -> bool:
    return quantity.unit == "count" and quantity.scale == "one" and bool(re.fullmatch(r"(?:19|20)\d\d", quantity.figure))


def is_projected(clause: str) -> bool:
    """The clause before a figure says it is a projection ('expected to reach', 'projected to')."""
    return bool(PROJECTED.search(clause))
