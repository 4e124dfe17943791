"""The one-sentence explanation of a verdict, built from its cited evidence (never invented)."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.check.evidence import Candidate
from assistant.check.schema import ClaimCheck
from assistant.schema import Citation

QUOTE_CHARS = 140


def explanation(check: ClaimCheck, candidates: Sequence[Candidate]) -> str:
    by_id = {c.id: c for c in check.citations}
    details = {e.citation_id: e.detail for e in check.evidence}
    if check.verdict == "supported":
        c = by_id[check.supporting[0]]
        return f"The article says “{short(c.quote)}” [{c.id}]."
    if check.verdict == "refuted":
        c = by_id[check.contradicting[0]]
        return _capital(_against(details.get(c.id), c)) + "."
    if check.verdict == "conflicting":
        pro, con = by_id[check.supporting[0]], by_id[check.contradicting[0]]
        return (
            f"The articles disagree: one says “{short(pro.quote, 100)}” [{pro.id}], while "
            f"{_against(details.get(con.id), con, another=True)}."
        )
    if candidates:
        closest = candidates[0].sentence
        return (
            "No article states this or contradicts it; the closest sentence, in "
            f"“{closest.title}”, does not settle it."
        )
    return "No article says anything about this."


def short(quote: str, limit: int = QUOTE_CHARS) -> str:
    quote = " ".join(quote.split())
    if len(quote) <= limit:
        return quote
    cut = quote[:limit].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + " …"


def _against(detail: str | None, c: Citation, another: bool = False) -> str:
    """What the contradicting sentence says, e.g. 'the article gives 86 for this, not 68 [1]'."""
    text = readable(detail) if detail and detail.startswith("the ") else ""
    if not text:
        return f"{'another' if another else 'the article'} says “{short(c.quote, 100)}” [{c.id}]"
    if another:
        text = text.replace("the article", "another article", 1)
    return f"{text} [{c.id}]"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


_WORDING = (
    ("the cited sentences give", "the article gives"),
    ("the cited sentences say", "the article says"),
    ("the cited sentences negate", "the article negates"),
    ("the cited sentences state", "the article states"),
    ("the cited sentences do not", "the article does not"),
    ("the cited sentences", "the article"),
)


def readable(detail: str) -> str:
    """A fidelity problem's wording, said of the article rather than of "cited sentences"."""
    for old, new in _WORDING:
        detail = detail.replace(old, new)
    return detail
