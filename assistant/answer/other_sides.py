"""Other articles' different answers, cited beside whatever a model answered.

The glue between ``disagreement`` (pure: which sentences answer the question otherwise) and the
answer being composed: every sentence of each retrieved article is a candidate (the other side
is often outside the passages shown: its article was retrieved for another of its sentences),
each with its paragraph and article, so that "Debian 1.1" is not confused with 2.0.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from assistant.answer.disagreement import (
    Embed,
    Said,
    identifiers,
    local_embed,
    other_sides,
    question_form,
)
from assistant.answer.holders import asked_titles
from assistant.answer.sentences import article_sentences
from assistant.answer.verify import Span, VerifiedClaim
from assistant.store.splitting import Passage
from assistant.text import attributed, quoted_material

MIN_WORDS = 5  # a credit line or a dateline answers nothing


def other_side_claims(
    question: str,
    shown: Sequence[VerifiedClaim],
    passages: Sequence[Passage],
    texts: Mapping[str, str],
    embed: Embed = local_embed,
) -> list[VerifiedClaim]:
    """The sentences of the shown passages that give another article's different answer (see
    ``other_sides``), as claims quoting themselves; a post or caption is said to be one."""
    if not shown or (question_form(question) == "other" and not asked_titles(question)):
        return []
    # Every sentence of each retrieved article: the other side is often outside the passages
    # shown (its article was retrieved for another of its sentences).
    first: dict[str, Passage] = {}
    for p in passages:
        first.setdefault(p.version, p)
    taken = {(c.passage.version, c.span.start) for k in shown for c in k.all_cites()}
    pool = [
        (passage, start, end)
        for version, passage in first.items()
        for start, end in article_sentences(texts.get(version, ""))
        if (version, start) not in taken and len(texts[version][start:end].split()) >= MIN_WORDS
    ]
    said = [
        Said(
            c.passage.article_id,
            c.quote,
            _paragraph(texts, c.passage.version, c.span.start),
            texts.get(c.passage.version, ""),
        )
        for k in shown
        for c in k.all_cites()
    ]
    candidates = [
        Said(p.article_id, texts[p.version][s:e], _paragraph(texts, p.version, s), texts[p.version])
        for p, s, e in pool
    ]
    names = identifiers(question, [texts[v] for v in first if v in texts])
    out = []
    for i in other_sides(question, said, candidates, embed, names):
        passage, start, end = pool[i]
        raw = texts[passage.version][start:end]
        text = raw.strip()
        start += len(raw) - len(raw.lstrip())
        span = Span(start, start + len(text))
        out.append(VerifiedClaim(attributed(text, quoted_material(text)), passage, span, text))
    return out


def _paragraph(texts: Mapping[str, str], version: str, at: int) -> str:
    text = texts.get(version, "")
    start = text.rfind("\n\n", 0, at)
    end = text.find("\n\n", at)
    return text[start + 2 if start >= 0 else 0 : end if end >= 0 else len(text)]
