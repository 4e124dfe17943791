"""schema.org ClaimReview JSON-LD: the form fact-checking organisations publish verdicts in.

One ``ClaimReview`` per checked claim: ``claimReviewed`` is the claim, ``reviewRating`` the
verdict (a 1-5 rating for the three verdicts that rate the claim, always with the verdict in
words as ``alternateName``, which is what readers and search engines show), ``reviewBody`` the
explanation, and each cited sentence a ``citation`` with its article and quote. Several claims
become one JSON-LD document with an ``@graph``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from assistant.check.schema import CheckReport, ClaimCheck

CONTEXT = "https://schema.org"
DEFAULT_AUTHOR = "Fact-check assistant"
# ratingValue on a 1 (false) to 5 (true) scale; "not enough evidence" rates nothing.
RATINGS = {"refuted": 1, "conflicting": 3, "supported": 5}


def claim_review(
    check: ClaimCheck, *, author: str = DEFAULT_AUTHOR, date: str | None = None
) -> dict[str, Any]:
    rating: dict[str, Any] = {"@type": "Rating", "alternateName": check.label}
    if check.verdict in RATINGS:
        rating.update({"ratingValue": RATINGS[check.verdict], "bestRating": 5, "worstRating": 1})
    stance = {c: "supports" for c in check.supporting} | {
        c: "contradicts" for c in check.contradicting
    }
    return {
        "@type": "ClaimReview",
        "datePublished": date or datetime.now(UTC).date().isoformat(),
        "author": {"@type": "Organization", "name": author},
        "claimReviewed": check.claim,
        "itemReviewed": {"@type": "Claim", "text": check.claim},
        "reviewRating": rating,
        "reviewBody": check.explanation,
        "citation": [
            {
                "@type": "CreativeWork",
                "name": c.title,
                "identifier": c.article_id,
                "text": c.quote,
                "description": f"{stance.get(c.id, 'cited')} the claim "
                f"(characters {c.start}-{c.end} of the article)",
            }
            for c in check.citations
        ],
    }


def claim_reviews(
    report: CheckReport, *, author: str = DEFAULT_AUTHOR, date: str | None = None
) -> dict[str, Any]:
    """One ClaimReview object for one claim, else an ``@graph`` of them."""
    reviews = [claim_review(c, author=author, date=date) for c in report.claims]
    if len(reviews) == 1:
        return {"@context": CONTEXT, **reviews[0]}
    return {"@context": CONTEXT, "@graph": reviews}
