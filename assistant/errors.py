"""Errors a user can act on. Each carries the one line the CLI prints and its exit status."""

from __future__ import annotations


class AssistantError(Exception):
    """Base class: the message says what went wrong and what to do about it."""

    exit_code = 1


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
