"""The answer chain: condense → guard → retrieve → prompt → model → verify → judge → compose.

Each step is a runnable over one typed ``AnswerState`` that fills in its own fields, so the
intermediate results (the standalone question, the passages, the model's reply, each claim's
check) stay inspectable in traces and tests. ``AnswerChain.stream`` runs the same steps, reading
the model's reply as it is generated; each claim is verified once, as soon as it is complete,
and the final answer is composed from those same checks, so the last snapshot is exactly what
``invoke`` returns.

The prompt is sized to the model (``budget.PromptBudget``): passages are added in rank order
while the whole prompt (instructions, question, passages) plus room for the reply fits the
model's context window, and never beyond ``context_token_budget``. A failing model client surfaces as one ``ModelError``
line, whatever the client library wrapped it in.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage
from langchain_core.messages.ai import UsageMetadata
from langchain_core.prompt_values import PromptValue
from langchain_core.runnables import Runnable, RunnableConfig, RunnableLambda

from assistant.answer.budget import PromptBudget
from assistant.answer.compose import ClaimChecks, compose_answer, refusal
from assistant.answer.guard import find_injection
from assistant.answer.history import trim_history
from assistant.answer.judge import Judge
from assistant.answer.prompts import (
    answer_prompt,
    condense_prompt,
    fit_passages,
    format_history,
    format_passages,
    load_prompt,
)
from assistant.answer.sentences import SentenceIndex
from assistant.answer.structured import (
    Reply,
    StructuredAnswer,
    add_usage_of,
    complete_claims,
    output_failure,
    reply_json_text,
    short,
    to_usage,
    usage_of,
)
from assistant.answer.verify import VerifiedClaim, sentence_index
from assistant.errors import AssistantError, ModelError
from assistant.messages import explain
from assistant.schema import Answer, ModelAnswer, PassageRef
from assistant.settings import OFFLINE_MODEL, Settings
from assistant.store.rerank import rerank
from assistant.store.retrieval import HybridRetriever
from assistant.store.splitting import Passage

INJECTION_NOTE = (
    "The question contains instructions to the assistant ({phrase!r}); it answers only from "
    "the articles and does not follow instructions in questions."
)
INJECTION_REFUSAL = (
    "This question asks me to set aside the articles or my rules; I answer only from the articles."
)
MALFORMED_NOTE = "The model's reply was not a valid structured answer ({reason})."
JUDGE_FAILED_NOTE = "The judge model could not be asked ({reason}); claims were checked by rules."


@dataclass
class AnswerState:
    """Everything one answer goes through; each step fills in its part."""

    question: str
    history: list[tuple[str, str]] = field(default_factory=list)
    top_k: int | None = None
    standalone: str = ""
    usage: UsageMetadata | None = None
    injection: str | None = None
    passages: list[Passage] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    index: SentenceIndex | None = None
    reply: Reply | None = None
    checks: ClaimChecks | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def generates(self) -> bool:
        return not self.injection and bool(self.passages)


def build_chain(
    settings: Settings,
    retriever: HybridRetriever,
    model: BaseChatModel,
    article_text: Callable[[str], str | None],
    *,
    model_name: str,
    structured_kwargs: dict[str, Any] | None = None,
) -> AnswerChain:
    method = (structured_kwargs or {}).get("method", "tool_calling")
    judge = None
    if settings.answer_judge and model_name != OFFLINE_MODEL:
        from assistant.models import make_chat_model

        judge_model = make_chat_model(settings, settings.judge_model or model_name)
        judge = Judge(settings, judge_model, method)
    return AnswerChain(
        settings, retriever, model, article_text, model_name=model_name, method=method, judge=judge
    )


class AnswerChain(Runnable[dict[str, Any], Answer]):
    """question (+ history) → verified ``Answer``; ``stream`` yields growing verified snapshots."""

    def __init__(
        self,
        settings: Settings,
        retriever: HybridRetriever,
        model: BaseChatModel,
        article_text: Callable[[str], str | None],
        *,
        model_name: str,
        method: str = "tool_calling",
        judge: Judge | None = None,
    ) -> None:
        self.settings = settings
        self.retriever = retriever
        self.model = model
        self.article_text = article_text
        self.model_name = model_name
        self.structured = StructuredAnswer(model, method)
        self.judge = judge
        self.budget = PromptBudget.of(settings, model_name)
        self.prepare: Runnable[AnswerState, AnswerState] = (
            _step(self._condense, "condense")
            | _step(self._guard, "guard")
            | _step(self._retrieve, "retrieve")
        )
        self.finish: Runnable[AnswerState, AnswerState] = _step(self._verify, "verify") | _step(
            self._judge, "judge"
        )
        self.pipeline: Runnable[AnswerState, Answer] = (
            self.prepare
            | _step(self._generate, "generate")
            | self.finish
            | RunnableLambda(self.compose).with_config(run_name="compose")
        )

    # --- Runnable ----------------------------------------------------------------------------

    def invoke(
        self, input: dict[str, Any], config: RunnableConfig | None = None, **kwargs: Any
    ) -> Answer:
        with model_errors():
            return self.pipeline.invoke(_state(input), config)

    def stream(
        self, input: dict[str, Any], config: RunnableConfig | None = None, **kwargs: Any
    ) -> Iterator[Answer]:
        """Answer snapshots, each with one more verified claim; the last is ``invoke``'s answer."""
        with model_errors():
            state = self.prepare.invoke(_state(input), config)
            if state.generates:
                checks = state.checks
                assert checks is not None
                reply: BaseMessage | None = None
                try:
                    for chunk in self.structured.llm.stream(self._prompt(state), config):
                        reply = chunk if reply is None else reply + chunk  # type: ignore[operator]
                        claims, refused = complete_claims(reply_json_text(reply))
                        if refused or self.judge is not None:
                            continue  # a judged answer is shown once the judge has spoken
                        for n in range(len(checks.claims) + 1, len(claims) + 1):
                            if any(_shows(r) for r in checks.add(claims[:n])):
                                partial = ModelAnswer(refused=False, claims=claims[:n])
                                yield self._snapshot(state, partial)
                    state.reply = _traced(self.structured.read(reply), config)
                except Exception as exc:
                    reason = output_failure(exc)
                    if reason is None:
                        raise
                    state.reply = _traced(Reply(None, None, reason), config)
            yield self.compose(self.finish.invoke(state, config))

    # --- steps -------------------------------------------------------------------------------

    def _condense(self, x: AnswerState, config: RunnableConfig) -> AnswerState:
        """The standalone question for a follow-up, and the tokens the condensing used."""
        if not x.history:
            return dataclasses.replace(x, standalone=x.question)
        budget = self.budget.history(x.question)
        history = trim_history(x.history, budget, self.budget.token_model)
        chain = condense_prompt(self.settings.prompts_dir) | self.model
        message = chain.invoke({"history": format_history(history), "question": x.question}, config)
        text = message.text.strip().strip('"').strip()
        return dataclasses.replace(
            x, standalone=text or x.question, usage=add_usage_of(x.usage, usage_of(message))
        )

    def _guard(self, x: AnswerState) -> AnswerState:
        found = find_injection(x.question) or find_injection(x.standalone)
        return dataclasses.replace(x, injection=found)

    def _retrieve(self, x: AnswerState) -> AnswerState:
        if x.injection:
            return x
        k = x.top_k or self.settings.top_k
        hits = rerank(self.retriever.index, x.standalone, self.retriever.search(x.standalone, k), k)
        budget = self.budget.passages(x.standalone)
        kept = fit_passages([h.passage for h in hits], budget, self.budget.token_model)
        if hits and not kept:
            raise ModelError(
                f"the model's context of {self.budget.window} tokens leaves no room for the article "
                "passages after the instructions and the question; set "
                "ASSISTANT_MODEL_CONTEXT_TOKENS if the server allows more"
            )
        texts = {p.version: self.article_text(p.version) or "" for p in kept}
        texts = {k: v for k, v in texts.items() if v}
        return dataclasses.replace(
            x,
            passages=kept,
            texts=texts,
            index=sentence_index(kept, texts),
            checks=ClaimChecks(kept, texts),
        )

    def _prompt(self, x: AnswerState) -> PromptValue:
        return answer_prompt(self.settings.prompts_dir).invoke(
            {"passages": format_passages(x.passages, x.index), "question": x.standalone}
        )

    def _generate(self, x: AnswerState, config: RunnableConfig) -> AnswerState:
        if not x.generates:
            return x
        try:
            message = self.structured.llm.invoke(self._prompt(x), config)
        except Exception as exc:
            reason = output_failure(exc)
            if reason is None:
                raise
            return dataclasses.replace(x, reply=_traced(Reply(None, None, reason), config))
        return dataclasses.replace(x, reply=_traced(self.structured.read(message), config))

    def _verify(self, x: AnswerState) -> AnswerState:
        """Each claim checked once: claims the stream already checked are not checked again."""
        parsed = x.reply.parsed if x.reply else None
        if parsed is None or parsed.refused or x.checks is None:
            return x
        checks = x.checks
        if checks.claims != parsed.claims[: len(checks.claims)]:
            checks = ClaimChecks(x.passages, x.texts)  # the final reply differs
        checks.add(parsed.claims)
        return dataclasses.replace(x, checks=checks)

    def _judge(self, x: AnswerState, config: RunnableConfig) -> AnswerState:
        if self.judge is None or x.checks is None or x.reply is None or x.reply.parsed is None:
            return x
        positions = [i for i, r in enumerate(x.checks.results) if isinstance(r, VerifiedClaim)]
        items = [
            (r.text, [c.quote for c in r.all_cites()])
            for r in x.checks.results
            if isinstance(r, VerifiedClaim)
        ]
        try:
            with model_errors():
                verdicts = self.judge.unsupported(items, config)
        except ModelError as exc:
            return dataclasses.replace(x, notes=[*x.notes, JUDGE_FAILED_NOTE.format(reason=exc)])
        claims = x.reply.parsed.claims
        for item, reason in verdicts.items():
            position = positions[item]
            x.checks.overrule(position, claims[position], f"the judge model: {reason}")
        return x

    def compose(self, x: AnswerState) -> Answer:
        """The verified answer (or an honest refusal with a note) from the checked reply."""
        answer = self._compose(x)
        answer.notes += x.notes
        answer.passages = [
            PassageRef(number=i, article_id=p.article_id, title=p.title, start=p.start, end=p.end)
            for i, p in enumerate(x.passages, 1)
        ]
        return answer

    def _compose(self, x: AnswerState) -> Answer:
        template = load_prompt(self.settings.prompts_dir, "refusal.md")
        standalone = x.standalone if x.standalone != x.question else None
        usage = to_usage(add_usage_of(x.usage, usage_of(x.reply.raw if x.reply else None)))
        common: dict[str, Any] = {"model": self.model_name, "standalone": standalone}
        if x.injection:
            answer = refusal(
                x.question,
                [],
                template=template,
                usage=usage,
                note=INJECTION_NOTE.format(phrase=x.injection),
                status="declined",
                **common,
            )
            answer.answer = INJECTION_REFUSAL
            return answer
        if x.reply is None:
            return refusal(x.question, x.passages, template=template, usage=usage, **common)
        if x.reply.parsed is None:
            note = MALFORMED_NOTE.format(reason=short(x.reply.error))
            return refusal(
                x.question,
                x.passages,
                template=template,
                usage=usage,
                note=note,
                status="unverified",
                **common,
            )
        return compose_answer(
            x.question,
            x.reply.parsed,
            x.passages,
            x.texts,
            refusal_template=template,
            usage=usage,
            checks=x.checks,
            **common,
        )

    def _snapshot(self, x: AnswerState, partial: ModelAnswer) -> Answer:
        return self.compose(dataclasses.replace(x, reply=Reply(None, partial)))


# --- helpers -------------------------------------------------------------------------------------


def _state(input: dict[str, Any]) -> AnswerState:
    return AnswerState(
        question=input["question"],
        history=list(input.get("history") or []),
        top_k=input.get("top_k"),
    )


def _step(step: Callable[..., AnswerState], name: str) -> Runnable[AnswerState, AnswerState]:
    """A named child run (traces and callbacks see each step) without ``assign``'s thread pool,
    whose hand-off cost more than the whole offline answer."""
    return RunnableLambda(step).with_config(run_name=name)


def _traced(reply: Reply, config: RunnableConfig | None) -> Reply:
    """The reply as ``include_raw=True`` shapes it (raw, parsed, parsing_error), as a child run:
    traces, and the eval's count of proposed claims, read it there."""
    shaped = {"raw": reply.raw, "parsed": reply.parsed, "parsing_error": reply.error}
    out = RunnableLambda(dict).with_config(run_name="structured_output").invoke(shaped, config)
    return Reply(out["raw"], out["parsed"], out["parsing_error"])


def _shows(result: object) -> bool:
    return isinstance(result, VerifiedClaim) or getattr(result, "replacement", None) is not None


@contextlib.contextmanager
def model_errors() -> Iterator[None]:
    """Re-raise model-client failures (however LangChain wrapped them) as one-line ModelErrors."""
    try:
        yield
    except AssistantError:
        raise
    except Exception as exc:
        known = explain(exc)
        if known is None:
            raise
        raise known from exc
