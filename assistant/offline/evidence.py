"""Whether a sentence holds a fact of the asked type that the question does not already give.

"How old was X when he died?" is not answered by "X died in December 2015": the sentence must
contain an age. Each answer type has one general rule (a new name for "who", a date for "when",
a figure counting the asked thing for "how many"), so a near miss, where the articles cover the
topic but never state the asked fact, is refused rather than answered with the nearest sentence.
"""

from __future__ import annotations

import re

from assistant.offline.question import (
    AGE,
    COUNT,
    DATE,
    DURATION,
    LENGTH,
    MONEY,
    NAMED,
    PERCENT,
    PERSON,
    PLACE,
    SPEED,
    Question,
)
from assistant.text import STOPWORDS, UNITS, date_spans, number_spans, stem, tokens, words_near

_CAPITALISED = re.compile(r"[A-Z][\w’'.-]*[\w]|[A-Z]")
_AGE_WORDS = frozenset({"old", "aged", "age", "year", "years", "year-old"})
_TYPE_UNITS = {
    AGE: _AGE_WORDS,
    DURATION: UNITS["duration"] | UNITS["length"],  # "how long": a time or a distance
    LENGTH: UNITS["length"],
    SPEED: UNITS["speed"] | {"per", "an", "/h"},
    PERCENT: UNITS["percent"],
    MONEY: UNITS["money"],
}


def new_names(sentence: str, question: Question) -> list[str]:
    """Capitalised words the question does not use: candidate persons, places, organisations.

    The sentence's first word is capitalised by position, so it counts only when the next word
    is capitalised too (a name like "Ian Murdock founded…").
    """
    out = []
    words = list(_CAPITALISED.finditer(sentence))
    for i, match in enumerate(words):
        word = match.group(0)
        low = word.lower().strip("'’")
        if low in STOPWORDS or low in question.asked_words or stem(low) in question.terms:
            continue
        if date_spans(word):
            continue  # "August" is a date, not a name
        at_start = not sentence[: match.start()].strip(" “\"'(")
        if at_start:
            follows = words[i + 1] if i + 1 < len(words) else None
            gap = sentence[match.end() : follows.start()] if follows else "x"
            if not follows or gap.strip():
                continue
        out.append(word)
    return out


def _new_numbers(sentence: str, question: Question) -> list[tuple[int, int]]:
    asked = {t for t in question.terms if t[0].isdigit()}
    out = []
    for start, end in number_spans(sentence):
        written = sentence[start:end]
        token = tokens(written)
        if token and token[0] in asked:
            continue
        out.append((start, end))
    return out


def _counts(sentence: str, span: tuple[int, int], noun: str) -> bool:
    """Whether the figure at ``span`` counts ``noun`` ("474 packages", "packages: 474")."""
    near = words_near(sentence, *span, before=3, after=4)
    stems = {stem(w) for w in near}
    if noun in stems:
        return True
    return any(len(noun) >= 5 and len(s) >= 5 and s[:5] == noun[:5] for s in stems)


def _date_range(sentence: str) -> bool:
    """Two different years, or two different months: a start and an end."""
    found = set(tokens(" ".join(sentence[a:b] for a, b in date_spans(sentence))))
    years = {t for t in found if t.isdigit() and len(t) == 4}
    months = {t for t in found if not t[0].isdigit()}
    return len(years) >= 2 or len(months) >= 2


def has_answer(sentence: str, question: Question) -> bool:
    """Whether ``sentence`` contains something of the question's answer type it does not give."""
    kind = question.answer_type
    if kind in (PERSON, PLACE):
        return bool(new_names(sentence, question))
    if kind == DATE:
        asked = set(question.terms)
        spans = [sentence[a:b] for a, b in date_spans(sentence)]
        if question.day:  # "on what day": a month or a year alone does not say
            spans = [d for d in spans if re.search(r"\b\d{1,2}(?:st|nd|rd|th)?\b|day\b", d)]
        return any(set(tokens(d)) - asked for d in spans)
    if kind == COUNT:
        spans = _new_numbers(sentence, question)
        if question.counted:
            nouns = question.counted.split()
            return any(_counts(sentence, span, noun) for span in spans for noun in nouns)
        return bool(spans)
    if kind == DURATION and _date_range(sentence):
        return True  # "from June 2010 to May 2011": a span of dates says how long
    if kind in _TYPE_UNITS:
        units = _TYPE_UNITS[kind]
        for start, end in _new_numbers(sentence, question):
            near = words_near(sentence, start, end, before=1 if kind == MONEY else 0, after=2)
            if any(w in units or w.rstrip(".,") in units for w in near):
                return True
            if kind == MONEY and re.search(r"[$€£¥]\s*$", sentence[:start]):
                return True
        return False
    if kind == NAMED:
        return bool(set(tokens(sentence)) - set(question.terms) - {"s"})
    return True
