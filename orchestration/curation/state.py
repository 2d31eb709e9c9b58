"""The drafter's working state: a text, its sentences and periods, and the lines drafted so far."""

import re
from dataclasses import dataclass, field

from . import periods as periods_
from .reading import Sentence


@dataclass
class Draft:
    document_id: str
    text: str
    reference_year: int | None
    sentences: list[Sentence]
    periods: dict[int, list[periods_.Period]]
    facts: list[dict] = field(default_factory=list)
    exclusions: list[dict] = field(default_factory=list)

    def sentence_at(self, at: int) -> int:
        return next(i for i, s in enumerate(self.sentences) if s.start <= at < s.end or at < s.start)


def context_of(text: str, sentence: Sentence, start: int, end: int, words: int = 3) -> str:
    """Verbatim words around a token, within its sentence, that pin down where it stands."""
    before = re.findall(r"\S+\s*$", text[sentence.start : start]) and text[sentence.start : start]
    lo = start
    if before:
        cut = [m.start() for m in re.finditer(r"\S+", before)][-words:]
        lo = sentence.start + cut[0]
    after = [m.end() for m in re.finditer(r"\S+", text[end : sentence.end])][:words]
    hi = end + (after[-1] if after else 0)
    return text[lo:hi].strip()


def exclude(draft: Draft, sentence: Sentence, start: int, end: int, reason: str, note: str) -> None:
    draft.exclusions.append(
        {
            "_at": start,
            "text": draft.text[start:end],
            "context": context_of(draft.text, sentence, start, end),
            "reason": reason,
            "review": "draft",
            "review_note": note,
        }
    )
