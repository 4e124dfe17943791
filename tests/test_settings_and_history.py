"""Settings pick the model; history arrives in several shapes and normalises to one."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage, HumanMessage

from assistant.answer.history import normalize_history
from assistant.errors import InputError
from assistant.settings import Settings


def test_offline_model_is_the_default_without_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    assert Settings(_env_file=None).resolved_model() == "offline"  # type: ignore[call-arg]


def test_an_api_key_switches_the_default_to_openai(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    assert Settings(_env_file=None).resolved_model() == "gpt-4o-mini"  # type: ignore[call-arg]


def test_an_explicit_offline_choice_wins_over_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("ASSISTANT_MODEL", "offline")
    assert Settings(_env_file=None).resolved_model() == "offline"  # type: ignore[call-arg]


def test_history_shapes_normalise_to_role_text_pairs() -> None:
    expected = [("user", "Q?"), ("assistant", "A.")]
    assert normalize_history([("user", "Q?"), ("assistant", "A.")]) == expected
    assert (
        normalize_history(
            [{"role": "user", "content": "Q?"}, {"role": "assistant", "content": "A."}]
        )
        == expected
    )
    gradio = [
        {"role": "user", "content": [{"type": "text", "text": "Q?"}]},
        {"role": "assistant", "content": [{"type": "text", "text": "A."}]},
    ]
    assert normalize_history(gradio) == expected
    assert normalize_history([HumanMessage("Q?"), AIMessage("A.")]) == expected


def test_malformed_history_is_an_input_error() -> None:
    with pytest.raises(InputError, match="history must be"):
        normalize_history([42])
