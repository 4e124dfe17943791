"""Giving disk space back after articles are removed, replaced, or left behind by killed ingests.

SQLite keeps the pages of deleted rows inside the file for later reuse, and Chroma creates its
database (``chroma.sqlite3``) without auto-vacuum, so a store never shrank: removing articles,
or reclaiming what a killed ingest wrote, left every byte on disk. Chroma's own remedy,
``chroma vacuum``, is a full ``VACUUM``: it rewrites the whole file while every reader in every
process waits (Chroma's connections give up after 5 s), so it is not something to run after
each removal of a large store.

Instead the database is switched once to SQLite's incremental auto-vacuum (one full ``VACUUM``,
done while the file is small, or the first time the free space is a large share of it), and
from then on each garbage collection hands its freed pages back with ``PRAGMA
incremental_vacuum``: an ordinary short write transaction that moves only the pages it frees.
Plain SQL on the file Chroma owns, so other processes holding the store open see an ordinary
write (``chroma vacuum`` keeps the setting). HNSW segment folders whose collection was deleted
are removed too; Chroma leaves them behind.

Only an on-disk store, by the process holding the writer lock: a ``chroma run`` server owns its
files (its operator runs ``chroma vacuum``).
"""

from __future__ import annotations

import logging
import re
import shutil
import sqlite3
from pathlib import Path

log = logging.getLogger(__name__)

CHROMA_FILE = "chroma.sqlite3"
INCREMENTAL = 2  # PRAGMA auto_vacuum value
CONVERT_BELOW = 16 * 2**20  # a file this small is rewritten in well under a second
CONVERT_SHARE = 0.25  # a larger one only once this share of it is free
BUSY_MS = 30_000
_SEGMENT_DIR = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def return_free_pages(db: sqlite3.Connection) -> int:
    """Hand the free pages of an open database back to the filesystem; returns the bytes.

    Incremental when the file is in incremental auto-vacuum mode; otherwise converts it with
    one ``VACUUM`` when that is cheap or worth it, and leaves it alone when it is not.
    """
    (page_size,) = db.execute("PRAGMA page_size").fetchone()
    (pages,) = db.execute("PRAGMA page_count").fetchone()
    (free,) = db.execute("PRAGMA freelist_count").fetchone()
    (mode,) = db.execute("PRAGMA auto_vacuum").fetchone()
    if mode == INCREMENTAL:
        if free:
            # sqlite3_exec steps it to the end; Python's execute() stops after one page
            db.executescript("PRAGMA incremental_vacuum;")
    elif pages * page_size < CONVERT_BELOW or free >= CONVERT_SHARE * pages > 0:
        db.execute(f"PRAGMA auto_vacuum = {INCREMENTAL}")
        db.execute("VACUUM")
    else:
        return 0
    (after,) = db.execute("PRAGMA page_count").fetchone()
    return max(0, (pages - after) * page_size)


def reclaim_store(store: Path) -> int:
    """Bytes given back by an on-disk Chroma store (its database and orphaned segment folders).

    Call with the writer lock held. A failure (another process holding a long write, a full
    disk) is logged and costs nothing but the space: the next ingest or removal tries again.
    """
    path = store / CHROMA_FILE
    if not path.is_file():
        return 0
    # Listed before the segment rows are read: Chroma commits a segment's row before it creates
    # its folder, so a folder seen here and absent from the rows read after is a deleted one.
    folders = [f for f in store.iterdir() if f.is_dir() and _SEGMENT_DIR.match(f.name)]
    freed = 0
    try:
        db = sqlite3.connect(path, timeout=BUSY_MS / 1000, isolation_level=None)
        try:
            db.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
            freed += return_free_pages(db)
            segments = {row[0] for row in db.execute("SELECT id FROM segments")}
        finally:
            db.close()
    except sqlite3.Error as exc:
        log.warning("could not give free space in %s back to the disk (%s)", path, exc)
        return freed
    for folder in folders:
        if folder.name not in segments:  # a deleted collection's vector index
            size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
            shutil.rmtree(folder, ignore_errors=True)
            freed += 0 if folder.exists() else size
    if freed:
        log.info("gave %d bytes of %s back to the disk", freed, store)
    return freed
