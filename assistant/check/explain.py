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
        return f"{_source(c)} states it: “{short(c.quote)}”"
    if check.verdict == "refuted":
        c = by_id[check.contradicting[0]]
        return f"{_source(c)} says otherwise: {_detail(details.get(c.id), c)}."
    if check.verdict == "conflicting":
        pro, con = by_id[check.supporting[0]], by_id[check.contradicting[0]]
        return (
            f"The articles disagree: {_source(pro)} supports it, while {_source(con)} "
            f"says otherwise ({_detail(details.get(con.id), con)})."
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


def _source(c: Citation) -> str:
    return f"“{c.title}” [{c.id}]"


def _detail(detail: str | None, c: Citation) -> str:
    if not detail:
        return f"“{short(c.quote)}”"
    text = detail.replace("the cited sentences", "the article").replace("the claim", "the claim")
    return f"{text} (“{short(c.quote, 100)}”)"
