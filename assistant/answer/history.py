"""Chat history in whatever shape callers have it, as (role, text) pairs.

Accepts ``[(role, text)]``, ``[{"role", "content"}]`` (OpenAI and Gradio messages; Gradio 6 sends
``content`` as a list of parts), and LangChain messages.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from assistant.errors import InputError

_ROLE_NAMES = {"human": "user", "user": "user", "ai": "assistant", "assistant": "assistant"}


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text") or content.get("value") or "")
    if isinstance(content, Iterable):
        return " ".join(_text_of(part) for part in content).strip()
    return "" if content is None else str(content)


def normalize_history(history: Iterable[Any] | None) -> list[tuple[str, str]]:
    turns: list[tuple[str, str]] = []
    for item in history or []:
        if isinstance(item, (tuple, list)) and len(item) == 2 and isinstance(item[0], str):
            role, content = item
        elif isinstance(item, dict):
            role, content = item.get("role", ""), item.get("content", "")
        elif hasattr(item, "type") and hasattr(item, "content"):
            role, content = item.type, item.content
        else:
            raise InputError(
                "history must be a list of {'role': ..., 'content': ...} turns or (role, text) pairs"
            )
        role = _ROLE_NAMES.get(str(role).lower())
        text = _text_of(content).strip()
        if role and text:
            turns.append((role, text))
    return turns
