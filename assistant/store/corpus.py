"""Reading article files: validation, titles from the catalog, and boilerplate detection.

Offsets everywhere index the decoded text of the article file, so that ``text[start:end]`` is
exactly what a citation shows. Boilerplate is therefore never deleted from the text; it is
reported as spans to leave out, and passages are cut around them.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from assistant.errors import ArticleError
from assistant.store.byline import stated_outlet_and_date

ARTICLE_SUFFIXES = (".txt", ".md")
MAX_ARTICLE_BYTES = 2_000_000


@dataclass(frozen=True)
class Article:
    article_id: str
    text: str
    title: str
    outlet: str | None = None
    date: str | None = None
    path: str = ""
    sha: str = field(default="")

    @property
    def version(self) -> str:
        """Identifies this exact content; passages of other versions are never mixed in."""
        return f"{self.article_id}@{self.sha[:16]}"


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def decode_article(data: bytes) -> str:
    """The text of an article file's bytes, or ArticleError with the reason and the remedy.

    The one check of content shared by ingest and the web UI's upload, so both refuse the same
    files for the same reasons.
    """
    if b"\x00" in data:
        raise ArticleError("is a binary file, not text; save it as UTF-8 text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ArticleError(
            f"is not UTF-8 text (invalid byte at offset {exc.start}); re-save it as UTF-8"
        ) from None
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise ArticleError("is empty; there is nothing to index")
    return text


def read_article_text(path: Path) -> str:
    """Return the file's text or raise ArticleError saying why it cannot be used."""
    if not path.exists():
        raise ArticleError(f"{path}: no such file")
    if not path.is_file():
        raise ArticleError(f"{path}: not a regular file")
    if path.suffix.lower() not in ARTICLE_SUFFIXES:
        raise ArticleError(f"{path}: only .txt and .md articles are supported")
    data = path.read_bytes()
    if len(data) > MAX_ARTICLE_BYTES:
        raise ArticleError(f"{path}: larger than {MAX_ARTICLE_BYTES // 1_000_000} MB")
    try:
        return decode_article(data)
    except ArticleError as exc:
        raise ArticleError(f"{path} {exc}") from None


def load_catalog(path: Path) -> dict[str, dict[str, str]]:
    """Titles, outlets and dates keyed by article id; a missing or broken catalog is empty."""
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return {}
    articles = data.get("articles", {})
    return {
        k: {kk: str(vv) for kk, vv in v.items()} for k, v in articles.items() if isinstance(v, dict)
    }


def derive_title(text: str, limit: int = 90) -> str:
    """A title for an article without a catalog entry: its first substantial line."""
    for line in text.splitlines():
        stripped = line.strip().strip("#").strip()
        if len(stripped) >= 12 and not _is_boilerplate_line(stripped, None):
            if len(stripped) <= limit:
                return stripped
            cut = stripped[:limit].rsplit(" ", 1)[0]
            return cut + "…"
    return text.strip()[:limit]


def described_title(title: str) -> tuple[bool, str]:
    """Whether ``title`` is a description in [brackets] (the catalog's mark for an article
    without a headline), and its text without the brackets; readers must not take it for one."""
    stripped = title.strip()
    if len(stripped) > 2 and stripped.startswith("[") and stripped.endswith("]"):
        return True, stripped[1:-1].strip()
    return False, title


def load_article(path: Path, catalog: dict[str, dict[str, str]] | None = None) -> Article:
    text = read_article_text(path)
    article_id = path.stem
    entry = (catalog or {}).get(article_id, {})
    stated_outlet, stated_date = stated_outlet_and_date(text) if not entry else (None, None)
    return Article(
        article_id=article_id,
        text=text,
        title=entry.get("title") or derive_title(text),
        outlet=entry.get("outlet") or stated_outlet,
        date=entry.get("date") or stated_date,
        path=str(path),
        sha=content_hash(text),
    )


def discover(paths: Iterable[Path]) -> Iterator[Path]:
    """Expand folders into their article files (sorted); files are passed through as given."""
    for path in paths:
        if path.is_dir():
            yield from sorted(
                p for p in path.iterdir() if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES
            )
        else:
            yield path


# --- boilerplate -------------------------------------------------------------------------

_CREDIT = re.compile(r"(©|\bGetty Images\b|\bPhoto(?:graph)?:\s)", re.I)
_GLUED_CREDIT = re.compile(r"[.)](AFP|AP|Reuters|EPA|Getty Images|Yonhap)$")
_TWEET_ATTRIBUTION = re.compile(r"^[—–-]\s.*\(@\w+\)")
_TWEET_LINK = re.compile(r"\s*pic\.twitter\.com/\S*.*$")
_SLUG = re.compile(r"^[a-z]{2,}(?:-[a-z]+)*/[a-z]{2,}\s+[–-]\s")
_LABELS = {"updated", "advertisement", "share", "read more", "related"}


def _is_boilerplate_line(line: str, counts: dict[str, int] | None) -> bool:
    s = line.strip()
    if not s:
        return False
    if counts is not None and s.isupper() and len(s.split()) <= 2 and counts.get(s, 0) > 1:
        return True  # a header word repeated, e.g. "NEWS" / "NEWS"
    if s.lower() in _LABELS:
        return True
    if _TWEET_ATTRIBUTION.search(s) or _SLUG.search(s) or _GLUED_CREDIT.search(s):
        return True
    return bool(_CREDIT.search(s) and len(s) < 200)


def boilerplate_spans(text: str) -> list[tuple[int, int]]:
    """Character spans that are not article text: header words, credits, tweet embed links.

    Whole lines are dropped, except an embedded tweet's ``pic.twitter.com`` link and the
    attribution glued after it, which are cut from the end of a line whose words are kept. A
    caption line immediately followed by the same caption with a glued credit (a common
    copy-paste artefact) is dropped with it.
    """
    lines = _lines_with_offsets(text)
    counts: dict[str, int] = {}
    for _, _, s in lines:
        counts[s.strip()] = counts.get(s.strip(), 0) + 1
    flagged = [_is_boilerplate_line(s, counts) for _, _, s in lines]
    for i in range(len(lines) - 1):
        cur, nxt = lines[i][2].strip(), lines[i + 1][2].strip()
        if cur and flagged[i + 1] and nxt.startswith(cur) and nxt != cur:
            flagged[i] = True
    spans = []
    for (start, end, body), flag in zip(lines, flagged, strict=True):
        if flag:
            spans.append((start, end))
        elif link := _TWEET_LINK.search(body):
            spans.append((start + link.start(), end))
    return spans


def _lines_with_offsets(text: str) -> list[tuple[int, int, str]]:
    out = []
    pos = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        out.append((pos, pos + len(body), body))
        pos += len(line)
    return out


def content_blocks(text: str) -> list[tuple[int, int]]:
    """Spans of article text between boilerplate lines, trimmed of surrounding whitespace."""
    blocks = []
    cursor = 0
    for start, end in [*boilerplate_spans(text), (len(text), len(text))]:
        segment = text[cursor:start]
        stripped = segment.strip()
        if stripped:
            lead = len(segment) - len(segment.lstrip())
            blocks.append((cursor + lead, cursor + lead + len(stripped)))
        cursor = end
    return blocks
