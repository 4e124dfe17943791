"""Helpers for the eval tests: deliberately bad chat models, a lax verifier, and a cached run.

Each bad model wraps ``OfflineChatModel`` and rewrites its structured answer in one specific
way, so a test can show that the matching metric drops while everything else stays the same.
They answer through tool calls exactly like the offline model, so the chain's structured-output
path treats them as it would any LangChain chat model.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from assistant.answer.verify import VerifiedClaim, find_quote
from assistant.errors import ModelError
from assistant.evaluation.cases import Case, load_cases, select_cases
from assistant.evaluation.runner import EvalRun, run_eval
from assistant.offline.model import OfflineChatModel, parse_prompt
from assistant.schema import Claim, ModelAnswer
from assistant.settings import PROJECT_ROOT
from assistant.store.splitting import Passage

CASES_FILE = PROJECT_ROOT / "eval" / "cases.jsonl"
THRESHOLDS_FILE = PROJECT_ROOT / "eval" / "thresholds.json"
# The foreign corpus CI gates beside the seeds (the dev corpus only calibrates).
TEST_CORPUS = "python_whatsnew"
TEST_CORPUS_DIR = PROJECT_ROOT / "eval" / "corpora" / TEST_CORPUS
TEST_CORPUS_THRESHOLDS = PROJECT_ROOT / "eval" / f"thresholds-{TEST_CORPUS}.json"

PromptPassages = Sequence[tuple[int, str, str]]  # (number, article id, text) as in the prompt


class ScriptedModel(OfflineChatModel):
    """The offline model with its answer rewritten by ``rewrite`` (condensing is untouched)."""

    @property
    def _llm_type(self) -> str:
        return f"scripted-{type(self).__name__}"

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        result = super()._generate(messages, stop=stop, **kwargs)
        message = result.generations[0].message
        assert isinstance(message, AIMessage)
        if message.tool_calls:
            args = message.tool_calls[0]["args"]
        elif str(message.content).startswith("{"):
            args = json.loads(str(message.content))
        else:
            return result  # a condensed follow-up question, not an answer
        prompt = "\n\n".join(str(m.content) for m in messages if m.type != "system")
        _question, passages = parse_prompt(prompt)
        answer = self.rewrite(ModelAnswer.model_validate(args), passages).model_dump()
        if message.tool_calls:
            new = AIMessage(content="", tool_calls=[{**message.tool_calls[0], "args": answer}])
        else:
            new = AIMessage(content=json.dumps(answer))
        new.usage_metadata = message.usage_metadata
        return ChatResult(generations=[ChatGeneration(message=new)])

    def rewrite(self, answer: ModelAnswer, passages: PromptPassages) -> ModelAnswer:
        raise NotImplementedError


def _article_of(passages: PromptPassages, number: int) -> str | None:
    return next((a for n, a, _ in passages if n == number), None)


def _other_article_passage(passages: PromptPassages, number: int) -> tuple[int, str] | None:
    """The first passage (number, text) from an article other than passage ``number``'s."""
    own = _article_of(passages, number)
    return next(((n, t) for n, a, t in passages if a != own), None)


def first_sentence(text: str) -> str:
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        if len(sentence) >= 25 and len(sentence.split()) >= 4:
            return sentence.strip()
    return text.strip()


class WrongArticleModel(ScriptedModel):
    """Right sentence and quote, but the passage number points at another article's passage."""

    def rewrite(self, answer: ModelAnswer, passages: PromptPassages) -> ModelAnswer:
        claims = []
        for claim in answer.claims:
            other = _other_article_passage(passages, claim.passage)
            number = other[0] if other else claim.passage
            claims.append(claim.model_copy(update={"passage": number}))
        return answer.model_copy(update={"claims": claims})


class InventedQuoteModel(ScriptedModel):
    """Right sentence and passage, but a quote that is not in the article (words reordered)."""

    def rewrite(self, answer: ModelAnswer, passages: PromptPassages) -> ModelAnswer:
        claims = []
        for claim in answer.claims:
            words = claim.quote.split()
            for i in range(0, len(words) - 1, 2):
                words[i], words[i + 1] = words[i + 1], words[i]
            claims.append(claim.model_copy(update={"quote": " ".join(words)}))
        return answer.model_copy(update={"claims": claims})


class NeverRefuseModel(ScriptedModel):
    """Answers everything: where the offline model refuses, it states passage 1's first sentence."""

    def rewrite(self, answer: ModelAnswer, passages: PromptPassages) -> ModelAnswer:
        if not answer.refused or not passages:
            return answer
        number, _article, text = passages[0]
        sentence = first_sentence(text)
        return ModelAnswer(
            refused=False, claims=[Claim(text=sentence, passage=number, quote=sentence)]
        )


class AlwaysRefuseModel(ScriptedModel):
    """Refuses every question."""

    def rewrite(self, answer: ModelAnswer, passages: PromptPassages) -> ModelAnswer:
        return ModelAnswer(refused=True)


class MisattributingModel(ScriptedModel):
    """Right sentence, but its evidence is a real quote from another article's passage: the
    citation verifies, yet it does not support what the sentence says."""

    def rewrite(self, answer: ModelAnswer, passages: PromptPassages) -> ModelAnswer:
        claims = []
        for claim in answer.claims:
            other = _other_article_passage(passages, claim.passage)
            if other is None:
                claims.append(claim)
                continue
            number, text = other
            claims.append(
                claim.model_copy(update={"passage": number, "quote": first_sentence(text)})
            )
        return answer.model_copy(update={"claims": claims})


def lax_verify_claims(
    claims: Sequence[Claim], passages: Sequence[Passage], article_texts: dict[str, str]
) -> tuple[list[VerifiedClaim], list[Any]]:
    """A broken verifier: it accepts a quote found in *any* shown article, and keeps the cited
    passage, so a wrong-article citation reaches the answer with another article's offsets."""
    kept = []
    for claim in claims:
        if not 1 <= claim.passage <= len(passages):
            continue
        for text in article_texts.values():
            span = find_quote(text, claim.quote)
            if span is not None:
                quote = text[span.start : span.end]
                kept.append(
                    VerifiedClaim(claim.text.strip(), passages[claim.passage - 1], span, quote)
                )
                break
    return kept, []


def subset_cases(per_kind: int = 5, kinds: Sequence[str] | None = None) -> list[Case]:
    """The first ``per_kind`` cases of each kind: every behaviour, in a fraction of the time."""
    cases = load_cases(CASES_FILE)
    chosen: list[Case] = []
    for kind in kinds or sorted({c.kind for c in cases}):
        chosen += select_cases(cases, [kind])[:per_kind]
    return chosen


_RUNS: dict[tuple[int, Path], EvalRun] = {}


def full_offline_run(fact_checker: Any) -> EvalRun:
    """The whole eval set through the session's offline FactChecker, run once per session."""
    key = (id(fact_checker), CASES_FILE)
    if key not in _RUNS:
        cases = load_cases(CASES_FILE)
        _RUNS[key] = run_eval(fact_checker, cases, progress=False, cases_file=CASES_FILE)
    return _RUNS[key]


def corpus_offline_run(fact_checker: Any, cases_file: Path) -> EvalRun:
    """A corpus's whole eval set through an offline FactChecker over that corpus, once."""
    key = (id(fact_checker), cases_file)
    if key not in _RUNS:
        cases = load_cases(cases_file)
        _RUNS[key] = run_eval(fact_checker, cases, progress=False, cases_file=cases_file)
    return _RUNS[key]


class FailingModel(ScriptedModel):
    """Raises a ModelError on the given answer calls (1-based), as an unreachable server would."""

    fail_on: frozenset[int] = frozenset()
    calls: int = 0

    def rewrite(self, answer: ModelAnswer, passages: PromptPassages) -> ModelAnswer:
        self.calls += 1
        if self.calls in self.fail_on:
            raise ModelError("cannot reach the model server at http://127.0.0.1:9; check it runs")
        return answer
