"""An optional second opinion: a cheap entailment call that labels each shown claim.

The rules in ``fidelity`` are general but lexical; a model can see a paraphrase that reverses a
meaning without changing a word the rules look at. With ``ASSISTANT_ANSWER_JUDGE`` on and a real
model configured, one call per answer asks the judge model (``ASSISTANT_JUDGE_MODEL``, default
the answering model) whether each claim is stated by its cited sentences; a claim it finds
unsupported is dropped with its reason. The offline path needs no judge: its claims are the
articles' own sentences.
"""

from __future__ import annotations

from collections.abc import Sequence

from langchain_core.language_models import BaseChatModel
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnableConfig
from pydantic import BaseModel, Field

from assistant.answer.prompts import load_prompt
from assistant.settings import Settings

JUDGE_MARKER = "<claims>"


class Verdict(BaseModel):
    """Whether one claim is stated by its cited sentences."""

    claim: int = Field(description="The claim's number as given, e.g. 1.")
    supported: bool = Field(description="True only if the cited sentences state all of it.")
    reason: str = Field(description="Short: what is not supported, or 'stated'.")


class Verdicts(BaseModel):
    """One verdict per claim."""

    verdicts: list[Verdict]


def format_claims(items: Sequence[tuple[str, Sequence[str]]]) -> str:
    blocks = []
    for number, (claim, sources) in enumerate(items, 1):
        cited = "\n".join(f"  - {s}" for s in sources)
        blocks.append(f"{number}. Claim: {claim}\n  Cited sentences:\n{cited}")
    return "\n\n".join(blocks)


class Judge:
    def __init__(self, settings: Settings, model: BaseChatModel, method: str) -> None:
        template = load_prompt(settings.prompts_dir, "judge.md")
        prompt = ChatPromptTemplate.from_messages([("human", template)])
        structured = model.with_structured_output(Verdicts, method=method)  # type: ignore[arg-type]
        self.chain = prompt | structured

    def unsupported(
        self, items: Sequence[tuple[str, Sequence[str]]], config: RunnableConfig | None = None
    ) -> dict[int, str]:
        """0-based positions in ``items`` the judge labels unsupported, with its reasons."""
        if not items:
            return {}
        result = self.chain.invoke({"claims": format_claims(items)}, config)
        verdicts = result.verdicts if isinstance(result, Verdicts) else []
        return {
            v.claim - 1: v.reason.strip() or "not stated by its cited sentences"
            for v in verdicts
            if not v.supported and 1 <= v.claim <= len(items)
        }
