"""The article index: passages and their vectors in Chroma, kept in step with the article files.

State lives entirely in Chroma, so the on-disk ``PersistentClient`` and a ``chroma run`` server
behave the same:

* ``<prefix>-<embedding>`` holds passages (text, vector, article id, title, offsets, version).
* ``<prefix>-<embedding>-texts`` holds each article version's full text, which the verifier needs
  to place a quote anywhere in the cited article.
* The passages collection's metadata holds the *manifest*: which version of each article is live.

An ingest writes the new versions first and swaps the manifest last, in one metadata update, and
every read filters on the live versions. An ingest interrupted before the swap therefore leaves
the previous index answering exactly as before; its orphans are removed by the next ingest.
Each embedding model gets its own collections, so switching models never mixes vectors.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from assistant.errors import ArticleError, IndexError_
from assistant.settings import Settings
from assistant.store.corpus import Article, discover, load_article, load_catalog
from assistant.store.splitting import Passage, split_article

log = logging.getLogger(__name__)

MANIFEST_KEY = "manifest"


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


def make_client(settings: Settings) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        try:
            return chromadb.HttpClient(
                host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
            )
        except Exception as exc:
            raise IndexError_(
                f"cannot reach the Chroma server at {settings.chroma_host}:{settings.chroma_port} "
                f"({type(exc).__name__}); start it with `chroma run --host {settings.chroma_host} "
                f"--port {settings.chroma_port}` or unset ASSISTANT_CHROMA_HOST"
            ) from None
    settings.vectorstore_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.vectorstore_dir), settings=chroma_settings)


def collection_name(prefix: str, embedding_id: str) -> str:
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in embedding_id.lower())
    return f"{prefix}-{safe}"[:500]


class ArticleIndex:
    """Reads and incrementally updates the Chroma collections for one embedding model."""

    def __init__(self, settings: Settings, embeddings: Embeddings, embedding_id: str) -> None:
        from langchain_chroma import Chroma

        self.settings = settings
        self.embeddings = embeddings
        self.client = make_client(settings)
        name = collection_name(settings.collection_prefix, embedding_id)
        try:
            self.store = Chroma(
                client=self.client,
                collection_name=name,
                embedding_function=embeddings,
                collection_configuration={"hnsw": {"space": "cosine"}},
            )
            self.texts = self.client.get_or_create_collection(
                f"{name}-texts", embedding_function=None
            )
        except IndexError_:
            raise
        except Exception as exc:
            raise IndexError_(f"cannot open the vector store: {exc}") from None
        self._text_cache: dict[str, str] = {}

    # --- reading -------------------------------------------------------------------------

    @property
    def _collection(self) -> Any:
        return self.store._collection

    def manifest(self) -> dict[str, ArticleEntry]:
        raw = (self._collection.metadata or {}).get(MANIFEST_KEY)
        if not raw:
            return {}
        return {k: ArticleEntry(**v) for k, v in json.loads(raw).items()}

    def live_versions(self) -> list[str]:
        return [entry.version for entry in self.manifest().values()]

    def passages(self) -> list[Passage]:
        versions = self.live_versions()
        if not versions:
            return []
        got = self._collection.get(
            where=_in("version", versions), include=["documents", "metadatas"]
        )
        out = [
            _passage_from(doc, meta)
            for doc, meta in zip(got["documents"], got["metadatas"], strict=True)
        ]
        return sorted(out, key=lambda p: (p.article_id, p.index))

    def article_text(self, version: str) -> str | None:
        if version not in self._text_cache:
            got = self.texts.get(ids=[version], include=["documents"])
            if not got["ids"]:
                return None
            self._text_cache[version] = got["documents"][0]
        return self._text_cache[version]

    def dense_search(self, query: str, k: int) -> list[tuple[Passage, float]]:
        versions = self.live_versions()
        if not versions:
            return []
        vector = self.embeddings.embed_query(query)
        hits = self.store.similarity_search_by_vector_with_relevance_scores(
            vector, k=k, filter=_in("version", versions)
        )
        return [(_passage_from(doc.page_content, doc.metadata), score) for doc, score in hits]

    # --- writing -------------------------------------------------------------------------

    def ingest(self, paths: Sequence[Path], catalog_path: Path | None = None) -> IngestReport:
        """Bring the index in line with ``paths`` (files or folders).

        Unchanged articles cost a hash; changed ones are re-split and re-embedded; articles that
        were ingested from one of the given folders and are no longer there are removed.
        """
        with self._lock():
            return self._ingest(paths, catalog_path)

    def _ingest(self, paths: Sequence[Path], catalog_path: Path | None) -> IngestReport:
        report = IngestReport()
        old = self.manifest()
        new = dict(old)
        folders = [p.resolve() for p in paths if p.is_dir()]
        catalogs: dict[Path, dict[str, dict[str, str]]] = {}
        fresh: list[tuple[Article, list[Passage]]] = []
        seen: set[str] = set()
        claimed: dict[str, Path] = {}  # article id -> the file it comes from in this run
        retitled: list[Article] = []
        for path in discover(paths):
            folder = path.parent
            article_id = path.stem
            # A file that cannot be read this time keeps its article: a bad replacement must
            # not delete the good version already indexed.
            seen.add(article_id)
            if clash := self._id_clash(article_id, path, old, claimed):
                report.skipped.append((str(path), clash))
                log.info("skipped %s", clash)
                continue
            if folder not in catalogs:
                catalogs[folder] = load_catalog(catalog_path or folder / self.settings.catalog_file)
            try:
                article = load_article(path, catalogs[folder])
            except ArticleError as exc:
                report.skipped.append((str(path), str(exc)))
                log.info("skipped %s", exc)
                continue
            claimed[article_id] = path.resolve()
            entry = old.get(article.article_id)
            if entry and entry.version == article.version and self.article_text(entry.version):
                current = _entry(article, path, entry.passages)
                if current != entry:  # title, outlet, date or location changed, text did not
                    new[article.article_id] = current
                    if current.title != entry.title:
                        retitled.append(article)
                report.unchanged.append(article.article_id)
                continue
            passages = split_article(
                article, self.settings.chunk_tokens, self.settings.chunk_overlap_tokens
            )
            fresh.append((article, passages))
            new[article.article_id] = _entry(article, path, len(passages))
            (report.updated if entry else report.added).append(article.article_id)
        self._retitle(retitled)
        for article_id, entry in old.items():
            if article_id not in seen and _inside(Path(entry.path), folders):
                del new[article_id]
                report.removed.append(article_id)
        self._write(fresh)
        report.passages_written = sum(len(p) for _, p in fresh)
        if new != old:
            self._collection.modify(
                metadata={MANIFEST_KEY: json.dumps({k: v.to_json() for k, v in new.items()})}
            )
        self._collect_garbage([e.version for e in new.values()])
        return report

    @staticmethod
    def _id_clash(
        article_id: str, path: Path, old: dict[str, ArticleEntry], claimed: dict[str, Path]
    ) -> str | None:
        """Why ``path`` may not provide ``article_id``, if another file already does.

        An article id is a file's stem, so ``a.txt`` beside ``a.md``, or a file named like an
        indexed article in another folder, would silently replace an article. The indexed file
        keeps its id while it exists; rename the newcomer (or delete the old file) to proceed.
        """
        resolved = path.resolve()
        if article_id in claimed and claimed[article_id] != resolved:
            return (
                f"{path}: article id {article_id!r} is already taken by {claimed[article_id]} "
                "in this ingest; rename one of the files"
            )
        entry = old.get(article_id)
        if entry and Path(entry.path) != resolved and Path(entry.path).exists():
            return (
                f"{path}: article id {article_id!r} is already indexed from {entry.path}; "
                "rename the file, or delete the indexed one and ingest again"
            )
        return None

    def _retitle(self, articles: list[Article]) -> None:
        """New catalog titles reach the stored passages too, so citations show them."""
        for article in articles:
            got = self._collection.get(where={"version": article.version}, include=["metadatas"])
            if got["ids"]:
                metadatas = [{**m, "title": article.title} for m in got["metadatas"]]
                self._collection.update(ids=got["ids"], metadatas=metadatas)

    def _write(self, fresh: list[tuple[Article, list[Passage]]]) -> None:
        if not fresh:
            return
        passages = [p for _, ps in fresh for p in ps]
        if passages:
            self.store.add_texts(
                texts=[p.text for p in passages],
                metadatas=[passage_metadata(p) for p in passages],
                ids=[p.passage_id for p in passages],
            )
        self.texts.upsert(
            ids=[a.version for a, _ in fresh],
            documents=[a.text for a, _ in fresh],
            embeddings=[[0.0] for _ in fresh],
            metadatas=[{"article_id": a.article_id} for a, _ in fresh],
        )
        for article, _ in fresh:
            self._text_cache[article.version] = article.text

    def _collect_garbage(self, live: list[str]) -> None:
        where = _nin("version", live) if live else None
        stale = (
            self._collection.get(where=where, include=[])
            if live
            else self._collection.get(include=[])
        )
        if stale["ids"]:
            self._collection.delete(ids=stale["ids"])
        text_ids = self.texts.get(include=[])["ids"]
        dead = [i for i in text_ids if i not in set(live)]
        if dead:
            self.texts.delete(ids=dead)
            for version in dead:
                self._text_cache.pop(version, None)

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        """One writer at a time per on-disk store (a CLI ingest beside a UI upload)."""
        if self.settings.chroma_host:
            yield
            return
        lock_path = self.settings.vectorstore_dir / ".ingest.lock"
        with open(lock_path, "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _in(key: str, values: Iterable[str]) -> dict[str, Any]:
    return {key: {"$in": list(values)}}


def _nin(key: str, values: Iterable[str]) -> dict[str, Any]:
    return {key: {"$nin": list(values)}}


def _inside(path: Path, folders: list[Path]) -> bool:
    return any(path.parent == folder for folder in folders)


def _entry(article: Article, path: Path, passages: int) -> ArticleEntry:
    return ArticleEntry(
        article_id=article.article_id,
        version=article.version,
        title=article.title,
        outlet=article.outlet,
        date=article.date,
        path=str(path.resolve()),
        passages=passages,
    )


def passage_metadata(p: Passage) -> dict[str, Any]:
    """What Chroma stores beside a passage's text; enough to rebuild the Passage."""
    return {
        "article_id": p.article_id,
        "title": p.title,
        "start": p.start,
        "end": p.end,
        "index": p.index,
        "version": p.version,
    }


def _passage_from(text: str, meta: dict[str, Any]) -> Passage:
    return Passage(
        article_id=str(meta["article_id"]),
        title=str(meta["title"]),
        start=int(meta["start"]),
        end=int(meta["end"]),
        text=text,
        index=int(meta["index"]),
        version=str(meta["version"]),
    )
