"""Who holds a title: articles that give one office to different people.

"Finance Minister Jane Doe" in one article and "Finance Minister John Roe" in another cannot
both be right. A title is a run of capitalised words holding a title noun
(the closed class ``lexicon.TITLES``: secretary, minister, mayor…) and the "of …" words that
complete it; the capitalised words after it name the holder, those before it qualify it (a
country: "Japan's Defense Minister" is not "South Korean Defense Minister"). Only a question
that names the title ("Who is the US Secretary of State…?") is answered this way, and a
"former" holder is no rival. Pure functions only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.answer.conflicts import FoundConflict, Side
from assistant.answer.lexicon import TITLES
from assistant.text import canonical_abbreviations

_TOKEN = re.compile(r"[A-Z][\w’'.-]*[\w]|[A-Z]|\bof\b|\bfor\b|\bthe\b|\S+")
_CONNECTORS = frozenset({"of", "for", "the"})
_PAST = frozenset({"former", "then", "ex", "late", "previous", "outgoing"})


@dataclass(frozen=True)
class Holder:
    qualifier: str  # "US", "Japan", or ""
    title: str  # "Secretary of State"
    name: str  # "Jane Doe", or "" when none follows


def holders(text: str) -> list[Holder]:
    """Each title in ``text`` with its qualifier and the name that follows it."""
    tokens = _TOKEN.findall(canonical_abbreviations(text).replace("’s", "").replace("'s", ""))
    out: list[Holder] = []
    run: list[str] = []
    for i, token in enumerate([*tokens, "."]):
        capital = token[:1].isupper() and token[-1:] not in ",;:"
        if capital or (run and token in _CONNECTORS):
            run.append(token)
            continue
        before = tokens[i - len(run) - 1].lower() if i - len(run) - 1 >= 0 else ""
        found = _holder(run) if run and before not in _PAST else None
        if found is not None:
            out.append(found)
        run = []
    return out


def _holder(run: list[str]) -> Holder | None:
    while run and run[-1] in _CONNECTORS:
        run = run[:-1]
    marks = [i for i, w in enumerate(run) if w.lower() in TITLES]
    if not marks:
        return None
    start = marks[0]
    end = marks[-1] + 1
    while end + 1 < len(run) and run[end] in _CONNECTORS and run[end + 1][:1].isupper():
        end += 2  # "Secretary of State", "Minister for Foreign Affairs"
    qualifier = " ".join(w for w in run[:start] if w not in _CONNECTORS)
    return Holder(qualifier, " ".join(run[start:end]), " ".join(run[end:]))


def asked_titles(question: str) -> list[Holder]:
    """The titles a "who" question names ("Who is the US Secretary of State…?")."""
    if not re.match(r"\s*(?:who|whom|which|what)\b", question, re.I):
        return []
    return holders(question)


def _same_office(a: Holder, b: Holder) -> bool:
    """One title, qualified compatibly: "US" fits "" and "Norland Finance" fits "Finance",
    but "Japan" does not fit "South Korean", nor "Health" "Finance"."""
    if a.title.lower() != b.title.lower():
        return False
    ours, theirs = set(a.qualifier.lower().split()), set(b.qualifier.lower().split())
    return ours <= theirs or theirs <= ours


def _same_person(a: str, b: str) -> bool:
    return a.split()[-1].lower() == b.split()[-1].lower()


def rival_holder(question: str, shown: Sequence[str], sentence: str) -> bool:
    """Whether ``sentence`` gives an office the question names to someone the shown answer
    does not."""
    offices = asked_titles(question)
    if not offices:
        return False
    named = [h for s in shown for h in holders(s) if h.name]
    theirs = [h for h in holders(sentence) if h.name]
    for office in offices:
        ours = [h for h in named if _same_office(h, office)]
        rivals = [h for h in theirs if _same_office(h, office)]
        if ours and any(not any(_same_person(r.name, o.name) for o in ours) for r in rivals):
            return True
    return False


def holder_conflicts(question: str, quotes: Sequence[tuple[str, str]]) -> list[FoundConflict]:
    """Articles (``quotes``: article id, quote) naming different holders of an asked office."""
    out = []
    for office in asked_titles(question):
        by_person: dict[str, dict[str, list[tuple[int, str]]]] = {}
        for i, (article_id, quote) in enumerate(quotes):
            for h in holders(quote):
                if h.name and _same_office(h, office):
                    person = h.name.split()[-1].lower()
                    by_person.setdefault(person, {}).setdefault(article_id, []).append((i, h.name))
        articles = [set(v) for v in by_person.values()]
        if len(articles) < 2 or any(a & b for a in articles for b in articles if a is not b):
            continue
        sides = [
            Side(sorted(groups), sorted(p for pairs in groups.values() for p in pairs))
            for groups in by_person.values()
        ]
        label = " ".join(x for x in (office.qualifier, office.title) if x)
        out.append(FoundConflict(label, sides))
    return out
