"""Turning a model's structured answer into the user's answer: verify, number, note conflicts.

Only verified claims are shown; a claim that distorts short cited sentences is replaced by those
sentences, any other failing claim is dropped, and each one is listed with its reason. The
outcome is honest about why nothing is shown: the articles do not answer (the model refused, or
nothing was retrieved) is a different state from the model's answer could not be verified.
Citations are numbered in order of first use and shared by claims citing the same text. Pure:
no I/O here.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.answer.conflicts import find_conflicts
from assistant.answer.disagreement import Said, yesno_conflicts
from assistant.answer.fidelity import check_fidelity, starts_with_pronoun
from assistant.answer.holders import holder_conflicts
from assistant.answer.other_sides import other_side_claims
from assistant.answer.sentences import article_sentences
from assistant.answer.verify import (
    Cite,
    RejectedClaim,
    Span,
    VerifiedClaim,
    numbers_in,
    verify_claims,
)
from assistant.schema import (
    Answer,
    AnswerStatus,
    Citation,
    Claim,
    Conflict,
    DroppedClaim,
    ModelAnswer,
    Usage,
)
from assistant.store.splitting import Passage

REFUSAL = "The articles do not answer this."
UNVERIFIED = (
    "The model's answer could not be verified against the articles, so none of it is shown."
)
UNVERIFIED_NOTE = "The model's claims could not be verified against the articles, so none is shown."
MAX_CONTEXT_SENTENCES = 2  # earlier sentences added so a shown sentence names its subject
# What a premise correction is checked for (it names the premise and negates it, so not those).
_CORRECTION_CHECKS = frozenset({"entity", "title", "date"})


@dataclass
class ClaimChecks:
    """Each claim of one reply verified once, in order; the stream and the final answer share it.

    ``overrule`` records a later verdict (the model judge) against a claim that passed the rules.
    """

    passages: Sequence[Passage]
    texts: dict[str, str]
    claims: list[Claim] = field(default_factory=list)
    results: list[VerifiedClaim | RejectedClaim] = field(default_factory=list)

    def add(self, claims: Sequence[Claim]) -> list[VerifiedClaim | RejectedClaim]:
        """Verify the claims not seen yet (``claims`` grows as the reply streams)."""
        new: list[VerifiedClaim | RejectedClaim] = []
        for claim in claims[len(self.results) :]:
            kept, rejected = verify_claims([claim], self.passages, self.texts)
            result: VerifiedClaim | RejectedClaim = kept[0] if kept else rejected[0]
            self.claims.append(claim)
            self.results.append(result)
            new.append(result)
        return new

    def overrule(self, position: int, claim: Claim, reason: str) -> None:
        result = self.results[position]
        if isinstance(result, VerifiedClaim):
            self.results[position] = RejectedClaim(claim, reason)


def refusal_text(passages: Sequence[Passage], template: str = "", max_topics: int = 3) -> str:
    """One line saying the articles do not cover it, naming what the nearest articles are about."""
    titles: list[str] = []
    for p in passages:
        title = p.title.strip("[]")
        if title not in titles:
            titles.append(title)
    if not titles:
        return REFUSAL
    topics = "; ".join(_shorten(t) for t in titles[:max_topics])
    if template:
        return template.strip().format(topics=topics)
    return f"{REFUSAL} They cover: {topics}."


def _shorten(title: str, limit: int = 70) -> str:
    return title if len(title) <= limit else title[:limit].rsplit(" ", 1)[0] + "…"


def refusal(
    question: str,
    passages: Sequence[Passage],
    *,
    template: str = "",
    note: str | None = None,
    model: str = "",
    standalone: str | None = None,
    dropped: Sequence[DroppedClaim] = (),
    usage: Usage | None = None,
    status: AnswerStatus = "not_in_articles",
) -> Answer:
    text = UNVERIFIED if status == "unverified" else refusal_text(passages, template)
    return Answer(
        question=question,
        answer=text,
        refused=True,
        status=status,
        notes=[note] if note else [],
        model=model,
        standalone_question=standalone,
        dropped_claims=len(dropped),
        dropped=list(dropped),
        usage=usage or Usage(),
    )


def compose_answer(
    question: str,
    output: ModelAnswer,
    passages: Sequence[Passage],
    article_texts: dict[str, str],
    *,
    refusal_template: str = "",
    model: str = "",
    standalone: str | None = None,
    usage: Usage | None = None,
    checks: ClaimChecks | None = None,
    other_sides: bool = True,
) -> Answer:
    """``other_sides``: add other articles' different answers (the final answer; a snapshot of a
    reply still streaming in shows the model's own claims only)."""
    refuse = functools.partial(
        refusal,
        question,
        passages,
        template=refusal_template,
        model=model,
        standalone=standalone,
        usage=usage,
    )
    if output.refused or not output.claims:
        return refuse()
    checks = checks or ClaimChecks(passages, article_texts)
    checks.add(output.claims)
    shown, dropped = _shown(checks)
    if dropped:  # what the first shown sentence referred to may be gone
        shown, more = _no_dangling_start(shown, checks)
        dropped += more
    notes = [f"Dropped a claim: {d.reason}." for d in dropped if not d.replaced]
    notes += [
        f"Showed the cited text instead of a claim: {d.reason}." for d in dropped if d.replaced
    ]
    if not shown:
        return refuse(dropped=dropped, note=UNVERIFIED_NOTE, status="unverified")
    # Another retrieved article's different answer to the same question is shown beside it.
    asked = standalone or question  # a follow-up is read as the question it stands for
    if other_sides:
        shown += other_side_claims(asked, shown, passages, article_texts)
    citations, claim_ids = _number_citations(shown)
    sentences = []
    correction, why = _checked_correction(output.correction, question, shown)
    if correction:
        # Cited by the best quote saying what the articles do say instead of the premise.
        sentences.append(f"{correction.rstrip('.')} {_markers(claim_ids[0])}.")
    elif why:
        notes.append(f"Dropped the model's correction: {why}.")
    for claim, ids in zip(shown, claim_ids, strict=True):
        sentences.append(f"{claim.text.rstrip()} {_markers(ids)}")
    conflicts = _conflicts(shown, claim_ids, asked)
    for conflict in conflicts:
        # A yes/no disagreement is said beside the answer: its sides are already claims above.
        (notes if conflict.kind == "yesno" else sentences).append(conflict_sentence(conflict))
    if output.conflict and output.conflict.strip() and not conflicts:
        notes.append(
            "The model said the articles disagree, but "
            + (
                "a side of that disagreement could not be verified, so it is not stated."
                if dropped
                else "the cited sentences do not show it, so it is not stated."
            )
        )
    return Answer(
        question=question,
        answer=" ".join(sentences),
        refused=False,
        status="partial" if dropped else "answered",
        citations=citations,
        conflicts=conflicts,
        standalone_question=standalone,
        model=model,
        dropped_claims=len(dropped),
        dropped=dropped,
        notes=notes,
        usage=usage or Usage(),
    )


def _markers(ids: Sequence[int]) -> str:
    return "".join(f"[{i}]" for i in ids)


def _shown(checks: ClaimChecks) -> tuple[list[VerifiedClaim], list[DroppedClaim]]:
    shown: list[VerifiedClaim] = []
    dropped: list[DroppedClaim] = []
    for result in checks.results:
        if isinstance(result, VerifiedClaim):
            shown.append(result)
            continue
        replaced = result.replacement is not None and all(
            result.replacement.text != s.text for s in shown
        )
        dropped.append(
            DroppedClaim(text=result.claim.text, reason=result.reason, replaced=replaced)
        )
        if replaced and result.replacement is not None:
            shown.append(result.replacement)
    return shown, dropped


def _no_dangling_start(
    shown: list[VerifiedClaim], checks: ClaimChecks
) -> tuple[list[VerifiedClaim], list[DroppedClaim]]:
    """A partial answer must not open with "He said…" whose referent was in a dropped claim: the
    first sentence is then the cited text, with up to two earlier article sentences until one
    names its subject, or it is dropped too.
    """
    dropped: list[DroppedClaim] = []
    while shown and starts_with_pronoun(shown[0].text):
        first = shown[0]
        widened = _with_context(first, checks.texts)
        if widened is not None:
            shown[0] = widened
            break
        dropped.append(
            DroppedClaim(
                text=first.text, reason="it opens with a pronoun whose referent is not shown"
            )
        )
        shown = shown[1:]
    return shown, dropped


def _with_context(claim: VerifiedClaim, texts: dict[str, str]) -> VerifiedClaim | None:
    cite = claim.all_cites()[0]
    text = texts.get(cite.passage.version, "")
    spans = list(article_sentences(text))
    starts = [i for i, (s, e) in enumerate(spans) if s <= cite.span.start < e]
    if not starts:
        return None
    i = starts[0]
    for back in range(MAX_CONTEXT_SENTENCES + 1):
        if i - back < 0:
            return None
        start = spans[i - back][0]
        if "\n\n" in text[start : cite.span.start]:
            return None  # the context would cross a paragraph
        if not starts_with_pronoun(text[start : spans[i - back][1]]):
            span = Span(start, cite.span.end)
            quote = text[span.start : span.end]
            cites = (Cite(cite.passage, span, quote), *claim.all_cites()[1:])
            return VerifiedClaim(quote, cite.passage, span, quote, cites, replaced=True)
    return None


def _checked_correction(
    correction: str | None, question: str, shown: Sequence[VerifiedClaim]
) -> tuple[str | None, str | None]:
    """The model's premise correction, or ``(None, why)``.

    It may repeat the question's figure (the premise) as written there and the cited text's
    figures; any other number would be an unverified claim. Its names, titles and dates must
    come from the question or the cited text too. It may negate: that is what a correction does.
    """
    if not correction or not correction.strip():
        return None, None
    sources = [question, *(c.quote for k in shown for c in k.all_cites())]
    if numbers_in(correction) - set().union(*(numbers_in(s) for s in sources)):
        return None, "it states a figure the sources do not give"
    problems = [
        p for p in check_fidelity(correction, sources).problems if p.kind in _CORRECTION_CHECKS
    ]
    if problems:
        return None, problems[0].detail
    return correction.strip(), None


def conflict_sentence(conflict: Conflict) -> str:
    """ "The articles give different figures for the altitude: 7,687.5 km [1], 7,688 kilometers
    [2] versus 7,000 kilometers [3]." One side per article group, each figure with its citation.
    A yes/no disagreement: "The articles disagree on whether …: yes [1] versus no [2][3]"."""
    if conflict.kind == "yesno":
        sides = [
            f"{conflict.values[conflict.citation_ids.index(side[0])]} {_markers(side)}"
            for side in conflict.sides
        ]
        return f"The articles disagree on “{conflict.topic}?”: {' versus '.join(sides)}."
    if conflict.kind == "names":
        value_of = dict(zip(conflict.citation_ids, conflict.values, strict=True))
        named = [f"{value_of[side[0]]} {_markers(side)}" for side in conflict.sides if side]
        return f"The articles name different people as {conflict.topic}: {' versus '.join(named)}."
    value_of = dict(zip(conflict.citation_ids, conflict.values, strict=True))
    sides = []
    for side in conflict.sides:
        shown: dict[str, list[int]] = {}
        for cid in side:
            shown.setdefault(value_of[cid], []).append(cid)
        sides.append(", ".join(f"{v} {''.join(f'[{c}]' for c in ids)}" for v, ids in shown.items()))
    return (
        f"The articles give different figures for the {conflict.topic}: {' versus '.join(sides)}."
    )


def _number_citations(
    kept: Sequence[VerifiedClaim],
) -> tuple[list[Citation], list[list[int]]]:
    citations: list[Citation] = []
    by_span: dict[tuple[str, int, int], int] = {}
    ids: list[list[int]] = []
    for claim in kept:
        own: list[int] = []
        for cite in claim.all_cites():
            key = (cite.passage.article_id, cite.span.start, cite.span.end)
            if key not in by_span:
                by_span[key] = len(citations) + 1
                citations.append(
                    Citation(
                        id=by_span[key],
                        article_id=cite.passage.article_id,
                        title=cite.passage.title,
                        quote=cite.quote,
                        start=cite.span.start,
                        end=cite.span.end,
                    )
                )
            if by_span[key] not in own:
                own.append(by_span[key])
        ids.append(own)
    return citations, ids


def _conflicts(
    kept: Sequence[VerifiedClaim], claim_ids: Sequence[list[int]], question: str = ""
) -> list[Conflict]:
    found = find_conflicts([(c.passage.article_id, c.quote) for c in kept])
    said = [Said(c.passage.article_id, c.quote) for c in kept]
    polar = yesno_conflicts(question, said) if question else []
    named = holder_conflicts(question, [(c.passage.article_id, c.quote) for c in kept])
    out = []
    for conflict in [*found, *polar, *named]:
        ids: list[int] = []
        values: list[str] = []
        sides: list[list[int]] = []
        for side in conflict.sides:
            side_ids: list[int] = []
            for index, written in side.figures:
                cid = claim_ids[index][0]
                if cid not in ids:
                    ids.append(cid)
                    values.append(written)
                if cid not in side_ids:
                    side_ids.append(cid)
            sides.append(side_ids)
        kind = "yesno" if conflict in polar else "names" if conflict in named else "figures"
        out.append(
            Conflict(topic=conflict.kind, citation_ids=ids, values=values, sides=sides, kind=kind)
        )
    return out
