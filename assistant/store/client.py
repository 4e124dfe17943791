"""Opening Chroma (on disk, or a ``chroma run`` server) and naming its failures.

Every failure of a store call says which store failed (``the Chroma server at HOST:PORT …``),
never "the model server": the two are configured, and fixed, in different places. Against a
server every call is bounded by ``ASSISTANT_STORE_TIMEOUT_S``: a stalled server fails answers
instead of holding them (and the web UI's answer slots) indefinitely.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import shutil
import sqlite3
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from assistant.errors import AssistantError, IndexError_
from assistant.settings import Settings

log = logging.getLogger(__name__)


def store_label(settings: Settings) -> str:
    if settings.chroma_host:
        return f"the Chroma server at {settings.chroma_host}:{settings.chroma_port}"
    return f"the vector store in {settings.vectorstore_dir}"


def make_client(settings: Settings) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        import httpx

        url = f"http://{settings.chroma_host}:{settings.chroma_port}/api/v2/heartbeat"
        try:  # the client's own first request has no timeout: a stalled server would hang here
            httpx.get(url, timeout=settings.store_timeout_s).raise_for_status()
            client = chromadb.HttpClient(
                host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
            )
        except Exception as exc:
            raise IndexError_(
                f"cannot reach {store_label(settings)} ({type(exc).__name__}); start it with "
                f"`chroma run --host {settings.chroma_host} --port {settings.chroma_port}` or "
                "unset ASSISTANT_CHROMA_HOST"
            ) from None
        session = getattr(getattr(client, "_server", None), "_session", None)
        if session is not None:  # every later call gets the same bound
            session.timeout = httpx.Timeout(settings.store_timeout_s)
        return client
    settings.vectorstore_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.vectorstore_dir), settings=chroma_settings)


def is_disk_full(exc: BaseException) -> bool:
    """SQLite's SQLITE_FULL (code 13) or the OS's ENOSPC, however Chroma wrapped it."""
    text = str(exc).lower()
    return "disk is full" in text or "(code: 13)" in text or "no space left" in text


def read_only_copy(store: Path) -> Path:
    """A private copy of an on-disk store, on another filesystem, to answer from.

    Chroma writes to its database whenever it opens one, so a store whose disk is full cannot
    even be read in place. Answering must not need to write: the copy (in RAM under /dev/shm
    where there is one) serves questions until the process ends; writers refuse to use it.
    """
    shm = Path("/dev/shm")
    base = shm if shm.is_dir() and os.access(shm, os.W_OK) else None
    copy = Path(tempfile.mkdtemp(prefix="assistant-read-only-", dir=base))
    atexit.register(shutil.rmtree, copy, ignore_errors=True)
    shutil.copytree(
        store, copy / "store", ignore=shutil.ignore_patterns("*.lock", "*-wal", "*-shm")
    )
    log.warning(
        "the disk holding %s is full: answering from a read-only copy; free some space "
        "before adding articles",
        store,
    )
    return copy / "store"


@contextlib.contextmanager
def store_errors(settings: Settings) -> Iterator[None]:
    """A failing or stalled Chroma call becomes one line naming the store (not the model)."""
    try:
        yield
    except AssistantError:
        raise
    except Exception as exc:
        module = type(exc).__module__
        if not module.startswith(("chromadb", "httpx", "httpcore")) and not isinstance(
            exc, (ConnectionError, TimeoutError)
        ):
            raise
        timed_out = "Timeout" in type(exc).__name__
        what = (
            f"did not answer within {settings.store_timeout_s:g} s (ASSISTANT_STORE_TIMEOUT_S)"
            if timed_out
            else f"failed: {type(exc).__name__}: {str(exc)[:200]}"
        )
        raise IndexError_(f"{store_label(settings)} {what}") from None


def collection_name(prefix: str, embedding_id: str) -> str:
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in embedding_id.lower())
    return f"{prefix}-{safe}"[:480]


class ChangeWatch:
    """Whether an on-disk store's database changed since the last look, for ~20 µs.

    SQLite's ``PRAGMA data_version`` changes whenever another connection (any process,
    including Chroma's own in this one) commits to the file. While it stands still the manifest
    token cannot have moved, so a question skips reading it from Chroma. Read-only; without a
    file (a server store) or on any error it answers "changed", and the token is read as before.
    """

    def __init__(self, settings: Settings, root: Path) -> None:
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        path = root / "chroma.sqlite3"
        if settings.chroma_host or not path.is_file():
            return
        try:
            self._db = sqlite3.connect(
                f"file:{path}?mode=ro", uri=True, timeout=0.05, check_same_thread=False
            )
        except sqlite3.Error:
            self._db = None

    def version(self) -> int | None:
        """The file's change counter now; None when it cannot be read."""
        if self._db is None:
            return None
        with self._lock:
            try:
                # fetchall: the statement is finished, so no read lock outlives the call
                return int(self._db.execute("PRAGMA data_version").fetchall()[0][0])
            except sqlite3.Error:
                return None
