"""What a question asks for, read from its wording alone (no corpus knowledge).

The offline engine answers extractively, so it must know what a sentence needs to contain to
answer: the question's terms (weighted by how rare they are), the *focus* (the thing asked
about: "which RELEASE", "the THEME of"), and the *answer type* from the question word ("who" a
person, "when" a date, "how many X" a count of X, "how old" an age). These are rules of English
questions, not facts about any corpus; nothing here knows the articles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.text import STOPWORDS, stem, tokens

# Words that only shape a question ("exactly", "mention", "according"): general English, no
# topic words. Absent from an answer sentence, they must not count against it.
QUESTION_FILLER = frozenset(
    stem(w)
    for w in """
        happen happened exactly specifically describe explain mention mentioned article articles
        source sources detail details know known anything something thing things way kind type
        sort regarding concerning take took make made occur occurred according report reported
        think name named names list number total amount quote cite show call called also
        respectively altogether overall approximately roughly about around
    """.split()
)

# Answer types: what the answer sentence must contain beyond the question's own words.
PERSON, PLACE, DATE, COUNT, MONEY, AGE, DURATION, LENGTH, SPEED, PERCENT = (
    "person",
    "place",
    "date",
    "count",
    "money",
    "age",
    "duration",
    "length",
    "speed",
    "percent",
)
REASON, NAMED, YESNO, OTHER = "reason", "named", "yesno", "other"

# Heads that name the *type* of answer rather than a word the answer contains.
GENERIC_HEADS = frozenset(
    stem(w)
    for w in """name names kind type sort title number amount date day year month time
    percentage proportion fraction""".split()
)
PHRASE_END = frozenset(
    """is was are were do does did has have had that who when where which in on at for to from by
    with of about during after before as whose said say says according led called took came
    made make went be been being will would can could should may might""".split()
)
PART_SPLIT = re.compile(
    r",?\s+and\s+(?=(?:what|which|who|whom|how|why|when|where|whether|did|does|do|is|was|are|were)\b)",
    re.I,
)
_HOW = re.compile(
    r"\bhow (many|much|old|long|far|high|tall|deep|wide|big|large|heavy|fast|often)\b", re.I
)
_WHEN = re.compile(
    r"\bwhen\b|\bwhat (?:date|day|year|month|time)\b|\b(?:on|in|by) (?:which|what) "
    r"(?:day|date|year|month)\b|\bwhich (?:day|date|year|month)\b|\bsince when\b",
    re.I,
)
_PERCENT = re.compile(r"\bwhat (?:percentage|proportion|share|fraction)\b", re.I)
_COST = re.compile(r"\b(?:cost|price|pay|paid|worth|spend|spent|charge|fee)\w*\b", re.I)
_YESNO = re.compile(
    r"^(?:is|was|are|were|did|does|do|has|have|had|can|could|will|would|should)\b", re.I
)
_WHO = re.compile(r"\b(?:who|whom|whose)\b", re.I)
_WHERE = re.compile(r"\bwhere\b|\b(?:which|what) (?:country|city|town|place|region)\b", re.I)
_WHY = re.compile(r"\bwhy\b|\bwhat (?:caused|was the reason|is the reason|led to)\b", re.I)
_WH_PHRASE = re.compile(
    r"\b(?:what|which|who\s+(?=is|was|are|were))\s*(?:(?:is|was|are|were)\s+)?"
    r"(?:the\s+|a\s+|an\s+)?(.+)",
    re.I,
)
_WHO_VERB = re.compile(
    r"\bwho\s+(?!is\b|was\b|are\b|were\b|has\b|have\b|had\b|did\b|does\b)(\w+)", re.I
)
# "What STARTED the fire": a past-tense verb right after "what" is the act asked about.
_WHAT_VERBED = re.compile(r"^\W*what\s+(\w{3,}ed)(?=\s+(?:the|a|an|this|that|its|their)\b)", re.I)
_NAME_RUN = re.compile(r"(?:\b[A-Z][\w’'.-]*\s+)+[A-Z][\w’'-]*")


@dataclass(frozen=True)
class Question:
    text: str
    terms: tuple[str, ...]  # stemmed content words and numbers, fillers left out
    units: tuple[tuple[str, ...], ...]  # terms grouped: a multi-word name counts once
    answer_type: str
    focus: tuple[str, ...] = ()  # the asked thing: must be in (or beside) the answer sentence
    counted: str | None = None  # for "how many X": X's plain words, stemmed, space-separated
    anchors: tuple[tuple[str, ...], ...] = ()  # names and figures: what the question is about
    verb: str | None = None  # "who DONATED": the act asked about, when the articles use the word
    predicate: str | None = None  # "how many soldiers DIED": what is counted happening
    day: bool = False  # "on what day": a month or a year alone does not answer
    asked_words: frozenset[str] = field(default_factory=frozenset)  # every word, lower case

    @property
    def wants_figure(self) -> bool:
        return self.answer_type in {COUNT, MONEY, AGE, DURATION, LENGTH, SPEED, PERCENT}


_NAMED = r"[A-Z0-9][\w.’'-]*(?:\s+[A-Z0-9][\w.’'-]*)*"
_PAIR = re.compile(rf"(?<![\w])({_NAMED})((?:['’]s)?)\s+and\s+({_NAMED})((?:['’]s)?)(?![\w])")


def split_parts(question: str) -> list[str]:
    """ "When did X found Y, and when did he die?" → its two questions; likewise "How many
    packages did Debian 3.0 and Debian 6.0 contain?" → one question per name."""
    parts = [p.strip(" ,;?") for p in PART_SPLIT.split(question) if p.strip(" ,;?")]
    out: list[str] = []
    for part in parts or [question]:
        pair = _PAIR.search(part)
        if pair and pair.start() > 0:
            for name, tail in ((pair.group(1), pair.group(2)), (pair.group(3), pair.group(4))):
                out.append(part[: pair.start()] + name + tail + part[pair.end() :])
        else:
            out.append(part)
    return out or [question]


_LEAD = re.compile(r"^\s*(?:and|but|so|ok(?:ay)?|right|also|well)\b[\s,.!]*", re.I)


_CONTRACTED = re.compile(r"\b(what|who|where|when|how|which|that)['’]s\b", re.I)


def analyse(question: str) -> Question:
    question = _LEAD.sub("", question).strip() or question
    question = _CONTRACTED.sub(r"\1 is", question)  # "what's the…": the "'s" is "is"
    terms = [t for t in dict.fromkeys(tokens(question)) if t not in QUESTION_FILLER]
    focus = _focus(question)
    units = _units(question, terms)
    who = _WHO_VERB.search(question) or _WHAT_VERBED.search(question)
    return Question(
        text=question,
        terms=tuple(terms),
        units=tuple(units),
        anchors=tuple(_anchors(question, units)),
        verb=_verb(who.group(1)) if who else None,
        predicate=_predicate(question),
        day=bool(re.search(r"\b(?:what|which) (?:day|date)\b", question, re.I)),
        answer_type=answer_type(question),
        focus=tuple(f for f in focus if f not in QUESTION_FILLER),
        counted=counted_noun(question),
        asked_words=frozenset(w.lower() for w in re.findall(r"[\w’'-]+", question)),
    )


_WH_WORD = re.compile(r"\b(what|which|who|whom|whose|when|where|why|how)\b", re.I)


def answer_type(question: str) -> str:
    """The kind of fact asked for, from the first question word (and the word after "how").

    Only the first one counts: in "Which company … when Buzz came out?" the "when" opens a
    clause, the question asks for a company.
    """
    first = _WH_WORD.search(question)
    if first is None:
        return YESNO if _YESNO.search(question.strip()) else OTHER
    rest = question[first.start() :]
    word = first.group(1).lower()
    if _PERCENT.match(rest):
        return PERCENT
    if word == "how":
        match = _HOW.match(rest)
        if match is None:
            return OTHER
        how = match.group(1).lower()
        if how == "much" and _COST.search(question):
            return MONEY
        return {
            "many": COUNT,
            "much": COUNT,
            "often": COUNT,
            "old": AGE,
            "long": DURATION,
            "far": LENGTH,
            "high": LENGTH,
            "tall": LENGTH,
            "deep": LENGTH,
            "wide": LENGTH,
            "big": COUNT,
            "large": COUNT,
            "heavy": COUNT,
            "fast": SPEED,
        }[how]
    if word == "when" or _WHEN.search(question[max(0, first.start() - 3) : first.end() + 7]):
        return DATE
    if _WHY.match(rest):
        return REASON
    if _WHERE.match(rest):
        return PLACE
    if word in {"who", "whom", "whose"}:
        return PERSON
    return NAMED


def _units(question: str, terms: list[str]) -> list[tuple[str, ...]]:
    """Multi-word names ("Ian Murdock") as one unit, any part of which is enough; other terms alone."""
    units: list[tuple[str, ...]] = []
    for match in _NAME_RUN.finditer(question):
        if match.start() == 0:
            continue  # the question's first word is capitalised anyway
        parts = tuple(t for t in tokens(match.group(0)) if t in terms)
        if len(parts) >= 2:
            units.append(parts)
    named = {t for unit in units for t in unit}
    return units + [(t,) for t in terms if t not in named]


_AUXILIARY = frozenset(
    "have has had were was are is be been being did do does will would could can may might".split()
)


_DO_SUPPORT = frozenset({"do", "does", "did"})


def _predicate(question: str) -> str | None:
    """ "How many soldiers have DIED": the first content word after the counted phrase."""
    match = re.search(r"\bhow (?:many|much)\s+(.+)", question, re.I)
    if not match:
        return None
    words = re.findall(r"[\w’'-]+", match.group(1))
    seen_aux = False
    for raw in words[:8]:
        low = raw.lower()
        if low in _DO_SUPPORT and not seen_aux:
            # "how many packages did etch have", "… did the agency say it had grown": the
            # subject follows "did", and without a tagger the verb after it is not known
            return None
        if low in _AUXILIARY:
            seen_aux = True
            continue
        if seen_aux and low not in STOPWORDS:
            found = tokens(raw)
            return found[0] if found else None
    return None


def _verb(word: str) -> str | None:
    """The stem of "who DONATED": only a regular one, since "took" never matches "taken"."""
    found = [t for t in tokens(word) if t not in QUESTION_FILLER]
    return found[0] if found and len(found[0]) >= 5 else None


def _anchors(question: str, units: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """The question's names and figures ("Debian 1.2", "DebConf21", "Bruce Perens").

    A sentence about another release or another person answers another question, so these must
    appear in the answer sentence or right beside it.
    """
    capitalised = {
        t
        for m in re.finditer(r"[\w’'.-]+", question)
        if m.start() > 0 and (m.group(0)[0].isupper() or any(c.isdigit() for c in m.group(0)))
        for t in tokens(m.group(0))
    }
    return [u for u in units if any(t in capitalised for t in u)]


def _focus(question: str) -> list[str]:
    """The word(s) naming what is asked: "How FAST…", "Which RELEASE…", "the THEME of X".

    The articles must contain a focus word for the question to be answerable at all; a near miss
    (the topic is there, the asked fact is not) usually fails exactly here.
    """
    if match := _HOW.search(question):
        if match.group(1).lower() in {"many", "much"}:
            noun = counted_noun(question)
            return noun.split() if noun else []
        return []
    if (who := _WHO_VERB.search(question)) and not _WH_PHRASE.search(question[: who.start()]):
        return []
    if verbed := _WHAT_VERBED.search(question):
        question = "what " + question[verbed.end() :]  # the verb is the act, not the asked thing
    match = _WH_PHRASE.search(question)
    if not match:
        return []
    words: list[str] = []
    for raw in re.findall(r"[\w’'-]+", match.group(1))[:8]:
        low = raw.lower()
        if low in PHRASE_END:
            if words and stem(words[-1]) in GENERIC_HEADS and low == "of":
                words.clear()  # "the name of the leader": the leader is the focus
                continue
            break
        if low in STOPWORDS:
            continue
        if words and low.endswith("ed") and stem(words[-1]) not in GENERIC_HEADS:
            break  # "the campaign called", "the unit trained"
        words.append(raw)
    heads = [
        w for w in words if stem(w) not in GENERIC_HEADS and not w[0].isdigit() and w.islower()
    ]
    if not heads:
        return []  # "what is Debian": a name, not a class of thing
    # Without a part-of-speech tagger the noun is not known ("which GROUP paid", "which military
    # UNIT"): any of the phrase's words names the asked thing.
    return [t for head in heads[:3] for t in tokens(head)[-1:]]


def noun_after_figure(question: str, figure: str) -> str | None:
    """ "Why did 50,000 workers strike…": what the question's own figure counts ("worker")."""
    match = re.search(rf"{re.escape(figure)}\s+(.+)", question.replace(",", ""))
    return counted_noun(f"how many {match.group(1)}") if match else None


def counted_noun(question: str) -> str | None:
    """The thing a "how many/much X" question counts: its last plain words, stemmed and
    space-separated ("binari packag"), since without a tagger a verb may end the phrase
    ("workers strike …")."""
    match = re.search(r"\bhow (?:many|much)\s+(.+)", question, re.I)
    if not match:
        return None
    phrase: list[str] = []
    for raw in re.findall(r"[\w’'-]+", match.group(1))[:4]:
        if raw.lower() in PHRASE_END or (phrase and raw.lower().endswith("ed")):
            break  # "how many packages shipped …": the verb ends the counted thing
        phrase.append(raw)
    words = [t for t in tokens(" ".join(w for w in phrase if not w[0].isupper()))]
    words = [w for w in words if w not in QUESTION_FILLER]
    return " ".join(words[-2:]) if words else None
