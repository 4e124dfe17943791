"""A fact-check assistant that answers only from its news articles, citing verified quotes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.factchecker import FactChecker
    from assistant.schema import Answer, Citation, Conflict

__all__ = ["Answer", "Citation", "Conflict", "FactChecker"]


def __getattr__(name: str) -> Any:
    """Lazy exports keep ``import assistant`` cheap for the CLI's fast paths."""
    if name == "FactChecker":
        from assistant.factchecker import FactChecker

        return FactChecker
    if name in {"Answer", "Citation", "Conflict"}:
        from assistant import schema

        return getattr(schema, name)
    raise AttributeError(name)
