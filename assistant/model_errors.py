"""Turning exceptions from model clients into one actionable line (``ModelError``)."""

from __future__ import annotations

from assistant.errors import ModelError


def explain(exc: BaseException) -> ModelError | None:
    """A ModelError for failures of the OpenAI client or the network; None for anything else."""
    name = type(exc).__name__
    module = type(exc).__module__
    if not (
        module.startswith("openai") or module.startswith("httpx") or module.startswith("httpcore")
    ):
        return None
    messages = {
        "AuthenticationError": "the model server rejected the API key (401); check OPENAI_API_KEY",
        "PermissionDeniedError": "the API key may not use this model (403)",
        "NotFoundError": "the model or endpoint was not found (404); check --model and OPENAI_BASE_URL",
        "RateLimitError": "the model server is rate limiting requests (429) and retries ran out; wait and try again",
        "APITimeoutError": "the model server did not answer in time; raise ASSISTANT_REQUEST_TIMEOUT_S or try again",
        "APIConnectionError": "cannot reach the model server; check OPENAI_BASE_URL and that the server is running",
        "InternalServerError": "the model server failed (5xx) and retries ran out; try again later",
        "BadRequestError": "the model server refused the request (400)",
    }
    detail = messages.get(name, f"the model call failed ({name})")
    return ModelError(detail)
