"""The two contracts: what the chat model must return, and what the assistant returns.

``ModelAnswer`` is the structured output asked of any chat model (offline or OpenAI): each claim
names the numbered passage it relies on and a verbatim quote. ``Answer`` is the public result
of ``FactChecker.ask`` and ``assistant ask --json``; its citations are only quotes that were found
in the cited article, with offsets such that ``article_text[start:end] == quote``.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class Claim(BaseModel):
    """One sentence of the answer and the evidence for it."""

    text: str = Field(description="One answer sentence, stating a single fact from the passages.")
    passage: int = Field(
        description="The number of the passage that supports the sentence, e.g. 3."
    )
    quote: str = Field(
        description="A short exact quote copied character for character from that passage."
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
        description="If the question assumes something the passages contradict or never state, "
        "one sentence saying which assumption the articles do not support. Otherwise null.",
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
    """Articles that give different figures for the same thing.

    ``values[i]`` is the figure as written in citation ``citation_ids[i]``'s own quote;
    ``sides`` groups the citation ids by article (each article is one side).
    """

    topic: str
    citation_ids: list[int]
    values: list[str]
    sides: list[list[int]] = Field(default_factory=list)


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


class Answer(BaseModel):
    question: str
    answer: str
    refused: bool
    citations: list[Citation] = Field(default_factory=list)
    conflicts: list[Conflict] = Field(default_factory=list)
    standalone_question: str | None = None
    model: str = ""
    dropped_claims: int = 0
    notes: list[str] = Field(default_factory=list)
    usage: Usage = Field(default_factory=Usage)
    passages: list[PassageRef] = Field(default_factory=list)
