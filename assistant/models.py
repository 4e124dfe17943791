"""Choosing the chat and embedding models: the offline ones by default, OpenAI's when asked.

Any OpenAI-compatible server (vLLM, Ollama, llama.cpp's server) is reached the same way as
OpenAI itself: ``OPENAI_BASE_URL`` points the client at it. Heavy clients (``langchain_openai``,
``openai``) are imported only on that path, so the offline CLI starts fast.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from typing import Any

from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel

from assistant.errors import ModelError
from assistant.settings import LOCAL_EMBEDDINGS, OFFLINE_MODEL, Settings

# Local servers mostly ignore the key, but the OpenAI client refuses to start without one.
PLACEHOLDER_KEY = "not-needed"

# Context windows (prompt + reply, in tokens) of common models, matched by longest name prefix.
# A model that is not listed gets DEFAULT_CONTEXT_TOKENS: small enough for most local servers'
# defaults; ASSISTANT_MODEL_CONTEXT_TOKENS overrides it for the server actually in use.
CONTEXT_TOKENS: dict[str, int] = {
    "gpt-5": 400_000,
    "gpt-4.1": 1_047_576,
    "gpt-4.5": 128_000,
    "gpt-4o": 128_000,
    "chatgpt-4o": 128_000,
    "gpt-4-turbo": 128_000,
    "gpt-4-1106": 128_000,
    "gpt-4-0125": 128_000,
    "gpt-4-32k": 32_768,
    "gpt-4": 8_192,
    "gpt-3.5-turbo": 16_385,
    "o1-mini": 128_000,
    "o1": 200_000,
    "o3": 200_000,
    "o4-mini": 200_000,
    OFFLINE_MODEL: 1_000_000,  # reads any prompt; its budget is context_token_budget alone
}
DEFAULT_CONTEXT_TOKENS = 8_192

# OpenAI's o-series reject any temperature but their own (LangChain handles gpt-5 itself).
FIXED_TEMPERATURE_PREFIXES = ("o1", "o3", "o4")

# Room kept free for the model's reply: four claims with quotes take about 500 tokens.
ANSWER_RESERVE_TOKENS = 1_024


def context_window(name: str, override: int | None = None) -> int:
    """Tokens the model can take (prompt and reply together); ``override`` wins when set."""
    if override:
        return int(override)
    # "openai/gpt-4o-mini" (OpenRouter-style) and "ft:gpt-4o-mini:org::id" name the same base.
    base = name.lower().removeprefix("ft:").rsplit("/", 1)[-1]
    for prefix in sorted(CONTEXT_TOKENS, key=len, reverse=True):
        if base.startswith(prefix):
            return CONTEXT_TOKENS[prefix]
    return DEFAULT_CONTEXT_TOKENS


def counting_model(name: str) -> str | None:
    """``name`` when tiktoken can count its tokens without a download; else None (bundled cl100k).

    ``tiktoken.get_encoding("o200k_base")`` (gpt-4o, gpt-4.1, o-series, gpt-5) fetches its BPE
    file from the internet unless it is already in tiktoken's cache, and nothing may download at
    run time. Passing None makes ``assistant.tokens`` use the bundled cl100k file instead, which
    counts English within a few percent of o200k (the context margin covers the difference).
    """
    import tiktoken

    try:
        encoding = tiktoken.encoding_name_for_model(name)
    except KeyError:
        return None
    if encoding == "cl100k_base":
        return name  # assistant.tokens maps it to the bundled copy
    url = f"https://openaipublic.blob.core.windows.net/encodings/{encoding}.tiktoken"
    cache = os.environ.get("TIKTOKEN_CACHE_DIR") or os.environ.get("DATA_GYM_CACHE_DIR")
    cache = cache or os.path.join(tempfile.gettempdir(), "data-gym-cache")
    cached = os.path.join(cache, hashlib.sha1(url.encode()).hexdigest())
    return name if os.path.exists(cached) else None


def _api_key(settings: Settings, what: str, instead: str) -> str:
    if settings.openai_api_key is not None:
        return settings.openai_api_key.get_secret_value()
    if settings.openai_base_url:
        return PLACEHOLDER_KEY  # a local server; if it does want a key, its 401 says so
    raise ModelError(
        f"{what} needs an API key: set OPENAI_API_KEY (or OPENAI_BASE_URL for a local "
        f"OpenAI-compatible server), or {instead}",
        ui_message=f"{what} needs an API key, which this server does not have; choose "
        f"“{OFFLINE_MODEL}” under Settings",
    )


def make_chat_model(settings: Settings, name: str | None = None) -> BaseChatModel:
    name = name or settings.resolved_model()
    if name == OFFLINE_MODEL:
        from assistant.offline.model import OfflineChatModel

        return OfflineChatModel()
    api_key = _api_key(settings, f"model {name!r}", f"use --model {OFFLINE_MODEL}")
    from langchain_openai import ChatOpenAI

    kwargs: dict[str, Any] = {
        "model": name,
        "api_key": api_key,
        "timeout": settings.request_timeout_s,
        "max_retries": settings.max_retries,
        "stream_usage": True,  # token usage arrives in the stream's last chunk
    }
    if not name.lower().startswith(FIXED_TEMPERATURE_PREFIXES):
        kwargs["temperature"] = settings.temperature
    if settings.openai_base_url:
        kwargs["base_url"] = settings.openai_base_url
    return ChatOpenAI(**kwargs)


def is_openai_model(model: BaseChatModel) -> bool:
    """Whether ``model`` talks the OpenAI chat completions protocol (ChatOpenAI, Azure, ...)."""
    if "langchain_openai" not in sys.modules:
        return False
    from langchain_openai.chat_models.base import BaseChatOpenAI

    return isinstance(model, BaseChatOpenAI)


def structured_output_kwargs(settings: Settings, model: BaseChatModel) -> dict[str, Any]:
    """How the chain asks ``model`` for a ``ModelAnswer``.

    OpenAI-protocol models use the configured method: ``json_schema`` (a strict response format)
    or ``function_calling`` (a forced tool call, for servers without json_schema support). Other
    chat models, the offline one included, answer through a tool call.
    """
    if is_openai_model(model):
        return {"method": settings.structured_output_method}
    return {"method": "tool_calling"}


def make_embeddings(settings: Settings) -> tuple[Embeddings, str]:
    """The embedding model and the id that names its Chroma collections."""
    if settings.embedding_model == LOCAL_EMBEDDINGS:
        from assistant.store.embeddings import local_embeddings

        embeddings = local_embeddings()
        return embeddings, embeddings.model_id  # type: ignore[attr-defined]
    api_key = _api_key(
        settings,
        f"embedding model {settings.embedding_model!r}",
        f"set ASSISTANT_EMBEDDING_MODEL={LOCAL_EMBEDDINGS}",
    )
    from langchain_openai import OpenAIEmbeddings

    kwargs: dict[str, Any] = {
        "model": settings.embedding_model,
        "api_key": api_key,
        "timeout": settings.request_timeout_s,
        "max_retries": settings.max_retries,
        # The client's own token check needs tiktoken's cl100k file, which it would download;
        # passages are a few hundred tokens, far below every embedding model's limit.
        "check_embedding_ctx_length": False,
    }
    if settings.openai_base_url:
        kwargs["base_url"] = settings.openai_base_url
    return OpenAIEmbeddings(**kwargs), f"openai-{settings.embedding_model}"
