"""user_message: the one place an exception becomes the line a user reads, per audience."""

from __future__ import annotations

import httpx
import openai
import pytest
from langchain_core.exceptions import ContextOverflowError, ModelRateLimitError

from assistant.errors import InputError, ModelError
from assistant.messages import exit_code, user_message

REQUEST = httpx.Request("POST", "http://127.0.0.1:9/v1/chat/completions")


def test_our_errors_read_as_written_with_their_exit_status() -> None:
    exc = InputError("the question is empty: ask something about the articles")
    assert user_message(exc) == "the question is empty: ask something about the articles"
    assert exit_code(exc) == 2 and exit_code(ModelError("x")) == 1


def test_the_web_ui_gets_its_own_advice_when_an_error_has_some() -> None:
    exc = InputError("too long (set ASSISTANT_MAX_QUESTION_TOKENS)", ui_message="too long")
    assert user_message(exc, audience="cli").endswith("ASSISTANT_MAX_QUESTION_TOKENS)")
    assert user_message(exc, audience="ui") == "too long"


@pytest.mark.parametrize(
    ("exc", "cli", "ui"),
    [
        (openai.APIConnectionError(request=REQUEST), "check OPENAI_BASE_URL", "under Settings"),
        (openai.APITimeoutError(request=REQUEST), "ASSISTANT_REQUEST_TIMEOUT_S", "try again"),
        (ModelRateLimitError("slow down"), "ASSISTANT_MAX_RETRIES", "wait a moment"),
        (ContextOverflowError("too long"), "ASSISTANT_MODEL_CONTEXT_TOKENS", "under Settings"),
        (httpx.ConnectError("refused", request=REQUEST), "OPENAI_BASE_URL", "under Settings"),
    ],
    ids=["connection", "timeout", "langchain-rate-limit", "context-overflow", "bare-httpx"],
)
def test_model_client_failures_are_explained_for_each_audience(
    exc: Exception, cli: str, ui: str
) -> None:
    assert cli in user_message(exc, audience="cli")
    assert ui in user_message(exc, audience="ui")
    assert "ASSISTANT_" not in user_message(exc, audience="ui")
    assert exit_code(exc) == 1


def test_a_wrapped_failure_is_found_through_its_cause() -> None:
    try:
        try:
            raise openai.APIConnectionError(request=REQUEST)
        except openai.APIConnectionError as inner:
            raise RuntimeError("the chain failed") from inner
    except RuntimeError as outer:
        assert user_message(outer).startswith("cannot reach the model server at http://127.0.0.1:9")


def test_a_bug_names_the_task_and_keeps_its_details_out_of_the_ui() -> None:
    exc = KeyError("secret internal detail")
    ui = user_message(exc, audience="ui", doing="adding the article")
    assert ui.startswith("Something went wrong while adding the article (KeyError)")
    assert "secret" not in ui
    assert "unexpected KeyError while answering" in user_message(exc)
    assert exit_code(exc) == 1
