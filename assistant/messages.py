"""The one place any exception becomes the line a user reads, and its exit status.

``user_message`` is applied once per boundary (the CLI's error handler, the web UI's handlers,
the eval CLI). Our own errors carry their lines; exceptions from model clients are explained
here as one actionable ``ModelError`` line.

Failures arrive in several wrappings: LangChain's provider-neutral classes
(``langchain_core.exceptions.ModelRateLimitError`` and friends, which ``langchain_openai``'s
errors also inherit), the ``openai`` client's own classes, bare ``httpx`` errors, or any of these
as the ``__cause__`` of something else. ``explain`` looks through the whole chain and matches by
class, so every wrapping reads the same. Each message has a command-line form and a web-UI form
(the UI has a Settings panel, not environment variables and flags).
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import httpx
import openai
from langchain_core import exceptions as lc

from assistant.errors import AssistantError, Audience, InputError, ModelError

MAX_DETAIL = 160

CONTEXT_OVERFLOW = (
    "the prompt is longer than the model's context; set ASSISTANT_MODEL_CONTEXT_TOKENS to the "
    "context size the server runs with"
)
_CONTEXT_OVERFLOW_UI = (
    "the prompt is longer than the model's context; lower “Passages to retrieve” under "
    "Settings, or ask the operator to set the model's context size"
)


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
    if isinstance(exc, lc.ContextOverflowError):
        return ModelError(CONTEXT_OVERFLOW, ui_message=_CONTEXT_OVERFLOW_UI)
    if isinstance(exc, (openai.OpenAIError, lc.ModelError, httpx.HTTPError)):
        return _by_class(exc) or _by_status(exc)
    return None


def _error(cli: str, ui: str | None = None) -> ModelError:
    return ModelError(_one_line(cli), ui_message=_one_line(ui) if ui else None)


# Failures that read the same whichever client raised them: (classes, command-line line, web-UI
# line), in the order they are tried (a timeout before connection: openai's APITimeoutError
# subclasses APIConnectionError). ``{where}`` is " at http://host:port" when known, ``{detail}``
# ": the server's own message" when it gave one.
_UNREACHABLE = (
    "cannot reach the model server{where}; check OPENAI_BASE_URL and that the server is running",
    "cannot reach the model server{where}; choose “offline” under Settings, or try again once "
    "the server is running",
)
_BY_CLASS: tuple[tuple[tuple[type[BaseException], ...], str, str | None], ...] = (
    (
        (lc.ModelTimeoutError, openai.APITimeoutError),
        "the model server{where} did not answer in time (after retries); raise "
        "ASSISTANT_REQUEST_TIMEOUT_S or try again",
        "the model server{where} did not answer in time; try again, or choose another model "
        "under Settings",
    ),
    ((lc.ModelConnectionError, openai.APIConnectionError), *_UNREACHABLE),
    (
        (lc.ModelAuthenticationError, openai.AuthenticationError),
        "the model server{where} rejected the API key (401); check OPENAI_API_KEY",
        "the model server{where} rejected the API key (401); choose “offline” under Settings, "
        "or ask the operator to check the key",
    ),
    (
        (lc.ModelPermissionDeniedError, openai.PermissionDeniedError),
        "the API key may not use this model (403){detail}",
        "the API key may not use this model (403); choose another model under Settings",
    ),
    (
        (lc.ModelNotFoundError, openai.NotFoundError),
        "the model server{where} has no such model or endpoint (404){detail}; check --model / "
        "ASSISTANT_MODEL and OPENAI_BASE_URL (it usually ends in /v1)",
        "the model server{where} has no such model (404){detail}; choose another model under "
        "Settings",
    ),
    (
        (httpx.TimeoutException,),
        "the model server{where} did not answer in time; raise ASSISTANT_REQUEST_TIMEOUT_S or "
        "try again",
        "the model server{where} did not answer in time; try again",
    ),
    ((httpx.TransportError,), *_UNREACHABLE),
)


def _by_class(exc: BaseException) -> ModelError | None:
    values = {"where": _server(exc), "detail": _colon(_detail(exc))}
    for classes, cli, ui in _BY_CLASS:
        if isinstance(exc, classes):
            return _error(cli.format(**values), ui.format(**values) if ui else None)
    return None


def _by_status(exc: BaseException) -> ModelError:
    """Failures whose line depends on what the server said, and anything else from a client."""
    detail = _detail(exc)
    if isinstance(exc, (lc.ModelRateLimitError, openai.RateLimitError)):
        if "insufficient_quota" in f"{_code(exc)} {detail}":
            return _error(
                "the API account has no quota left (429 insufficient_quota); check its billing",
                "the API account has no quota left; choose “offline” under Settings",
            )
        return _error(
            "the model server is rate limiting requests (429) and the retries ran out; wait and "
            "try again, or raise ASSISTANT_MAX_RETRIES",
            "the model server is rate limiting requests (429); wait a moment and ask again",
        )
    if isinstance(exc, (lc.ModelAPIError, openai.InternalServerError)):
        status = getattr(exc, "status_code", "5xx")
        return _error(
            f"the model server failed ({status}) and the retries ran out; try again later"
        )
    if isinstance(exc, (lc.ModelInvalidRequestError, openai.BadRequestError)):
        text = f"{_code(exc)} {detail}".lower()
        if "context" in text and ("length" in text or "window" in text or "exceed" in text):
            return _error(CONTEXT_OVERFLOW, _CONTEXT_OVERFLOW_UI)
        if "response_format" in text or "json_schema" in text:
            return _error(
                "the model server does not support json_schema structured output (400); set "
                "ASSISTANT_STRUCTURED_OUTPUT_METHOD=function_calling",
                "the model server does not support structured output (400); choose another "
                "model under Settings",
            )
        return _error(f"the model server refused the request (400){_colon(detail)}")
    if isinstance(exc, lc.ModelRefusalError):
        return _error("the model declined to answer; rephrase the question or try another model")
    if isinstance(exc, openai.APIStatusError):
        status = getattr(exc, "status_code", "?")
        return _error(f"the model server answered with an error ({status}){_colon(detail)}")
    name = type(exc).__name__
    message = str(exc) or name
    if "api_key" in message:
        return _error(
            "the model client has no API key; set OPENAI_API_KEY",
            "this model needs an API key the server does not have; choose “offline” under Settings",
        )
    return _error(f"the model call failed ({name}): {message}")


def _detail(exc: BaseException) -> str:
    detail = " ".join(_server_detail(exc).split())
    return detail if len(detail) <= MAX_DETAIL else detail[: MAX_DETAIL - 1] + "…"


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


def known_error(exc: BaseException) -> AssistantError | None:
    """``exc`` as an AssistantError: ours as is, model-client and network failures explained.

    None for anything else (a bug), which each boundary reports in its own generic way.
    """
    if isinstance(exc, AssistantError):
        return exc
    if isinstance(exc, UnicodeError) and "surrogate" in str(exc):
        # A lone surrogate (from a browser or an API client) cannot be encoded anywhere.
        return InputError(
            "the text contains an invalid character (a lone UTF-16 surrogate); "
            "remove it or retype the text"
        )
    return explain(exc)


def user_message(
    exc: BaseException, *, audience: Audience = "cli", doing: str = "answering"
) -> str:
    """The one line a user reads for ``exc``; ``doing`` names the task for unexpected failures.

    Unexpected errors never show their text in the UI (it may hold internals): the server logs
    the traceback and the user reads what failed and that the details are in the log.
    """
    known = known_error(exc)
    if known is not None:
        return known.for_audience(audience)
    name = type(exc).__name__
    if audience == "ui":
        return (
            f"Something went wrong while {doing} ({name}). "
            "Please try again; the details are in the server log."
        )
    return f"unexpected {name} while {doing}: {exc} (rerun with --debug for details)"


def exit_code(exc: BaseException) -> int:
    """The exit status for ``exc``: 2 for bad input, 1 for everything else."""
    known = known_error(exc)
    return known.exit_code if known is not None else 1
