"""Turning exceptions from model clients into one actionable line (``ModelError``).

The failures come in several wrappings: the ``openai`` client's own classes, LangChain's
subclasses of them (``langchain_openai``'s ``OpenAIRateLimitError`` and friends), bare ``httpx``
errors, or any of these as the ``__cause__`` of something else. ``explain`` looks through the
whole chain and matches by class (never by module name), so every wrapping reads the same.
"""

from __future__ import annotations

import json
import sys
from typing import Any
from urllib.parse import urlsplit

from assistant.errors import ModelError

MAX_DETAIL = 160


def explain(exc: BaseException) -> ModelError | None:
    """A ModelError for failures of the model client or the network; None for anything else."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        found = _explain_one(current)
        if found is not None:
            return found
        current = current.__cause__ or current.__context__
    return None


def _explain_one(exc: BaseException) -> ModelError | None:
    if isinstance(exc, ModelError):
        return exc
    openai = sys.modules.get("openai")
    if openai is not None and isinstance(exc, openai.OpenAIError):
        return ModelError(_one_line(_openai_message(exc, openai)))
    httpx = sys.modules.get("httpx")
    if httpx is not None and isinstance(exc, httpx.HTTPError):
        return ModelError(_one_line(_httpx_message(exc, httpx)))
    core = sys.modules.get("langchain_core.exceptions")
    if core is not None and isinstance(exc, getattr(core, "ContextOverflowError", ())):
        return ModelError(_one_line(CONTEXT_OVERFLOW))
    return None


CONTEXT_OVERFLOW = (
    "the prompt is longer than the model's context; set ASSISTANT_MODEL_CONTEXT_TOKENS to the "
    "context size the server runs with"
)


def _openai_message(exc: BaseException, openai: Any) -> str:
    where = _server(exc)
    detail = " ".join(_server_detail(exc).split())
    if len(detail) > MAX_DETAIL:
        detail = detail[: MAX_DETAIL - 1] + "…"
    if isinstance(exc, openai.APITimeoutError):  # before APIConnectionError, its base class
        return (
            f"the model server{where} did not answer in time (after retries); raise "
            "ASSISTANT_REQUEST_TIMEOUT_S or try again"
        )
    if isinstance(exc, openai.APIConnectionError):
        return (
            f"cannot reach the model server{where}; check OPENAI_BASE_URL and that the server "
            "is running"
        )
    if isinstance(exc, openai.AuthenticationError):
        return f"the model server{where} rejected the API key (401); check OPENAI_API_KEY"
    if isinstance(exc, openai.PermissionDeniedError):
        return f"the API key may not use this model (403){_colon(detail)}"
    if isinstance(exc, openai.NotFoundError):
        return (
            f"the model server{where} has no such model or endpoint (404){_colon(detail)}; check "
            "--model / ASSISTANT_MODEL and OPENAI_BASE_URL (it usually ends in /v1)"
        )
    if isinstance(exc, openai.RateLimitError):
        if "insufficient_quota" in f"{_code(exc)} {detail}":
            return "the API account has no quota left (429 insufficient_quota); check its billing"
        return (
            "the model server is rate limiting requests (429) and the retries ran out; wait and "
            "try again, or raise ASSISTANT_MAX_RETRIES"
        )
    if isinstance(exc, openai.InternalServerError):
        status = getattr(exc, "status_code", "5xx")
        return f"the model server failed ({status}) and the retries ran out; try again later"
    if isinstance(exc, openai.BadRequestError):
        text = f"{_code(exc)} {detail}".lower()
        if "context" in text and ("length" in text or "window" in text or "exceed" in text):
            return CONTEXT_OVERFLOW
        if "response_format" in text or "json_schema" in text:
            return (
                "the model server does not support json_schema structured output (400); set "
                "ASSISTANT_STRUCTURED_OUTPUT_METHOD=function_calling"
            )
        return f"the model server refused the request (400){_colon(detail)}"
    if isinstance(exc, openai.APIStatusError):
        status = getattr(exc, "status_code", "?")
        return f"the model server answered with an error ({status}){_colon(detail)}"
    name = type(exc).__name__
    message = str(exc) or name
    if "api_key" in message:
        return "the model client has no API key; set OPENAI_API_KEY"
    return f"the model call failed ({name}): {message}"


def _httpx_message(exc: BaseException, httpx: Any) -> str:
    where = _server(exc)
    if isinstance(exc, httpx.TimeoutException):
        return (
            f"the model server{where} did not answer in time; raise ASSISTANT_REQUEST_TIMEOUT_S "
            "or try again"
        )
    if isinstance(exc, httpx.TransportError):
        return (
            f"cannot reach the model server{where}; check OPENAI_BASE_URL and that the server "
            "is running"
        )
    return f"the model call failed ({type(exc).__name__}): {exc}"


def _server(exc: BaseException) -> str:
    """' at http://host:port' from the failed request, when the exception carries it."""
    try:
        request = exc.request  # type: ignore[attr-defined]
        url = urlsplit(str(request.url))
    except Exception:
        return ""
    return f" at {url.scheme}://{url.netloc}" if url.netloc else ""


def _server_detail(exc: BaseException) -> str:
    """The server's own error message, e.g. "The model `x` does not exist"."""
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        message = inner.get("message") if isinstance(inner, dict) else inner
        if message:
            return str(message)
    message = getattr(exc, "message", "")
    if isinstance(message, str) and message.startswith("Error code:"):
        try:  # "Error code: 404 - {...}"
            payload = json.loads(message.split(" - ", 1)[1].replace("'", '"'))
            return str(payload.get("error", {}).get("message", ""))
        except Exception:
            return ""
    return message if isinstance(message, str) else ""


def _code(exc: BaseException) -> str:
    code = getattr(exc, "code", None)
    return str(code) if code else ""


def _colon(detail: str) -> str:
    return f": {detail}" if detail else ""


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= 400 else line[:399] + "…"
