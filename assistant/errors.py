"""Errors a user can act on; ``assistant.messages`` turns any exception into the line a user reads.

Each error carries the line the CLI prints and its exit status. Advice differs by where the
user is: on the command line "use --model offline" helps, in the browser it means nothing, so an
error may carry a second line for the web UI (``ui_message``) that names the control to use.
``user_message`` is applied once per boundary (the CLI's error handler, the web UI's handlers,
the eval CLI); nothing below those boundaries formats exceptions for people.
"""

from __future__ import annotations

from typing import Literal

Audience = Literal["cli", "ui"]


class AssistantError(Exception):
    """Base class: the message says what went wrong and what to do about it."""

    exit_code = 1

    def __init__(self, message: str = "", *, ui_message: str | None = None) -> None:
        super().__init__(message)
        self.ui_message = ui_message

    def for_audience(self, audience: Audience) -> str:
        if audience == "ui" and self.ui_message:
            return self.ui_message
        return str(self)


class InputError(AssistantError):
    """The user's input (a question, an option) is unusable as given."""

    exit_code = 2


class ArticleError(AssistantError):
    """An article file cannot be ingested (missing, empty, not UTF-8 text, wrong type)."""

    exit_code = 2


class ModelError(AssistantError):
    """The chat or embedding model could not be reached or refused the request."""

    exit_code = 1


class IndexError_(AssistantError):
    """The vector store is unreachable or unusable."""

    exit_code = 1
