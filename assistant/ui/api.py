"""The UI's named API endpoints (/ask, /articles, /article, /add_article, /remove_article).

These are called by scripts with whatever JSON they send, so every argument is checked here
and bad input raises ``InputError`` saying what was wrong; ``app.py`` turns any error into
Gradio's one-line ``gr.Error``. History is checked for its shape before anything walks it, so a
history nested hundreds of levels deep is refused, not recursed into.
"""

from __future__ import annotations

from typing import Any

from assistant.errors import InputError
from assistant.ui.handlers import Handlers
from assistant.ui.uploads import add_upload, uploaded_file

HISTORY_SHAPE = (
    'history must be a list of turns, each {"role": "user" or "assistant", "content": text} '
    "or [role, text]"
)
MAX_HISTORY_TURNS = 200


def check_question(question: Any) -> str:
    if question is None:
        raise InputError("no question was sent: pass question='…'")
    if not isinstance(question, str):
        raise InputError(f"the question must be text, not {_kind(question)}")
    return question


def check_history(history: Any) -> list[Any] | None:
    if history is None or history == []:
        return None
    if not isinstance(history, list):
        raise InputError(f"{HISTORY_SHAPE}; got {_kind(history)}")
    if len(history) > MAX_HISTORY_TURNS:
        raise InputError(f"history has {len(history)} turns; at most {MAX_HISTORY_TURNS} are read")
    for n, turn in enumerate(history, 1):
        if isinstance(turn, dict):
            role, content = turn.get("role"), turn.get("content")
        elif isinstance(turn, list) and len(turn) == 2:
            role, content = turn
        else:
            raise InputError(f"{HISTORY_SHAPE}; turn {n} is {_kind(turn)}")
        if not isinstance(role, str) or not _is_text(content):
            raise InputError(f"{HISTORY_SHAPE}; turn {n} has no text role and content")
    return history


def _is_text(content: Any) -> bool:
    """A string, or Gradio's list of parts ({"type": "text", "text": ...}) one level deep."""
    if isinstance(content, str):
        return True
    return isinstance(content, list) and all(
        isinstance(p, str) or (isinstance(p, dict) and isinstance(p.get("text", ""), str))
        for p in content
    )


def check_top_k(top_k: Any) -> int | None:
    if top_k is None:
        return None
    if isinstance(top_k, float) and top_k.is_integer():
        top_k = int(top_k)
    if not isinstance(top_k, int) or isinstance(top_k, bool):
        raise InputError(f"top_k must be a whole number from 1 to 50, not {_kind(top_k)}")
    return top_k


def check_model(model: Any) -> str | None:
    if model is None or model == "":
        return None
    if not isinstance(model, str):
        raise InputError(f"model must be a model name, not {_kind(model)}")
    return model


def check_article_id(article_id: Any) -> str:
    if not isinstance(article_id, str) or not article_id:
        raise InputError(
            f"article_id must be an article's id (text), not {_kind(article_id)}; "
            "see /articles for the ids"
        )
    return article_id


def _kind(value: Any) -> str:
    if value == "":
        return "empty text"
    names = {
        dict: "an object",
        list: "a list",
        str: "text",
        int: "a number",
        float: "a number",
        bool: "a boolean",
        type(None): "nothing",
    }
    return names.get(type(value), f"a {type(value).__name__}")


class Api:
    """The endpoint functions; their docstrings are what /?view=api shows."""

    def __init__(self, handlers: Handlers) -> None:
        self.h = handlers
        self.fc = handlers.fc

    def ask(
        self,
        question: str | None = None,
        history: list | None = None,  # type: ignore[type-arg]
        top_k: int | None = None,
        model: str | None = None,
    ) -> dict:  # type: ignore[type-arg]
        """Answer a question from the articles. Returns the same JSON as `assistant ask --json`:
        answer text with [n] markers, refused, citations (article_id, quote, start, end),
        conflicts, passages. history: earlier turns as [{"role", "content"}] or [role, text]."""
        answer = self.fc.ask(
            check_question(question),
            check_history(history),
            top_k=check_top_k(top_k),
            model=check_model(model),
        )
        return answer.model_dump()

    def articles(self) -> list:  # type: ignore[type-arg]
        """The indexed articles: article_id, version, title, outlet, date, passages, source."""
        return [self.h.entry_json(e) for e in self.fc.articles()]

    def article(self, article_id: str | None = None) -> dict:  # type: ignore[type-arg]
        """One article's full text, so a caller can check text[start:end] == quote."""
        check_article_id(article_id)
        entry = self.h.corpus().get(article_id)
        if entry is None:
            raise InputError(f"no article with id {article_id!r}; see /articles for the ids")
        return {**self.h.entry_json(entry), "text": self.fc.article_text(article_id)}

    def add_article(self, file: Any) -> dict:  # type: ignore[type-arg]
        """Add a .txt/.md article file (gradio_client.handle_file(path))."""
        received = uploaded_file(file)
        if received is None:
            raise InputError("no file was sent; pass gradio_client.handle_file(path)")
        result = add_upload(self.fc, received[0], original_name=received[1])
        return {"status": result.status, **self.h.entry_json(result.entry)}

    def remove_article(self, article_id: str | None = None) -> dict:  # type: ignore[type-arg]
        """Remove one article from the index by id, as `assistant remove ID` does (its file is
        kept; answers already running keep what they retrieved). Returns the removed entry."""
        article_id = check_article_id(article_id)
        entry = self.h.remove(article_id)
        listed = self.h.entry_json(entry) if entry is not None else {}
        return {"status": "removed", "article_id": article_id, **listed}
