"""HTML for the web UI: answers, evidence, the corpus table and article text.

Everything here is pure (no Gradio), so it is unit-tested directly. Article text and model
output are untrusted: an uploaded article may contain ``<script>`` or ``<img onerror=...>``, and
a model may echo it. Every dynamic string is therefore HTML-escaped where it is inserted, and
the finished fragment is passed through nh3 with a small allow-list as a second, independent
guard. As a precaution, ``$``, ``{``, ``}`` and backticks are then written as character
references, so no client-side template, Markdown or LaTeX pass can give article text meaning.

Chat messages are single-line HTML blocks without blank lines: Gradio's Markdown renderer then
passes them through as HTML instead of re-reading the article text as Markdown.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import nh3

from assistant.schema import Answer, Citation, Conflict, PassageRef
from assistant.store.index import ArticleEntry

ALLOWED_TAGS = frozenset(
    {
        "div",
        "span",
        "p",
        "sup",
        "mark",
        "blockquote",
        "ol",
        "ul",
        "li",
        "strong",
        "em",
        "br",
        "h1",
        "h2",
        "h3",
        "h4",
        "small",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "code",
    }
)
ALLOWED_ATTRIBUTES = {"*": {"class", "title", "role", "aria-label", "aria-live"}}

# Characters that Gradio's client-side template, Markdown and LaTeX passes give meaning to.
_INERT = str.maketrans({"$": "&#36;", "{": "&#123;", "}": "&#125;", "`": "&#96;"})
_MARKER = re.compile(r"\[(\d+)\]")
_SENTENCE_END = frozenset('.!?"”’)')
CONTEXT_CHARS = 320  # context shown either side of a quote that lies in no prompt passage


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
    return html.escape(str(text), quote=True)


def _one_line(fragment: str) -> str:
    """Newlines become <br> so a message stays one HTML block for the Markdown renderer."""
    return fragment.replace("\r\n", "\n").replace("\n", "<br>")


def _meta(entry: ArticleEntry | None) -> str:
    if entry is None:
        return ""
    return " · ".join(x for x in (entry.outlet, entry.date) if x)


@dataclass(frozen=True)
class Corpus:
    """What the renderer knows about the articles: catalog entries and where seeds live."""

    entries: Mapping[str, ArticleEntry]

    @classmethod
    def of(cls, entries: Iterable[ArticleEntry]) -> Corpus:
        return cls({e.article_id: e for e in entries})

    def get(self, article_id: str) -> ArticleEntry | None:
        return self.entries.get(article_id)


# --- chat messages -------------------------------------------------------------------------


def _with_markers(text: str, ids: set[int]) -> str:
    """Escaped answer text with each known ``[n]`` as a superscript citation marker."""

    def sup(match: re.Match[str]) -> str:
        n = int(match.group(1))
        if n not in ids:
            return match.group(0)
        return f'<sup class="fc-cite" title="Source {n}">[{n}]</sup>'

    return _MARKER.sub(sup, esc(text))


def _source_item(c: Citation, corpus: Corpus) -> str:
    meta = _meta(corpus.get(c.article_id))
    meta_html = f' <span class="fc-src-meta">{esc(meta)}</span>' if meta else ""
    return (
        f'<li class="fc-src"><span class="fc-src-n">[{c.id}]</span> '
        f'<span class="fc-src-title">{esc(c.title)}</span>{meta_html}'
        f'<blockquote class="fc-quote">“{esc(c.quote)}”</blockquote></li>'
    )


def conflicts_html(conflicts: Sequence[Conflict], citations: Sequence[Citation]) -> str:
    """Each disagreement as columns, one per side (article), with its figures and sources."""
    by_id = {c.id: c for c in citations}
    blocks = []
    for conflict in conflicts:
        value_of = dict(zip(conflict.citation_ids, conflict.values, strict=False))
        groups = conflict.sides or _groups_by_value(conflict)
        columns = []
        for ids in groups:
            values = " · ".join(dict.fromkeys(value_of[cid] for cid in ids if cid in value_of))
            sources = "".join(
                f'<li><span class="fc-src-n">[{cid}]</span> {esc(by_id[cid].title)}</li>'
                for cid in ids
                if cid in by_id
            )
            columns.append(
                f'<div class="fc-side"><div class="fc-side-value">{esc(values)}</div>'
                f'<ul class="fc-side-sources">{sources}</ul></div>'
            )
        blocks.append(
            '<div class="fc-conflict" role="note">'
            f'<div class="fc-conflict-title">Sources give different figures for '
            f"{esc(conflict.topic)}</div>"
            f'<div class="fc-sides">{"".join(columns)}</div></div>'
        )
    return "".join(blocks)


def _groups_by_value(conflict: Conflict) -> list[list[int]]:
    groups: dict[str, list[int]] = {}
    for value, cid in zip(conflict.values, conflict.citation_ids, strict=False):
        groups.setdefault(value, []).append(cid)
    return list(groups.values())


def answer_html(answer: Answer, corpus: Corpus, *, streaming: bool = False) -> str:
    """One assistant chat message: the answer, conflicts, numbered sources and notes."""
    parts: list[str] = []
    state = " fc-streaming" if streaming else ""
    if answer.refused:
        parts.append(
            f'<div class="fc-msg fc-refused{state}" role="note">'
            '<div class="fc-badge fc-badge-refused">Not in the articles</div>'
            f'<p class="fc-answer">{_one_line(esc(answer.answer))}</p>'
        )
    else:
        ids = {c.id for c in answer.citations}
        parts.append(
            f'<div class="fc-msg fc-answered{state}">'
            f'<p class="fc-answer">{_one_line(_with_markers(answer.answer, ids))}</p>'
        )
        parts.append(conflicts_html(answer.conflicts, answer.citations))
        if answer.citations:
            items = "".join(_source_item(c, corpus) for c in answer.citations)
            parts.append(
                f'<div class="fc-sources-h">Sources</div><ol class="fc-sources">{items}</ol>'
            )
    for note in answer.notes:
        parts.append(f'<p class="fc-note">{_one_line(esc(note))}</p>')
    if streaming:
        parts.append('<div class="fc-status" aria-live="polite">Checking quotes…</div>')
    else:
        parts.append(f'<div class="fc-footer">{esc(_footer(answer))}</div>')
    parts.append("</div>")
    return sanitize("".join(parts))


def _footer(answer: Answer) -> str:
    bits = [f"model: {answer.model or 'unknown'}"]
    if answer.passages:
        bits.append(f"{len(answer.passages)} passages searched")
    if answer.dropped_claims:
        n = answer.dropped_claims
        bits.append(f"{n} unverifiable claim{'s' if n != 1 else ''} removed")
    return " · ".join(bits)


def pending_html(question: str) -> str:
    del question  # the user's bubble already shows it
    return sanitize(
        '<div class="fc-msg fc-pending" aria-live="polite">'
        '<span class="fc-dot"></span><span class="fc-dot"></span><span class="fc-dot"></span>'
        " Searching the articles…</div>"
    )


def error_html(message: str) -> str:
    """A failed turn: visibly an error, with the one-line reason."""
    return sanitize(
        '<div class="fc-msg fc-error" role="alert">'
        '<div class="fc-badge fc-badge-error">Could not answer</div>'
        f'<p class="fc-answer">{_one_line(esc(message))}</p></div>'
    )


# --- the evidence panel --------------------------------------------------------------------

EVIDENCE_EMPTY = sanitize(
    '<div class="fc-evidence fc-evidence-empty">'
    '<h3 class="fc-panel-h">Evidence</h3>'
    "<p>Ask a question. Each cited passage appears here in its article, with the quoted words "
    "highlighted, so you can check every claim at a glance.</p>"
    "<p>Click an earlier answer in the chat to see its evidence again.</p></div>"
)


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


def citation_context_html(c: Citation, text: str, passages: Sequence[PassageRef]) -> str:
    """The passage around a citation, with exactly ``text[start:end]`` inside ``<mark>``."""
    start, end = _window(text, c, passages)
    before, quote, after = text[start : c.start], text[c.start : c.end], text[c.end : end]
    tail = ""
    if end < len(text):  # text follows: an ellipsis, set apart after a full stop
        tail = " …" if text[end - 1] in _SENTENCE_END else "…"
    return (
        ("…" if start > 0 else "")
        + _one_line(esc(before))
        + f'<mark class="fc-mark">{_one_line(esc(quote))}</mark>'
        + _one_line(esc(after))
        + tail
    )


def evidence_html(
    answer: Answer,
    corpus: Corpus,
    article_text: Callable[[str], str],
) -> str:
    """The sources panel for one answer: each cited passage in context, quote highlighted."""
    head = f'<h3 class="fc-panel-h">Evidence</h3><p class="fc-panel-q">{esc(answer.question)}</p>'
    if answer.refused or not answer.citations:
        searched = sorted({p.title for p in answer.passages})
        listing = "".join(f"<li>{esc(t)}</li>" for t in searched)
        body = (
            '<div class="fc-badge fc-badge-refused">Not in the articles</div>'
            "<p>No passage in the articles answers this question, so nothing is cited.</p>"
        )
        if listing:
            body += f'<p class="fc-searched-h">Passages searched came from:</p><ul>{listing}</ul>'
        return sanitize(f'<div class="fc-evidence">{head}{body}</div>')
    cards = []
    for c in answer.citations:
        entry = corpus.get(c.article_id)
        meta = _meta(entry)
        try:
            text = article_text(c.article_id)
        except Exception:  # the article was replaced or removed since the answer
            text = ""
        if text[c.start : c.end] == c.quote:
            context = citation_context_html(c, text, answer.passages)
            where = f"{c.article_id} · characters {c.start}–{c.end}"
        else:
            context = f'<mark class="fc-mark">{_one_line(esc(c.quote))}</mark>'
            where = f"{c.article_id} · this article has changed since the answer"
        cards.append(
            '<div class="fc-card">'
            f'<div class="fc-card-h"><span class="fc-src-n">[{c.id}]</span> '
            f'<span class="fc-src-title">{esc(c.title)}</span></div>'
            + (f'<div class="fc-src-meta">{esc(meta)}</div>' if meta else "")
            + f'<div class="fc-context">{context}</div>'
            f'<div class="fc-where">{esc(where)}</div></div>'
        )
    conflicts = conflicts_html(answer.conflicts, answer.citations)
    return sanitize(f'<div class="fc-evidence">{head}{conflicts}{"".join(cards)}</div>')


# --- corpus --------------------------------------------------------------------------------


def corpus_table_html(
    entries: Sequence[ArticleEntry], origin: Callable[[ArticleEntry], str]
) -> str:
    """The Corpus tab's table of articles."""
    if not entries:
        return sanitize('<p class="fc-note">No articles are indexed yet.</p>')
    total = sum(e.passages for e in entries)
    rows = "".join(
        "<tr>"
        f'<td class="fc-col-title">{esc(e.title)}</td>'
        f"<td>{esc(e.outlet or '—')}</td>"
        f"<td>{esc(e.date or '—')}</td>"
        f'<td class="fc-num">{e.passages}</td>'
        f"<td>{esc(origin(e))}</td>"
        f"<td><code>{esc(e.article_id)}</code></td>"
        "</tr>"
        for e in entries
    )
    return sanitize(
        f'<p class="fc-corpus-sum">{len(entries)} article{"s" if len(entries) != 1 else ""}, '
        f"{total} passages</p>"
        '<table class="fc-corpus"><thead><tr><th>Title</th><th>Outlet</th><th>Date</th>'
        "<th>Passages</th><th>Source</th><th>ID</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def article_html(entry: ArticleEntry, text: str) -> str:
    """A whole article as escaped paragraphs, for reading it in the Corpus tab."""
    meta = _meta(entry)
    paragraphs = "".join(
        f"<p>{esc(p.strip())}</p>" for p in re.split(r"\n\s*\n|\n", text) if p.strip()
    )
    return sanitize(
        f'<div class="fc-article"><h3>{esc(entry.title)}</h3>'
        + (f'<div class="fc-src-meta">{esc(meta)}</div>' if meta else "")
        + f'<div class="fc-where">{esc(entry.article_id)} · {entry.passages} passages</div>'
        f"{paragraphs}</div>"
    )


def notice_html(message: str, *, ok: bool) -> str:
    """The upload result line: green when added, red (and announced) when rejected."""
    kind = "fc-ok" if ok else "fc-bad"
    role = "status" if ok else "alert"
    return sanitize(f'<div class="fc-notice {kind}" role="{role}">{esc(message)}</div>')
