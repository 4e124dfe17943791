"""The lexical half of retrieval: Okapi BM25 over a persistent SQLite index.

It replaces a rank-bm25 index rebuilt in memory from every passage on the first question of each
process (3.8 s and 49 ms a query at 30,000 passages). The file is persistent and updated
incrementally: it records which article versions it holds and the manifest token it last matched,
and on a new token it adds the versions that went live and deletes those that did not stay live.
It is a derived cache of what Chroma holds, so every process (and, in Chroma server mode, every
machine) keeps its own copy in step with the one shared store; deleting it only costs a rebuild.

Every passage is ranked exactly as rank-bm25's ``BM25Okapi`` ranked it, from per-term posting
lists scored with numpy (``postings.py``: ~1 ms where FTS5's own ranking took 30-50 ms for common
words at 60,000 passages). The FTS5 table keeps each passage's terms and the corpus statistics,
and ranks candidates for a file written before the posting lists, until it is upgraded. The
text is indexed as the project's own word tokens (``assistant.text.tokens``: stems, numbers
without separators), joined by spaces. The passages' texts are kept too: dense hits are read
from here rather than from Chroma. If the file cannot be written (a full disk, a read-only
store) questions are still answered from what it holds; if it cannot be opened, one is kept in
memory.
"""

from __future__ import annotations

import logging
import math
import sqlite3
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from assistant.store.postings import SCHEMA as POSTINGS_SCHEMA
from assistant.store.postings import Postings
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
TERMS_CACHE = 2048  # recently read passages whose terms are kept

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
        self.postings = Postings(self._db)
        self._terms: OrderedDict[str, str] = OrderedDict()  # passage id -> its indexed terms

    @staticmethod
    def _open(path: Path | None) -> sqlite3.Connection:
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(
                    path, timeout=30, check_same_thread=False, isolation_level=None
                )
                if not db.execute("PRAGMA page_count").fetchone()[0]:  # a new file; space.py
                    db.execute("PRAGMA auto_vacuum=INCREMENTAL")  # (on an old one it writes)
                db.execute("PRAGMA journal_mode=WAL")
                db.executescript(SCHEMA + POSTINGS_SCHEMA)
                return db
            except (sqlite3.Error, OSError) as exc:
                log.warning("lexical index %s unusable (%s); keeping one in memory", path, exc)
        db = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        db.executescript(SCHEMA + POSTINGS_SCHEMA)
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
                postings = self._postings_ready()
                if not postings:  # a file from before the postings: built once from the terms
                    self.postings.add(self._terms_of("SELECT rowid, terms FROM fts", ()))
                for version in gone:
                    self.postings.remove(
                        self._terms_of(
                            "SELECT rowid, terms FROM fts "
                            "WHERE rowid IN (SELECT id FROM rows WHERE version=?)",
                            (version,),
                        )
                    )
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
                    [
                        ("token", token),
                        ("postings", "1"),
                        *(self._statistics().items() if gone or new or not held else ()),
                    ],
                )
                self._db.execute("COMMIT")
                if gone:  # the deleted rows' pages go back to the disk, not only to SQLite
                    return_free_pages(self._db)
                self._checkpoint()
                return True
            except sqlite3.Error as exc:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                log.warning("lexical index not updated (%s); answering from what it holds", exc)
                return False

    def _checkpoint(self) -> None:
        """Move the write into the main file now. Left in the WAL, it would be copied there by
        whichever connection closes last, so a process that only answers would write the file
        (and fail on a read-only or full disk)."""
        self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def upgrade(self) -> None:
        """A file written before the posting lists gets them (once, from its stored terms)."""
        with self._lock:
            if self._postings_ready():
                return
            try:
                self._db.execute("BEGIN IMMEDIATE")
                if not self._postings_ready():
                    self.postings.add(self._terms_of("SELECT rowid, terms FROM fts", ()))
                    self._db.execute("INSERT OR REPLACE INTO state VALUES ('postings', '1')")
                self._db.execute("COMMIT")
                self._checkpoint()
            except sqlite3.Error as exc:  # read-only or full: the FTS5 ranking still answers
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                log.warning("lexical index %s not upgraded (%s)", self.path, exc)

    def _insert(self, passages: Iterable[Passage]) -> None:
        added = []
        for p in passages:
            terms = tokens(p.text)
            cur = self._db.execute(
                'INSERT INTO rows(version, idx, start, "end", text, dl) VALUES (?, ?, ?, ?, ?, ?)',
                (p.version, p.index, p.start, p.end, p.text, len(terms) or 1),
            )
            rid = int(cur.lastrowid or 0)
            self._db.execute("INSERT INTO fts(rowid, terms) VALUES (?, ?)", (rid, " ".join(terms)))
            added.append((rid, terms))
        self.postings.add(added)

    def _terms_of(self, sql: str, args: tuple[str, ...]) -> list[tuple[int, list[str]]]:
        return [(int(rid), terms.split()) for rid, terms in self._db.execute(sql, args)]

    def _postings_ready(self) -> bool:
        row = self._db.execute("SELECT value FROM state WHERE key='postings'").fetchone()
        return row is not None

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

    def passages(self, ids: list[str], live: Live) -> dict[str, Passage]:
        """The passages with these ids (``version#index``) that the index holds, by id."""
        keys = [pid.rsplit("#", 1) for pid in ids]
        keys = [(v, int(i)) for v, i in keys if v in live and i.isdigit()]
        if not keys:
            return {}
        with self._lock:  # one indexed lookup each: a row-value IN list scans the table
            rows = [
                row
                for key in keys
                for row in self._db.execute(
                    'SELECT version, idx, start, "end", text, terms FROM rows JOIN fts '
                    "ON fts.rowid = rows.id WHERE version=? AND idx=?",
                    key,
                )
            ]
        self._remember_terms((f"{v}#{i}", terms) for v, i, _, _, _, terms in rows)
        return {
            f"{v}#{i}": Passage(live[v][0], live[v][1], start, end, text, i, v)
            for v, i, start, end, text, _ in rows
        }

    def _remember_terms(self, items: Iterable[tuple[str, str]]) -> None:
        with self._lock:
            for pid, terms in items:
                self._terms[pid] = terms
                self._terms.move_to_end(pid)
            while len(self._terms) > TERMS_CACHE:
                self._terms.popitem(last=False)

    def terms(self, passage: Passage) -> list[str]:
        """A passage's word tokens as indexed; read with it by ``search`` and ``passages``, so
        telling copies apart costs no tokenizing (computed for a passage read elsewhere)."""
        with self._lock:
            held = self._terms.get(passage.passage_id)
        return held.split() if held is not None else tokens(passage.text)

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
            if self._postings_ready():
                return self._search_postings(query_terms, k, live, n, floor, avgdl)
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
        self._remember_terms((f"{row[1]}#{row[2]}", terms_of[row[0]]) for row in found)
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

    def _search_postings(
        self, query_terms: list[str], k: int, live: Live, n: float, floor: float, avgdl: float
    ) -> list[tuple[Passage, float]]:
        """Exact BM25 over every passage from the posting lists (``postings.py``).

        The best are read in growing slices until ``k`` live ones are found; a slice ends at a
        score, not a count, so passages tied with the last one are ordered as the FTS5 path
        orders them (article id, then position).
        """
        weights: dict[str, float] = {}
        for term, repeats in Counter(query_terms).items():
            df = self.postings.df(term)
            if df:
                idf = _idf(n, df)
                weights[term] = (idf if idf >= 0 else floor) * repeats
        ids, totals = self.postings.scores(weights, K1, B, avgdl)
        positive = int(np.count_nonzero(totals > 0))
        out: list[tuple[Passage, float]] = []
        start, size = 0, max(2 * k, 20)
        while start < positive and len(out) < k:
            end = min(positive, start + size)
            while end < positive and totals[end] == totals[end - 1]:
                end += 1
            out += self._rows_scored(ids[start:end], totals[start:end], live)
            start, size = end, size * 4
        out.sort(key=lambda ps: (-ps[1], ps[0].article_id, ps[0].index))
        return out[:k]

    def _rows_scored(
        self, ids: np.ndarray, totals: np.ndarray, live: Live
    ) -> list[tuple[Passage, float]]:
        score_of = dict(zip(ids.tolist(), totals.tolist(), strict=True))
        marks = ",".join("?" * len(score_of))
        found = self._db.execute(
            f'SELECT id, version, idx, start, "end", text, terms FROM rows JOIN fts '
            f"ON fts.rowid = rows.id WHERE id IN ({marks})",
            list(score_of),
        ).fetchall()
        self._remember_terms((f"{v}#{i}", terms) for _, v, i, _, _, _, terms in found)
        return [
            (Passage(live[v][0], live[v][1], start, end, text, i, v), score_of[rid])
            for rid, v, i, start, end, text, _ in found
            if v in live  # a version retired after the last sync is never shown
        ]


def _idf(n: float, df: int) -> float:
    return math.log(n - df + 0.5) - math.log(df + 0.5)
