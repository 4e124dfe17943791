"""The two contracts: what the chat model must return, and what the assistant returns.

``ModelAnswer`` is the structured output asked of any chat model (offline or OpenAI): each claim
names the numbered passage it relies on and a verbatim quote. ``Answer`` is the public result
of ``FactChecker.ask`` and ``assistant ask --json``; its citations are only quotes that were found
in the cited article, with offsets such that ``article_text[start:end] == quote``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


# A claim names its evidence by sentence ids: the system then extracts the cited text itself,
# so a citation can never be misquoted. The older form, a passage number and a copied quote,
# stays valid for models (and the offline engine) that quote instead; the quote is then anchored
# to the sentence(s) of the article that contain it. (Docstrings here are sent to the model.)
class Claim(BaseModel):
    """One sentence of the answer and the evidence for it."""

    text: str = Field(description="One answer sentence, stating a single fact from the passages.")
    sentences: list[int] = Field(
        default_factory=list,
        description="The ids of the passage sentences that state this fact (the number after "
        "'s' in a marker such as [s12]), e.g. [12] or [12, 13].",
    )
    passage: int | None = Field(
        default=None,
        description="Only when not giving sentence ids: the number of the passage, e.g. 3.",
    )
    quote: str | None = Field(
        default=None,
        description="Only when not giving sentence ids: a short exact quote from that passage.",
    )


class ModelAnswer(BaseModel):
    """The chat model's structured answer."""

    refused: bool = Field(
        description="True when the passages do not answer the question; then claims is empty."
    )
    claims: list[Claim] = Field(
        default_factory=list, description="Answer sentences, each with its passage and quote."
    )
    correction: str | None = Field(
        default=None,
        description="If the question rests on a premise the passages contradict (for example a "
        "different figure), one sentence naming that premise; the claims then state what the "
        "passages say. Otherwise null. When the passages never state the asked fact, refuse "
        "instead.",
    )
    conflict: str | None = Field(
        default=None,
        description="If the passages disagree on the asked fact, one sentence naming the "
        "disagreement (each side must also appear as a claim). Otherwise null.",
    )


class Citation(BaseModel):
    id: int
    article_id: str
    title: str
    quote: str
    start: int
    end: int


class Conflict(BaseModel):
    """Articles that give different figures for the same thing, or different answers to a
    yes/no question (``kind`` "yesno": ``topic`` is the question, each value "yes" or "no"), or
    different holders of one office (``kind`` "names": ``topic`` is the title, values names).

    ``values[i]`` is the figure as written in citation ``citation_ids[i]``'s own quote;
    ``sides`` groups the citation ids by article (each article is one side).
    """

    topic: str
    citation_ids: list[int]
    values: list[str]
    sides: list[list[int]] = Field(default_factory=list)
    kind: Literal["figures", "yesno", "names"] = "figures"


class PassageRef(BaseModel):
    """A passage the model was shown, in prompt order (number = its [n] in the prompt)."""

    number: int
    article_id: str
    title: str
    start: int
    end: int


class Usage(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0


class DroppedClaim(BaseModel):
    """A sentence of the model's answer that is not shown, and why."""

    text: str
    reason: str
    replaced: bool = False  # the cited sentences were shown in its place


AnswerStatus = Literal["answered", "partial", "not_in_articles", "unverified", "declined"]
STATUS_HELP: dict[str, str] = {
    "answered": "every claim of the model's answer was verified against its citations",
    "partial": "some claims of the model's answer could not be verified and are not shown",
    "not_in_articles": "the articles do not answer the question",
    "unverified": "the model answered, but none of its answer could be verified",
    "declined": "the question asked the assistant to set aside the articles or its rules",
}


class Answer(BaseModel):
    question: str
    answer: str
    refused: bool
    citations: list[Citation] = Field(default_factory=list)
    conflicts: list[Conflict] = Field(default_factory=list)
    standalone_question: str | None = None
    model: str = ""
    dropped_claims: int = 0
    status: AnswerStatus = "answered"
    dropped: list[DroppedClaim] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    usage: Usage = Field(default_factory=Usage)
    passages: list[PassageRef] = Field(default_factory=list)
