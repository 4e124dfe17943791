"""From candidate sentences to a verdict: which sentences support the claim, which contradict it.

Each candidate is compared with the claim by the fidelity rules (``assistant.answer.fidelity``),
which name every difference: a figure, a date, a negation, a person or title, an added word.
Differences mean different things here than in an answer:

- A sentence **contradicts** the claim when it is about the same thing (close in embedding
  space, and sharing the claim's other content words) and gives something else for one part of
  it: another figure or date for the same measure, the opposite polarity (a negator, or an
  opposite word: "lost" for "won", compared in the clause aligned with the claim), or another
  name where the claim names someone (the claim's name absent from the sentence and from the
  sentences before it, another one in its place). Another figure next to another name is
  another thing, not a contradiction.
- A sentence **supports** the claim when it is close to it and no figure, date, negation, name
  or title of the claim is missing or different; paraphrased words are tolerated, because people
  do not quote articles when they state a claim.
- Missing evidence is never a contradiction: a claim nothing confirms or contradicts has
  ``not_enough_evidence``.
- ``conflicting``: a sentence saying all of the claim in one article, a contradiction in
  another. A support that leaves part of the claim unsaid does not stand against one.

The thresholds are calibrated on a corpus that is not the seeds (eval/corpora/); see
docs and the claim eval.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from assistant.answer.fidelity import Problem, check_fidelity, clauses, is_opposite
from assistant.answer.lexicon import MONTHS, TEMPORAL, TITLES, WEEKDAYS
from assistant.check.evidence import Candidate, content_words, overlap
from assistant.check.similarity import WordSimilarity
from assistant.text import STOPWORDS, numbers, sentence_spans, tokens

Stance = Literal["supports", "contradicts"]

# Calibrated on eval/corpora/debian_history (the DEV corpus) and on the made-up texts of
# tests/test_check_rules.py, never on the seeds; python_whatsnew (TEST) is only measured.
MIN_RELEVANCE = 0.35  # candidates below this are not evidence of anything
MAX_CANDIDATES = 10  # sentences judged per claim, best first
SUPPORT_SIMILARITY = 0.6
SUPPORT_OVERLAP = 0.5
TOPIC_SIMILARITY = 0.5
TOPIC_WEIGHT = 0.5  # of similarity against word coverage in how close a sentence's topic is
TOPIC_SCORE = 0.6  # that closeness, above which a sentence is about what the claim is about
MIN_TOPIC_OVERLAP = 0.5  # coverage below which no closeness in meaning makes the same topic
TOPIC_OVERLAP = 0.6  # share of the claim's words, apart from the differing part, in the sentence
NAMED_TOPIC_OVERLAP = 0.8  # the same when the difference is a name
MAX_UNCOVERED = 2  # claim words a supporting sentence may leave unsaid
CLOSE_SIMILARITY = 0.8  # a sentence this close in meaning may reword more of the claim
EXTRA_UNCOVERED = 2
CONTEXT_UNCOVERED = 1  # claim words a sentence may leave unsaid when its context names the rest
CONTEXT_SENTENCES = 2  # sentences before a candidate that may name what it is about
CONTEXT_CHARS = 600  # how far back to look for them

_NAMED = ("entity", "title")
_BLOCKING = frozenset({"figure", "date", "negation", "entity", "title"})


@dataclass(frozen=True)
class Judgement:
    candidate: Candidate
    stance: Stance | None
    detail: str = ""
    gaps: int = 0  # claim words a supporting sentence leaves unsaid (reworded or missing)


def judge(
    claim: str, candidate: Candidate, article: str, words: WordSimilarity | None = None
) -> Judgement:
    """How one sentence bears on the claim (``stance`` None: it does not decide it)."""
    sentence = candidate.sentence.text
    # The article's title and the sentences just before are the sentence's context: "In
    # version 3.7, X" is supported by "X" in an article titled "What's new in version 3.7",
    # and a quote by the sentence before that names its speaker. What contradicts must be in
    # the sentence itself, though (a title's figure is not).
    title = candidate.sentence.title
    context = f"{title} {preceding(article, candidate.sentence.start)}"
    problems = _relevant(
        check_fidelity(claim, [sentence, title]).problems, claim, sentence, article
    )
    # The sentences before may only name who or what the sentence is about: a name, or a
    # figure when the sentence has none of its own ("This release added X" under "Version 8").
    from_context = [p for p in problems if _named_in(p, context, sentence)]
    problems = [p for p in problems if p not in from_context]
    alone = _relevant(check_fidelity(claim, [sentence]).problems, claim, sentence, article)
    contradictions = [p for p in alone if _contradicts(p, claim, sentence, context)]
    if any(p.kind == "negation" and not is_opposite(p) for p in contradictions):
        # A negation must be where the claim's words are: "an unreleased version", in a long
        # sentence's side clause, says nothing of whether the release the claim names was out.
        here = {
            (p.kind, p.claim_part)
            for clause in _aligned_clauses(claim, sentence)
            for p in check_fidelity(claim, [clause]).problems
        }
        contradictions = [
            p
            for p in contradictions
            if p.kind != "negation" or is_opposite(p) or (p.kind, p.claim_part) in here
        ]
    # Another figure and another name at once is another thing ("the 18th meeting, in Rome"
    # is not the 10th meeting held somewhere else).
    kinds = {p.kind for p in contradictions}
    if kinds & {"figure", "date"} and kinds & set(_NAMED):
        contradictions = []
    differing = {(p.kind, p.claim_part) for p in contradictions}
    blocking = [p for p in problems if p.kind in _BLOCKING]
    # Another figure for the same thing contradicts; but a sentence that also lacks the claim's
    # other names and figures is about something else ("version 2.0 was released in 2000"
    # says nothing about when 2.5 was).
    # What the sentence merely leaves unsaid (a name, a negated verb it words otherwise) does
    # not stop it saying the opposite of the claim, when the rest of the claim is there
    # (``_same_topic``). But another figure next to another name is another thing's figure
    # ("the 18th meeting, in Rome" says nothing about where the 10th was).
    opposite = all(p.kind == "negation" for p in contradictions)
    unsaid = {
        (p.kind, p.claim_part)
        for p in blocking
        if p.source_part is None
        and (
            p.kind == "negation"
            or (p.kind in _NAMED and (opposite or not _rival_names(claim, sentence, p.claim_part)))
        )
    }
    if (
        contradictions
        and all((p.kind, p.claim_part) in differing | unsaid for p in blocking)
        and _same_topic(claim, candidate, contradictions, words, context)
    ):
        return Judgement(candidate, "contradicts", _describe(contradictions[0], sentence))
    in_context = overlap(claim, f"{sentence} {title}")
    if blocking or candidate.similarity < SUPPORT_SIMILARITY or in_context < SUPPORT_OVERLAP:
        return Judgement(candidate, None, "")
    # A qualifier the sentence lacks ("only", "already", "every") changes what is claimed.
    if any("qualifier word" in p.detail for p in problems):
        return Judgement(candidate, None, "")
    added = [p.claim_part for p in problems if p.kind == "added" and len(p.claim_part) > 1]
    uncovered = words.uncovered(added, sentence) if words else added
    # The closer the whole sentence is in meaning, the more rewording it tolerates.
    allowed = MAX_UNCOVERED + (EXTRA_UNCOVERED if candidate.similarity >= CLOSE_SIMILARITY else 0)
    if from_context:
        # Leaning on the sentences before, the sentence itself must say most of the rest.
        if candidate.overlap < SUPPORT_OVERLAP:
            return Judgement(candidate, None, "")
        allowed = CONTEXT_UNCOVERED
    if len(uncovered) > allowed:
        return Judgement(candidate, None, f"the article does not say {', '.join(uncovered)}")
    return Judgement(candidate, "supports", "", gaps=len(uncovered))


def judge_all(
    claim: str,
    candidates: Sequence[Candidate],
    article_text: Callable[[str], str | None],
    words: WordSimilarity | None = None,
) -> list[Judgement]:
    chosen = [c for c in candidates if c.relevance >= MIN_RELEVANCE][:MAX_CANDIDATES]
    return [judge(claim, c, article_text(c.sentence.version) or "", words) for c in chosen]


def verdict_of(judgements: Sequence[Judgement]) -> str:
    """Support and contradiction from different articles disagree: ``conflicting``.

    Only a sentence that says all of the claim stands against a contradiction: one that
    leaves part of it unsaid (``gaps``) may be silent on exactly what the other contradicts.
    """
    support = {j.candidate.sentence.article_id for j in judgements if j.stance == "supports"}
    against = {j.candidate.sentence.article_id for j in judgements if j.stance == "contradicts"}
    if support and against:
        full = {
            j.candidate.sentence.article_id
            for j in judgements
            if j.stance == "supports" and j.gaps == 0
        }
        if full - against and against - support:
            return "conflicting"
        if not full and against - support:
            return "refuted"
        # One article both ways (a plan and what happened): the closest in meaning decides.
        best = max((j for j in judgements if j.stance), key=lambda j: j.candidate.similarity)
        return "supported" if best.stance == "supports" else "refuted"
    if support:
        return "supported"
    if against:
        return "refuted"
    return "not_enough_evidence"


# --- rules -------------------------------------------------------------------------------------


def _relevant(
    problems: Sequence[Problem], claim: str, sentence: str, article: str
) -> list[Problem]:
    """Drop differences that are not differences: a name's other parts given elsewhere in the
    same article ("Vladimir Putin" for a sentence saying "Putin"), and a comparator the
    sentence does not repeat ("about 7,000" for "7,000")."""
    kept = []
    for p in problems:
        if (
            p.kind in _NAMED
            and p.source_part is None
            and _name_part_elsewhere(p, claim, sentence, article)
        ):
            continue
        if p.kind in ("figure", "date") and p.source_part is not None and _same_figure(p):
            continue
        if p.kind in _NAMED and p.source_part is None and _dotted(p.claim_part, sentence):
            continue  # "US" written "U.S." there
        if p.kind in _NAMED and p.source_part is None and _spelled_out(p.claim_part, sentence):
            continue  # "FSF" for "the Free Software Foundation"
        kept.append(p)
    return kept


def _dotted(acronym: str, sentence: str) -> bool:
    """``acronym`` appears in the sentence written with full stops ("US" as "U.S.")."""
    bare = acronym.replace(".", "")
    if len(bare) < 2 or not bare.isupper():
        return False
    return any(w.replace(".", "") == bare for w in sentence.split() if "." in w)


def _spelled_out(acronym: str, sentence: str) -> bool:
    """``acronym`` is the initials of capitalised words in the sentence ("FSF" for "Free
    Software Foundation", "of"/"the" between them allowed)."""
    bare = acronym.replace(".", "").removesuffix("'s").removesuffix("’s")
    if not 2 <= len(bare) <= 6 or not bare.isupper() or not bare.isalpha():
        return False
    initials = "".join(
        w[0] for w in _plain_words(sentence) if w[:1].isupper() and w.lower() not in STOPWORDS
    )
    return bare in initials


def _same_figure(p: Problem) -> bool:
    return tokens(p.claim_part) == tokens(p.source_part or "")


def _name_part_elsewhere(p: Problem, claim: str, sentence: str, article: str) -> bool:
    """The word belongs to a multi-word name of the claim whose other words the sentence has,
    and the article writes the name in full."""
    for name in _names(claim):
        words = name.split()
        if p.claim_part not in words or len(words) < 2:
            continue
        others = [w for w in words if w != p.claim_part]
        if any(w in sentence for w in others) and name in article:
            return True
    return False


def _names(text: str) -> list[str]:
    """Runs of capitalised words ("Kim Jong Un", "Vladimir Putin")."""
    runs: list[list[str]] = [[]]
    for word in text.replace(",", " , ").split():
        bare = word.strip(".;:!?\"'“”‘’()")
        if (bare[:1].isupper() and bare.isalpha()) or (bare[:1].isupper() and "-" in bare):
            runs[-1].append(bare.removesuffix("'s"))
        else:
            runs.append([])
    return [" ".join(r) for r in runs if len(r) >= 2]


def _contradicts(p: Problem, claim: str, sentence: str, context: str = "") -> bool:
    if p.kind == "negation":
        return p.source_part is not None
    if p.kind in ("figure", "date"):
        return (
            p.source_part is not None
            and "comparator" not in p.detail
            and "than/about" not in p.detail
        )
    if p.kind in _NAMED:
        # A name the context gives ("Debian 1.1 Buzz" as the heading above) is not missing.
        return not _named_in(p, context) and bool(_rival_names(claim, sentence, p.claim_part))
    return False


def _rival_names(claim: str, sentence: str, missing: str) -> list[str]:
    """Names of the sentence, absent from the claim, that stand where the claim's ``missing``
    name stands: next to the same words in the same clause ("Jane Roe, head of the charity"
    for "John Doe heads the charity"). A name elsewhere in the sentence is no rival, and
    neither is a date or a title word."""
    claim_words = _plain_words(claim)
    claim_low = {w.lower().removesuffix("'s") for w in claim_words}
    claim_stems = set(tokens(claim))
    around_missing: set[str] = set()
    for clause in clauses(claim):
        around_missing |= _neighbours(_plain_words(clause), missing)
    if not around_missing:
        return []
    out = []
    first = True
    for clause in clauses(sentence):
        words = _plain_words(clause)
        for i, bare in enumerate(words):
            if (first and i == 0) or not bare[:1].isupper() or not bare[1:2].islower():
                continue
            low = bare.lower().removesuffix("'s")
            if low in claim_low or set(tokens(bare)) <= claim_stems or low in _NOT_NAMES:
                continue
            if _neighbours(words, bare) & around_missing:
                out.append(bare)
        first = False
    return out


_NOT_NAMES = MONTHS | WEEKDAYS | TEMPORAL | TITLES


NEIGHBOURS = 2  # content words either side of a name that say what role it plays


def _plain_words(text: str) -> list[str]:
    return [w.strip(".,;:!?\"'“”‘’()") for w in text.replace("’", "'").split()]


def _neighbours(words: Sequence[str], name: str) -> set[str]:
    """Stems of the content words around ``name`` (other names' words included)."""
    if name not in words:
        return set()
    i = words.index(name)
    before = [t for w in words[:i] for t in tokens(w) if not t[:1].isdigit()]
    after = [t for w in words[i + 1 :] for t in tokens(w) if not t[:1].isdigit()]
    own = set(tokens(name))
    return (set(before[-NEIGHBOURS:]) | set(after[:NEIGHBOURS])) - own


def _named_in(p: Problem, context: str, sentence: str = "") -> bool:
    """A missing name or title of the claim that ``context`` gives (or a missing figure, when
    the sentence gives none: then the context says which thing it is about)."""
    if p.source_part is not None or not context:
        return False
    if p.kind in ("figure", "date") and numbers(sentence):
        return False
    if p.kind not in (*_NAMED, "figure", "date"):
        return False
    return set(tokens(p.claim_part)) <= set(tokens(context))


def _aligned_clauses(claim: str, sentence: str) -> list[str]:
    """The clauses of ``sentence`` that share most content words with the claim (ties kept)."""
    mine = content_words(claim)
    shared = [(len(mine & content_words(c)), c) for c in clauses(sentence)]
    best = max(n for n, _ in shared)
    return [c for n, c in shared if n == best]


def preceding(article: str, start: int) -> str:
    """The sentences of ``article`` just before offset ``start`` (at most CONTEXT_SENTENCES)."""
    if not article or start <= 0:
        return ""
    head = article[max(0, start - CONTEXT_CHARS) : start]
    spans = sentence_spans(head)
    return " ".join(head[a:b] for a, b in spans[-CONTEXT_SENTENCES:])


def _same_topic(
    claim: str,
    candidate: Candidate,
    contradictions: Sequence[Problem],
    words: WordSimilarity | None,
    context: str,
) -> bool:
    """The sentence is about what the claim is about: the claim's words other than the
    differing ones are there (or said in other words, or in the article's title), and it is
    close in meaning. When what differs is a name, embedding similarity says little (names
    dominate it), so the words alone decide, and more of them must be there."""
    named = all(p.kind in _NAMED for p in contradictions)
    if not named and candidate.similarity < TOPIC_SIMILARITY:
        return False
    differing = {w for p in contradictions for w in _plain_words(p.claim_part)}
    rest = [
        w
        for w in _plain_words(claim)
        if w and w not in differing and tokens(w) and not tokens(w)[0][:1].isdigit()
    ]
    if not rest:
        return True
    context = f"{candidate.sentence.text} {context}"
    present = content_words(context)
    missing = [w for w in rest if not set(tokens(w)) <= present]
    if words is not None:
        missing = words.uncovered(missing, context)
    coverage = 1 - len(missing) / len(rest)
    if named:
        return coverage >= NAMED_TOPIC_OVERLAP
    # Closeness in meaning makes up for words said otherwise ("stayed open" / "had to close").
    topic = TOPIC_WEIGHT * candidate.similarity + (1 - TOPIC_WEIGHT) * coverage
    return coverage >= TOPIC_OVERLAP or (coverage >= MIN_TOPIC_OVERLAP and topic >= TOPIC_SCORE)


def _describe(p: Problem, sentence: str) -> str:
    if p.kind in _NAMED and p.source_part is None:
        return f"the article does not name {p.claim_part} here"
    return p.detail
