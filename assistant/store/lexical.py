"""The lexical half of retrieval: Okapi BM25 over an SQLite FTS5 index.

It replaces a rank-bm25 index rebuilt in memory from every passage on the first question of each
process (3.8 s and 49 ms a query at 30,000 passages). The FTS5 file is persistent and updated
incrementally: it records which article versions it holds and the manifest token it last matched,
and on a new token it adds the versions that went live and deletes those that did not stay live.
It is a derived cache of what Chroma holds, so every process (and, in Chroma server mode, every
machine) keeps its own copy in step with the one shared store; deleting it only costs a rebuild.

FTS5 finds candidates; they are scored as rank-bm25 scored them (see ``search``). The text is
indexed as the project's own word tokens (``assistant.text.tokens``: stems, numbers without
separators), joined by spaces. If the file cannot be written (a full disk, a read-only store)
questions are still answered from what it holds; if it cannot be opened, one is kept in memory.
"""

from __future__ import annotations

import logging
import math
import sqlite3
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

from assistant.store.space import return_free_pages
from assistant.store.splitting import Passage
from assistant.text import tokens

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS state(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS versions(version TEXT PRIMARY KEY, article_id TEXT NOT NULL,
    title TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rows(id INTEGER PRIMARY KEY, version TEXT NOT NULL,
    idx INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL, text TEXT NOT NULL,
    dl INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS rows_version ON rows(version);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(terms,
    tokenize = "unicode61 remove_diacritics 0 tokenchars '-.''’'");
CREATE VIRTUAL TABLE IF NOT EXISTS vocab USING fts5vocab(fts, 'row');
"""

K1, B, EPSILON = 1.5, 0.75, 0.25  # rank-bm25's BM25Okapi defaults, which retrieval was tuned on
CANDIDATES = 200  # passages FTS5 hands over for exact scoring

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
                db.execute("PRAGMA auto_vacuum=INCREMENTAL")  # a new file only; see space.py
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
                self._db.executemany(
                    "INSERT OR REPLACE INTO state VALUES (?, ?)",
                    [("token", token), *self._statistics().items()],
                )
                self._db.execute("COMMIT")
                if gone:  # the deleted rows' pages go back to the disk, not only to SQLite
                    return_free_pages(self._db)
                    self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                return True
            except sqlite3.Error as exc:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                log.warning("lexical index not updated (%s); answering from what it holds", exc)
                return False

    def _insert(self, passages: Iterable[Passage]) -> None:
        for p in passages:
            terms = tokens(p.text)
            cur = self._db.execute(
                'INSERT INTO rows(version, idx, start, "end", text, dl) VALUES (?, ?, ?, ?, ?, ?)',
                (p.version, p.index, p.start, p.end, p.text, len(terms) or 1),
            )
            self._db.execute(
                "INSERT INTO fts(rowid, terms) VALUES (?, ?)", (cur.lastrowid, " ".join(terms))
            )

    def _statistics(self) -> dict[str, str]:
        """Corpus figures for Okapi BM25, computed once per sync rather than per question."""
        n, total = self._db.execute("SELECT count(*), coalesce(sum(dl), 0) FROM rows").fetchone()
        idfs = [_idf(n, df) for (df,) in self._db.execute("SELECT doc FROM vocab")]
        return {
            "n": str(n),
            "avgdl": str(total / n if n else 1.0),
            "avg_idf": str(sum(idfs) / len(idfs) if idfs else 0.0),
        }

    # --- searching -----------------------------------------------------------------------

    def _stat(self, key: str) -> float:
        row = self._db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return float(row[0]) if row else 0.0

    def search(self, query: str, k: int, live: Live) -> list[tuple[Passage, float]]:
        """The ``k`` best live passages by Okapi BM25 (higher is better), titles from ``live``.

        FTS5 finds the candidates (its own bm25() ranks the top ``CANDIDATES``); they are then
        scored as rank-bm25's ``BM25Okapi`` scored every passage (k1 1.5, b 0.75, a floor of a
        quarter of the mean IDF for terms in more than half the passages), so a corpus with
        fewer matches than that ranks exactly as before. A term in more than half the passages
        that alone has more postings than candidates is left out of the search: its weight is
        the floor, and scoring its postings is what made common words cost 60 ms at 30,000.
        """
        query_terms = tokens(query)
        with self._lock:
            n = self._stat("n")
            if not query_terms or not n:
                return []
            floor = EPSILON * self._stat("avg_idf")
            avgdl = self._stat("avgdl") or 1.0
            weights: dict[str, float] = {}
            searched = []
            for term in dict.fromkeys(query_terms):
                row = self._db.execute("SELECT doc FROM vocab WHERE term = ?", (term,)).fetchone()
                if row is None:
                    continue
                idf = _idf(n, row[0])
                weights[term] = idf if idf >= 0 else floor
                if idf >= 0 or row[0] <= CANDIDATES:
                    searched.append(term)
            if not searched:
                return []
            ranked = self._db.execute(
                "SELECT rowid, terms FROM fts WHERE fts MATCH ? ORDER BY rank LIMIT ?",
                (_match_expression(searched), CANDIDATES),
            ).fetchall()
            marks = ",".join("?" * len(ranked))
            found = self._db.execute(
                f'SELECT id, version, idx, start, "end", text, dl FROM rows WHERE id IN ({marks})',
                [i for i, _ in ranked],
            ).fetchall()
        terms_of = dict(ranked)
        scored = []
        for rid, version, idx, start, end, text, dl in found:
            if version not in live:  # a version retired after the last sync is never shown
                continue
            counts = Counter(terms_of[rid].split())
            norm = K1 * (1 - B + B * dl / avgdl)
            score = sum(
                weights.get(t, 0.0) * counts[t] * (K1 + 1) / (counts[t] + norm)
                for t in query_terms
                if counts[t]
            )
            if score > 0:
                article_id, title = live[version]
                passage = Passage(article_id, title, start, end, text, idx, version)
                scored.append((passage, score))
        scored.sort(key=lambda ps: (-ps[1], ps[0].article_id, ps[0].index))
        return scored[:k]


def _idf(n: float, df: int) -> float:
    return math.log(n - df + 0.5) - math.log(df + 0.5)
