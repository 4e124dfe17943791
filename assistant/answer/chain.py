"""The answer chain as LCEL runnables: condense → guard → retrieve → prompt → model → verify.

Input is ``{"question": str, "history": [(role, text)], "top_k": int}``; output is an ``Answer``.
Each step adds one key to the running dict, so intermediate results (the standalone question,
the passages, the raw model output) stay inspectable in traces and tests.

``AnswerChain.stream`` runs the same steps but reads the model's reply as it is generated and
yields an ``Answer`` each time one more claim is complete *and verified*; its last item is
exactly what ``invoke`` returns. Both paths share every step, including how the reply is read.

The prompt is sized to the model: passages are added in rank order while the whole prompt
(instructions, question, passages) plus room for the reply fits the model's context window,
and never beyond ``context_token_budget``. A failing model client surfaces as one ``ModelError``
line, whatever the client library wrapped it in.
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessageChunk, BaseMessage
from langchain_core.prompt_values import PromptValue
from langchain_core.runnables import (
    Runnable,
    RunnableConfig,
    RunnableLambda,
)
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import ValidationError

from assistant.answer.compose import compose_answer, refusal
from assistant.answer.guard import find_injection
from assistant.answer.prompts import (
    answer_prompt,
    condense_prompt,
    fit_passages,
    format_history,
    format_passages,
    load_prompt,
)
from assistant.answer.verify import verify_claims
from assistant.errors import AssistantError, ModelError
from assistant.model_errors import explain
from assistant.models import ANSWER_RESERVE_TOKENS, context_window, counting_model
from assistant.schema import Answer, Claim, ModelAnswer, PassageRef, Usage
from assistant.settings import Settings
from assistant.store.rerank import rerank
from assistant.store.retrieval import HybridRetriever
from assistant.store.splitting import Passage
from assistant.tokens import count_tokens, encoding_for

INJECTION_NOTE = (
    "The question contains instructions to the assistant ({phrase!r}); it answers only from "
    "the articles and does not follow instructions in questions."
)
INJECTION_REFUSAL = (
    "This question asks me to set aside the articles or my rules; I answer only from the articles."
)
MALFORMED_NOTE = "The model's reply was not a valid structured answer ({reason})."
ANSWER_TOOL = ModelAnswer.__name__

# Chat formats add a few tokens per message around the text; counted so the sum is an upper bound.
MESSAGE_OVERHEAD_TOKENS = 4
REPLY_PRIMING_TOKENS = 3
# The condense call sees at most this much conversation, newest turns first, each turn capped.
HISTORY_TOKENS = 1_500
TURN_TOKENS = 400
CONDENSE_RESERVE_TOKENS = 256


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
    return AnswerChain(
        settings, retriever, model, article_text, model_name=model_name, method=method
    )


# --- asking for and reading the structured answer ------------------------------------------------


class StructuredAnswer:
    """Asks a chat model for a ``ModelAnswer`` and reads its reply, the same way for both paths.

    This is ``with_structured_output(ModelAnswer, include_raw=True)`` spelled out, for two
    reasons. With a pydantic schema and ``json_schema``, the OpenAI client validates the reply
    itself and raises on malformed JSON before LangChain's include_raw fallback sees it, so the
    chain would crash instead of refusing with a note. And streaming needs the raw message
    chunks, whose partial JSON tells which claims are already complete.

    ``method``: ``json_schema`` (a strict response format; the JSON is the message content),
    ``function_calling`` (a forced OpenAI tool call) or ``tool_calling`` (any LangChain chat model
    with ``bind_tools``, the offline one included).
    """

    def __init__(self, model: BaseChatModel, method: str) -> None:
        self.method = method
        traced = {"kwargs": {"method": method}, "schema": convert_to_openai_tool(ModelAnswer)}
        if method == "json_schema":
            from openai import pydantic_function_tool  # the OpenAI path only

            function = pydantic_function_tool(ModelAnswer)["function"]
            response_format = {
                "type": "json_schema",
                "json_schema": {
                    "name": function["name"],
                    "schema": function["parameters"],
                    "strict": True,
                },
            }
            self.llm: Runnable[Any, BaseMessage] = model.bind(
                response_format=response_format, ls_structured_output_format=traced
            )
        elif method == "function_calling":
            self.llm = model.bind_tools(
                [ModelAnswer],
                tool_choice=ANSWER_TOOL,
                parallel_tool_calls=False,
                ls_structured_output_format=traced,
            )
        elif method == "tool_calling":
            self.llm = model.bind_tools(
                [ModelAnswer], tool_choice="any", ls_structured_output_format=traced
            )
        else:
            raise ModelError(
                f"unknown structured output method {method!r}; use json_schema or function_calling"
            )

    def read(self, message: BaseMessage | None) -> dict[str, Any]:
        """``{"raw", "parsed", "parsing_error"}``, as ``include_raw=True`` gives."""
        if message is None:
            return {"raw": None, "parsed": None, "parsing_error": "the reply was empty"}
        try:
            return {"raw": message, "parsed": parse_reply(message), "parsing_error": None}
        except ValueError as exc:
            return {"raw": message, "parsed": None, "parsing_error": exc}


def reply_json_text(message: BaseMessage) -> str:
    """The JSON text of a (possibly partial) structured reply: tool-call arguments or content."""
    if isinstance(message, AIMessageChunk) and message.tool_call_chunks:
        return str(message.tool_call_chunks[0].get("args") or "")
    tool_calls = getattr(message, "tool_calls", None)
    if tool_calls:
        return json.dumps(tool_calls[0]["args"])
    invalid = getattr(message, "invalid_tool_calls", None)
    if invalid:
        return str(invalid[0].get("args") or "")
    return message.text


def parse_reply(message: BaseMessage) -> ModelAnswer:
    """The ``ModelAnswer`` in a complete reply; ``ValueError`` saying what is wrong otherwise."""
    declined = message.additional_kwargs.get("refusal")
    if declined:
        raise ValueError(f"the model declined: {declined}")
    tool_calls = getattr(message, "tool_calls", None)
    if tool_calls and not isinstance(message, AIMessageChunk):
        data: Any = tool_calls[0]["args"]
    else:
        data = _loads(reply_json_text(message))
    try:
        return ModelAnswer.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "answer"
        raise ValueError(f"{where}: {first['msg']}") from None


_FENCE = re.compile(r"^```[a-zA-Z]*\s*|\s*```$")


def _loads(text: str) -> Any:
    text = _FENCE.sub("", text.strip())  # some local models wrap JSON in a code fence
    if not text:
        raise ValueError("the reply was empty")
    try:
        return json.loads(text, strict=False)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON: {exc.msg} at character {exc.pos}") from None


def _output_failure(exc: BaseException) -> str | None:
    """Why a model call that raised still counts as a (bad) reply rather than an outage."""
    import sys

    openai = sys.modules.get("openai")
    if openai is not None:
        if isinstance(exc, openai.LengthFinishReasonError):
            return "the reply was cut off at the model's output limit"
        if isinstance(exc, openai.ContentFilterFinishReasonError):
            return "the server's content filter stopped the reply"
    if isinstance(exc, (ValidationError, json.JSONDecodeError)):
        return _short(exc)
    return None


@dataclass
class ClaimScanner:
    """Finds the claims that are complete in a JSON answer that is still being written.

    Fed the growing text, it tracks strings and nesting and records the span of each object
    that closes inside the root object's ``"claims"`` array: such an object can no longer
    change, so it is safe to verify and show. ``refused`` turns true once the root object says
    ``"refused": true``.
    """

    text: str = ""
    spans: list[tuple[int, int]] = field(default_factory=list)
    refused: bool = False
    _stack: list[str] = field(default_factory=list)
    _in_string: bool = False
    _escape: bool = False
    _string_start: int = 0
    _last_string: str = ""
    _array_key: str = ""
    _claim_start: int = -1

    def feed(self, text: str) -> None:
        if not text.startswith(self.text):  # not a continuation of what was fed: start over
            self._reset()
        start, self.text = len(self.text), text
        for i in range(start, len(text)):
            ch = text[i]
            if self._in_string:
                if self._escape:
                    self._escape = False
                elif ch == "\\":
                    self._escape = True
                elif ch == '"':
                    self._in_string = False
                    if len(self._stack) == 1:
                        self._last_string = text[self._string_start + 1 : i]
                continue
            depth = len(self._stack)
            if ch == '"':
                self._in_string, self._string_start = True, i
            elif ch == "[":
                if depth == 1:
                    self._array_key = self._last_string
                self._stack.append(ch)
            elif ch == "{":
                if depth == 2 and self._stack[1] == "[" and self._array_key == "claims":
                    self._claim_start = i
                self._stack.append(ch)
            elif ch in "]}":
                if self._stack:
                    self._stack.pop()
                in_claims = len(self._stack) == 2 and self._stack[1] == "["
                if ch == "}" and in_claims and self._array_key == "claims":
                    if self._claim_start >= 0:
                        self.spans.append((self._claim_start, i + 1))
                    self._claim_start = -1
                if len(self._stack) == 1:
                    self._array_key = ""
            elif ch == "t" and depth == 1 and self._last_string == "refused":
                self.refused = True

    def _reset(self) -> None:
        fresh = ClaimScanner()
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(fresh, name))

    def claims(self) -> list[Claim]:
        """The complete claims so far, stopping at the first that is not a valid ``Claim``."""
        out: list[Claim] = []
        for start, end in self.spans:
            try:
                out.append(Claim.model_validate(json.loads(self.text[start:end], strict=False)))
            except (ValueError, ValidationError):
                break
        return out


# --- the chain -----------------------------------------------------------------------------------


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
    ) -> None:
        self.settings = settings
        self.retriever = retriever
        self.model = model
        self.article_text = article_text
        self.model_name = model_name
        self.structured = StructuredAnswer(model, method)
        self.window = context_window(model_name, getattr(settings, "model_context_tokens", None))
        self.token_model = counting_model(model_name)
        self.prepare: Runnable[dict[str, Any], dict[str, Any]] = (
            _assign("condensed", self._condense, "condense")
            | _assign("injection", self._guard, "guard")
            | _assign("passages", self._retrieve, "retrieve")
        )
        self.pipeline: Runnable[dict[str, Any], Answer] = (
            self.prepare
            | _assign("output", self._generate, "generate")
            | RunnableLambda(self.finish).with_config(run_name="verify")
        )

    # --- Runnable ----------------------------------------------------------------------------

    def invoke(
        self, input: dict[str, Any], config: RunnableConfig | None = None, **kwargs: Any
    ) -> Answer:
        with model_errors():
            return self.pipeline.invoke(input, config)

    def stream(
        self, input: dict[str, Any], config: RunnableConfig | None = None, **kwargs: Any
    ) -> Iterator[Answer]:
        """Answer snapshots, each with one more verified claim; the last is ``invoke``'s answer."""
        with model_errors():
            state = self.prepare.invoke(input, config)
            if not self._should_generate(state):
                yield self.finish({**state, "output": None})
                return
            texts = self._article_texts(state["passages"])
            scanner = ClaimScanner()
            reply: BaseMessage | None = None
            shown = 0
            claims: list[Claim] = []
            try:
                for chunk in self.structured.llm.stream(self._prompt(state), config):
                    reply = chunk if reply is None else reply + chunk  # type: ignore[operator]
                    scanner.feed(reply_json_text(reply))
                    if scanner.refused:
                        continue
                    complete = scanner.claims()
                    for claim in complete[shown:]:
                        claims.append(claim)
                        kept, _ = verify_claims([claim], state["passages"], texts)
                        if kept:
                            yield self._snapshot(state, claims, texts)
                    shown = len(complete)
                output = self.structured.read(reply)
            except Exception as exc:
                reason = _output_failure(exc)
                if reason is None:
                    raise
                output = {"raw": None, "parsed": None, "parsing_error": reason}
            yield self.finish({**state, "output": output})

    # --- steps -------------------------------------------------------------------------------

    def _condense(self, x: dict[str, Any], config: RunnableConfig) -> dict[str, Any]:
        """The standalone question for a follow-up, and the tokens the condensing used."""
        if not x["history"]:
            return {"question": x["question"], "usage": None}
        template = load_prompt(self.settings.prompts_dir, "condense.md")
        fixed = count_tokens(template, self.token_model) + count_tokens(
            x["question"], self.token_model
        )
        budget = min(
            HISTORY_TOKENS, self.window - fixed - CONDENSE_RESERVE_TOKENS - _margin(self.window)
        )
        history = trim_history(x["history"], budget, self.token_model)
        chain = condense_prompt(self.settings.prompts_dir) | self.model
        message = chain.invoke(
            {"history": format_history(history), "question": x["question"]}, config
        )
        text = message.text.strip().strip('"').strip()
        return {"question": text or x["question"], "usage": _usage(message)}

    def _guard(self, x: dict[str, Any]) -> str | None:
        return find_injection(x["question"]) or find_injection(x["condensed"]["question"])

    def _retrieve(self, x: dict[str, Any]) -> list[Passage]:
        if x["injection"]:
            return []
        query = x["condensed"]["question"]
        k = x.get("top_k") or self.settings.top_k
        hits = rerank(self.retriever.index, query, self.retriever.search(query, k), k)
        budget = self.passage_budget(query)
        kept = fit_passages([h.passage for h in hits], budget, self.token_model)
        if hits and not kept:
            raise ModelError(
                f"the model's context of {self.window} tokens leaves no room for the article "
                "passages after the instructions and the question; set "
                "ASSISTANT_MODEL_CONTEXT_TOKENS if the server allows more"
            )
        return kept

    def passage_budget(self, question: str) -> int:
        """Tokens the numbered passages may take so that the whole prompt fits the model."""
        fixed = self._prompt_tokens({"passages": "", "question": question})
        reserve = min(ANSWER_RESERVE_TOKENS, self.window // 4)
        room = self.window - fixed - reserve - _margin(self.window)
        return max(0, min(self.settings.context_token_budget, room))

    def _prompt_tokens(self, values: dict[str, str]) -> int:
        messages = answer_prompt(self.settings.prompts_dir).format_messages(**values)
        return REPLY_PRIMING_TOKENS + sum(
            MESSAGE_OVERHEAD_TOKENS + count_tokens(m.text, self.token_model) for m in messages
        )

    def _prompt(self, x: dict[str, Any]) -> PromptValue:
        return answer_prompt(self.settings.prompts_dir).invoke(
            {"passages": format_passages(x["passages"]), "question": x["condensed"]["question"]}
        )

    @staticmethod
    def _should_generate(x: dict[str, Any]) -> bool:
        return not x["injection"] and bool(x["passages"])

    def _generate(self, x: dict[str, Any], config: RunnableConfig) -> dict[str, Any] | None:
        if not self._should_generate(x):
            return None
        try:
            reply = self.structured.llm.invoke(self._prompt(x), config)
        except Exception as exc:
            reason = _output_failure(exc)
            if reason is None:
                raise
            return {"raw": None, "parsed": None, "parsing_error": reason}
        return self.structured.read(reply)

    def _article_texts(self, passages: Sequence[Passage]) -> dict[str, str]:
        texts = {p.version: self.article_text(p.version) or "" for p in passages}
        return {k: v for k, v in texts.items() if v}

    def _snapshot(
        self, x: dict[str, Any], claims: Sequence[Claim], texts: dict[str, str]
    ) -> Answer:
        answer = compose_answer(
            x["question"],
            ModelAnswer(refused=False, claims=list(claims)),
            x["passages"],
            texts,
            refusal_template=load_prompt(self.settings.prompts_dir, "refusal.md"),
            model=self.model_name,
            standalone=self._standalone(x),
        )
        return self._with_passages(answer, x["passages"])

    @staticmethod
    def _standalone(x: dict[str, Any]) -> str | None:
        standalone = x["condensed"]["question"]
        return standalone if standalone != x["question"] else None

    @staticmethod
    def _with_passages(answer: Answer, passages: Sequence[Passage]) -> Answer:
        answer.passages = [
            PassageRef(number=i, article_id=p.article_id, title=p.title, start=p.start, end=p.end)
            for i, p in enumerate(passages, 1)
        ]
        return answer

    def finish(self, x: dict[str, Any]) -> Answer:
        """The verified answer (or a refusal with a note) from the model's reply."""
        return self._with_passages(self._finish(x), x["passages"])

    def _finish(self, x: dict[str, Any]) -> Answer:
        template = load_prompt(self.settings.prompts_dir, "refusal.md")
        passages: list[Passage] = x["passages"]
        standalone = self._standalone(x)
        condense_usage = x["condensed"]["usage"]
        refuse = functools.partial(
            refusal, x["question"], template=template, model=self.model_name, standalone=standalone
        )
        if x["injection"]:
            answer = refuse(
                [], usage=condense_usage, note=INJECTION_NOTE.format(phrase=x["injection"])
            )
            answer.answer = INJECTION_REFUSAL
            return answer
        result = x["output"]
        if result is None:
            return refuse(passages, usage=condense_usage)
        usage = _add(condense_usage, _usage(result.get("raw")))
        parsed = result.get("parsed")
        if parsed is None:
            reason = _short(result.get("parsing_error"))
            return refuse(passages, usage=usage, note=MALFORMED_NOTE.format(reason=reason))
        return compose_answer(
            x["question"],
            parsed,
            passages,
            self._article_texts(passages),
            refusal_template=template,
            model=self.model_name,
            standalone=standalone,
            usage=usage,
        )


# --- helpers -------------------------------------------------------------------------------------


def _assign(
    key: str, step: Callable[..., Any], name: str
) -> Runnable[dict[str, Any], dict[str, Any]]:
    """``RunnablePassthrough.assign(key=step)`` without its thread pool.

    ``assign`` runs a ``RunnableParallel``, which hands each call to a worker thread; for one key
    that hand-off cost more than the whole offline answer. The step still runs as a child run
    with the caller's config, so traces and callbacks see it as before.
    """
    runnable: Runnable[dict[str, Any], Any] = RunnableLambda(step).with_config(run_name=name)

    def run(x: dict[str, Any], config: RunnableConfig) -> dict[str, Any]:
        return {**x, key: runnable.invoke(x, config)}

    return RunnableLambda(run).with_config(run_name=f"assign:{name}")


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


def trim_history(
    history: Sequence[tuple[str, str]], budget: int, model: str | None = None
) -> list[tuple[str, str]]:
    """The newest turns that fit ``budget`` tokens, each cut to ``TURN_TOKENS``."""
    encoding = encoding_for(model)
    kept: list[tuple[str, str]] = []
    used = 0
    for role, text in reversed(history):
        ids = encoding.encode(text, disallowed_special=())
        if len(ids) > TURN_TOKENS:
            text = encoding.decode(ids[:TURN_TOKENS]).rstrip() + " …"
        cost = min(len(ids), TURN_TOKENS) + MESSAGE_OVERHEAD_TOKENS
        if used + cost > budget:
            break
        kept.append((role, text))
        used += cost
    return kept[::-1]


def _margin(window: int) -> int:
    """Slack for tokenizers that count differently from ours (local models, o200k fallback)."""
    return min(window // 20, 2_048)


def _usage(raw: Any) -> Usage:
    meta = getattr(raw, "usage_metadata", None) or {}
    return Usage(
        prompt_tokens=int(meta.get("input_tokens", 0)),
        completion_tokens=int(meta.get("output_tokens", 0)),
        total_tokens=int(meta.get("total_tokens", 0)),
    )


def _add(a: Usage | None, b: Usage) -> Usage:
    if a is None:
        return b
    return Usage(
        prompt_tokens=a.prompt_tokens + b.prompt_tokens,
        completion_tokens=a.completion_tokens + b.completion_tokens,
        total_tokens=a.total_tokens + b.total_tokens,
    )


def _short(error: Any, limit: int = 160) -> str:
    text = str(error).splitlines()[0] if error else "no content"
    return text[:limit]
