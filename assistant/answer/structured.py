"""Asking a chat model for a ``ModelAnswer`` and reading its reply, whole or while it streams.

This is ``with_structured_output(ModelAnswer, include_raw=True)`` spelled out, for two reasons.
With a pydantic schema and ``json_schema``, the OpenAI client validates the reply itself and
raises on malformed JSON before LangChain's include_raw fallback sees it, so the chain would
crash instead of refusing with a note. And streaming needs the raw message chunks, whose partial
JSON (read with ``langchain_core``'s ``parse_partial_json``) tells which claims are complete.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessageChunk, BaseMessage
from langchain_core.messages.ai import UsageMetadata, add_usage
from langchain_core.runnables import Runnable
from langchain_core.utils.function_calling import convert_to_openai_tool
from langchain_core.utils.json import parse_partial_json
from pydantic import ValidationError

from assistant.errors import ModelError
from assistant.schema import Claim, ModelAnswer, Usage

ANSWER_TOOL = ModelAnswer.__name__


@dataclass(frozen=True)
class Reply:
    """What the model returned: the message, the parsed answer, or why it could not be read."""

    raw: BaseMessage | None
    parsed: ModelAnswer | None
    error: str | None = None


class StructuredAnswer:
    """The model bound to answer with a ``ModelAnswer``, the same way for invoke and stream.

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

    @staticmethod
    def read(message: BaseMessage | None) -> Reply:
        if message is None:
            return Reply(None, None, "the reply was empty")
        try:
            return Reply(message, parse_reply(message))
        except ValueError as exc:
            return Reply(message, None, str(exc))


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


def complete_claims(text: str) -> tuple[list[Claim], bool]:
    """The claims already complete in a reply still being written, and whether it refuses.

    A claim is complete once its object has closed: the model has moved on to the next claim,
    to another key, or the text so far ends with its closing brace. Stops at the first that is
    not a valid ``Claim``.
    """
    body = _FENCE.sub("", text.strip())
    data = parse_partial_json(body) if body else None
    if not isinstance(data, dict):
        return [], False
    if data.get("refused") is True:
        return [], True
    raw = data.get("claims")
    if not isinstance(raw, list):
        return [], False
    closed = list(data)[-1] != "claims" or _closes(body)
    out: list[Claim] = []
    for item in raw if closed else raw[:-1]:
        try:
            out.append(Claim.model_validate(item))
        except ValidationError:
            break
    return out, False


def _closes(body: str) -> bool:
    """Whether the partial text ends right after a claim object (or the claims array)."""
    stem = body.rstrip().rstrip(",")
    for suffix in ("", "]}", "}"):
        try:
            json.loads(stem + suffix, strict=False)
            return True
        except json.JSONDecodeError:
            continue
    return False


_FENCE = re.compile(r"^```[a-zA-Z]*\s*|\s*```$")


def _loads(text: str) -> Any:
    text = _FENCE.sub("", text.strip())  # some local models wrap JSON in a code fence
    if not text:
        raise ValueError("the reply was empty")
    try:
        return json.loads(text, strict=False)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON: {exc.msg} at character {exc.pos}") from None


def output_failure(exc: BaseException) -> str | None:
    """Why a model call that raised still counts as a (bad) reply rather than an outage."""
    import sys

    openai = sys.modules.get("openai")
    if openai is not None:
        if isinstance(exc, openai.LengthFinishReasonError):
            return "the reply was cut off at the model's output limit"
        if isinstance(exc, openai.ContentFilterFinishReasonError):
            return "the server's content filter stopped the reply"
    if isinstance(exc, (ValidationError, json.JSONDecodeError)):
        return short(exc)
    return None


def short(error: Any, limit: int = 160) -> str:
    text = str(error).splitlines()[0] if error else "no content"
    return text[:limit]


def usage_of(raw: Any) -> UsageMetadata | None:
    return getattr(raw, "usage_metadata", None) or None


def add_usage_of(a: UsageMetadata | None, b: UsageMetadata | None) -> UsageMetadata | None:
    if a is None or b is None:
        return a or b
    return add_usage(a, b)


def to_usage(meta: UsageMetadata | None) -> Usage:
    meta = meta or {}  # type: ignore[typeddict-item]
    return Usage(
        prompt_tokens=int(meta.get("input_tokens", 0)),
        completion_tokens=int(meta.get("output_tokens", 0)),
        total_tokens=int(meta.get("total_tokens", 0)),
    )
