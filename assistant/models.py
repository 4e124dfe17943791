"""Choosing the chat and embedding models: the offline ones by default, OpenAI's when asked.

Heavy clients (``langchain_openai``, ``openai``) are imported only on the OpenAI path, so the
offline CLI starts fast.
"""

from __future__ import annotations

from typing import Any

from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel

from assistant.errors import InputError
from assistant.settings import LOCAL_EMBEDDINGS, OFFLINE_MODEL, Settings


def make_chat_model(settings: Settings, name: str | None = None) -> BaseChatModel:
    name = name or settings.resolved_model()
    if name == OFFLINE_MODEL:
        from assistant.offline_model import OfflineChatModel

        return OfflineChatModel()
    if settings.openai_api_key is None:
        raise InputError(
            f"model {name!r} needs an API key: set OPENAI_API_KEY (and OPENAI_BASE_URL for a "
            "local OpenAI-compatible server), or use --model offline"
        )
    from langchain_openai import ChatOpenAI

    kwargs: dict[str, Any] = {
        "model": name,
        "api_key": settings.openai_api_key,
        "temperature": settings.temperature,
        "timeout": settings.request_timeout_s,
        "max_retries": settings.max_retries,
        "stream_usage": True,
    }
    if settings.openai_base_url:
        kwargs["base_url"] = settings.openai_base_url
    return ChatOpenAI(**kwargs)


def structured_output_kwargs(settings: Settings, model: BaseChatModel) -> dict[str, Any]:
    """``with_structured_output`` options: OpenAI models take a method; others use tool calls."""
    if type(model).__name__ == "ChatOpenAI":
        kwargs: dict[str, Any] = {"method": settings.structured_output_method}
        if settings.structured_output_method == "json_schema":
            kwargs["strict"] = False
        return kwargs
    return {}


def make_embeddings(settings: Settings) -> tuple[Embeddings, str]:
    """The embedding model and the id that names its Chroma collections."""
    if settings.embedding_model == LOCAL_EMBEDDINGS:
        from assistant.embeddings import LocalMiniLMEmbeddings

        embeddings = LocalMiniLMEmbeddings()
        return embeddings, embeddings.model_id
    if settings.openai_api_key is None:
        raise InputError(
            f"embedding model {settings.embedding_model!r} needs OPENAI_API_KEY; "
            f"or set ASSISTANT_EMBEDDING_MODEL={LOCAL_EMBEDDINGS}"
        )
    from langchain_openai import OpenAIEmbeddings

    kwargs: dict[str, Any] = {
        "model": settings.embedding_model,
        "api_key": settings.openai_api_key,
        "timeout": settings.request_timeout_s,
        "max_retries": settings.max_retries,
        "check_embedding_ctx_length": False,
    }
    if settings.openai_base_url:
        kwargs["base_url"] = settings.openai_base_url
    return OpenAIEmbeddings(**kwargs), f"openai-{settings.embedding_model}"
