"""Quote verification: a quote counts only if it is found in the cited article.

Matching tolerates what copying text legitimately changes (runs of whitespace, typographic versus
straight quotes, dashes, ellipses, letter case) and nothing else. The match is mapped back to
character offsets in the article's original text, so ``text[start:end]`` is what the reader sees
highlighted. Everything here is pure: strings in, spans out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from assistant.schema import Claim
from assistant.store.splitting import Passage
from assistant.text import normalize_number, tokens

_CHAR_MAP = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "`": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
    "\u2033": '"',
    "«": '"',
    "»": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u2012": "-",
    "\u2212": "-",
    "\u2011": "-",
    "\u2010": "-",
    "\u00a0": " ",
    "\u2009": " ",
    "\u202f": " ",
    "\u200b": "",
}
MIN_QUOTE_CHARS = 12
MIN_QUOTE_WORDS = 3
MIN_CLAIM_SUPPORT = 0.5
_NUMBER = re.compile(r"\d[\d,.]*\d|\d")


@lru_cache(maxsize=256)
def normalize_with_map(text: str) -> tuple[str, tuple[int, ...]]:
    """Normalised text and, for each of its characters, the index of its source character.

    Cached: the same few articles are normalised for every claim of every answer.
    """
    out: list[str] = []
    index: list[int] = []
    pending_space = False
    for i, ch in enumerate(text):
        ch = _CHAR_MAP.get(ch, ch)
        if ch == "\u2026":
            ch = "..."
        if not ch:
            continue
        if ch.isspace():
            pending_space = bool(out)
            continue
        if pending_space:
            out.append(" ")
            index.append(i - 1)
            pending_space = False
        for c in ch:
            low = c.lower()
            out.append(low if len(low) == 1 else c)
            index.append(i)
    return "".join(out), tuple(index)


def normalize(text: str) -> str:
    return normalize_with_map(text)[0]


def clean_quote(quote: str) -> str:
    """Strip what models wrap around quotes: outer quote marks, ellipses, whitespace."""
    q = quote.strip()
    for _ in range(2):
        q = q.strip().strip("\"'“”‘’«»").strip()
        q = q.removeprefix("...").removeprefix("…").removesuffix("...").removesuffix("…")
    return q.strip()


@dataclass(frozen=True)
class Span:
    start: int
    end: int


def find_quote(article_text: str, quote: str, near: tuple[int, int] | None = None) -> Span | None:
    """Locate ``quote`` in the article; prefer the occurrence overlapping ``near`` (the passage)."""
    q = normalize(clean_quote(quote))
    if len(q) < MIN_QUOTE_CHARS or len(q.split()) < MIN_QUOTE_WORDS:
        return None
    hay, index = normalize_with_map(article_text)
    spans = []
    pos = hay.find(q)
    while pos >= 0:
        spans.append(Span(index[pos], index[pos + len(q) - 1] + 1))
        pos = hay.find(q, pos + 1)
    if not spans:
        return None
    if near is not None:
        for span in spans:
            if span.start < near[1] and span.end > near[0]:
                return span
    return spans[0]


@dataclass(frozen=True)
class VerifiedClaim:
    text: str
    passage: Passage
    span: Span
    quote: str  # exactly article_text[span.start:span.end]


@dataclass(frozen=True)
class RejectedClaim:
    claim: Claim
    reason: str


def numbers_in(text: str) -> set[str]:
    return {normalize_number(m.group(0)) for m in _NUMBER.finditer(text)}


def verify_claims(
    claims: Sequence[Claim],
    passages: Sequence[Passage],
    article_texts: dict[str, str],
) -> tuple[list[VerifiedClaim], list[RejectedClaim]]:
    """Keep claims whose passage number exists and whose quote is in that passage's article.

    A claim whose sentence states a figure that neither its quote nor its passage contains is
    rejected too: a real quote must not lend credibility to an invented number.
    """
    kept: list[VerifiedClaim] = []
    rejected: list[RejectedClaim] = []
    for claim in claims:
        if not 1 <= claim.passage <= len(passages):
            rejected.append(RejectedClaim(claim, f"passage [{claim.passage}] does not exist"))
            continue
        passage = passages[claim.passage - 1]
        text = article_texts.get(passage.version)
        if text is None:
            rejected.append(RejectedClaim(claim, f"article {passage.article_id} is not indexed"))
            continue
        span = find_quote(text, claim.quote, near=(passage.start, passage.end))
        if span is None:
            rejected.append(
                RejectedClaim(claim, f"quote not found in article {passage.article_id}")
            )
            continue
        quote = text[span.start : span.end]
        missing = numbers_in(claim.text) - numbers_in(quote) - numbers_in(passage.text)
        if missing:
            rejected.append(
                RejectedClaim(claim, f"figure {sorted(missing)[0]} is not in the cited passage")
            )
            continue
        if claim_support(claim.text, quote) < MIN_CLAIM_SUPPORT:
            rejected.append(
                RejectedClaim(claim, "the sentence says more than its quote (too few shared words)")
            )
            continue
        kept.append(VerifiedClaim(claim.text.strip(), passage, span, quote))
    return kept, rejected


def claim_support(claim: str, quote: str) -> float:
    """Share of the claim's content words (stemmed) that its quote contains.

    A real quote must not lend its credibility to a sentence about something else ("Incheon
    Airport was destroyed by a missile" citing "Incheon Airport … had to close because of the
    balloons"). Paraphrase keeps most content words; a different claim does not. This is a lexical
    check, not entailment: it stops claims that wander from their quote, not subtle distortions.
    """
    words = set(tokens(claim))
    if not words:
        return 1.0
    return len(words & set(tokens(quote))) / len(words)
