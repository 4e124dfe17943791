"""Is one answer sentence true to the sentences it cites? General language rules, no model.

A real quote must not lend its credibility to a sentence that says something else. Each rule
compares the claim with its cited sentences and names what differs:

- ``figure``: every number in the claim is in the sources, with the same unit and counting the
  same thing ("four ships and eight individuals" is not "eight ships and four individuals");
  comparators ("more than", "about") must not change class.
- ``date``: years, months, weekdays and relative times ("last week") come from the sources.
- ``negation``: a word the sources negate is not asserted, and a negated word is negated there.
- ``entity`` / ``title``: capitalised names (people, organisations, countries) and titles
  ("Prime Minister") are in the sources.
- ``added``: every other content word of the claim is supported; hedges, certainty words,
  causes and qualifiers the sources do not use are reported as such.

Tolerated, because copying legitimately changes them: number formats ("1,000"/"1000", "four"/
"4"), unit spellings ("km"/"kilometers"), inflections (remained/remaining, via the Snowball
stemmer), approximators of one class ("around"/"about"), editorial [brackets], ellipses,
demonyms ("Russia"/"Russian") and reporting verbs ("said", "according to"). The word lists (lexicon.py)
are closed classes of English (negators, hedges, causal connectives, units, titles), not words
of any corpus. Figures and dates live in ``figures.py``, names and words here. Pure functions only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

# STOPWORDS: text.py's plus the closed-class words it leaves out (lexicon.py); figures.py.
from assistant.answer.figures import STOPWORDS, Problem, figure_problems
from assistant.answer.figures import Word as _Word
from assistant.answer.lexicon import (
    BOUNDARY_WORDS,
    CAUSAL,
    COMPARATOR_CLASSES,
    DEMONYM_ENDINGS,
    FRAMING,
    HEDGES,
    MONTHS,
    MULTIPLIERS,
    NEGATORS,
    OPPOSITES,
    ORDINAL_SUFFIXES,
    PRONOUN_STARTS,
    QUALIFIERS,
    TEMPORAL,
    TITLES,
    UNITS,
    WEEKDAYS,
)
from assistant.text import (
    NUMBER_WORDS,
    ORDINAL_WORDS,
    WORD,
    canonical_abbreviations,
    normalize_number,
    stem,
    unattributed,
)


@dataclass(frozen=True)
class Fidelity:
    supported: bool
    problems: list[Problem] = field(default_factory=list)


def check_fidelity(claim: str, sources: Sequence[str]) -> Fidelity:
    """Compare one claim sentence with its cited sentences; ``supported`` when nothing differs."""
    # "A post quoted in the article says: “…”" is checked on the words it quotes.
    claim_words = _words(_unbracket(unattributed(claim)))
    source_words = [w for s in sources for w in _words(_unbracket(s))]
    problems = [
        *figure_problems(claim_words, source_words, sources),
        *_negation_problems(claim_words, source_words),
        *_opposite_problems(claim_words, sources),
        *_word_problems(claim_words, source_words),
    ]
    return Fidelity(supported=not problems, problems=problems)


def starts_with_pronoun(sentence: str) -> bool:
    """True when the sentence opens with a pronoun that needs an earlier sentence to be read."""
    words = _words(sentence)
    return bool(words) and words[0].low in PRONOUN_STARTS


# --- words ---------------------------------------------------------------------------------------


def _unbracket(text: str) -> str:
    """Editorial brackets and ellipses are copying marks, not words of the statement."""
    text = text.replace("[", " ").replace("]", " ").replace("\u2026", " ").replace("...", " ")
    return canonical_abbreviations(text)


def _words(text: str) -> list[_Word]:
    out: list[_Word] = []
    prev_end = 0
    for match in WORD.finditer(text.replace("’", "'")):
        token = match.group(0)
        gap = text[prev_end : match.start()]
        first = not out or any(ch in gap for ch in '.!?:;"“')
        low = token.lower()
        for part_low, part in _split_contraction(low, token):
            out.append(
                _Word(
                    text=part,
                    low=part_low,
                    stem=_stem(part_low),
                    start=match.start(),
                    capital=part[:1].isupper(),
                    sentence_start=first,
                )
            )
            first = False
        prev_end = match.end()
    return out


def _split_contraction(low: str, token: str) -> list[tuple[str, str]]:
    if low.endswith("n't"):
        base = low[:-3] or low
        return [(base, token[: len(base)]), ("n't", "n't")]
    return [(low, token)]


def _stem(low: str) -> str:
    if low[:1].isdigit():
        return normalize_number(low)
    if low in UNITS:
        return "unit:" + UNITS[low]
    if low in COMPARATOR_CLASSES:
        return "cmp:" + COMPARATOR_CLASSES[low]
    return stem(low)


def _same_word(a: str, b: str) -> bool:
    """Stems that meet, or a place and its demonym ("russia"/"russian", "japan"/"japanese");
    "niger"/"nigeria" do not: "ia" is no demonym ending."""
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    return len(short) >= 4 and long.startswith(short) and long[len(short) :] in DEMONYM_ENDINGS


def _supported(word: _Word, source_stems: set[str], source_lows: set[str]) -> bool:
    """In the sources as a stem, or as a place/demonym pair (compared stemmed and as written,
    since the stemmer cuts some demonyms oddly: "israeli" → "isra")."""
    if word.stem in source_stems:
        return True
    return any(_same_word(word.stem, s) for s in source_stems) or any(
        _same_word(word.low, s) for s in source_lows
    )


# --- negation ------------------------------------------------------------------------------------


_NEGATING_PAIRS = frozenset({("instead", "of"), ("rather", "than")})
_NEGATED_DEGREE = frozenset({"longer"})  # "no longer provisional" negates "provisional"


def _negated(words: Sequence[_Word]) -> set[str]:
    """Stems of content words that follow a negator within three words (its likely scope).

    "no longer X" negates X, and "instead of X" / "rather than X" deny X as well.
    """
    out: set[str] = set()
    for i, w in enumerate(words):
        pair = (w.low, words[i + 1].low) if i + 1 < len(words) else (w.low, "")
        if w.low not in NEGATORS and pair not in _NEGATING_PAIRS:
            continue
        start = i + 2 if pair in _NEGATING_PAIRS or pair[1] in _NEGATED_DEGREE else i + 1
        for nxt in words[start : start + 3]:
            if nxt.low in BOUNDARY_WORDS:
                break
            if nxt.low not in STOPWORDS and nxt.low not in NEGATORS:
                out.add(nxt.stem)
                break
    return out


def _negation_problems(claim: Sequence[_Word], source: Sequence[_Word]) -> list[Problem]:
    problems: list[Problem] = []
    claim_neg, source_neg = _negated(claim), _negated(source)
    claim_affix, source_affix = _affix_negated(claim), _affix_negated(source)
    claim_stems = {w.stem for w in claim}
    source_any = source_neg | set(source_affix)
    for stem_ in sorted(claim_neg - source_neg):
        # "not ... compatible" is what "incompatible" says
        if _scope(claim, stem_) & source_any:
            continue
        problems.append(
            Problem("negation", _written(claim, stem_), _written(source, stem_), _NEG_ADDED)
        )
    for stem_ in sorted(source_neg - claim_neg):
        if stem_ in claim_stems and stem_ not in claim_affix:
            problems.append(
                Problem("negation", _written(claim, stem_), _written(source, stem_), _NEG_DROPPED)
            )
    claim_scoped = set().union(*(_scope(claim, x) for x in claim_neg)) if claim_neg else set()
    for stem_, written in sorted(source_affix.items()):
        if stem_ in claim_stems and stem_ not in claim_scoped and stem_ not in claim_affix:
            problems.append(Problem("negation", _written(claim, stem_), written, _NEG_DROPPED))
    if not claim_neg and not source_neg:
        claim_has = [w for w in claim if w.low in NEGATORS]
        if claim_has and not any(w.low in NEGATORS for w in source) and not source_affix:
            problems.append(Problem("negation", claim_has[0].text, None, _NEG_ADDED))
    return problems


_NEGATIVE_PREFIXES = ("non", "dis", "un", "in", "im", "il", "ir")


def _affix_negated(words: Sequence[_Word]) -> dict[str, str]:
    """Stems negated by a prefix, mapped to the word as written: "incompatible" negates
    "compatible", "unavailable" negates "available" (the bare word must itself be a word of
    four or more letters that stems differently, so "interest" negates nothing)."""
    out: dict[str, str] = {}
    for w in words:
        for prefix in _NEGATIVE_PREFIXES:
            rest = w.low[len(prefix) :].lstrip("-")
            if w.low.startswith(prefix) and len(rest) >= 5 and rest.isalpha():
                out[stem(rest)] = w.text
                break
    return out


def _scope(words: Sequence[_Word], stem_: str) -> set[str]:
    """Stems of the three words after the negator whose scope holds ``stem_``."""
    for i, w in enumerate(words):
        if w.low in NEGATORS:
            window = {x.stem for x in words[i + 1 : i + 4]}
            if stem_ in window:
                return window
    return set()


def _opposite_problems(claim: Sequence[_Word], sources: Sequence[str]) -> list[Problem]:
    """A claim word whose opposite the sources say instead ("lost" where they say "won",
    "added" where they say "dropped").

    Compared clause by clause, so that "X was dropped, while Y was introduced" contradicts "X
    was introduced": the clause that says the opposite must be the one closest to the claim's
    other words. A negated word ("did not win") says its opposite's side, so it is left to the
    negation rule.
    """
    claim_parts = _parts(claim, _negated(claim))
    claim_stems = {w.stem for w in claim if w.low not in STOPWORDS}
    pieces = [_words(c) for s in sources for c in clauses(_unbracket(s))]
    parts = [_parts(c, _negated(c)) for c in pieces]
    problems: list[Problem] = []
    for one, other in OPPOSITES:
        for mine, theirs in ((one, other), (other, one)):
            said = next((w for low, w in claim_parts if low in mine), None)
            if said is None or any(low in theirs for low, _ in claim_parts):
                continue
            best: tuple[int, _Word | None] = (0, None)
            others = claim_stems - {said.stem}
            for clause, clause_parts in zip(pieces, parts, strict=True):
                shared = len(others & {w.stem for w in clause})
                if any(low in mine for low, _ in clause_parts):
                    best = (shared, None) if shared >= best[0] else best
                    continue
                opposite = next((w for low, w in clause_parts if low in theirs), None)
                if opposite is not None and shared > best[0]:
                    best = (shared, opposite)
            opposite = best[1]
            if opposite is not None:
                detail = f"the cited sentences say {opposite.text!r}, {OPPOSITE_OF} {said.text!r}"
                problems.append(Problem("negation", said.text, opposite.text, detail))
    return problems


OPPOSITE_OF = "the opposite of"


def is_opposite(problem: Problem) -> bool:
    """The problem is an opposite word (its clause already aligned), not a negator."""
    return problem.kind == "negation" and OPPOSITE_OF in problem.detail


def clauses(text: str) -> list[str]:
    """The text cut at clause punctuation and at the conjunctions that join clauses; a piece
    of fewer than MIN_CLAUSE_WORDS words (a list item, an apposition) joins the next."""
    pieces: list[str] = []
    for piece in re.split(r"[,;:()–—]", text):
        current: list[str] = []
        for token in piece.split():
            if token.lower().strip(".!?") in BOUNDARY_WORDS and current:
                pieces.append(" ".join(current))
                current = []
            current.append(token)
        if current:
            pieces.append(" ".join(current))
    out: list[str] = []
    short = ""
    for piece in pieces:
        piece = f"{short} {piece}".strip()
        short = piece if len(piece.split()) < MIN_CLAUSE_WORDS else ""
        if not short:
            out.append(piece)
    if short:
        out.append(short)
    return out or [text]


MIN_CLAUSE_WORDS = 4


def _parts(words: Sequence[_Word], negated: set[str]) -> list[tuple[str, _Word]]:
    """Each word and each part of a hyphenated one ("multi-architecture"), lower case, with
    the word it belongs to; words a negator governs are left out."""
    return [
        (part, w)
        for w in words
        if w.stem not in negated
        for part in dict.fromkeys([w.low, *w.low.split("-")])
        if part
    ]


_NEG_ADDED = "the claim negates what the cited sentences state"
_NEG_DROPPED = "the claim asserts what the cited sentences negate"


def _written(words: Sequence[_Word], stem_: str) -> str | None:
    return next((w.text for w in words if w.stem == stem_), None)


# --- names, titles and added words ---------------------------------------------------------------


def _word_problems(claim: Sequence[_Word], source: Sequence[_Word]) -> list[Problem]:
    source_stems = {w.stem for w in source}
    source_lows = {w.low for w in source}
    problems: list[Problem] = []
    seen: set[str] = set()
    for i, w in enumerate(claim):
        if w.low[:1].isdigit() or w.low in NUMBER_WORDS or w.low in ORDINAL_WORDS:
            continue  # figures are the figure rule's
        if w.low in NEGATORS or w.stem in seen:
            continue
        if w.low in ORDINAL_SUFFIXES and i and claim[i - 1].low[:1].isdigit():
            continue
        if w.low in MULTIPLIERS or w.low in COMPARATOR_CLASSES or w.low in FRAMING:
            continue
        name = w.capital and not (w.sentence_start and w.low in STOPWORDS)
        marked = _marked_class(w.low)
        if w.low in STOPWORDS and marked is None and not name:
            continue
        if marked is not None:
            if w.low in source_lows or (marked != "qualifier" and w.stem in source_stems):
                continue
        elif _supported(w, source_stems, source_lows):
            continue
        seen.add(w.stem)
        problem = _unsupported(w, marked, name)
        if w.low in MONTHS:
            rival = next((x.text for x in source if x.low in MONTHS and x.low != w.low), None)
            if rival is not None:
                problem = Problem(
                    "date", w.text, rival, f"the cited sentences say {rival}, not {w.text}"
                )
        problems.append(problem)
    return problems


def _marked_class(low: str) -> str | None:
    if low in HEDGES:
        return "certainty"
    if low in CAUSAL:
        return "cause"
    if low in QUALIFIERS:
        return "qualifier"
    if low in MONTHS or low in WEEKDAYS or low in TEMPORAL:
        return "time"
    return None


def _unsupported(w: _Word, marked: str | None, name: bool) -> Problem:
    if marked == "time":
        return Problem("date", w.text, None, f"the cited sentences do not say {w.text!r}")
    if marked is not None:
        return Problem("added", w.text, None, f"the claim adds a {marked} word, {w.text!r}")
    if w.low in TITLES:
        return Problem("title", w.text, None, f"the title word {w.text!r} is not in the sources")
    if name:
        return Problem("entity", w.text, None, f"{w.text!r} is not named in the cited sentences")
    return Problem("added", w.text, None, f"the cited sentences do not support {w.text!r}")


def words_of(texts: Iterable[str]) -> set[str]:
    """Stems of all words in ``texts`` (for callers that compare vocabularies)."""
    return {w.stem for t in texts for w in _words(t)}


def word_keys(text: str) -> list[tuple[str, bool]]:
    """Each word as a comparison key (stem, number value, canonical unit or comparator class)
    and whether it is a function word, in order; copying differences give equal keys."""
    return [(w.stem, w.low in STOPWORDS) for w in _words(text)]


def same_key(a: str, b: str) -> bool:
    return _same_word(a, b)
