"""The article index: passages, texts and sentence vectors in Chroma, and what is live.

State lives in Chroma, so the on-disk ``PersistentClient`` and a ``chroma run`` server behave the
same. For one embedding model ``<prefix>-<embedding>`` the collections are:

* ``…`` passages (text, vector, article id, offsets, version);
* ``…-texts`` each article version's full text (the verifier places quotes anywhere in it);
* ``…-sentences`` each version's sentence offsets and vectors, packed in one record (the
  offline engine ranks sentences with them);
* ``…-manifest`` one record per live article (see ``manifest.py``).

Per question the cost does not grow with the corpus: one read of the manifest token, an
unfiltered nearest-neighbour query whose hits are checked against the live versions (instead of
a filter listing every live version), and an FTS5 query (``lexical.py``). Writing is in
``ingest.py``; this module holds what readers and writers share.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.errors import IndexError_
from assistant.settings import Settings
from assistant.store.client import (
    ChangeWatch,
    collection_name,
    is_disk_full,
    make_client,
    read_only_copy,
    store_errors,
    store_label,
)
from assistant.store.lexical import LexicalIndex, Live
from assistant.store.manifest import PAGE, ArticleEntry, IngestReport, Manifest, pages
from assistant.store.records import passage_from, passage_metadata, unpack_sentences
from assistant.store.splitting import Passage
from assistant.store.vectors import embed_texts

log = logging.getLogger(__name__)

LEGACY_MANIFEST_KEY = "manifest"  # where stores before per-article records kept the manifest
TEXT_CACHE = 256  # article texts kept in memory (LRU); a question needs a handful
SENTENCE_CACHE = 512  # versions whose sentence vectors are kept in memory

__all__ = [
    "ArticleEntry",
    "ArticleIndex",
    "IngestReport",
    "Snapshot",
    "collection_name",
    "passage_metadata",
    "store_errors",
]


@dataclass(frozen=True)
class Snapshot:
    """The live articles at one manifest token; a question reads everything through one."""

    token: str
    live: Live  # version -> (article_id, title)


class ArticleIndex:
    """Reads the Chroma collections for one embedding model; ``ingest.py`` writes them."""

    def __init__(self, settings: Settings, embeddings: Embeddings, embedding_id: str) -> None:
        from langchain_chroma import Chroma

        self.settings = settings
        self.embeddings = embeddings
        self.name = collection_name(settings.collection_prefix, embedding_id)
        self.root = settings.vectorstore_dir  # where the on-disk store is actually opened
        self.read_only = False
        with store_errors(settings):
            try:
                try:
                    self.client = make_client(settings)
                except Exception as exc:
                    if settings.chroma_host or not is_disk_full(exc):
                        raise
                    self.root, self.read_only = read_only_copy(settings.vectorstore_dir), True
                    self.client = make_client(
                        settings.model_copy(update={"vectorstore_dir": self.root})
                    )
                self.store = Chroma(  # kept for LangChain users and the bench's bare query
                    client=self.client,
                    collection_name=self.name,
                    embedding_function=embeddings,
                    collection_configuration={"hnsw": {"space": "cosine"}},
                )
                self.texts = self._side_collection("texts")
                self.sentences = self._side_collection("sentences")
                self.manifest_records = Manifest(self._side_collection("manifest"))
            except IndexError_:
                raise
            except Exception as exc:
                if type(exc).__module__.startswith(("httpx", "httpcore")):
                    raise
                raise IndexError_(f"cannot open {store_label(settings)}: {exc}") from None
        self.lexical = LexicalIndex(self._lexical_path())
        self._lock = threading.RLock()
        self._snapshot: Snapshot | None = None
        self._watch = ChangeWatch(settings, self.root)
        self._seen: int | None = None  # the file's change counter when the token was read
        self._texts: OrderedDict[str, str] = OrderedDict()
        self._sentences: OrderedDict[str, list[tuple[int, int, np.ndarray]]] = OrderedDict()
        self._migrate_legacy_manifest()

    def _side_collection(self, suffix: str) -> Any:
        name = f"{self.name}-{suffix}"
        try:
            return self.client.get_collection(name, embedding_function=None)
        except Exception:  # absent: created once (answering a question never needs to)
            return self.client.get_or_create_collection(name, embedding_function=None)

    def _lexical_path(self) -> Path:
        where = (
            f"{self.settings.chroma_host}-{self.settings.chroma_port}-"
            if self.settings.chroma_host
            else ""
        )
        return self.root / f"lexical-{where}{self.name}.sqlite3"

    @property
    def _collection(self) -> Any:
        return self.store._collection

    # --- what is live ----------------------------------------------------------------------

    def manifest(self) -> dict[str, ArticleEntry]:
        """Every live article (reads the whole manifest: for listings and ingests)."""
        with store_errors(self.settings):
            return self.manifest_records.entries()

    def entry(self, article_id: str) -> ArticleEntry | None:
        with store_errors(self.settings):
            return self.manifest_records.get([article_id]).get(article_id)

    def is_empty(self) -> bool:
        with store_errors(self.settings):
            return self.manifest_records.is_empty()

    def live_versions(self) -> list[str]:
        return list(self.snapshot().live)

    def snapshot(self) -> Snapshot:
        """The live set, re-read only when the manifest token changed (one small read), and the
        token re-read only when the database file changed since (on disk; see ``ChangeWatch``)."""
        seen = self._watch.version()
        with self._lock:
            if seen is not None and self._snapshot is not None and seen == self._seen:
                return self._snapshot
        with store_errors(self.settings):
            token = self.manifest_records.token()
        with self._lock:
            self._seen = seen
            if self._snapshot is not None and self._snapshot.token == token:
                return self._snapshot
            if token and self.lexical.token() == token:  # a cold start reads no manifest
                self.lexical.upgrade()
                snap = Snapshot(token, self.lexical.live())
            else:
                snap = self._load(token)
            self._snapshot = snap
            return snap

    def advance(self, before: str, gone: set[str], put: list[ArticleEntry]) -> None:
        """Move the snapshot and the lexical index past this process's own swaps.

        On a disk store the writer lock guarantees that the swaps since ``before`` were ours, so
        the live set is the previous one plus the delta: adding one article to 5,000 does not
        re-read 5,000 records. Against a server (other machines write too) it is re-read.
        """
        with store_errors(self.settings):
            token = self.manifest_records.token()
        with self._lock:
            base: Live | None = None
            if self._snapshot is not None and self._snapshot.token == before:
                base = dict(self._snapshot.live)
            elif self.lexical.token() == before:
                base = self.lexical.live()
            if base is None or self.settings.chroma_host:
                self._snapshot = self._load(token)
                return
            for version in gone:
                base.pop(version, None)
            for entry in put:
                base[entry.version] = (entry.article_id, entry.title)
            self.lexical.sync(token, base, lambda versions: self._passages_of(versions, base))
            self._snapshot = Snapshot(token, base)

    def _load(self, token: str) -> Snapshot:
        with store_errors(self.settings):
            entries = self.manifest_records.entries()
        live = {e.version: (e.article_id, e.title) for e in entries.values()}
        self.lexical.sync(token, live, lambda versions: self._passages_of(versions, live))
        return Snapshot(token, live)

    # --- passages, texts, vectors ----------------------------------------------------------

    def passages(self) -> list[Passage]:
        """Every live passage, read a page of versions at a time (no giant ``$in``)."""
        live = self.snapshot().live
        out: list[Passage] = []
        for page in pages(sorted(live), 100):
            out += self._passages_of(page, live)
        return sorted(out, key=lambda p: (p.article_id, p.index))

    def _passages_of(self, versions: list[str], live: Live) -> list[Passage]:
        out: list[Passage] = []
        with store_errors(self.settings):
            offset = 0
            while True:
                got = self._collection.get(
                    where={"version": {"$in": versions}},
                    include=["documents", "metadatas"],
                    limit=PAGE,
                    offset=offset,
                )
                out += [
                    passage_from(doc, meta, live)
                    for doc, meta in zip(got["documents"], got["metadatas"], strict=True)
                ]
                if len(got["ids"]) < PAGE:
                    return out
                offset += PAGE

    def article_text(self, version: str) -> str | None:
        with self._lock:
            if version in self._texts:
                self._texts.move_to_end(version)
                return self._texts[version]
        with store_errors(self.settings):
            got = self.texts.get(ids=[version], include=["documents"])
        if not got["ids"]:
            return None
        self.remember_text(version, got["documents"][0])
        return got["documents"][0]

    def remember_text(self, version: str, text: str) -> None:
        with self._lock:
            self._texts[version] = text
            while len(self._texts) > TEXT_CACHE:
                self._texts.popitem(last=False)

    def sentence_vectors(self, version: str) -> list[tuple[int, int, np.ndarray]]:
        """(start, end, unit vector) for each sentence of an article version, in text order.

        Computed once at ingest with the passages' embedding model; cached per version, so the
        offline engine can rank the sentences of retrieved articles without embedding them.
        """
        with self._lock:
            if version in self._sentences:
                self._sentences.move_to_end(version)
                return self._sentences[version]
        with store_errors(self.settings):
            got = self.sentences.get(ids=[version], include=["metadatas"])
        # In metadata, not the document: Chroma full-text indexes every document it stores.
        rows = unpack_sentences(str(got["metadatas"][0]["packed"])) if got["ids"] else []
        with self._lock:
            self._sentences[version] = rows
            while len(self._sentences) > SENTENCE_CACHE:
                self._sentences.popitem(last=False)
        return rows

    def dense_search(
        self, query: str, k: int, snapshot: Snapshot | None = None
    ) -> list[tuple[Passage, float]]:
        """Nearest live passages. The query is unfiltered and its hits checked against the live
        set; only if that leaves too few (a large ingest half-written) is it widened.

        Chroma is asked for ids and distances only: reading 30 hits' texts and metadata from it
        cost four times the search itself. The texts come from the lexical index, which holds
        every live passage (Chroma is read only for any it lacks).
        """
        live = (snapshot or self.snapshot()).live
        if not live:
            return []
        if getattr(self.embeddings, "symmetric", False):  # one vector for query and text:
            vector = embed_texts(self.embeddings, [query])[0].tolist()
        else:
            vector = self.embeddings.embed_query(query)
        n = k + 10
        with store_errors(self.settings):
            while True:
                got = self._collection.query(
                    query_embeddings=[vector], n_results=n, include=["distances"]
                )
                ids = got["ids"][0]
                scored = [
                    (pid, 1.0 - float(dist))
                    for pid, dist in zip(ids, got["distances"][0], strict=True)
                    if pid.rsplit("#", 1)[0] in live
                ]
                if len(scored) >= k or len(ids) < n:
                    found = self.passages_by_id([pid for pid, _ in scored[:k]], live)
                    return [(found[pid], score) for pid, score in scored[:k] if pid in found]
                if n >= 16 * (k + 10):
                    break
                n *= 4
            got = self._collection.query(
                query_embeddings=[vector],
                n_results=k,
                where={"version": {"$in": list(live)}},
                include=["documents", "metadatas", "distances"],
            )
        return [
            (passage_from(doc, meta, live), 1.0 - float(dist))
            for doc, meta, dist in zip(
                got["documents"][0], got["metadatas"][0], got["distances"][0], strict=True
            )
        ]

    def passages_by_id(self, ids: list[str], live: Live) -> dict[str, Passage]:
        """Live passages by id: from the lexical index, else (not synced yet) from Chroma."""
        found = self.lexical.passages(ids, live)
        missing = [pid for pid in ids if pid not in found]
        if missing:
            with store_errors(self.settings):
                got = self._collection.get(ids=missing, include=["documents", "metadatas"])
            for pid, doc, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True):
                found[pid] = passage_from(doc, meta, live)
        return found

    def lexical_search(
        self, query: str, k: int, snapshot: Snapshot | None = None
    ) -> list[tuple[Passage, float]]:
        return self.lexical.search(query, k, (snapshot or self.snapshot()).live)

    # --- writing (``ingest.py`` holds the algorithm) ---------------------------------------

    @contextlib.contextmanager
    def writer(self) -> Iterator[None]:
        """One writer at a time per machine and store: a CLI ingest beside a UI upload.

        Writers on different machines sharing a Chroma server are safe without it: each swap
        re-reads and replaces only its own articles' records.
        """
        if self.read_only:
            raise IndexError_(
                f"the disk holding {self.settings.vectorstore_dir} is full, so the store is open "
                "read-only (questions still work); free some space, then try again"
            )
        label = (
            f"{self.settings.chroma_host}-{self.settings.chroma_port}"
            if self.settings.chroma_host
            else "local"
        )
        self.settings.vectorstore_dir.mkdir(parents=True, exist_ok=True)
        lock_path = self.settings.vectorstore_dir / f".ingest-{label}.lock"
        with open(lock_path, "w") as handle, store_errors(self.settings):
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _migrate_legacy_manifest(self) -> None:
        """Stores written before per-article records kept the manifest as one JSON document."""
        raw = (self._collection.metadata or {}).get(LEGACY_MANIFEST_KEY)
        if not raw or not self.manifest_records.is_empty():
            return
        entries = [ArticleEntry(**v) for v in json.loads(raw).values()]
        with self.writer(), store_errors(self.settings):
            if self.manifest_records.is_empty():
                self.manifest_records.swap(entries)
