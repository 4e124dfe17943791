"""Ingest and removal: articles are embedded and swapped live a group at a time.

* Each group of articles (a few hundred passages) is marked pending, embedded, written in
  batches within the client's ``get_max_batch_size()``, and then swapped live. If a later group
  fails, the groups before it stay indexed and a rerun skips them as unchanged.
* A swap re-reads the records of the articles it replaces (a compare-and-swap on each record),
  so it never writes from a stale copy and never touches another article.
* Replaced and removed versions are retired, not deleted: an answer that retrieved them before
  the swap can still verify its quotes. The next ingest after ``ASSISTANT_GC_GRACE_S`` deletes
  them, together with whatever a killed ingest left pending.
* An article that cannot be read or split is skipped with the reason; the rest are ingested.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from assistant.errors import ArticleError
from assistant.store.corpus import Article, content_blocks, discover, load_article, load_catalog
from assistant.store.index import ArticleIndex, store_errors
from assistant.store.manifest import PENDING, RETIRED, ArticleEntry, IngestReport, pages
from assistant.store.records import pack_sentences, passage_metadata
from assistant.store.space import reclaim_store
from assistant.store.splitting import Passage, split_article
from assistant.text import sentence_spans

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]  # (passages embedded so far, passages to embed)
Planned = tuple[Article, Path, list[Passage]]


def ingest(
    index: ArticleIndex,
    paths: Sequence[Path],
    catalog_path: Path | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Bring the index in line with ``paths`` (files or folders).

    Unchanged articles cost a hash; changed ones are re-split and re-embedded; articles that were
    ingested from one of the given folders and are no longer there are removed.
    """
    with index.writer(), store_errors(index.settings):
        job = _Ingest(index, catalog_path, progress)
        try:
            job.run(paths)
        finally:  # this process's lexical index catches up now, not on the next question
            index.advance(job.token, job.gone, job.put)
    return job.report


def remove(index: ArticleIndex, article_ids: Sequence[str]) -> IngestReport:
    """Remove articles by id (the files are left alone), with the same guarantees as ingest."""
    with index.writer(), store_errors(index.settings):
        job = _Ingest(index, None, None)
        current = job.index.manifest_records.get(article_ids)
        for article_id in dict.fromkeys(article_ids):
            if article_id not in current:
                job.report.skipped.append((article_id, f"no article with id {article_id!r}"))
        job.swap([], list(current), current)
        job.report.removed = sorted(current)
        job.collect_garbage()
        index.advance(job.token, job.gone, job.put)
    return job.report


class _Ingest:
    def __init__(
        self, index: ArticleIndex, catalog_path: Path | None, progress: Progress | None
    ) -> None:
        self.index = index
        self.settings = index.settings
        self.catalog_path = catalog_path
        self.progress = progress
        self.report = IngestReport()
        self.token = index.manifest_records.token()  # read under the writer lock
        self.reclaim_space()  # a new store is switched to incremental vacuum while it is small
        self.put: list[ArticleEntry] = []  # what this job made live ...
        self.gone: set[str] = set()  # ... and the versions it took out

    def run(self, paths: Sequence[Path]) -> IngestReport:
        report = self.report
        folders = [p.resolve() for p in paths if p.is_dir()]
        files = list(discover(paths))
        # Under the writer lock, the store's current state: all of it when a folder is synced
        # (its vanished files are removed), else only the records of the files given.
        records = self.index.manifest_records
        old = self.index.manifest() if folders else records.get(p.stem for p in files)
        catalogs: dict[Path, dict[str, dict[str, str]]] = {}
        parents: dict[Path, Path] = {}
        loaded: list[tuple[Article, Path]] = []
        seen: set[str] = set()
        claimed: dict[str, Path] = {}  # article id -> the file it comes from in this run
        for path in files:
            article_id = path.stem
            # A file that cannot be read this time keeps its article: a bad replacement must
            # not delete the good version already indexed.
            seen.add(article_id)
            folder = path.parent
            if folder not in parents:  # one resolve per folder, not three per file
                parents[folder] = folder.resolve()
            resolved = parents[folder] / path.name
            if clash := _id_clash(article_id, path, resolved, old, claimed):
                report.skipped.append((str(path), clash))
                continue
            if folder not in catalogs:
                catalogs[folder] = load_catalog(
                    self.catalog_path or folder / self.settings.catalog_file
                )
            try:
                article = load_article(path, catalogs[folder])
            except ArticleError as exc:
                report.skipped.append((str(path), str(exc)))
                continue
            claimed[article_id] = resolved
            loaded.append((article, resolved))

        planned: list[Planned] = []
        relabelled: list[ArticleEntry] = []
        for article, path in loaded:
            entry = old.get(article.article_id)
            # A live version's text is never collected, so an equal hash means nothing to do.
            if entry and entry.version == article.version:
                current = _entry(article, path, entry.passages)
                if current != entry:  # title, outlet, date or location changed, text did not
                    relabelled.append(current)
                report.unchanged.append(article.article_id)
                continue
            try:
                passages = split_article(
                    article, self.settings.chunk_tokens, self.settings.chunk_overlap_tokens
                )
            except Exception as exc:  # one odd article must not stop the other thousands
                report.skipped.append((str(path), f"{path}: could not be split ({exc}); skipped"))
                continue
            planned.append((article, path, passages))

        total = sum(len(p) for _, _, p in planned)
        done = 0
        if self.progress and total:
            self.progress(0, total)
        for group in _groups(planned, self.settings.ingest_batch_passages):
            with self._heartbeat([a.version for a, _, _ in group]):
                self._write(group)
            entries = [_entry(a, path, len(ps)) for a, path, ps in group]
            self.swap(entries, [], old)
            for article, _, passages in group:
                kind = report.updated if article.article_id in old else report.added
                kind.append(article.article_id)
                done += len(passages)
            report.passages_written = done
            if self.progress:
                self.progress(done, total)

        gone = [i for i, e in old.items() if i not in seen and _inside(e.path, folders)]
        self.swap(relabelled, gone, old)
        report.removed = sorted(gone)
        self.collect_garbage()
        return report

    # --- steps -----------------------------------------------------------------------------

    def _write(self, group: list[Planned]) -> None:
        """Embed and store one group's passages, texts and sentence vectors (not yet live)."""
        index = self.index
        index.manifest_records.mark(PENDING, [a.version for a, _, _ in group])
        passages = [p for _, _, ps in group for p in ps]
        vectors = index.embeddings.embed_documents([p.text for p in passages])
        self._upsert(
            index._collection,
            ids=[p.passage_id for p in passages],
            embeddings=vectors,
            documents=[p.text for p in passages],
            metadatas=[passage_metadata(p) for p in passages],
        )
        if self.settings.sentence_vectors:
            spans = [article_sentences(a) for a, _, _ in group]
            flat = [a.text[s:e] for (a, _, _), ss in zip(group, spans, strict=True) for s, e in ss]
            vectors = iter(index.embeddings.embed_documents(flat))
            packed = [pack_sentences(ss, [next(vectors) for _ in ss]) for ss in spans]
            self._upsert(
                index.sentences,
                ids=[a.version for a, _, _ in group],
                embeddings=[[0.0] for _ in group],
                metadatas=[
                    {"article_id": a.article_id, "packed": p}
                    for (a, _, _), p in zip(group, packed, strict=True)
                ],
            )
        self._upsert(
            index.texts,
            ids=[a.version for a, _, _ in group],
            embeddings=[[0.0] for _ in group],
            documents=[a.text for a, _, _ in group],
            metadatas=[{"article_id": a.article_id} for a, _, _ in group],
        )
        for article, _, _ in group:
            index.remember_text(article.version, article.text)

    @contextlib.contextmanager
    def _heartbeat(self, versions: list[str]) -> Iterator[None]:
        """Against a server, keep this group's pending records fresh while it is written.

        Another machine's ingest may collect a pending version once its record is
        ``orphan_age_s`` old; rewritten every fifth of that, only a dead ingest's records age
        so far. (On disk the writer lock already tells a killed ingest's records apart.)
        """
        if not self.settings.chroma_host:
            yield
            return
        stop = threading.Event()
        records = self.index.manifest_records

        def beat() -> None:
            while not stop.wait(max(self.settings.orphan_age_s / 5, 0.05)):
                try:
                    records.mark(PENDING, versions)
                except Exception as exc:  # the write itself will report a failing server
                    log.debug("pending records not refreshed: %s", exc)

        thread = threading.Thread(target=beat, name="ingest-heartbeat", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()

    def _upsert(self, collection: object, **columns: list) -> None:
        size = min(self.index.client.get_max_batch_size(), 2048)
        n = len(columns["ids"])
        for i in range(0, n, size):
            collection.upsert(**{k: v[i : i + size] for k, v in columns.items()})  # type: ignore[attr-defined]

    def swap(
        self, put: list[ArticleEntry], remove: list[str], read: dict[str, ArticleEntry]
    ) -> None:
        """Compare-and-swap: re-read the records now; retire what they hold, not what we read."""
        if not put and not remove:
            return
        records = self.index.manifest_records
        current = records.get([e.article_id for e in put] + remove)
        retire = [
            current[e.article_id].version
            for e in put
            if e.article_id in current and current[e.article_id].version != e.version
        ]
        # An article another writer re-ingested since we read it is theirs now: leave it.
        removable = [i for i in remove if i in current and current[i] == read.get(i)]
        retire += [current[i].version for i in removable]
        records.swap(put, removable, retire)
        self.put += put
        self.gone.update(retire)

    def collect_garbage(self) -> None:
        """Delete retired versions past the grace period and what killed ingests left pending.

        Under the writer lock a pending record on this machine's own disk store can only be a
        killed ingest's; against a server another machine may be writing, so only records that
        no heartbeat refreshed for ``orphan_age_s`` go (see ``_heartbeat``).
        """
        records = self.index.manifest_records
        now = time.time()
        due = [
            v for v, at in records.marked(RETIRED).items() if now - at >= self.settings.gc_grace_s
        ]
        age = self.settings.orphan_age_s if self.settings.chroma_host else 0.0
        orphans = [v for v, at in records.marked(PENDING).items() if now - at >= age]
        candidates = list(dict.fromkeys(due + orphans))
        # A version can be live again (an article reverted to earlier text): re-read and keep it.
        live = {e.version for e in records.get(v.rsplit("@", 1)[0] for v in candidates).values()}
        doomed = [v for v in candidates if v not in live]
        for page in pages(doomed, 100):
            where = {"version": {"$in": page}}
            self.index._collection.delete(where=where)
            self.index.sentences.delete(ids=page)
            self.index.texts.delete(ids=page)
        records.unmark(RETIRED, due)
        records.unmark(PENDING, orphans)
        if doomed:
            log.info("reclaimed %d superseded or orphaned article versions", len(doomed))
        self.reclaim_space()

    def reclaim_space(self) -> None:
        """The disk space that deleted rows held goes back to the filesystem (``space.py``)."""
        if not self.settings.chroma_host and not self.index.read_only:
            reclaim_store(self.index.root)


def article_sentences(article: Article) -> list[tuple[int, int]]:
    """Sentence spans (offsets into the article) of the text that passages are cut from."""
    out = []
    for start, end in content_blocks(article.text):
        out += [(start + s, start + e) for s, e in sentence_spans(article.text[start:end])]
    return out


def _groups(planned: list[Planned], size: int) -> Iterable[list[Planned]]:
    group: list[Planned] = []
    count = 0
    for item in planned:
        group.append(item)
        count += len(item[2])
        if count >= size:
            yield group
            group, count = [], 0
    if group:
        yield group


def _id_clash(
    article_id: str,
    path: Path,
    resolved: Path,
    old: dict[str, ArticleEntry],
    claimed: dict[str, Path],
) -> str | None:
    """Why ``path`` may not provide ``article_id``, if another file already does.

    An article id is a file's stem, so ``a.txt`` beside ``a.md``, or a file named like an indexed
    article in another folder, would silently replace an article. The indexed file keeps its id
    while it exists; rename the newcomer (or delete the old file) to proceed.
    """
    if article_id in claimed and claimed[article_id] != resolved:
        return (
            f"{path}: article id {article_id!r} is already taken by {claimed[article_id]} "
            "in this ingest; rename one of the files"
        )
    entry = old.get(article_id)
    if entry and entry.path != str(resolved) and Path(entry.path).exists():
        return (
            f"{path}: article id {article_id!r} is already indexed from {entry.path}; "
            "rename the file, or delete the indexed one and ingest again"
        )
    return None


def _inside(path: str, folders: list[Path]) -> bool:
    parent = os.path.dirname(path)  # a string: 5,000 Path objects cost a tenth of a second
    return any(parent == str(folder) for folder in folders)


def _entry(article: Article, path: Path, passages: int) -> ArticleEntry:
    return ArticleEntry(
        article_id=article.article_id,
        version=article.version,
        title=article.title,
        outlet=article.outlet,
        date=article.date,
        path=str(path),
        passages=passages,
    )
