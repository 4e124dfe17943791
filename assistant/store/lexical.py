"""The lexical half of retrieval: SQLite FTS5 ranked by its built-in ``bm25()``.

It replaces a rank-bm25 index rebuilt in memory from every passage on the first question of each
process (3.8 s and 49 ms a query at 30,000 passages). The FTS5 file is persistent and updated
incrementally: it records which article versions it holds and the manifest token it last matched,
and on a new token it adds the versions that went live and deletes those that did not stay live.
It is a derived cache of what Chroma holds, so every process (and, in Chroma server mode, every
machine) keeps its own copy in step with the one shared store; deleting it only costs a rebuild.

The text is indexed as the project's own word tokens (``assistant.text.tokens``: stems, numbers
without separators), joined by spaces, so a query matches exactly what rank-bm25 matched before.
If the file cannot be written (a full disk, a read-only store) questions are still answered from
what it holds; if it cannot be opened at all, an in-memory index is used.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from assistant.store.splitting import Passage
from assistant.text import tokens

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS state(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS versions(version TEXT PRIMARY KEY, article_id TEXT NOT NULL,
    title TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rows(id INTEGER PRIMARY KEY, version TEXT NOT NULL,
    idx INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL, text TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS rows_version ON rows(version);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(terms,
    tokenize = "unicode61 remove_diacritics 0 tokenchars '-.''’'");
CREATE VIRTUAL TABLE IF NOT EXISTS vocab USING fts5vocab(fts, 'row');
"""

# version -> (article_id, title): the live articles as a reader sees them.
Live = dict[str, tuple[str, str]]


def _match_expression(terms: Iterable[str]) -> str:
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)


class LexicalIndex:
    """FTS5 over the live passages; thread-safe, shared by processes through SQLite's locking."""

    def __init__(self, path: Path | None) -> None:
        self._lock = threading.RLock()
        self.path = path
        self._db = self._open(path)

    @staticmethod
    def _open(path: Path | None) -> sqlite3.Connection:
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(
                    path, timeout=30, check_same_thread=False, isolation_level=None
                )
                db.execute("PRAGMA journal_mode=WAL")
                db.executescript(SCHEMA)
                return db
            except (sqlite3.Error, OSError) as exc:
                log.warning("lexical index %s unusable (%s); keeping one in memory", path, exc)
        db = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        db.executescript(SCHEMA)
        return db

    # --- state ---------------------------------------------------------------------------

    def token(self) -> str:
        with self._lock:
            row = self._db.execute("SELECT value FROM state WHERE key='token'").fetchone()
            return row[0] if row else ""

    def live(self) -> Live:
        with self._lock:
            rows = self._db.execute("SELECT version, article_id, title FROM versions").fetchall()
        return {v: (a, t) for v, a, t in rows}

    def sync(self, token: str, live: Live, fetch: Callable[[list[str]], Iterable[Passage]]) -> bool:
        """Bring the index to ``live`` (the manifest at ``token``); False if it could not write.

        Runs in one write transaction, so two processes syncing at once do the work once and a
        reader never sees half of it.
        """
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                held = self.live()
                gone = [v for v in held if v not in live]
                new = [v for v in live if v not in held]
                for version in gone:
                    self._db.execute(
                        "DELETE FROM fts WHERE rowid IN (SELECT id FROM rows WHERE version=?)",
                        (version,),
                    )
                    self._db.execute("DELETE FROM rows WHERE version=?", (version,))
                    self._db.execute("DELETE FROM versions WHERE version=?", (version,))
                for i in range(0, len(new), 200):
                    self._insert(fetch(new[i : i + 200]))
                self._db.executemany(
                    "INSERT OR REPLACE INTO versions VALUES (?, ?, ?)",
                    [(v, a, t) for v, (a, t) in live.items() if held.get(v) != (a, t)],
                )
                self._db.execute("INSERT OR REPLACE INTO state VALUES ('token', ?)", (token,))
                self._db.execute("COMMIT")
                return True
            except sqlite3.Error as exc:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                log.warning("lexical index not updated (%s); answering from what it holds", exc)
                return False

    def _insert(self, passages: Iterable[Passage]) -> None:
        for p in passages:
            cur = self._db.execute(
                'INSERT INTO rows(version, idx, start, "end", text) VALUES (?, ?, ?, ?, ?)',
                (p.version, p.index, p.start, p.end, p.text),
            )
            self._db.execute(
                "INSERT INTO fts(rowid, terms) VALUES (?, ?)",
                (cur.lastrowid, " ".join(tokens(p.text))),
            )

    # --- searching -----------------------------------------------------------------------

    def _discriminating(self, terms: list[str]) -> list[str]:
        """The terms in at most half the passages.

        A term in more than half has a BM25 weight of zero (FTS5 clamps its negative IDF), so
        leaving it out changes no score, but saves scoring every passage that contains it: the
        difference between 60 ms and 1 ms when a query word is common in the corpus.
        """
        total = self._db.execute("SELECT count(*) FROM rows").fetchone()[0]
        keep = []
        for term in terms:
            row = self._db.execute("SELECT doc FROM vocab WHERE term = ?", (term,)).fetchone()
            if row is not None and 2 * row[0] < total:
                keep.append(term)
        return keep

    def search(self, query: str, k: int, live: Live) -> list[tuple[Passage, float]]:
        """The ``k`` best live passages by BM25 (higher is better), titles from ``live``."""
        with self._lock:
            expression = _match_expression(self._discriminating(list(dict.fromkeys(tokens(query)))))
            if not expression:
                return []
            # ``rank`` is bm25() computed once per match and sorted by FTS5 itself.
            ranked = self._db.execute(
                "SELECT rowid, -rank FROM fts WHERE fts MATCH ? ORDER BY rank LIMIT ?",
                (expression, k + 20),
            ).fetchall()
            scores = dict(ranked)
            marks = ",".join("?" * len(scores))
            found = self._db.execute(
                f'SELECT id, version, idx, start, "end", text FROM rows WHERE id IN ({marks})',
                list(scores),
            ).fetchall()
        by_id = {row[0]: row[1:] for row in found}
        rows = sorted(
            ((*by_id[i], s) for i, s in ranked if i in by_id), key=lambda r: (-r[5], r[0], r[1])
        )
        out = []
        for version, idx, start, end, text, score in rows:
            if version in live:  # a version retired after the last sync is never shown
                article_id, title = live[version]
                out.append((Passage(article_id, title, start, end, text, idx, version), score))
        return out[:k]
