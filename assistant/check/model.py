"""A chat model's verdict on a claim, verified by the same rules the offline engine uses.

The model sees the claim and the candidate sentences, numbered, and returns ``ModelVerdict``:
a verdict and the numbers of the sentences for and against. It proposes; the fidelity rules
dispose. A sentence cited in support must not differ from the claim in a figure, date,
negation, name or title; a sentence cited against it must be about the same thing and must not
state the claim outright. Citations that fail are dropped (and said so in ``notes``), and the
verdict is recomputed from what survived, so a model cannot cite its way to a verdict the
articles do not bear out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, Field

from assistant.answer.fidelity import check_fidelity
from assistant.check.decide import Judgement, judge, verdict_of
from assistant.check.evidence import Candidate
from assistant.schema import Usage

MAX_SENTENCES = 12
# A sentence the model cites against the claim must at least be about it.
AGAINST_MIN_SIMILARITY = 0.4
AGAINST_MIN_OVERLAP = 0.3

SYSTEM = """You check a claim against numbered sentences from news articles. Use only these \
sentences.
- "supported": a sentence states the claim (paraphrase is fine; every figure, date and name \
must match).
- "refuted": a sentence states something incompatible with the claim about the same thing: a \
different figure, date, person, title or outcome, or the opposite.
- "conflicting": sentences from different articles disagree about it (some support, some refute).
- "not_enough_evidence": nothing states or contradicts it. Missing information is never a \
refutation.
Cite sentence numbers in "supporting" and "contradicting"; write one short sentence in \
"explanation"."""


class ModelVerdict(BaseModel):
    """The model's proposal: a verdict and the numbered sentences behind it."""

    verdict: Literal["supported", "refuted", "not_enough_evidence", "conflicting"]
    supporting: list[int] = Field(
        default_factory=list, description="Numbers of sentences that state the claim."
    )
    contradicting: list[int] = Field(
        default_factory=list, description="Numbers of sentences incompatible with the claim."
    )
    explanation: str = Field(description="One sentence: why this verdict.")


def prompt(claim: str, candidates: Sequence[Candidate]) -> list[Any]:
    lines = [
        f"[{i}] ({c.sentence.title}) {' '.join(c.sentence.text.split())}"
        for i, c in enumerate(candidates, 1)
    ]
    return [
        SystemMessage(SYSTEM),
        HumanMessage(f"Claim: {claim}\n\nSentences:\n" + "\n".join(lines)),
    ]


def ask_model(
    model: BaseChatModel, method: str, claim: str, candidates: Sequence[Candidate]
) -> tuple[ModelVerdict | None, Usage, str | None]:
    """The model's verdict (None with a reason when its reply is unusable) and token usage."""
    method = "function_calling" if method == "tool_calling" else method
    structured = model.with_structured_output(ModelVerdict, method=method, include_raw=True)
    try:
        result = structured.invoke(prompt(claim, candidates))
    except Exception as exc:
        from assistant.answer.structured import output_failure

        reason = output_failure(exc)
        if reason is None:
            raise
        return None, Usage(), reason
    usage = _usage(result.get("raw"))
    parsed = result.get("parsed")
    if not isinstance(parsed, ModelVerdict):
        error = result.get("parsing_error")
        return None, usage, str(error).splitlines()[0][:160] if error else "no verdict"
    return parsed, usage, None


def verify(
    claim: str,
    proposal: ModelVerdict,
    candidates: Sequence[Candidate],
    article_text: Any,
) -> tuple[str, list[Judgement], list[str]]:
    """The verdict the verified citations allow, those citations, and notes on what failed."""
    notes: list[str] = []
    kept: list[Judgement] = []
    for stance, numbers in (
        ("supports", proposal.supporting),
        ("contradicts", proposal.contradicting),
    ):
        for n in dict.fromkeys(numbers):
            if not 1 <= n <= len(candidates):
                notes.append(f"the model cited sentence [{n}], which does not exist")
                continue
            c = candidates[n - 1]
            ok, why = _holds(claim, c, stance, article_text(c.sentence.version) or "")
            if ok:
                kept.append(Judgement(c, stance, why))  # type: ignore[arg-type]
            else:
                notes.append(
                    f"sentence [{n}] cited as evidence that {stance[:-1]} the claim: {why}"
                )
    kept.sort(key=lambda j: j.candidate.rank)
    verdict = verdict_of(kept)
    if proposal.verdict != verdict:
        notes.append(
            f"the model proposed {proposal.verdict}; the verified citations support {verdict}"
        )
    return verdict, kept, notes


def _holds(claim: str, c: Candidate, stance: str, article: str) -> tuple[bool, str]:
    offline = judge(claim, c, article)
    if stance == "supports":
        fidelity = check_fidelity(claim, [c.sentence.text, c.sentence.title])
        hard = [p for p in fidelity.problems if p.kind != "added"]
        if offline.stance == "contradicts":
            return False, offline.detail
        if hard and offline.stance != "supports":
            return False, hard[0].detail
        return True, ""
    if offline.stance == "contradicts":
        return True, offline.detail
    if offline.stance == "supports" or check_fidelity(claim, [c.sentence.text]).supported:
        return False, "it states the claim"
    if c.similarity < AGAINST_MIN_SIMILARITY or c.overlap < AGAINST_MIN_OVERLAP:
        return False, "it is about something else"
    return True, "the model reads it as incompatible with the claim"


def _usage(raw: Any) -> Usage:
    meta = getattr(raw, "usage_metadata", None) or {}
    return Usage(
        prompt_tokens=int(meta.get("input_tokens", 0)),
        completion_tokens=int(meta.get("output_tokens", 0)),
        total_tokens=int(meta.get("total_tokens", 0)),
    )
