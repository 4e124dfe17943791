"""Turning a model's structured answer into the user's answer: verify, number, note conflicts.

Only verified claims survive. Citations are numbered in order of first use and shared by claims
that quote the same span. If nothing survives, the answer is a refusal. Pure: no I/O here.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from assistant.answer.conflicts import find_conflicts
from assistant.answer.verify import VerifiedClaim, numbers_in, verify_claims
from assistant.schema import Answer, Citation, Conflict, ModelAnswer, Usage
from assistant.store.splitting import Passage

REFUSAL = "The articles do not answer this."


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
    dropped: int = 0,
    usage: Usage | None = None,
) -> Answer:
    return Answer(
        question=question,
        answer=refusal_text(passages, template),
        refused=True,
        notes=[note] if note else [],
        model=model,
        standalone_question=standalone,
        dropped_claims=dropped,
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
) -> Answer:
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
    kept, rejected = verify_claims(output.claims, passages, article_texts)
    notes = [f"Dropped a claim: {r.reason}." for r in rejected]
    if not kept:
        return refuse(
            dropped=len(rejected),
            note="The model's claims could not be verified against the articles, so none is shown.",
        )
    citations, claim_ids = _number_citations(kept)
    sentences = []
    correction = _checked_correction(output.correction, question, kept)
    if correction:
        # Cited by the best quote saying what the articles do say instead of the premise.
        sentences.append(f"{correction.rstrip('.')} [{claim_ids[0]}].")
    elif output.correction and output.correction.strip():
        notes.append("Dropped the model's correction: it states a figure the sources do not give.")
    for claim, cid in zip(kept, claim_ids, strict=True):
        text = claim.text.rstrip()
        sentences.append(f"{text} [{cid}]")
    conflicts = _conflicts(kept, claim_ids)
    for conflict in conflicts:
        sentences.append(conflict_sentence(conflict))
    return Answer(
        question=question,
        answer=" ".join(sentences),
        refused=False,
        citations=citations,
        conflicts=conflicts,
        standalone_question=standalone,
        model=model,
        dropped_claims=len(rejected),
        notes=notes,
        usage=usage or Usage(),
    )


def _checked_correction(
    correction: str | None, question: str, kept: Sequence[VerifiedClaim]
) -> str | None:
    """The model's premise correction, unless it brings a figure of its own.

    A correction may repeat the question's figure (the premise) and the cited quotes' figures;
    any other number would be an unverified claim, so such a correction is not shown.
    """
    if not correction or not correction.strip():
        return None
    allowed = numbers_in(question).union(*(numbers_in(k.quote) for k in kept))
    if numbers_in(correction) - allowed:
        return None
    return correction.strip()


def conflict_sentence(conflict: Conflict) -> str:
    """ "The articles give different figures for the altitude: 7,687.5 km [1], 7,688 kilometers
    [2] versus 7,000 kilometers [3]." One side per article group, each figure with its citation."""
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


def _number_citations(kept: Sequence[VerifiedClaim]) -> tuple[list[Citation], list[int]]:
    citations: list[Citation] = []
    by_span: dict[tuple[str, int, int], int] = {}
    ids = []
    for claim in kept:
        key = (claim.passage.article_id, claim.span.start, claim.span.end)
        if key not in by_span:
            by_span[key] = len(citations) + 1
            citations.append(
                Citation(
                    id=by_span[key],
                    article_id=claim.passage.article_id,
                    title=claim.passage.title,
                    quote=claim.quote,
                    start=claim.span.start,
                    end=claim.span.end,
                )
            )
        ids.append(by_span[key])
    return citations, ids


def _conflicts(kept: Sequence[VerifiedClaim], claim_ids: Sequence[int]) -> list[Conflict]:
    found = find_conflicts([(c.passage.article_id, c.quote) for c in kept])
    out = []
    for conflict in found:
        ids: list[int] = []
        values: list[str] = []
        sides: list[list[int]] = []
        for side in conflict.sides:
            side_ids: list[int] = []
            for index, written in side.figures:
                cid = claim_ids[index]
                if cid not in ids:
                    ids.append(cid)
                    values.append(written)
                if cid not in side_ids:
                    side_ids.append(cid)
            sides.append(side_ids)
        out.append(Conflict(topic=conflict.kind, citation_ids=ids, values=values, sides=sides))
    return out
