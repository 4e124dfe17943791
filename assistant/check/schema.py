"""The contract of a claim check: a verdict, why, and the verified sentences for and against.

The four verdicts are AVeriTeC's labels. ``citations`` has the shape and the guarantee of
``Answer.citations`` (each quote is ``article_text[start:end]``, checked before it is shown);
``supporting`` and ``contradicting`` name which of them stand for and against the claim. A
verdict other than ``not_enough_evidence`` always cites at least one verified sentence.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from assistant.schema import Citation, Usage

Verdict = Literal["supported", "refuted", "not_enough_evidence", "conflicting"]
VERDICTS: tuple[Verdict, ...] = ("supported", "refuted", "not_enough_evidence", "conflicting")
VERDICT_LABELS: dict[str, str] = {
    "supported": "Supported",
    "refuted": "Refuted",
    "not_enough_evidence": "Not enough evidence",
    "conflicting": "Conflicting evidence",
}


class EvidenceNote(BaseModel):
    """Why one citation counts for or against the claim (e.g. 'figure: 68 vs 86 minutes')."""

    citation_id: int
    stance: Literal["supports", "contradicts"]
    detail: str = ""


class ClaimCheck(BaseModel):
    claim: str
    verdict: Verdict
    explanation: str
    citations: list[Citation] = Field(default_factory=list)
    supporting: list[int] = Field(default_factory=list, description="citation ids for the claim")
    contradicting: list[int] = Field(
        default_factory=list, description="citation ids against the claim"
    )
    evidence: list[EvidenceNote] = Field(default_factory=list)
    model: str = ""
    notes: list[str] = Field(default_factory=list)
    usage: Usage = Field(default_factory=Usage)

    @property
    def label(self) -> str:
        return VERDICT_LABELS[self.verdict]


class CheckReport(BaseModel):
    """A text (one claim, or a paragraph of several) and one check per check-worthy claim."""

    text: str
    claims: list[ClaimCheck] = Field(default_factory=list)
    skipped: list[str] = Field(
        default_factory=list, description="sentences of the text that state no checkable fact"
    )
