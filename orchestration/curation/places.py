"""Countries named in a text, as ISO 3166-1 alpha-2 codes: pycountry's names, plus the short forms
and demonyms of news writing that pycountry does not list ('U.S.', 'Chinese', 'Korea')."""

import functools
import re
from dataclasses import dataclass

import pycountry

# pycountry has official and common names only; these are what articles write instead.
SHORT_FORMS = {
    "U.S.": "US", "US": "US", "U.S": "US", "USA": "US", "America": "US", "American": "US", "Americans": "US",
    "UK": "GB", "U.K.": "GB", "Britain": "GB", "British": "GB", "Korea": "KR", "Korean": "KR", "South Korean": "KR",
    "North Korean": "KP", "Chinese": "CN", "Mainland China": "CN", "Japanese": "JP", "French": "FR", "German": "DE",
    "Indian": "IN", "Israeli": "IL", "Singaporean": "SG", "Canadian": "CA", "Australian": "AU", "Taiwanese": "TW",
    "Taiwan": "TW", "Emirati": "AE", "UAE": "AE", "Saudi": "SA", "Swiss": "CH", "Dutch": "NL", "Swedish": "SE",
    "Italian": "IT", "Spanish": "ES", "Brazilian": "BR", "Russian": "RU", "Vietnamese": "VN", "Indonesian": "ID",
    "Luxembourgish": "LU", "Finnish": "FI", "Norwegian": "NO", "Danish": "DK", "Irish": "IE", "Polish": "PL",
    "Turkish": "TR", "Mexican": "MX", "Hong Kong": "HK",
}  # fmt: skip
# Country names that are also everyday words or given names in English prose.
AMBIGUOUS = {"Chad", "Jersey", "Georgia", "Jordan", "Turkey", "Guinea", "Niger", "Guernsey", "Man", "Bar"}
# Regions wider than a country have no ISO 3166-1 code: a figure for one is GLOBAL, with a note naming it.
CONTINENT = re.compile(
    r"\b(?:Asia-Pacific|Asia|Asian|Europe|European|Africa|African|Latin America|Latin American|South America|North America"
    r"|Middle East|Middle Eastern|Oceania|APAC|EMEA)\b"
)
GLOBAL = re.compile(r"\b(?:global|globally|worldwide|world's|international|across the world)\b", re.I)


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    start: int
    end: int


@functools.cache
def _names() -> dict[str, str]:
    names = {}
    for country in pycountry.countries:
        for attribute in ("name", "common_name", "official_name"):
            name = getattr(country, attribute, None)
            if name and "," not in name and name not in AMBIGUOUS:
                names[name] = country.alpha_2
    return names | SHORT_FORMS


@functools.cache
def _pattern() -> re.Pattern:
    alternatives = sorted(_names(), key=len, reverse=True)
    return re.compile(r"(?<![\w.])(?:the\s+)?(" + "|".join(re.escape(name) for name in alternatives) + r")(?![\w])")


def places_in(text: str, lo: int = 0, hi: int | None = None) -> list[Place]:
    hi = len(text) if hi is None else hi
    return [Place(_names()[m.group(1)], m.group(1), m.start(1), m.end(1)) for m in _pattern().finditer(text, lo, hi)]


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    return getattr(country, "common_name", None) or country.name if country else code


def says_global(text: str) -> bool:
    return bool(GLOBAL.search(text))


def continent_in(text: str) -> str | None:
    found = CONTINENT.search(text)
    return found.group() if found else None


def is_demonym(name: str) -> bool:
    return name in SHORT_FORMS and name != "Taiwan" and bool(re.search(r"(?:an|ese|ish|ch|i|ss)$", name))


def qualifies_another(text: str, place: Place, subject: str) -> bool:
    """A possessive or a demonym ('Germany's Helsing', 'German startup Helsing') is the country of the noun
    phrase it qualifies (its next few words), not of a `subject` outside that phrase."""
    possessive = re.match(r"['’]s\s+", text[place.end :])
    if not possessive and not is_demonym(place.name):
        return False
    phrase = re.match(r"\s*(?:[^\s,;.()]+\s*){0,4}", text[place.end + (possessive.end() if possessive else 0) :]).group()
    return subject not in phrase
