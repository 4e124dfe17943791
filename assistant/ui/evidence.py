"""The evidence panel: each cited passage in its article, with the quote highlighted.

A citation is shown inside the prompt passage it came from, so the reader sees what the model
saw; a quote outside every prompt passage gets a fixed margin snapped to word boundaries. The
highlight covers exactly ``text[start:end]``, and an article changed since the answer shows only
the quote, never a highlight on the wrong characters. Escaping and sanitising are render.py's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from markupsafe import Markup

from assistant.schema import Answer, Citation, PassageRef
from assistant.ui.markdown import markdown_plain
from assistant.ui.render import (
    Corpus,
    Title,
    article_meta,
    conflict_blocks,
    finalize,
    render_template,
    template_env,
)

_SENTENCE_END = frozenset('.!?"”’)')
CONTEXT_CHARS = 320  # context shown either side of a quote that lies in no prompt passage

EVIDENCE_EMPTY = render_template("evidence_empty.html")


def _window(text: str, c: Citation, passages: Sequence[PassageRef]) -> tuple[int, int]:
    """The span to show around a quote: the prompt passage it came from, else a fixed margin."""
    best: PassageRef | None = None
    best_overlap = 0
    for p in passages:
        if p.article_id != c.article_id:
            continue
        overlap = min(p.end, c.end) - max(p.start, c.start)
        if overlap > best_overlap:
            best, best_overlap = p, overlap
    if best is not None:
        return min(best.start, c.start), max(best.end, c.end)
    return _snap(text, max(0, c.start - CONTEXT_CHARS), min(len(text), c.end + CONTEXT_CHARS), c)


def _snap(text: str, start: int, end: int, c: Citation) -> tuple[int, int]:
    """Move a margin-based window onto word boundaries (never into the quote)."""
    if start > 0:
        space = text.find(" ", start, c.start)
        start = space + 1 if space != -1 else start
    if end < len(text):
        space = text.rfind(" ", c.end, end)
        end = space if space != -1 else end
    return start, end


def citation_context_html(
    c: Citation, text: str, passages: Sequence[PassageRef], *, markdown: bool = False
) -> str:
    """The passage around a citation, with exactly ``text[start:end]`` inside ``<mark>``.

    For a Markdown article the markup characters (``#``, ``*``, link syntax) are left out of
    what is shown; the offsets still index the file's text.
    """
    start, end = _window(text, c, passages)
    parts = [text[start : c.start], text[c.start : c.end], text[c.end : end]]
    if markdown:
        parts = [markdown_plain(p) for p in parts]
    tail = ""
    if end < len(text):  # text follows: an ellipsis, set apart after a full stop
        tail = " …" if text[end - 1] in _SENTENCE_END else "…"
    html = (
        template_env()
        .get_template("context.html")
        .render(lead=start > 0, before=parts[0], quote=parts[1], after=parts[2], tail=tail)
    )
    return html.rstrip("\n")


def cited_context(
    c: Citation,
    article_text: Callable[[str], str],
    passages: Sequence[PassageRef] = (),
    *,
    markdown: bool = False,
) -> tuple[str, bool]:
    """The cited passage with its quote highlighted, and whether the article still holds it.

    An article replaced or removed since the citation was made no longer has the quote at those
    offsets; then only the quote itself is shown, never a highlight on the wrong characters.
    """
    try:
        text = article_text(c.article_id)
    except Exception:  # the article was replaced or removed since
        text = ""
    if text[c.start : c.end] == c.quote:
        return citation_context_html(c, text, passages, markdown=markdown), True
    return str(Markup('<mark class="fc-mark">{}</mark>').format(finalize(c.quote))), False


def evidence_html(
    answer: Answer,
    corpus: Corpus,
    article_text: Callable[[str], str],
) -> str:
    """The sources panel for one answer: each cited passage in context, quote highlighted."""
    if answer.refused or not answer.citations:
        searched = [Title.of(t) for t in sorted({p.title for p in answer.passages})]
        return render_template(
            "evidence.html", question=answer.question, cards=[], searched=searched
        )
    cards = []
    for c in answer.citations:
        context, current = cited_context(
            c, article_text, answer.passages, markdown=corpus.is_markdown(c.article_id)
        )
        where = (
            f"{c.article_id} · characters {c.start}–{c.end}"
            if current
            else f"{c.article_id} · this article has changed since the answer"
        )
        cards.append(
            {
                "id": c.id,
                "title": Title.of(c.title),
                "meta": article_meta(corpus.get(c.article_id)),
                "context": Markup(context),
                "where": where,
            }
        )
    return render_template(
        "evidence.html",
        question=answer.question,
        cards=cards,
        conflicts=conflict_blocks(answer.conflicts, answer.citations),
        searched=[],
    )
