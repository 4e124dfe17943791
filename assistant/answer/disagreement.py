"""Other articles' answers to the same question, and disagreements that are not about figures.

An answer drawn from one article hides that another says otherwise. After the answer's claims
are verified, each retrieved article that no claim cites offers its sentence closest to the
question; it is added when it answers the *same* question (its cosine with the question is
close to the shown answer's, and it is close to a shown sentence: MiniLM, the index's own
model) and says something the shown sentences do not:

- a yes/no question ("Have the troops seen combat yet?"): the other sentence has the opposite
  polarity (a negator, or a verb that denies: "denied", "refused", "yet to"), so one article
  says yes and the other no;
- a quantity question ("How many…", "What distance…"): the other sentence gives a figure the
  shown ones do not (a different value, or a vague one: "several", "millions"), so both
  articles' figures are shown; whether they *disagree* is ``conflicts.find_conflicts``'s call
  (figures for different places are not a disagreement). A sentence of any article that
  gives two of the figures together ("8,000 of the 10,000 troops in the country") reconciles
  them and is shown too.

- a question naming an office ("Who is the Secretary of State?"): another article gives it to
  someone else (``holders``).

A figure or name that the question identifies the thing by ("Debian 1.1", a name few articles
use) must be around the other sentence too, so another release's or event's figure is no rival.
The thresholds were calibrated on a corpus that is not the seeds (tests/data/disagree: reports
of an invented flood) and on word pairs in tests/test_disagreement.py, never on the seed
articles. Only general English is read here: question words, negators and denying verbs
(closed classes). Pure apart from the embedding call; ``other_sides.py`` applies it to an
answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from assistant.answer.conflicts import Figure, FoundConflict, Side, figures, vague_figures
from assistant.answer.holders import rival_holder
from assistant.answer.lexicon import DENYING, NEGATORS
from assistant.text import UNITS, stem

Embed = Callable[[Sequence[str]], np.ndarray]
Form = Literal["yesno", "quantity", "other"]

# Calibrated on tests/data/disagree (see test_disagreement.py): another article's sentence
# answers the same question when its cosine with the question is at least MIN_RELEVANCE and
# within RELEVANCE_MARGIN of the shown answer's, and its cosine with a shown sentence (the
# same matter in other words) is at least SAME_MATTER.
MIN_RELEVANCE = 0.45
# A denial counts when its own clause is this close to the question (absolutely, and as a share
# of the whole sentence's closeness): "not yet seen these troops in combat", not "won't win".
MIN_SCOPE = 0.40
SCOPE_SHARE = 0.6
# Two counted nouns name one kind of thing ("soldiers"/"troops", "workers"/"employees", not
# "cars"/"trucks"): word cosine, calibrated on word pairs that are not from the seeds.
SAME_KIND = 0.75
RELEVANCE_MARGIN = 0.12
SAME_MATTER = 0.45
TOLERANCE = 0.02

_YESNO = re.compile(
    r"^(?:is|was|are|were|did|does|do|has|have|had|can|could|will|would|should|has|isn't|"
    r"aren't|wasn't|weren't|didn't|doesn't|don't|hasn't|haven't)\b",
    re.I,
)
_QUANTITY = re.compile(
    r"\bhow (?:many|much|high|far|long|large|big|tall|deep|wide|fast|heavy|often)\b|"
    r"\bwhat (?:(?:is|was) the )?(?:distance|altitude|height|number|amount|length|range|"
    r"speed|size|cost|price|percentage|share|total|sum|depth|weight)\b",
    re.I,
)
_WORD = re.compile(r"[A-Za-z]+(?:['’][a-z]+)?")


def question_form(question: str) -> Form:
    """What kind of answer can disagree: a yes/no, a quantity, or something else."""
    text = question.strip()
    if _QUANTITY.search(text):
        return "quantity"
    if _YESNO.match(text):
        return "yesno"
    return "other"


_NEGATION_END = re.compile(r"[,;:()]|\s(?:but|although|though|while|whereas)\s|[.!?]\s*$")


def negations(sentence: str) -> list[str]:
    """Each denial in the sentence, from its negator to the end of its clause: "not yet seen
    these troops deploy into combat", "none of the troops have seen combat", "denied sending
    troops", "has yet to decide"."""
    out = []
    for m in _WORD.finditer(sentence):
        word = m.group(0).lower().replace("’", "'")
        rest = sentence[m.start() :]
        if word == "yet" and not re.match(r"yet\s+to\b", rest, re.I):
            continue
        if word in NEGATORS or word.endswith("n't") or word in DENYING or word == "yet":
            clause = _NEGATION_END.split(rest[len(word) :], maxsplit=1)[0]
            if len(clause.split()) >= 2:
                out.append(rest[: len(word) + len(clause)].strip())
    return out


class Reader:
    """The question, read once: its form, its vector, and what a quantity answer measures."""

    def __init__(self, question: str, embed: Embed) -> None:
        self.question = question
        self.form = question_form(question)
        self.embed = embed
        self.vector = embed([question])[0]
        self.units, self.nouns = _asked_quantity(question)
        self._noun_vectors = embed(list(self.nouns)) if self.nouns else None

    def prime(self, sentences: Sequence[str]) -> None:
        """Embed, in one batch, what ``denies`` and ``values`` will ask of these sentences
        (the embedding function caches per text; one call per clause would cost far more)."""
        if self.form == "yesno":
            texts = [x for s in sentences for x in (s, *negations(s))]
        else:
            found = [f for s in sentences for f in (*figures(s), *vague_figures(s))]
            texts = list(dict.fromkeys(w for f in found for w in f.counted))
        if texts:
            self.embed(texts)

    def relevance(self, texts: Sequence[str]) -> np.ndarray:
        return self.embed(list(texts)) @ self.vector if texts else np.zeros(0)

    def denies(self, sentence: str) -> bool:
        """A denial whose own clause is about what the question asks (not any "not" in it)."""
        scopes = negations(sentence)
        if not scopes:
            return False
        whole = float(self.relevance([sentence])[0])
        scoped = self.relevance(scopes)
        return bool((scoped >= max(MIN_SCOPE, SCOPE_SHARE * whole)).any())

    def values(self, sentence: str) -> list[float]:
        """The sentence's figures that measure what the question asks (all, if it is unclear)."""
        found = [*figures(sentence), *vague_figures(sentence)]
        if not self.units and not self.nouns:
            return [f.value for f in found]
        return [f.value for f in found if self._measures(f)]

    def _measures(self, fig: Figure) -> bool:
        if fig.kind in self.units:
            return True
        if self._noun_vectors is None or not fig.counted:
            return False
        if {stem(w) for w in fig.counted} & {stem(n) for n in self.nouns}:
            return True
        near = self.embed(list(fig.counted)) @ self._noun_vectors.T
        return bool((near >= SAME_KIND).any())


# What "how high", "what distance" ... measure: kinds of ``conflicts.figures``.
_MEASURES = {
    **dict.fromkeys("high tall height altitude elevation".split(), ("altitude", "distance")),
    **dict.fromkeys("far distance range".split(), ("distance",)),
    **dict.fromkeys("long length".split(), ("duration", "distance")),
    **dict.fromkeys("old age".split(), ("duration",)),
    **dict.fromkeys("fast speed".split(), ("speed",)),
    **dict.fromkeys("percentage share".split(), ("percent",)),
    **dict.fromkeys("cost price".split(), ("money",)),
    **dict.fromkeys("heavy weight".split(), ("mass",)),
}
_COUNTED = re.compile(
    r"\bhow (?:many|much)\s+((?:[\w’'-]+\s+){0,4}?[\w’'-]+?)\s+(?=(?:is|was|are|were|do|"
    r"does|did|has|have|had|will|would|can|could|should|in|of|on|at|to|for|by|from|with|"
    r"that|\?|$))",
    re.I,
)


def _asked_quantity(question: str) -> tuple[frozenset[str], tuple[str, ...]]:
    """(figure kinds, counted head noun) a quantity question asks for: "how high" an altitude,
    "how many minutes" a duration, "how many North Korean soldiers" a count of soldiers."""
    low = question.lower()
    kinds = {k for w in _WORD.findall(low) if w in _MEASURES for k in _MEASURES[w]}
    nouns: tuple[str, ...] = ()
    m = _COUNTED.search(question + " ?")
    if m:
        head = m.group(1).split()[-1].lower()
        unit = next((k for k, words in UNITS.items() if head in words), None)
        if unit:
            kinds.add(unit)
        elif head.isalpha():
            nouns = (head,)
    if "how much" in low and re.search(r"\b(?:cost|price|pay|paid|spend|spent|worth)", low):
        kinds.add("money")
    return frozenset(kinds), nouns


@dataclass(frozen=True)
class Said:
    """One sentence, the article it comes from, and its paragraph (what it is said about)."""

    article_id: str
    text: str
    context: str = ""
    article: str = ""  # the whole text: a list item's release or event is named above it


def other_sides(
    question: str,
    shown: Sequence[Said],
    candidates: Sequence[Said],
    embed: Embed,
    identifiers: Sequence[str] = (),
) -> list[int]:
    """Indices of ``candidates`` (sentences of articles no shown claim cites) to add: at most
    one per article that answers the question otherwise, plus sentences reconciling figures.

    ``identifiers`` name *which* thing the question is about ("Debian 1.1", a rare name): one
    that the shown answer's paragraph gives must be in the candidate's paragraph too, so the
    figure of another release or another event is not taken for a rival."""
    reader = Reader(question, embed)
    if not shown or not candidates:
        return []
    if len(identifiers) > 1 and not any(
        all(_mentions(s.article, x) for x in identifiers) for s in shown
    ):
        return []  # "Debian 3.0 and 6.0": each article answers for another thing
    near = [x for x in identifiers if any(_mentions(s.context or s.text, x) for s in shown)]
    far = [x for x in identifiers if x not in near and any(_mentions(s.article, x) for s in shown)]
    candidates = [
        c
        if all(_mentions(c.context or c.text, x) for x in near)
        and all(_mentions(c.article, x) for x in far)
        else Said("", "")
        for c in candidates
    ]
    cited = {s.article_id for s in shown}
    if reader.form == "other":  # "Who is the Secretary of State?": another holder named
        return _rival_holders(question, shown, candidates, cited)
    own = embed([s.text for s in shown])
    theirs = embed([c.text for c in candidates])
    to_question, shown_relevance = theirs @ reader.vector, own @ reader.vector
    floor = max(MIN_RELEVANCE, float(shown_relevance.max()) - RELEVANCE_MARGIN)
    answering = [i for i, r in enumerate(shown_relevance) if r >= floor] or [
        int(shown_relevance.argmax())
    ]
    answer = [shown[i].text for i in answering]
    by_article: dict[str, list[int]] = {}
    for i in np.argsort(-to_question, kind="stable"):
        if candidates[int(i)].article_id and candidates[int(i)].article_id not in cited:
            by_article.setdefault(candidates[int(i)].article_id, []).append(int(i))
    reader.prime([*answer, *(candidates[i].text for i in np.flatnonzero(to_question >= floor))])
    added: list[int] = []
    for indices in by_article.values():
        for i in indices:
            if to_question[i] < floor:
                break
            if float((own[answering] @ theirs[i]).max()) < SAME_MATTER:
                continue
            if _says_otherwise(reader, candidates[i].text, answer):
                added.append(i)
                break
    if reader.form == "quantity":
        sides = [*(shown[i] for i in answering), *(candidates[i] for i in added)]
        reconciling = [
            i for i in _reconciling(reader, sides, candidates) if to_question[i] >= MIN_RELEVANCE
        ]
        # A sentence that reconciles the figures replaces its own article's partial one.
        added = [
            i
            for i in added
            if not any(
                candidates[r].article_id == candidates[i].article_id
                and set(reader.values(candidates[i].text)) <= set(reader.values(candidates[r].text))
                for r in reconciling
            )
        ]
        added += [i for i in reconciling if i not in added]
    return sorted(added, key=lambda i: -to_question[i])


def _rival_holders(
    question: str, shown: Sequence[Said], candidates: Sequence[Said], cited: set[str]
) -> list[int]:
    added: dict[str, int] = {}
    answer = [s.text for s in shown]
    for i, c in enumerate(candidates):
        fresh = c.article_id and c.article_id not in cited and c.article_id not in added
        if fresh and rival_holder(question, answer, c.text):
            added[c.article_id] = i
    return list(added.values())


def _says_otherwise(reader: Reader, sentence: str, answer: Sequence[str]) -> bool:
    if reader.form == "yesno":
        polarities = {reader.denies(s) for s in answer}
        return len(polarities) == 1 and reader.denies(sentence) not in polarities
    ours = reader.values(sentence)
    shown = [v for s in answer for v in reader.values(s)]
    return bool(ours and shown) and any(not any(_close(v, w) for w in shown) for v in ours)


def _reconciling(reader: Reader, sides: Sequence[Said], candidates: Sequence[Said]) -> list[int]:
    """Candidates that give together figures two articles give apart ("8,000 of the 10,000")."""
    per_article: dict[str, set[float]] = {}
    for s in sides:
        per_article.setdefault(s.article_id, set()).update(reader.values(s.text))
    if len(per_article) < 2:
        return []
    out = []
    for i, c in enumerate(candidates):
        ours = [v for v in _all_values(c.text)]
        met = {a for a, vs in per_article.items() if any(_close(v, w) for v in ours for w in vs)}
        matched = {w for vs in per_article.values() for w in vs if any(_close(v, w) for v in ours)}
        if len(met) >= 2 and len(matched) >= 2:
            out.append(i)
    return out


def _mentions(text: str, identifier: str) -> bool:
    return re.search(rf"(?<![\w.]){re.escape(identifier)}(?![\w]|\.\d)", text, re.I) is not None


def identifiers(question: str, articles: Sequence[str]) -> list[str]:
    """What in the question tells one thing from its kind: figures ("1.1", "2024") and names
    found in at most half of the ``articles`` (a name every article uses tells nothing)."""
    found = re.findall(r"\d[\d.,]*\d|\d", question)
    words = _WORD.findall(question)
    for word in (w.removesuffix("'s").removesuffix("’s") for w in words[1:]):
        if word[0].isupper() and word not in found:
            share = sum(_mentions(a, word) for a in articles) / max(len(articles), 1)
            if share <= 0.5:
                found.append(word)
    return found


def _all_values(sentence: str) -> list[float]:
    return [f.value for f in (*figures(sentence), *vague_figures(sentence))]


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= TOLERANCE * max(abs(a), abs(b), 1.0)


def yesno_conflicts(
    question: str, quotes: Sequence[Said], embed: Embed | None = None
) -> list[FoundConflict]:
    """Articles whose answering sentences to a yes/no question have opposite polarity."""
    if question_form(question) != "yesno" or len({q.article_id for q in quotes}) < 2:
        return []
    reader = Reader(question, embed or local_embed)
    relevance = reader.relevance([q.text for q in quotes])
    floor = max(MIN_RELEVANCE, float(relevance.max()) - RELEVANCE_MARGIN)
    yes: dict[str, list[int]] = {}
    no: dict[str, list[int]] = {}
    for i, said in enumerate(quotes):
        if relevance[i] >= floor:
            (no if reader.denies(said.text) else yes).setdefault(said.article_id, []).append(i)
    mixed = set(yes) & set(no)  # an article saying both is no side of the dispute
    yes = {a: v for a, v in yes.items() if a not in mixed}
    no = {a: v for a, v in no.items() if a not in mixed}
    if not yes or not no:
        return []
    sides = [
        Side(sorted(group), sorted((i, label) for indices in group.values() for i in indices))
        for group, label in ((yes, "yes"), (no, "no"))
    ]
    return [FoundConflict(question.strip().rstrip("?").strip(), sides)]


def local_embed(texts: Sequence[str]) -> np.ndarray:
    """Unit MiniLM vectors, cached per text (the index's and the offline engine's model)."""
    from assistant.store.embeddings import local_embeddings
    from assistant.store.vectors import embed_texts

    return embed_texts(local_embeddings(), texts)
