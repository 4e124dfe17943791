"""Markdown articles shown as text a reader expects: headings and emphasis, not ``#`` and ``*``.

The reader renders a whole ``.md`` article with markdown-it (raw HTML disabled, so article
markup stays text; the result still goes through the renderer's nh3 allow-list). The evidence
panel shows slices of an article cut at citation offsets, where rendering would meet unbalanced
markup, so there the markup characters are simply left out (``markdown_plain``).
"""

from __future__ import annotations

import re
from functools import cache

from markdown_it import MarkdownIt

_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+", re.M)
_BULLET = re.compile(r"^([ \t]*)[-*+][ \t]+", re.M)
_QUOTE = re.compile(r"^[ \t]{0,3}>[ \t]?", re.M)
_RULE = re.compile(r"^[ \t]{0,3}([-*_])([ \t]*\1){2,}[ \t]*$", re.M)
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_EMPHASIS = re.compile(
    r"(\*\*|~~)(?=\S)(.+?)(?<=\S)\1"  # **strong**, ~~struck~~
    r"|(?<!\w)(__?)(?=[^\s_])(.+?)(?<=[^\s_])\3(?!\w)"  # _em_, __strong__: never inside words
    r"|(?<![\w*])\*(?=[^\s*])([^*\n]+?)(?<=[^\s*])\*(?![\w*])"  # *em*
)
_CODE = re.compile(r"`([^`\n]+)`")


def is_markdown(path: str) -> bool:
    return path.lower().endswith(".md")


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "breaks": True, "linkify": False})


def markdown_html(text: str) -> str:
    """The article as HTML, on one line (``<br>`` inside code blocks)."""
    html = _parser().render(text)
    return html.replace(">\n", ">").replace("\n", "<br>")


def markdown_plain(text: str) -> str:
    """``text`` with Markdown markup characters removed; the words and line breaks stay."""
    text = _RULE.sub("", text)
    text = _HEADING.sub("", text)
    text = _QUOTE.sub("", text)
    text = _BULLET.sub(r"\1• ", text)
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    text = _EMPHASIS.sub(lambda m: next(g for g in m.group(2, 4, 5) if g is not None), text)
    return _CODE.sub(r"\1", text)
