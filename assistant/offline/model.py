"""The deterministic offline answer model: a LangChain chat model that needs no network.

It reads the same prompt a real model gets (the numbered passages and the question) and returns
the same structured output (``ModelAnswer``) through the tool-call path that
``with_structured_output`` uses. It answers extractively (``select``: the sentences that hold
the asked fact, or a refusal) and condenses follow-ups (``condense``). Its sentence similarity
uses the same local MiniLM model as the index. The same model is the stub of the tests and the
eval, so its behaviour is fully reproducible.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Sequence
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.utils.function_calling import convert_to_openai_tool

from assistant.answer.guard import find_injection
from assistant.answer.prompts import CONDENSE_MARKER, PASSAGES_CLOSE, PASSAGES_OPEN, QUESTION_PREFIX
from assistant.answer.sentences import strip_sentence_ids
from assistant.offline.condense import condense, standalone
from assistant.offline.question import split_parts
from assistant.offline.select import (
    MIN_PART_SCORE,
    Candidate,
    Embed,
    Sentence,
    select,
    sentences_of,
)
from assistant.schema import Claim, ModelAnswer
from assistant.text import attributed
from assistant.tokens import count_tokens

PASSAGE_HEADER = re.compile(r"^\[(\d+)\] article (\S+) — .*$", re.M)

__all__ = ["OfflineChatModel", "answer", "condense", "parse_prompt"]


def parse_prompt(prompt: str) -> tuple[str, list[tuple[int, str, str]]]:
    """The question and the numbered passages (number, article id, text) from the answer prompt."""
    question = prompt.rsplit(QUESTION_PREFIX, 1)[-1].strip() if QUESTION_PREFIX in prompt else ""
    block = ""
    if PASSAGES_OPEN in prompt and PASSAGES_CLOSE in prompt:
        block = prompt.split(PASSAGES_OPEN, 1)[1].rsplit(PASSAGES_CLOSE, 1)[0]
        block = strip_sentence_ids(block)  # this engine quotes; it does not cite sentence ids
    headers = list(PASSAGE_HEADER.finditer(block))
    passages = []
    for i, header in enumerate(headers):
        end = headers[i + 1].start() if i + 1 < len(headers) else len(block)
        passages.append((int(header.group(1)), header.group(2), block[header.end() : end].strip()))
    return question, passages


def local_embed(texts: Sequence[str]) -> np.ndarray:
    """Unit MiniLM vectors for ``texts``, cached per text (shared with the reranker)."""
    from assistant.store.embeddings import local_embeddings
    from assistant.store.vectors import embed_texts

    return embed_texts(local_embeddings(), texts)


def answer(
    question: str, passages: Sequence[tuple[int, str, str]], embed: Embed | None = local_embed
) -> ModelAnswer:
    """The sentences that answer ``question`` from ``passages``; a refusal when none does."""
    if not question or not passages or find_injection(question):
        return ModelAnswer(refused=True)
    sentences = sentences_of(passages)
    if not sentences:
        return ModelAnswer(refused=True)
    all_words = frozenset().union(*(s.words for s in sentences))
    parts = split_parts(question)
    chosen: list[Sentence] = []
    premises: list[str] = []
    for i, part in enumerate(parts):
        if i:  # "…, and when did he die?": he is the one the first part names
            part = standalone(part, [("user", parts[0])])
        premise = _premise(part, all_words)
        picked = select(part, sentences, embed, MIN_PART_SCORE if chosen else 0.0)
        if picked is None:
            if len(parts) == 1:
                return ModelAnswer(refused=True)
            continue
        premises += premise
        for sentence in (s for c in picked for s in _in_text_order(c)):
            if all(sentence.text != d.text for d in chosen):
                chosen.append(sentence)
    if not chosen:
        return ModelAnswer(refused=True)
    claims = [Claim(text=_claim_text(s), passage=s.passage, quote=_quote(s)) for s in chosen]
    correction = None
    if premises:
        shown = ", ".join(dict.fromkeys(_show_number(p) for p in premises))
        correction = f"The articles do not give the figure {shown}; here is what they do say."
    return ModelAnswer(refused=False, claims=claims, correction=correction)


def _premise(question: str, all_words: frozenset[str]) -> list[str]:
    """Figures in the question that no passage contains: a premise to correct, not to find."""
    from assistant.text import tokens

    return [t for t in tokens(question) if t[0].isdigit() and t not in all_words]


def _in_text_order(c: Candidate) -> list[Sentence]:
    found = [c.sentence, c.companion, c.named_by]
    unique = {s.order: s for s in found if s is not None}
    return sorted(unique.values(), key=lambda s: s.order)


def _quote(sentence: Sentence) -> str:
    return _balanced(sentence.text)


def _claim_text(sentence: Sentence) -> str:
    """The article's own reporting as is; a post or caption it quotes said to be one. A heading
    or a field ("Author: …") is closed with a full stop, so that it reads as a statement of its
    own rather than run into the next claim."""
    text = attributed(_quote(sentence), sentence.material)
    return text if re.search(r"[.!?;…][”\"’')\]]*$", text) else text.rstrip(":") + "."


def _show_number(token: str) -> str:
    try:
        value = float(token)
    except ValueError:
        return token
    return f"{value:,.0f}" if value.is_integer() else f"{value:,}"


def _balanced(sentence: str) -> str:
    """Drop a quotation mark whose partner lies in another sentence."""
    for opening, closing in (("“", "”"), ('"', '"')):
        count_open = sentence.count(opening)
        count_close = sentence.count(closing) if opening != closing else count_open
        if opening == closing:
            if count_open % 2 and sentence.startswith(opening):
                sentence = sentence[1:]
            elif count_open % 2 and sentence.endswith(closing):
                sentence = sentence[:-1]
        elif count_open > count_close and sentence.startswith(opening):
            sentence = sentence[1:]
        elif count_close > count_open and sentence.endswith(closing):
            sentence = sentence[:-1]
    return sentence.strip()


class OfflineChatModel(BaseChatModel):
    """Deterministic, network-free chat model answering the assistant's own prompts."""

    @property
    def _llm_type(self) -> str:
        return "offline-extractive"

    def bind_tools(
        self, tools: Sequence[Any], *, tool_choice: Any = None, **kwargs: Any
    ) -> Runnable[LanguageModelInput, AIMessage]:
        formatted = [convert_to_openai_tool(t) for t in tools]
        return self.bind(tools=formatted, tool_choice=tool_choice, **kwargs)

    def answer_args(self, prompt: str) -> dict[str, Any]:
        """The structured answer to an answer prompt; the eval's scripted models override it."""
        question, passages = parse_prompt(prompt)
        return answer(question, passages).model_dump()

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        prompt = "\n\n".join(str(m.content) for m in messages if m.type != "system")
        if CONDENSE_MARKER in prompt and "<conversation>" in prompt:
            message = AIMessage(content=condense(prompt))
        else:
            result = self.answer_args(prompt)
            tools = kwargs.get("tools") or []
            if tools:
                name = tools[0]["function"]["name"]
                call_id = "call_" + uuid.uuid5(uuid.NAMESPACE_URL, prompt).hex[:12]
                message = AIMessage(
                    content="", tool_calls=[{"name": name, "args": result, "id": call_id}]
                )
            else:
                message = AIMessage(content=json.dumps(result))
        produced = str(message.content) + json.dumps([c["args"] for c in message.tool_calls])
        usage = {"input_tokens": count_tokens(prompt), "output_tokens": count_tokens(produced)}
        usage["total_tokens"] = usage["input_tokens"] + usage["output_tokens"]
        message.usage_metadata = usage  # type: ignore[assignment]
        return ChatResult(generations=[ChatGeneration(message=message)])
