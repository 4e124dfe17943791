"""Choosing the sentences that answer a question, or none.

Each passage sentence is scored by two general signals: how much of the question's wording it
covers (terms weighted by rarity, a multi-word name counting once) and how close its meaning is
(MiniLM sentence similarity, which catches paraphrase: "started" ~ "founded"). A sentence is a
candidate only if it holds a fact of the asked type that the question does not give and names
the asked thing (the focus) itself or in the sentence beside it. The answer is the best
candidate, plus another article's sentence only when it gives a different value of the asked
kind (the other side of a disagreement): one sentence per fact, nothing about another event.

The weights and thresholds below were calibrated on the dev corpus (eval/corpora/debian_history),
never on the seeds or the test corpus.
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from assistant.offline.evidence import has_answer
from assistant.offline.question import COUNT, NAMED, REASON, Question, analyse, noun_after_figure
from assistant.text import is_heading, number_spans, quoted_material, sentence_spans, tokens

# Calibrated on the dev corpus (see the module docstring).
LEXICAL_WEIGHT = 0.4  # wording coverage's share of the score; the rest is sentence similarity
MIN_SCORE = 0.46  # below this no sentence answers: refuse
MIN_PART_SCORE = 0.38  # the bar for "…, and how did he describe it?" once the first part is found
MIN_LEXICAL = 0.05  # an answer shares at least this much of the question's (weighted) wording
ABSENT_WEIGHT = 0.5  # a question word no passage uses (a paraphrase?), relative to a typical one
SECOND_SIDE = 0.8  # another article's figure must be this close in meaning to the best answer
UNFOCUSED = 0.85  # a sentence without the focus word scores this much of what it would
SIDE_TYPES = frozenset({"date"})  # besides figures: answers another article may contradict
UNVERBED = 0.5  # a "who VERBED" answer without that verb (a paraphrase: started ~ founded)
UNPREDICATED = 0.7  # likewise without the act a "how many X VERBED" question asks about
QUOTED_MATERIAL = 0.9  # a post or caption the article quotes, against its own reporting
ANTECEDENT_TYPES = frozenset({"person", "place", "named"})  # answers that need the named thing
SCOPE_BEFORE = 20  # sentences before an answer that may name what it is about
NAMED_BEFORE = 6  # sentences before "this release …" that may name it
_DETERMINERS = frozenset({"this", "that", "the", "these", "its", "their"})
HEADING = 0.8  # a title or section heading, against a sentence
MISSING_ANCHOR = 0.8  # per name of the question its article's passages never use
MISSING_ANCHORS = 1  # more such names: the sentence is about something else
FAR_ANCHOR = 0.85  # the question's name only elsewhere in the article's passages
MAX_CLAIMS = 4
EXTRA_FACT = 0.7  # another fact's sentence scores at least this share of the best one
MIN_SENTENCE_CHARS = 20

Embed = Callable[[Sequence[str]], np.ndarray]


@dataclass(frozen=True)
class Sentence:
    passage: int
    article_id: str
    text: str
    words: frozenset[str]
    order: int
    # "post" / "caption": quoted by the article, not its reporting; "heading": a title
    material: str | None = None
    neighbours: tuple[int, ...] = ()


@dataclass(frozen=True)
class Candidate:
    sentence: Sentence
    score: float
    companion: Sentence | None = None  # a neighbour naming the focus ("The campaign, …")
    similarity: float = 0.0
    named_by: Sentence | None = None  # "this release …": the earlier sentence that names it
    covers: frozenset[int] = frozenset()  # which of the question's units the sentence holds


def sentences_of(passages: Sequence[tuple[int, str, str]]) -> list[Sentence]:
    out: list[Sentence] = []
    for number, article_id, text in passages:
        first = len(out)
        previous = ""
        for line in text.split("\n"):
            heading = is_heading(line, previous)
            previous = line if line.strip() else previous
            material = quoted_material(line) or ("heading" if heading else None)
            for start, end in sentence_spans(line):
                sentence = line[start:end]
                if len(sentence) < MIN_SENTENCE_CHARS or sentence.rstrip("”\"’'").endswith("?"):
                    continue  # a headline or a rhetorical question states nothing
                if sentence.startswith("#"):
                    continue  # a Markdown heading is a title, not a statement
                if sentence.startswith(("pic.", "—", "©")) or quoted_material(sentence) == "post":
                    if not _post_text(sentence):
                        continue  # the attribution line of a post, not its words
                    sentence = _post_text(sentence)
                out.append(
                    Sentence(
                        number,
                        article_id,
                        sentence,
                        frozenset(tokens(sentence)),
                        len(out),
                        material,
                    )
                )
        for i in range(first, len(out)):
            near = tuple(j for j in (i - 1, i + 1) if first <= j < len(out))
            out[i] = replace(out[i], neighbours=near)
    return out


def _post_text(sentence: str) -> str:
    """The words of a post, without its link and attribution ("… pic.twitter.com/x— Name")."""
    for marker in ("pic.twitter.com", "— ", "—"):
        if marker in sentence:
            sentence = sentence.split(marker, 1)[0]
    return sentence.strip() if len(sentence.strip()) >= MIN_SENTENCE_CHARS else ""


def _matches(term: str, words: frozenset[str]) -> bool:
    if term in words:
        return True
    if len(term) >= 5 and not term[0].isdigit():
        return any(len(w) >= 5 and (w[:5] == term[:5]) for w in words)
    return False


def select(
    question_text: str, sentences: list[Sentence], embed: Embed | None, min_score: float = 0.0
) -> list[Candidate] | None:
    """The sentences answering one question (None: nothing answers it). ``min_score`` lowers the
    bar for a later part of a question whose first part was answered (its topic is there)."""
    question = analyse(question_text)
    if not question.terms or not sentences:
        return None
    all_words = frozenset().union(*(s.words for s in sentences))
    premise = [t for t in question.terms if t[0].isdigit() and t not in all_words]
    if premise:  # "Why did 50,000 workers strike?": answer with the figure the articles do give
        counted = noun_after_figure(question.text, premise[0])
        question = replace(
            question,
            answer_type=COUNT,
            counted=counted,
            units=tuple(u for u in question.units if not set(u) & set(premise)),
            anchors=tuple(u for u in question.anchors if not set(u) & set(premise)),
        )
    focus = [f for f in question.focus if f in question.terms]
    if focus and not any(_matches(f, all_words) for f in focus):
        return None  # the asked-for thing (a theme, a price…) is nowhere in the passages
    weights = _weights(question, sentences)
    total = sum(weights) or 1.0
    similarity = _similarity(question_text, sentences, embed)
    candidates: list[Candidate] = []
    verb = question.verb if question.verb and _matches(question.verb, all_words) else None
    predicate = question.predicate if question.predicate in all_words else None
    article_words: dict[str, frozenset[str]] = {}
    for s in sentences:
        article_words[s.article_id] = article_words.get(s.article_id, frozenset()) | s.words
    for s in sentences:
        near = [sentences[j] for j in s.neighbours]
        # "It was the first release to…": for a name, the sentence "it" points to comes along.
        companion = _antecedent(s, sentences) if question.answer_type in ANTECEDENT_TYPES else None
        focused = 1.0
        if focus and not any(_matches(f, s.words) for f in focus):
            companion = next((m for m in near if any(_matches(f, m.words) for f in focus)), None)
            if companion is None:
                focused = UNFOCUSED  # the asked thing in other words, or not at all
        if verb and not _matches(verb, s.words | (companion.words if companion else set())):
            focused *= UNVERBED  # "who donated it" is rarely answered by who runs it
        if not has_answer(s.text, question):
            continue
        scope = frozenset().union(*(m.words for m in _scope(s, sentences)))
        unanchored = [
            u for u in question.anchors if not any(_matches(t, s.words | scope) for t in u)
        ]
        article = article_words.get(s.article_id, frozenset())
        absent = [u for u in unanchored if not any(_matches(t, article) for t in u)]
        if len(absent) > MISSING_ANCHORS or any(_is_version(u) for u in absent):
            continue  # about another release, person or event than the one asked about
        focused *= MISSING_ANCHOR ** len(absent)  # named otherwise ("U.S." for "US")?
        if len(unanchored) > len(absent):
            focused *= FAR_ANCHOR  # the name is in the article, but far from this sentence
        near_words = frozenset().union(*(m.words for m in near)) if near else frozenset()
        covered = 0.0
        covers: set[int] = set()
        for i, (unit, weight) in enumerate(zip(question.units, weights, strict=True)):
            if any(_matches(t, s.words) for t in unit):
                covered += weight
                covers.add(i)
            elif any(_matches(t, near_words) for t in unit):
                covered += 0.5 * weight  # said in the sentence before or after
        lexical = covered / total
        if lexical < MIN_LEXICAL:
            continue
        if predicate and not _matches(predicate, s.words | near_words):
            focused *= UNPREDICATED  # "how many soldiers died": a count of soldiers sent is not it
        if s.material == "heading":
            focused *= HEADING  # a title names a topic; a sentence that states the fact comes first
        elif s.material:
            focused *= QUOTED_MATERIAL  # the article's own reporting first, a post it quotes next
        score = focused * (LEXICAL_WEIGHT * lexical + (1 - LEXICAL_WEIGHT) * similarity[s.order])
        named_by = None
        if question.answer_type == NAMED and focus:
            named_by = _named_by(companion or s, sentences, focus)
        candidates.append(
            Candidate(s, score, companion, similarity[s.order], named_by, frozenset(covers))
        )
    ranked = sorted(candidates, key=lambda c: (-c.score, c.sentence.order))
    if not ranked or ranked[0].score < (min_score or MIN_SCORE):
        return None
    return _answer_set(question, ranked)


_POINTS_BACK = re.compile(
    r"^\W*(?:(?:it|its|this|these|they|their|he|his|she|her)\b(?! (?:time|year|week|month))"
    r"|(?:with|in|for|from|after|since) (?:this|that|these|its|their) (?!time|year)\w+)",
    re.I,
)


def _is_version(unit: tuple[str, ...]) -> bool:
    """ "3.0", "DebConf21": a name with a figure in it picks out one release or event exactly."""
    return any(
        any(c.isdigit() for c in t) and any(c.isalpha() or c == "." for c in t) for t in unit
    )


def _antecedent(s: Sentence, sentences: list[Sentence]) -> Sentence | None:
    """The sentence a leading pronoun points to ("It was the first release to…")."""
    if not _POINTS_BACK.match(s.text):
        return None
    for j in range(s.order - 1, max(-1, s.order - 4), -1):
        other = sentences[j]
        if other.passage != s.passage:
            return None
        if not _POINTS_BACK.match(other.text):
            return other
    return None


def _refers_back(s: Sentence, focus: Sequence[str]) -> bool:
    """ "It was the first…", "this release …", "the new release …": the thing is named before."""
    if _POINTS_BACK.match(s.text):
        return True
    words = re.findall(r"[\w’'-]+", s.text.lower())
    for i, word in enumerate(words):
        if word in _DETERMINERS:
            after = words[i + 1 : i + 3]
            if any(_matches(f, frozenset(tokens(" ".join(after)))) for f in focus):
                return True
    return False


def _named_by(s: Sentence, sentences: list[Sentence], focus: Sequence[str]) -> Sentence | None:
    """For "which RELEASE …": when the answer speaks of "this release", the nearest earlier
    sentence of the passage that does not refer back is the one that names it."""
    if not _refers_back(s, focus):
        return None
    for j in range(s.order - 1, max(-1, s.order - 1 - NAMED_BEFORE), -1):
        other = sentences[j]
        if other.passage != s.passage:
            return None
        if not _refers_back(other, focus):
            return other
    return None


def _scope(s: Sentence, sentences: list[Sentence]) -> list[Sentence]:
    """What a sentence is read with: the passage before it and the sentence after."""
    start = max(0, s.order - SCOPE_BEFORE)
    return [m for m in sentences[start : s.order + 2] if m.passage == s.passage and m is not s]


def _weights(question: Question, sentences: list[Sentence]) -> list[float]:
    """Rarer terms weigh more; a term no passage uses (the reader's paraphrase) counts as typical."""
    n = len(sentences)
    present: dict[tuple[str, ...], float] = {}
    for unit in question.units:
        df = max(sum(1 for s in sentences if _matches(t, s.words)) for t in unit)
        if df:
            present[unit] = math.log(1 + n / (1 + df))
    typical = statistics.median(present.values()) if present else 1.0
    return [present.get(unit, ABSENT_WEIGHT * typical) for unit in question.units]


def _similarity(question: str, sentences: list[Sentence], embed: Embed | None) -> list[float]:
    if embed is None:
        return [0.0] * len(sentences)
    vectors = embed([question, *(s.text for s in sentences)])
    return [float(v) for v in vectors[1:] @ vectors[0]]


def _answer_set(question: Question, ranked: list[Candidate]) -> list[Candidate]:
    """The best sentence, and other articles' sentences that give a different figure or date."""
    best = ranked[0]
    chosen = [best]
    if question.wants_figure or question.answer_type in SIDE_TYPES:
        values = {_values(best.sentence.text)}
        cited = {best.sentence.article_id}
        for c in ranked[1:]:
            # Another article's figure of the asked kind, about as close in meaning: the other
            # side of a disagreement even where it shares fewer of the question's words.
            if c.similarity < SECOND_SIDE * best.similarity or c.sentence.article_id in cited:
                continue
            value = _values(c.sentence.text)
            if value and value not in values:
                chosen.append(c)
                values.add(value)
                cited.add(c.sentence.article_id)
    return _more_facts(question, ranked, chosen)[:MAX_CLAIMS]


def _more_facts(
    question: Question, ranked: list[Candidate], chosen: list[Candidate]
) -> list[Candidate]:
    """Sentences that hold a part of the question the chosen ones leave out ("…, and how long
    did it stay up?"), nearly as good as the best: one sentence per fact."""
    if question.answer_type == REASON:
        return chosen  # a reason is one fact; other sentences on the topic explain nothing more
    best = ranked[0]
    covered = set().union(*(c.covers for c in chosen))
    for c in ranked[1:]:
        if len(chosen) >= MAX_CLAIMS or c.score < EXTRA_FACT * best.score:
            break
        if c in chosen or not (c.covers - covered):
            continue
        chosen.append(c)
        covered |= c.covers
    return chosen


def _values(text: str) -> frozenset[str]:
    return frozenset(tokens(" ".join(text[a:b] for a, b in number_spans(text, words=False))))
