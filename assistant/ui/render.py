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
inserted values become ``<br>`` and the templates' own line breaks are removed. The evidence
panel (cited passages in their articles) is built in ``evidence.py`` on these same helpers.
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

from assistant.schema import STATUS_HELP, Answer, Citation, Conflict
from assistant.store.corpus import described_title
from assistant.store.index import ArticleEntry
from assistant.ui.markdown import is_markdown, markdown_html

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
_TEMPLATE_BREAKS = re.compile(r"\n\s*")
TEMPLATES = Path(__file__).with_name("templates")


def finalize(value: Any) -> Any:
    """Every inserted string escaped, with its newlines as ``<br>`` (one HTML block)."""
    if isinstance(value, str) and not isinstance(value, Markup):
        text = value.replace("\r\n", "\n")
        return Markup("<br>").join(escape(part) for part in text.split("\n"))
    return value


@cache
def template_env() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
        finalize=finalize,
    )


def render_template(template: str, **values: Any) -> str:
    html = template_env().get_template(template).render(**values)
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


def article_meta(entry: ArticleEntry | None) -> str:
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

    return Markup(_MARKER.sub(sup, str(finalize(text))))


def conflict_blocks(
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
        blocks.append({"topic": conflict.topic, "sides": sides})
    return blocks


def conflicts_html(conflicts: Sequence[Conflict], citations: Sequence[Citation]) -> str:
    """Each disagreement as columns, one per side (article), with its figures and sources."""
    macros = template_env().get_template("macros.html").module
    html = str(macros.conflicts(conflict_blocks(conflicts, citations)))  # type: ignore[attr-defined]
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
            "meta": article_meta(corpus.get(c.article_id)),
            "quote": c.quote,
        }
        for c in answer.citations
    ]
    return render_template(
        "answer.html",
        refused=answer.refused,
        badge=status_badge(answer),
        streaming=streaming,
        text=answer.answer if answer.refused else _with_markers(answer.answer, ids),
        conflicts=[] if answer.refused else conflict_blocks(answer.conflicts, answer.citations),
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
    return render_template("question.html", question=question)


def pending_html(status: str = "Searching the articles…") -> str:
    return render_template("pending.html", status=status)


def error_html(message: str) -> str:
    """A failed turn: visibly an error, with the one-line reason."""
    return render_template("error.html", message=message)


def header_html(article_count: int) -> str:
    return render_template("header.html", count=article_count)


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
    return render_template("corpus_table.html", rows=rows, summary=summary)


def article_html(entry: ArticleEntry, text: str) -> str:
    """A whole article for reading in the Corpus tab: Markdown rendered, plain text as paragraphs."""
    if is_markdown(entry.path):
        body = Markup(markdown_html(text))
    else:
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n|\n", text) if p.strip()]
        body = Markup("").join(Markup("<p>{}</p>").format(p) for p in paragraphs)
    n = entry.passages
    return render_template(
        "article.html",
        title=Title.of(entry.title),
        meta=article_meta(entry),
        where=f"{entry.article_id} · {n} passage{'s' if n != 1 else ''}",
        body=body,
    )


def notice_html(message: str, *, ok: bool) -> str:
    """The upload result line: green when added, red (and announced) when rejected."""
    return render_template("notice.html", message=message, ok=ok)
