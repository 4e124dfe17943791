"""Claim verification: what a claim cites is found, and the claim is true to it.

A claim cites sentence ids (the system then knows the cited text) or copies a quote from a
numbered passage. A quote is anchored to the article sentence(s) that contain it: first as an
exact match tolerant of whitespace, typographic quotes, dashes, ellipses and case; failing that,
word by word, tolerant of what copying also changes (number formats, unit spellings, inflections,
editorial [brackets], "..." between pieces), and only where the quote itself says what those
sentences say (``fidelity``). Either way the citation shown is the cited sentences' own text with
offsets such that ``article_text[start:end] == quote``. Then the claim sentence is checked
against those sentences (``check_fidelity``): a claim that distorts them is not shown; when they
are short, they are shown in its place. Everything here is pure: strings in, spans out.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from assistant.answer.fidelity import Problem, check_fidelity, same_key, word_keys
from assistant.answer.sentences import Sentence, SentenceIndex
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
MAX_REPLACEMENT_CHARS = 400  # cited text short enough to show in place of a distorted claim
MAX_LOOSE_GAP = 1  # source words a loose quote may skip between two of its words
MAX_SKIPPED_FUNCTION_WORDS = 2
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
class Cite:
    """One contiguous run of cited sentences in one article."""

    passage: Passage
    span: Span
    quote: str  # exactly article_text[span.start:span.end]


@dataclass(frozen=True)
class VerifiedClaim:
    text: str
    passage: Passage
    span: Span
    quote: str  # exactly article_text[span.start:span.end]
    cites: tuple[Cite, ...] = ()  # all cited runs, the first being (passage, span, quote)
    replaced: bool = False  # the text is the cited sentences themselves, shown instead

    def all_cites(self) -> tuple[Cite, ...]:
        return self.cites or (Cite(self.passage, self.span, self.quote),)


@dataclass(frozen=True)
class RejectedClaim:
    claim: Claim
    reason: str
    problems: tuple[Problem, ...] = ()
    replacement: VerifiedClaim | None = None


def numbers_in(text: str) -> set[str]:
    return {normalize_number(m.group(0)) for m in _NUMBER.finditer(text)}


def verify_claims(
    claims: Sequence[Claim],
    passages: Sequence[Passage],
    article_texts: dict[str, str],
    index: SentenceIndex | None = None,
) -> tuple[list[VerifiedClaim], list[RejectedClaim]]:
    """Keep claims whose citations are found and whose sentence is true to them.

    A rejected claim whose cited sentences are short carries them as ``replacement``: the
    articles' own words, shown instead of the distortion.
    """
    index = index or sentence_index(passages, article_texts)
    kept: list[VerifiedClaim] = []
    rejected: list[RejectedClaim] = []
    for claim in claims:
        cited = _cited_sentences(claim, index)
        if isinstance(cited, str):
            rejected.append(RejectedClaim(claim, cited))
            continue
        cites = _runs(cited, index)
        first = cites[0]
        verified = VerifiedClaim(claim.text.strip(), first.passage, first.span, first.quote, cites)
        sources = [c.quote for c in cites]
        if claim_support(claim.text, " ".join(sources)) < MIN_CLAIM_SUPPORT:
            reason = "the sentence says more than its quote (too few shared words)"
            rejected.append(RejectedClaim(claim, reason))
            continue
        fidelity = check_fidelity(claim.text, sources)
        if fidelity.supported:
            kept.append(verified)
            continue
        problem = fidelity.problems[0]
        reason = f"{problem.kind}: {problem.detail}"
        replacement = None
        if sum(len(q) for q in sources) <= MAX_REPLACEMENT_CHARS:
            replacement = VerifiedClaim(
                " ".join(sources), first.passage, first.span, first.quote, cites, replaced=True
            )
        rejected.append(RejectedClaim(claim, reason, tuple(fidelity.problems), replacement))
    return kept, rejected


def sentence_index(passages: Sequence[Passage], article_texts: dict[str, str]) -> SentenceIndex:
    """One sentence index per prompt: the prompt and every claim of the reply share its ids."""
    return _index_for(tuple(passages), tuple(sorted(article_texts.items())))


@lru_cache(maxsize=32)
def _index_for(passages: tuple[Passage, ...], texts: tuple[tuple[str, str], ...]) -> SentenceIndex:
    """One sentence index per prompt: every claim of a reply is checked against the same ids."""
    return SentenceIndex(passages, dict(texts))


def _cited_sentences(claim: Claim, index: SentenceIndex) -> list[Sentence] | str:
    """The sentences a claim cites, or why it cites none that exist."""
    if claim.sentences:
        missing = [sid for sid in claim.sentences if sid not in index.by_id]
        if missing:
            return f"sentence s{missing[0]} was not among the passages shown"
        return [index.by_id[sid] for sid in dict.fromkeys(claim.sentences)]
    passages = index.passages
    if claim.passage is None or not claim.quote:
        return "the claim cites no sentence id and no passage quote"
    if not 1 <= claim.passage <= len(passages):
        return f"passage [{claim.passage}] does not exist"
    passage = passages[claim.passage - 1]
    text = index.texts.get(passage.version)
    if text is None:
        return f"article {passage.article_id} is not indexed"
    span = find_quote(text, claim.quote, near=(passage.start, passage.end))
    if span is not None:
        return index.covering(passage, span.start, span.end)
    loose = loose_anchor(claim.quote, index.in_passage(claim.passage))
    if loose:
        return loose
    return f"quote not found in article {passage.article_id}"


def loose_anchor(quote: str, sentences: Sequence[Sentence]) -> list[Sentence] | None:
    """The sentence (or two adjacent ones) that a loosely copied quote comes from, if any.

    Every content word of the quote must appear in order; the quote must say what the
    sentence says (``check_fidelity``), so a changed figure or an added "not" anchors nowhere.
    """
    cleaned = clean_quote(quote)
    candidates = [[s] for s in sentences] + [
        [a, b] for a, b in itertools.pairwise(sentences) if a.end <= b.start
    ]
    for group in candidates:
        source = " ".join(s.text for s in group)
        if _loose_match(cleaned, source) and check_fidelity(cleaned, [source]).supported:
            return group
    return None


_BRACKETED = re.compile(r"\[[^\]]*\]")
_ELLIPSIS = re.compile(r"\.\.\.|\u2026")


def _loose_match(quote: str, source: str) -> bool:
    pieces = [p for p in _ELLIPSIS.split(_BRACKETED.sub(" ", quote)) if p.strip()]
    free = {i for i, inside in enumerate(_bracket_flags(source)) if inside}
    keys = [k for k, _ in word_keys(source)]
    position, skipped, content = 0, 0, 0
    for piece in pieces:
        gap_open = True  # the first word of a piece may be anywhere after the last match
        for key, function in word_keys(piece):
            found = _find(keys, key, position, free, None if gap_open else MAX_LOOSE_GAP)
            if found is None:
                skipped += 1
                if not function or skipped > MAX_SKIPPED_FUNCTION_WORDS:
                    return False
                continue
            position, gap_open = found + 1, False
            content += not function
    return content >= MIN_QUOTE_WORDS


def _bracket_flags(source: str) -> list[bool]:
    """For each word of ``source``: is it inside editorial [brackets] (and so skippable)?"""
    flags: list[bool] = []
    for i, part in enumerate(re.split(r"(\[[^\]]*\])", source)):
        flags += [i % 2 == 1] * len(word_keys(part))
    return flags


def _find(keys: list[str], key: str, start: int, free: set[int], gap: int | None) -> int | None:
    skipped = 0
    for k in range(start, len(keys)):
        if keys[k] == key or same_key(keys[k], key):
            return k
        if k not in free:
            skipped += 1
            if gap is not None and skipped > gap:
                return None
    return None


def _runs(sentences: Sequence[Sentence], index: SentenceIndex) -> tuple[Cite, ...]:
    """Adjacent sentences of one article merge into one citation; others stay apart."""
    runs: list[list[Sentence]] = []
    for s in sorted(sentences, key=lambda s: (s.passage_number or 10**6, s.start)):
        last = runs[-1][-1] if runs else None
        text = index.texts.get(s.passage.version, "")
        if (
            last is not None
            and last.passage.version == s.passage.version
            and s.start >= last.end
            and not text[last.end : s.start].strip()
        ):
            runs[-1].append(s)
        else:
            runs.append([s])
    cites = []
    for run in runs:
        text = index.texts.get(run[0].passage.version, "")
        start, end = run[0].start, run[-1].end
        cites.append(Cite(run[0].passage, Span(start, end), text[start:end]))
    return tuple(cites)


def claim_support(claim: str, quote: str) -> float:
    """Share of the claim's content words (stemmed) that its cited text contains.

    A real quote must not lend its credibility to a sentence about something else. This is the
    coarse first gate; ``check_fidelity`` then compares the claim with its sentences rule by rule.
    """
    words = set(tokens(claim))
    if not words:
        return 1.0
    return len(words & set(tokens(quote))) / len(words)
