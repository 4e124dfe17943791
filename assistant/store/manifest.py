"""Which version of each article is live: one record per article, swapped one article at a time.

The manifest used to be one JSON document rewritten whole by every ingest, so a writer holding a
stale copy deleted the articles another process had just added. Here every article is its own
record in a small Chroma collection, so a writer only ever replaces the records of the articles
it ingested or removed: two processes ingesting different articles cannot undo each other, with
or without a lock, on disk or against a ``chroma run`` server.

Besides the article records the collection holds bookkeeping records:

* ``token``: a random value rewritten after every swap. Readers compare it with the one they
  cached (one small read per question) instead of re-reading the whole manifest.
* ``pending:<version>``: written before a version's passages are, removed by its swap. One left
  behind marks an ingest that was killed; its passages are reclaimed.
* ``retired:<version>``: a version that a swap replaced or removed. Its passages and text stay
  for a grace period, so answers that retrieved them before the swap can still verify quotes.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

TOKEN_ID = "__token__"
PENDING = "pending:"
RETIRED = "retired:"
PAGE = 1000  # ids or rows per Chroma call: far below SQLite's variable limit and the batch limit


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    passages_written: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, {len(self.unchanged)} unchanged, "
            f"{len(self.removed)} removed, {len(self.skipped)} skipped "
            f"({self.passages_written} passages embedded)"
        )


@dataclass(frozen=True)
class ArticleEntry:
    article_id: str
    version: str
    title: str
    outlet: str | None
    date: str | None
    path: str
    passages: int

    def to_json(self) -> dict[str, Any]:
        return self.__dict__.copy()


def _to_metadata(entry: ArticleEntry) -> dict[str, Any]:
    # Chroma metadata has no null: an empty string stands for "not known".
    return {
        "kind": "article",
        **{k: ("" if v is None else v) for k, v in entry.to_json().items()},
    }


def _from_metadata(meta: dict[str, Any]) -> ArticleEntry:
    return ArticleEntry(
        article_id=str(meta["article_id"]),
        version=str(meta["version"]),
        title=str(meta["title"]),
        outlet=str(meta["outlet"]) or None,
        date=str(meta["date"]) or None,
        path=str(meta["path"]),
        passages=int(meta["passages"]),
    )


def pages(items: list[str], size: int = PAGE) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


class Manifest:
    """The article records of one passages collection (a Chroma collection of its own)."""

    def __init__(self, collection: Any) -> None:
        self.col = collection

    # --- reading -------------------------------------------------------------------------

    def token(self) -> str:
        got = self.col.get(ids=[TOKEN_ID], include=["metadatas"])
        return str(got["metadatas"][0]["token"]) if got["ids"] else ""

    def entries(self) -> dict[str, ArticleEntry]:
        """Every live article, read in pages (a corpus may hold many thousands)."""
        out: dict[str, ArticleEntry] = {}
        offset = 0
        while True:
            got = self.col.get(
                where={"kind": "article"}, include=["metadatas"], limit=PAGE, offset=offset
            )
            for meta in got["metadatas"]:
                entry = _from_metadata(meta)
                out[entry.article_id] = entry
            if len(got["ids"]) < PAGE:
                return out
            offset += PAGE

    def get(self, article_ids: Iterable[str]) -> dict[str, ArticleEntry]:
        out: dict[str, ArticleEntry] = {}
        for page in pages(list(dict.fromkeys(article_ids))):
            got = self.col.get(ids=page, include=["metadatas"])
            for meta in got["metadatas"]:
                if meta.get("kind") == "article":
                    entry = _from_metadata(meta)
                    out[entry.article_id] = entry
        return out

    def is_empty(self) -> bool:
        return not self.col.get(where={"kind": "article"}, include=[], limit=1)["ids"]

    def marked(self, prefix: str) -> dict[str, float]:
        """Versions with a pending or retired record, and when it was written."""
        kind = prefix.rstrip(":")
        got = self.col.get(where={"kind": kind}, include=["metadatas"])
        return {str(m["version"]): float(m["at"]) for m in got["metadatas"]}

    # --- writing -------------------------------------------------------------------------

    def mark(self, prefix: str, versions: Iterable[str]) -> None:
        versions = list(dict.fromkeys(versions))
        now = time.time()
        for page in pages(versions):
            self.col.upsert(
                ids=[prefix + v for v in page],
                embeddings=[[0.0] for _ in page],
                metadatas=[{"kind": prefix.rstrip(":"), "version": v, "at": now} for v in page],
            )

    def unmark(self, prefix: str, versions: Iterable[str]) -> None:
        ids = [prefix + v for v in dict.fromkeys(versions)]
        for page in pages(ids):
            self.col.delete(ids=page)

    def swap(
        self,
        put: Iterable[ArticleEntry],
        remove: Iterable[str] = (),
        retire: Iterable[str] = (),
    ) -> None:
        """Make ``put`` live and drop ``remove``; only these articles' records are touched.

        ``retire`` lists the versions this swap replaced; they are kept for the grace period.
        The order matters: a version is retired before its replacement goes live, and the token
        changes last, so a reader that sees the new token also sees the new records.
        """
        put = list(put)
        remove = list(remove)
        self.mark(RETIRED, retire)
        for i in range(0, len(put), PAGE):
            page = put[i : i + PAGE]
            self.col.upsert(
                ids=[e.article_id for e in page],
                embeddings=[[0.0] for _ in page],
                metadatas=[_to_metadata(e) for e in page],
            )
        for ids in pages(remove):
            self.col.delete(ids=ids)
        self.unmark(PENDING, [e.version for e in put])
        self.touch()

    def touch(self) -> None:
        self.col.upsert(
            ids=[TOKEN_ID],
            embeddings=[[0.0]],
            metadatas=[{"kind": "token", "token": uuid.uuid4().hex, "at": time.time()}],
        )
