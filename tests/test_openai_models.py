"""Model plumbing for the OpenAI path: context windows, token budgets, error explanations."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import httpx
import pytest
from fake_openai import (  # noqa: F401 - fixtures
    API_KEY,
    FakeOpenAI,
    Reply,
    fake_server,
    openai_server,
)

from assistant.answer.chain import trim_history
from assistant.errors import ModelError
from assistant.factchecker import FactChecker
from assistant.messages import explain
from assistant.models import (
    ANSWER_RESERVE_TOKENS,
    DEFAULT_CONTEXT_TOKENS,
    context_window,
    counting_model,
)
from assistant.tokens import count_tokens

from conftest import make_settings

QUESTION = "How far did the missile fly?"


@pytest.mark.parametrize(
    ("name", "window"),
    [
        ("gpt-4o-mini", 128_000),
        ("gpt-4o-2024-08-06", 128_000),
        ("gpt-4.1-nano", 1_047_576),
        ("gpt-4-turbo", 128_000),
        ("gpt-4", 8_192),
        ("gpt-3.5-turbo", 16_385),
        ("o3-mini", 200_000),
        ("gpt-5-mini", 400_000),
        ("openai/gpt-4o", 128_000),
        ("ft:gpt-4o-mini:acme::abc123", 128_000),
        ("llama3.1:8b", DEFAULT_CONTEXT_TOKENS),
    ],
)
def test_context_window_knows_common_models(name: str, window: int) -> None:
    assert context_window(name) == window


def test_context_window_override_wins() -> None:
    assert context_window("gpt-4o-mini", 4096) == 4096


def test_counting_model_never_needs_a_download(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    assert counting_model("gpt-4o-mini") is None  # o200k is not cached: use bundled cl100k
    assert counting_model("gpt-4") == "gpt-4"  # cl100k: bundled
    assert counting_model("llama3.1:8b") is None

    url = "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken"
    (tmp_path / hashlib.sha1(url.encode()).hexdigest()).write_bytes(b"cached")
    assert counting_model("gpt-4o-mini") == "gpt-4o-mini"


def prompt_tokens(body: dict[str, Any]) -> int:
    """Tokens of every message the server received (system included), cl100k like gpt-4."""
    return sum(4 + count_tokens(str(m["content"]), "gpt-4") for m in body["messages"]) + 3


def openai_checker(store: Path, server: FakeOpenAI, **overrides: Any) -> FactChecker:
    extra = overrides.pop("model_context_tokens", None)
    settings = make_settings(
        store,
        openai_api_key=API_KEY,
        openai_base_url=server.base_url,
        max_retries=0,
        request_timeout_s=10,
        **overrides,
    )
    if extra is not None:  # ASSISTANT_MODEL_CONTEXT_TOKENS
        settings = settings.model_copy(update={"model_context_tokens": extra})
    return FactChecker(settings)


@pytest.mark.server
def test_prompt_never_exceeds_the_models_context(
    seeded_store: Path,
    openai_server: FakeOpenAI,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from assistant.store import rerank

    monkeypatch.setattr(rerank, "KEEP_WITHIN", 10.0)  # every passage relevant: only sizes limit
    fc = openai_checker(
        seeded_store, openai_server, model="gpt-4", context_token_budget=100_000, top_k=50
    )

    answer = fc.ask(QUESTION)

    (request,) = openai_server.answer_requests()
    assert prompt_tokens(request.body) + ANSWER_RESERVE_TOKENS <= 8_192
    assert len(answer.passages) > 20  # the window, not the small default budget, was the limit


@pytest.mark.server
def test_context_override_shrinks_the_prompt_to_fit(
    seeded_store: Path,
    openai_server: FakeOpenAI,  # noqa: F811
) -> None:
    fc = openai_checker(
        seeded_store, openai_server, model="gpt-4", model_context_tokens=2_048, top_k=50
    )

    answer = fc.ask(QUESTION)

    (request,) = openai_server.answer_requests()
    assert prompt_tokens(request.body) + min(ANSWER_RESERVE_TOKENS, 2_048 // 4) <= 2_048
    assert 0 < len(answer.passages) < 10


@pytest.mark.server
def test_context_too_small_for_any_passage_is_a_model_error(
    seeded_store: Path,
    openai_server: FakeOpenAI,  # noqa: F811
) -> None:
    fc = openai_checker(seeded_store, openai_server, model="gpt-4", model_context_tokens=600)

    with pytest.raises(ModelError, match="context of 600 tokens leaves no room"):
        fc.ask(QUESTION)

    assert openai_server.answer_requests() == []  # nothing oversized was sent


def test_trim_history_keeps_the_newest_turns_that_fit() -> None:
    history = [("user", f"question number {i} " + "word " * 50) for i in range(20)]

    kept = trim_history(history, budget=200)

    assert kept == history[-len(kept) :]
    assert 1 <= len(kept) < 20
    assert sum(count_tokens(text) + 4 for _, text in kept) <= 200


def test_trim_history_cuts_a_very_long_turn() -> None:
    long_turn = ("assistant", "alpha " * 2_000)

    ((role, text),) = trim_history([long_turn], budget=1_000)

    assert role == "assistant" and text.endswith("…")
    assert count_tokens(text) <= 410


# --- explaining client failures, however they are wrapped ------------------------------------


@pytest.mark.server
def test_explain_reads_errors_wrapped_by_langchain(
    openai_server: FakeOpenAI,  # noqa: F811
) -> None:
    from langchain_openai import ChatOpenAI

    openai_server.default = Reply(status=429)
    model = ChatOpenAI(
        model="gpt-4o-mini", api_key=API_KEY, base_url=openai_server.base_url, max_retries=0
    )
    with pytest.raises(Exception) as caught:
        model.invoke("hello")

    assert type(caught.value).__module__.startswith("langchain_openai")  # LangChain's subclass
    explained = explain(caught.value)
    assert explained is not None and "rate limiting requests (429)" in str(explained)


def test_explain_follows_the_cause_chain() -> None:
    request = httpx.Request("POST", "http://127.0.0.1:9/v1/chat/completions")
    try:
        try:
            raise httpx.ConnectError("refused", request=request)
        except httpx.ConnectError as inner:
            raise RuntimeError("the chain failed") from inner
    except RuntimeError as outer:
        explained = explain(outer)

    assert explained is not None
    assert str(explained).startswith("cannot reach the model server at http://127.0.0.1:9")


def test_explain_leaves_unrelated_errors_alone() -> None:
    assert explain(ValueError("not a model problem")) is None
    assert explain(KeyError("x")) is None
