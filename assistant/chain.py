"""The answer chain as LCEL runnables: condense → retrieve → prompt → model → verify → answer.

Input is ``{"question": str, "history": [(role, text)], "top_k": int}``; output is an ``Answer``.
Each step adds one key to the running dict, so intermediate results (the standalone question,
the passages, the raw model output) stay inspectable in traces and tests.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import itemgetter
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.runnables import Runnable, RunnableBranch, RunnableLambda, RunnablePassthrough

from assistant.compose import compose_answer, refusal
from assistant.guard import find_injection
from assistant.prompts import (
    answer_prompt,
    condense_prompt,
    fit_passages,
    format_history,
    format_passages,
    load_prompt,
)
from assistant.retrieval import HybridRetriever
from assistant.schema import Answer, ModelAnswer, PassageRef, Usage
from assistant.settings import Settings
from assistant.splitting import Passage

INJECTION_NOTE = (
    "The question contains instructions to the assistant ({phrase!r}); it answers only from "
    "the articles and does not follow instructions in questions."
)


def build_chain(
    settings: Settings,
    retriever: HybridRetriever,
    model: BaseChatModel,
    article_text: Callable[[str], str | None],
    *,
    model_name: str,
    structured_kwargs: dict[str, Any] | None = None,
) -> Runnable[dict[str, Any], Answer]:
    condense = (
        RunnableLambda(
            lambda x: {"history": format_history(x["history"]), "question": x["question"]}
        )
        | condense_prompt(settings.prompts_dir)
        | model
        | StrOutputParser()
        | RunnableLambda(lambda text: text.strip().strip('"') or "")
    )
    standalone = RunnableBranch(
        (lambda x: bool(x["history"]), condense),
        itemgetter("question"),
    )

    def guard(x: dict[str, Any]) -> str | None:
        return find_injection(x["question"]) or find_injection(x["standalone"])

    def retrieve(x: dict[str, Any]) -> list[Passage]:
        if x["injection"]:
            return []
        query = x["standalone"] or x["question"]
        hits = retriever.search(query, x.get("top_k") or settings.top_k)
        return fit_passages([h.passage for h in hits], settings.context_token_budget, model_name)

    structured = model.with_structured_output(
        ModelAnswer, include_raw=True, **(structured_kwargs or {})
    )
    generate = (
        RunnableLambda(
            lambda x: {"passages": format_passages(x["passages"]), "question": x["standalone"]}
        )
        | answer_prompt(settings.prompts_dir)
        | structured
    )
    skip = RunnableLambda(lambda x: None)
    call_model = RunnableBranch(
        (lambda x: bool(x["injection"]) or not x["passages"], skip), generate
    )

    def finish(x: dict[str, Any]) -> Answer:
        template = load_prompt(settings.prompts_dir, "refusal.md")
        passages: list[Passage] = x["passages"]
        standalone = x["standalone"] if x["standalone"] != x["question"] else None
        if x["injection"]:
            return refusal(
                x["question"],
                [],
                template=template,
                model=model_name,
                standalone=standalone,
                note=INJECTION_NOTE.format(phrase=x["injection"]),
            )
        result = x["output"]
        if result is None:
            return refusal(
                x["question"], passages, template=template, model=model_name, standalone=standalone
            )
        usage = _usage(result.get("raw"))
        parsed = result.get("parsed")
        if parsed is None:
            error = result.get("parsing_error")
            return refusal(
                x["question"],
                passages,
                template=template,
                model=model_name,
                standalone=standalone,
                usage=usage,
                note=f"The model's reply was not a valid structured answer ({_short(error)}).",
            )
        texts = {p.version: article_text(p.version) or "" for p in passages}
        return compose_answer(
            x["question"],
            parsed,
            passages,
            {k: v for k, v in texts.items() if v},
            refusal_template=template,
            model=model_name,
            standalone=standalone,
            usage=usage,
        )

    def finish_with_passages(x: dict[str, Any]) -> Answer:
        answer = finish(x)
        answer.passages = [
            PassageRef(number=i, article_id=p.article_id, title=p.title, start=p.start, end=p.end)
            for i, p in enumerate(x["passages"], 1)
        ]
        return answer

    return (
        RunnablePassthrough.assign(standalone=standalone).with_config(run_name="condense")
        | RunnablePassthrough.assign(injection=guard).with_config(run_name="guard")
        | RunnablePassthrough.assign(passages=retrieve).with_config(run_name="retrieve")
        | RunnablePassthrough.assign(output=call_model).with_config(run_name="generate")
        | RunnableLambda(finish_with_passages).with_config(run_name="verify")
    )


def _usage(raw: Any) -> Usage:
    meta = getattr(raw, "usage_metadata", None) or {}
    return Usage(
        prompt_tokens=int(meta.get("input_tokens", 0)),
        completion_tokens=int(meta.get("output_tokens", 0)),
        total_tokens=int(meta.get("total_tokens", 0)),
    )


def _short(error: Any, limit: int = 160) -> str:
    text = str(error).splitlines()[0] if error else "no content"
    return text[:limit]
