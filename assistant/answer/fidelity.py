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
of any corpus. Pure functions only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from assistant.answer.lexicon import (
    BOUNDARY_WORDS,
    CAUSAL,
    COMPARATOR_CLASSES,
    COMPARATOR_WORDS,
    DEMONYM_ENDINGS,
    FRAMING,
    FUNCTION_WORDS,
    HEDGES,
    MONTHS,
    MULTIPLIERS,
    NEGATORS,
    ORDINAL_SUFFIXES,
    PRONOUN_STARTS,
    QUALIFIERS,
    TEMPORAL,
    TITLES,
    TWO_WORD_COMPARATORS,
    UNITS,
    WEEKDAYS,
)
from assistant.text import (
    NUMBER_WORDS,
    WORD,
    canonical_abbreviations,
    normalize_number,
    stem,
)
from assistant.text import (
    STOPWORDS as _TEXT_STOPWORDS,
)

# Function words: text.py's stopwords plus the closed-class words it leaves out (lexicon.py).
STOPWORDS = _TEXT_STOPWORDS | FUNCTION_WORDS

ProblemKind = Literal["figure", "date", "negation", "entity", "title", "added"]

_WINDOW = 4  # content words after a figure that say what it counts


@dataclass(frozen=True)
class Problem:
    """One way the claim departs from its sources, with the parts compared."""

    kind: ProblemKind
    claim_part: str
    source_part: str | None
    detail: str


@dataclass(frozen=True)
class Fidelity:
    supported: bool
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class _Word:
    text: str  # as written
    low: str
    stem: str
    start: int  # character offset in its text
    capital: bool
    sentence_start: bool


@dataclass(frozen=True)
class _Figure:
    value: float
    written: str
    unit: str | None
    counts: frozenset[str]  # stems of the words after it, up to a boundary
    comparator: str | None
    is_date: bool
    label: bool = False  # part of a name ("Python 3.9", "PEP 602"), not a measure
    nouns: tuple[str, ...] = ()  # the counted words in order ("north", "korean", "soldier")


def check_fidelity(claim: str, sources: Sequence[str]) -> Fidelity:
    """Compare one claim sentence with its cited sentences; ``supported`` when nothing differs."""
    claim_words = _words(_unbracket(claim))
    source_words = [w for s in sources for w in _words(_unbracket(s))]
    problems = [
        *_figure_problems(claim_words, source_words, sources),
        *_negation_problems(claim_words, source_words),
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


# --- figures and dates ---------------------------------------------------------------------------


def _figures(words: Sequence[_Word], text: str | None = None) -> list[_Figure]:
    out: list[_Figure] = []
    consumed = -1  # a multiplier read as part of the figure before it ("1.5 million")
    for i, w in enumerate(words):
        value = _value(w)
        if value is None or i == consumed:
            continue
        j = i + 1
        written = w.text
        if j < len(words) and words[j].low in MULTIPLIERS:
            value *= MULTIPLIERS[words[j].low]
            written += " " + words[j].text
            consumed = j
            j += 1
        if j < len(words) and words[j].low in ORDINAL_SUFFIXES:
            j += 1
        unit = None
        counts: set[str] = set()
        nouns: list[str] = []
        k = j
        while k < len(words) and len(counts) < _WINDOW:
            nxt = words[k]
            if _value(nxt) is not None or nxt.low in BOUNDARY_WORDS:
                break
            if nxt.low in UNITS and unit is None and not counts:
                unit = UNITS[nxt.low]
            elif nxt.low not in STOPWORDS:
                counts.add(nxt.stem)
                nouns.append(nxt.stem)
            k += 1
        before = [x.low for x in words[max(0, i - 2) : i]]
        is_date = (
            (w.low.isdigit() and len(w.low) == 4 and 1800 <= value <= 2100)
            or bool(set(before[-1:]) & MONTHS)
            or (j < len(words) and words[j].low in MONTHS)
        )
        prev = words[i - 1] if i else None
        label = (
            prev is not None
            and prev.capital
            and prev.low not in STOPWORDS
            and prev.low not in MONTHS
            and prev.low not in COMPARATOR_CLASSES  # "Around 12,000" opening a sentence
            and prev.low not in QUALIFIERS
            and prev.low not in HEDGES
            and not is_date
        )
        out.append(
            _Figure(
                value,
                written,
                unit,
                frozenset(counts),
                _comparator(before),
                is_date,
                label,
                tuple(nouns),
            )
        )
    return out


def _value(w: _Word) -> float | None:
    if w.low[:1].isdigit():
        try:
            return float(normalize_number(w.low))
        except ValueError:
            return None
    if w.low in NUMBER_WORDS and w.low != "one":  # "one of them" is rarely a figure
        return float(NUMBER_WORDS[w.low])
    return None


def _comparator(before: Sequence[str]) -> str | None:
    if len(before) == 2 and tuple(before) in TWO_WORD_COMPARATORS:
        return TWO_WORD_COMPARATORS[(before[0], before[1])]
    return COMPARATOR_CLASSES.get(before[-1]) if before else None


def _figure_problems(
    claim: Sequence[_Word], source: Sequence[_Word], texts: Sequence[str]
) -> list[Problem]:
    problems: list[Problem] = []
    ours = _figures(claim)
    theirs = _figures(source)
    for fig in ours:
        kind: ProblemKind = "date" if fig.is_date else "figure"
        same = [s for s in theirs if s.value == fig.value]
        if not same:
            rival = _rival(fig, [s for s in theirs if s.value not in {f.value for f in ours}])
            if rival is not None:
                problems.append(
                    Problem(
                        kind,
                        fig.written,
                        rival.written,
                        f"the cited sentences give {rival.written} for this, not {fig.written}",
                    )
                )
                continue
            problems.append(
                Problem(kind, fig.written, None, f"{fig.written} is not in the cited sentences")
            )
            continue
        if fig.unit and not any(s.unit in (fig.unit, None) for s in same):
            problems.append(
                Problem(
                    kind,
                    f"{fig.written} {fig.unit}",
                    f"{same[0].written} {same[0].unit}",
                    "the unit differs from the cited sentences",
                )
            )
            continue
        if (
            fig.counts
            and not fig.label
            and not fig.is_date
            and not any(fig.counts & s.counts for s in same)
        ):
            other = next(
                (
                    s
                    for s in theirs
                    if s.value != fig.value and not s.label and fig.counts & s.counts
                ),
                None,
            )
            if other is not None:
                problems.append(
                    Problem(
                        kind,
                        fig.written,
                        other.written,
                        f"the cited sentences give {other.written} for this, not {fig.written}",
                    )
                )
                continue
        classes = {s.comparator for s in same}
        if fig.comparator and fig.comparator not in classes:
            problems.append(
                Problem(
                    kind,
                    fig.written,
                    same[0].written,
                    f"the claim says {COMPARATOR_WORDS[fig.comparator]} where the sources do not",
                )
            )
    return problems


def _rival(fig: _Figure, theirs: Sequence[_Figure]) -> _Figure | None:
    """A source figure that measures the same thing as ``fig`` with another value, if any.

    The same thing: both dates (a year for a year), the same unit, or the same counted noun
    ("68 minutes" against "86 minutes", "1963" against "1953"). Such a figure contradicts the
    claim rather than merely not confirming it.
    """
    if fig.label:
        return None
    for other in theirs:
        if other.value == fig.value or other.label:
            continue
        if fig.is_date and other.is_date:
            if (fig.value >= 1000) == (other.value >= 1000):
                return other
            continue
        if fig.is_date or other.is_date:
            continue
        if fig.unit is not None and other.unit == fig.unit:
            return other
        if fig.unit is None and other.unit is None and _same_head(fig, other):
            return other
    return None


def _same_head(a: _Figure, b: _Figure) -> bool:
    """The words right after two figures meet: "12,000 North Korean soldiers" and "8,000 North
    Korean troops" count the same thing; "1,000 missiles to Russia" does not, though both
    mention Russia further on."""
    return bool(a.nouns and b.nouns) and (a.nouns[0] in b.counts or b.nouns[0] in a.counts)


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
        if w.low[:1].isdigit() or w.low in NUMBER_WORDS or w.low in NEGATORS or w.stem in seen:
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
