"""Figures and dates in a claim against its sources, and the ``Problem`` every fidelity rule
reports (see ``assistant.answer.fidelity`` for the rules on negations, names and words).

A figure must be in the sources with the same unit, counting the same thing, and with a
comparator of the same class; a source figure that measures the same thing with another value
is a rival, and the problem names it. Pure functions only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from assistant.answer.lexicon import (
    BOUNDARY_WORDS,
    COMPARATOR_CLASSES,
    COMPARATOR_WORDS,
    FUNCTION_WORDS,
    HEDGES,
    MONTHS,
    MULTIPLIERS,
    ORDINAL_SUFFIXES,
    QUALIFIERS,
    TWO_WORD_COMPARATORS,
    UNITS,
)
from assistant.text import NUMBER_WORDS, ORDINAL_WORDS, normalize_number
from assistant.text import STOPWORDS as _TEXT_STOPWORDS

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
class Word:
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


# --- figures and dates ---------------------------------------------------------------------------


def _figures(words: Sequence[Word], text: str | None = None) -> list[_Figure]:
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
        if not nouns and not unit and i >= 2 and words[i - 1].low == "of":
            # Nothing after it: "the age of 31" counts what the noun before "of" names.
            head = words[i - 2]
            if head.low not in STOPWORDS and _value(head) is None:
                counts.add(head.stem)
                nouns.append(head.stem)
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


def _value(w: Word) -> float | None:
    if w.low[:1].isdigit():
        try:
            return float(normalize_number(w.low))
        except ValueError:
            return None
    if w.low in NUMBER_WORDS and w.low != "one":  # "one of them" is rarely a figure
        return float(NUMBER_WORDS[w.low])
    if w.low in ORDINAL_WORDS:  # "the twelfth meeting" against "the thirteenth meeting"
        return float(ORDINAL_WORDS[w.low])
    return None


def _comparator(before: Sequence[str]) -> str | None:
    if len(before) == 2 and tuple(before) in TWO_WORD_COMPARATORS:
        return TWO_WORD_COMPARATORS[(before[0], before[1])]
    return COMPARATOR_CLASSES.get(before[-1]) if before else None


def figure_problems(
    claim: Sequence[Word], source: Sequence[Word], texts: Sequence[str]
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
