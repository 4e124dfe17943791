"""Errors a user can act on, and the one place any exception becomes the line a user reads.

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


def known_error(exc: BaseException) -> AssistantError | None:
    """``exc`` as an AssistantError: ours as is, model-client and network failures explained.

    None for anything else (a bug), which each boundary reports in its own generic way.
    """
    if isinstance(exc, AssistantError):
        return exc
    if isinstance(exc, UnicodeError) and "surrogate" in str(exc):
        # A lone surrogate (from a browser or an API client) cannot be encoded anywhere.
        return InputError(
            "the text contains an invalid character (a lone UTF-16 surrogate); "
            "remove it or retype the text"
        )
    from assistant.model_errors import explain

    return explain(exc)


def user_message(
    exc: BaseException, *, audience: Audience = "cli", doing: str = "answering"
) -> str:
    """The one line a user reads for ``exc``; ``doing`` names the task for unexpected failures.

    Unexpected errors never show their text in the UI (it may hold internals): the server logs
    the traceback and the user reads what failed and that the details are in the log.
    """
    known = known_error(exc)
    if known is not None:
        return known.for_audience(audience)
    name = type(exc).__name__
    if audience == "ui":
        return (
            f"Something went wrong while {doing} ({name}). "
            "Please try again; the details are in the server log."
        )
    return f"unexpected {name} while {doing}: {exc} (rerun with --debug for details)"


def exit_code(exc: BaseException) -> int:
    """The exit status for ``exc``: 2 for bad input, 1 for everything else."""
    known = known_error(exc)
    return known.exit_code if known is not None else 1
