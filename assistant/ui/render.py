"""HTML for the web UI: answers, evidence, the corpus table and article text.

Everything here is pure (no Gradio), so it is unit-tested directly. Article text and model
output are untrusted: an uploaded article may contain ``<script>`` or ``<img onerror=...>``, and
a model may echo it. The markup lives in Jinja2 templates (``templates/``) with autoescaping on,
so every dynamic string is HTML-escaped where it is inserted, and the finished fragment is
passed through nh3 with a small allow-list as a second, independent guard. As a precaution,
``$``, ``{``, ``}`` and backticks are then written as character references, so no client-side
template, Markdown or LaTeX pass can give article text meaning.

Chat messages are single-line HTML blocks without blank lines: Gradio's Markdown renderer then
passes them through as HTML instead of re-reading the article text as Markdown. Newlines in
inserted values become ``<br>`` and the templates' own line breaks are removed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import nh3
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from assistant.schema import STATUS_HELP, Answer, Citation, Conflict, PassageRef
from assistant.store.corpus import described_title
from assistant.store.index import ArticleEntry
from assistant.ui.markdown import is_markdown, markdown_html, markdown_plain

ALLOWED_TAGS = frozenset(
    {
        "div", "span", "p", "sup", "mark", "blockquote", "ol", "ul", "li", "strong", "em",
        "br", "h1", "h2", "h3", "h4", "h5", "h6", "small", "table", "thead", "tbody", "tr",
        "th", "td", "code", "pre", "hr",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"*": {"class", "title", "role", "aria-label", "aria-live"}}

# Characters that Gradio's client-side template, Markdown and LaTeX passes give meaning to.
_INERT = str.maketrans({"$": "&#36;", "{": "&#123;", "}": "&#125;", "`": "&#96;"})
_MARKER = re.compile(r"\[(\d+)\]")
_SENTENCE_END = frozenset('.!?"”’)')
_TEMPLATE_BREAKS = re.compile(r"\n\s*")
CONTEXT_CHARS = 320  # context shown either side of a quote that lies in no prompt passage
TEMPLATES = Path(__file__).with_name("templates")


def _finalize(value: Any) -> Any:
    """Every inserted string escaped, with its newlines as ``<br>`` (one HTML block)."""
    if isinstance(value, str) and not isinstance(value, Markup):
        text = value.replace("\r\n", "\n")
        return Markup("<br>").join(escape(part) for part in text.split("\n"))
    return value


@cache
def _env() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
        finalize=_finalize,
    )


def _render(template: str, **values: Any) -> str:
    html = _env().get_template(template).render(**values)
    return sanitize(_TEMPLATE_BREAKS.sub("", html))


def sanitize(fragment: str) -> str:
    """The fragment with anything outside the allow-list removed, and template syntax inert."""
    cleaned = nh3.clean(
        fragment,
        tags=set(ALLOWED_TAGS),
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(),
        strip_comments=True,
        link_rel=None,
    )
    return cleaned.translate(_INERT)


def esc(text: object) -> str:
    return str(escape(str(text)))


@dataclass(frozen=True)
class Title:
    """A title as shown: a catalog description ("[...]") is shown as one, not as a headline."""

    text: str
    described: bool

    @classmethod
    def of(cls, title: str) -> Title:
        described, text = described_title(title)
        return cls(text, described)


def _meta(entry: ArticleEntry | None) -> str:
    if entry is None:
        return ""
    return " · ".join(x for x in (entry.outlet, entry.date) if x)


@dataclass(frozen=True)
class Corpus:
    """What the renderer knows about the articles: their catalog entries by id."""

    entries: Mapping[str, ArticleEntry]

    @classmethod
    def of(cls, entries: Iterable[ArticleEntry]) -> Corpus:
        return cls({e.article_id: e for e in entries})

    def get(self, article_id: object) -> ArticleEntry | None:
        return self.entries.get(article_id) if isinstance(article_id, str) else None

    def is_markdown(self, article_id: str) -> bool:
        entry = self.get(article_id)
        return entry is not None and is_markdown(entry.path)


# --- chat messages -------------------------------------------------------------------------


def _with_markers(text: str, ids: set[int]) -> Markup:
    """Escaped answer text with each known ``[n]`` as a superscript citation marker."""

    def sup(match: re.Match[str]) -> str:
        n = int(match.group(1))
        if n not in ids:
            return match.group(0)
        return f'<sup class="fc-cite" title="Source {n}">[{n}]</sup>'

    return Markup(_MARKER.sub(sup, str(_finalize(text))))


def _conflict_blocks(
    conflicts: Sequence[Conflict], citations: Sequence[Citation]
) -> list[dict[str, Any]]:
    by_id = {c.id: c for c in citations}
    blocks = []
    for conflict in conflicts:
        value_of = dict(zip(conflict.citation_ids, conflict.values, strict=False))
        sides = []
        for ids in conflict.sides or _groups_by_value(conflict):
            values = " · ".join(dict.fromkeys(value_of[cid] for cid in ids if cid in value_of))
            sources = [
                {"id": cid, "title": Title.of(by_id[cid].title)} for cid in ids if cid in by_id
            ]
            sides.append({"figures": values, "sources": sources})
        blocks.append({"topic": conflict.topic, "sides": sides, "kind": conflict.kind})
    return blocks


def conflicts_html(conflicts: Sequence[Conflict], citations: Sequence[Citation]) -> str:
    """Each disagreement as columns, one per side (article), with its figures and sources."""
    macros = _env().get_template("macros.html").module
    html = str(macros.conflicts(_conflict_blocks(conflicts, citations)))  # type: ignore[attr-defined]
    return sanitize(_TEMPLATE_BREAKS.sub("", html))


def _groups_by_value(conflict: Conflict) -> list[list[int]]:
    groups: dict[str, list[int]] = {}
    for value, cid in zip(conflict.values, conflict.citation_ids, strict=False):
        groups.setdefault(value, []).append(cid)
    return list(groups.values())


# How each answer state is labelled: a refusal because the articles are silent must not read
# like one because the model's answer failed verification, and a partial answer says so.
_BADGES: dict[str, tuple[str, str]] = {
    "not_in_articles": ("refused", "Not in the articles"),
    "unverified": ("error", "Could not be verified"),
    "declined": ("refused", "Declined"),
    "partial": ("partial", "Partly verified"),
}


def status_badge(answer: Answer) -> dict[str, str] | None:
    """The label, style and explanation of an answer's state; None for a fully verified one."""
    status = answer.status
    if answer.refused and status in ("answered", "partial"):  # built by hand without a status
        status = "not_in_articles"
    if status not in _BADGES:
        return None
    kind, label = _BADGES[status]
    return {"kind": kind, "label": label, "help": STATUS_HELP[status]}


def answer_html(answer: Answer, corpus: Corpus, *, streaming: bool = False) -> str:
    """One assistant chat message: the answer, conflicts, numbered sources and notes."""
    ids = {c.id for c in answer.citations}
    sources = [
        {
            "id": c.id,
            "title": Title.of(c.title),
            "meta": _meta(corpus.get(c.article_id)),
            "quote": c.quote,
        }
        for c in answer.citations
    ]
    return _render(
        "answer.html",
        refused=answer.refused,
        badge=status_badge(answer),
        streaming=streaming,
        text=answer.answer if answer.refused else _with_markers(answer.answer, ids),
        conflicts=[] if answer.refused else _conflict_blocks(answer.conflicts, answer.citations),
        sources=[] if answer.refused else sources,
        notes=answer.notes,
        footer=_footer(answer),
    )


def _footer(answer: Answer) -> str:
    bits = [f"model: {answer.model or 'unknown'}"]
    if answer.passages:
        bits.append(f"{len(answer.passages)} passages searched")
    if answer.dropped_claims:
        n = answer.dropped_claims
        bits.append(f"{n} unverifiable claim{'s' if n != 1 else ''} removed")
    return " · ".join(bits)


def question_html(question: str) -> str:
    """The user's chat bubble."""
    return _render("question.html", question=question)


def pending_html(status: str = "Searching the articles…") -> str:
    return _render("pending.html", status=status)


def error_html(message: str) -> str:
    """A failed turn: visibly an error, with the one-line reason."""
    return _render("error.html", message=message)


def header_html(article_count: int) -> str:
    return _render("header.html", count=article_count)


# --- the evidence panel --------------------------------------------------------------------

EVIDENCE_EMPTY = _render("evidence_empty.html")


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
        _env()
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
    return str(Markup('<mark class="fc-mark">{}</mark>').format(_finalize(c.quote))), False


def evidence_html(
    answer: Answer,
    corpus: Corpus,
    article_text: Callable[[str], str],
) -> str:
    """The sources panel for one answer: each cited passage in context, quote highlighted."""
    if answer.refused or not answer.citations:
        searched = [Title.of(t) for t in sorted({p.title for p in answer.passages})]
        return _render("evidence.html", question=answer.question, cards=[], searched=searched)
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
                "meta": _meta(corpus.get(c.article_id)),
                "context": Markup(context),
                "where": where,
            }
        )
    return _render(
        "evidence.html",
        question=answer.question,
        cards=cards,
        conflicts=_conflict_blocks(answer.conflicts, answer.citations),
        searched=[],
    )


# --- corpus --------------------------------------------------------------------------------


def corpus_table_html(
    entries: Sequence[ArticleEntry], origin: Callable[[ArticleEntry], str]
) -> str:
    """The Corpus tab's table of articles."""
    total = sum(e.passages for e in entries)
    n = len(entries)
    rows = [
        {
            "title": Title.of(e.title),
            "outlet": e.outlet,
            "date": e.date,
            "passages": e.passages,
            "origin": origin(e),
            "article_id": e.article_id,
        }
        for e in entries
    ]
    summary = f"{n} article{'s' if n != 1 else ''}, {total} passage{'s' if total != 1 else ''}"
    return _render("corpus_table.html", rows=rows, summary=summary)


def article_html(entry: ArticleEntry, text: str) -> str:
    """A whole article for reading in the Corpus tab: Markdown rendered, plain text as paragraphs."""
    if is_markdown(entry.path):
        body = Markup(markdown_html(text))
    else:
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n|\n", text) if p.strip()]
        body = Markup("").join(Markup("<p>{}</p>").format(p) for p in paragraphs)
    n = entry.passages
    return _render(
        "article.html",
        title=Title.of(entry.title),
        meta=_meta(entry),
        where=f"{entry.article_id} · {n} passage{'s' if n != 1 else ''}",
        body=body,
    )


def notice_html(message: str, *, ok: bool) -> str:
    """The upload result line: green when added, red (and announced) when rejected."""
    return _render("notice.html", message=message, ok=ok)
