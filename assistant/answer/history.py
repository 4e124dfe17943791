"""Chat history in whatever shape callers have it, as (role, text) pairs.

Accepts ``[(role, text)]``, ``[{"role", "content"}]`` (OpenAI and Gradio messages; Gradio 6 sends
``content`` as a list of parts), and LangChain messages.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from assistant.errors import InputError
from assistant.tokens import encoding_for

# Chat formats add a few tokens per message around the text; counted so the sum is an upper bound.
MESSAGE_OVERHEAD_TOKENS = 4
# The condense call sees at most this much conversation, newest turns first, each turn capped.
HISTORY_TOKENS = 1_500
TURN_TOKENS = 400

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


def trim_history(
    history: Sequence[tuple[str, str]], budget: int, model: str | None = None
) -> list[tuple[str, str]]:
    """The newest turns that fit ``budget`` tokens, each cut to ``TURN_TOKENS``."""
    encoding = encoding_for(model)
    kept: list[tuple[str, str]] = []
    used = 0
    for role, text in reversed(history):
        ids = encoding.encode(text, disallowed_special=())
        if len(ids) > TURN_TOKENS:
            text = encoding.decode(ids[:TURN_TOKENS]).rstrip() + " …"
        cost = min(len(ids), TURN_TOKENS) + MESSAGE_OVERHEAD_TOKENS
        if used + cost > budget:
            break
        kept.append((role, text))
        used += cost
    return kept[::-1]
