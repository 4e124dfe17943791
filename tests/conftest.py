"""Shared fixtures: settings on temporary stores, and one seeded FactChecker per session.

Nothing here touches the network: the embedding model is local and the chat model is the
offline one unless a test says otherwise. OPENAI_* variables from the developer's shell are
removed so the offline path is what the suite tests.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from assistant.factchecker import FactChecker
from assistant.settings import PROJECT_ROOT, Settings

# Fixtures every module may use: the fake OpenAI server's (fake_server, openai_server,
# openai_fc) and the shared web UI's (app_url, url, client).
pytest_plugins = ("fake_openai", "ui_fixtures")

SEEDS = PROJECT_ROOT / "seeds"
SEED_IDS = sorted(p.stem for p in SEEDS.glob("*.txt"))
CORPORA = PROJECT_ROOT / "eval" / "corpora"

for _var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "ASSISTANT_MODEL", "ASSISTANT_CHROMA_HOST"):
    os.environ.pop(_var, None)
os.environ["ANONYMIZED_TELEMETRY"] = "False"
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"


def make_settings(store: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {"vectorstore_dir": store, "seeds_dir": SEEDS, **overrides}
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "store")


@pytest.fixture(scope="session")
def seeded_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with the five seeds ingested once for the whole session (read-only for tests).

    Under pytest-xdist the first worker builds it in the run's shared temporary folder and every
    worker copies it (milliseconds) instead of embedding the seeds again.
    """
    store = tmp_path_factory.mktemp("seeded") / "store"
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        _build_seeded(store)
        return store
    shared = tmp_path_factory.getbasetemp().parent / "seeded-store"  # this run's, not a past one's
    with (shared.parent / "seeded-store.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (shared / "built").exists():
            _build_seeded(shared)
            (shared / "built").touch()
    shutil.copytree(shared, store, ignore=shutil.ignore_patterns("built", "*.lock"))
    return store


def _build_seeded(store: Path) -> None:
    """Every part of the seeded store, the lexical index (synced on the first search) included,
    so that no test finds it half-built and no test's first question writes to it."""
    FactChecker(make_settings(store)).search("seeds")
    for db in store.glob("lexical-*.sqlite3"):  # all of it in the file itself, none in a WAL
        with contextlib.closing(sqlite3.connect(db)) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


@pytest.fixture(scope="session")
def fact_checker(seeded_store: Path) -> Iterator[FactChecker]:
    """The offline FactChecker over the seeded store; do not ingest into it."""
    yield FactChecker(make_settings(seeded_store))


def copy_seeded_store(seeded: Path, tmp_path: Path, name: str = "store") -> tuple[Path, Path]:
    """A private copy of the session's seeded store and of the seed folder it indexes.

    Building the seed index costs seconds of embedding; copying it costs milliseconds. The
    copy's manifest records are pointed at the copied folder, so a test may edit its articles.
    """
    import chromadb

    from assistant.store.embeddings import MODEL_ID
    from assistant.store.index import collection_name

    store, corpus = tmp_path / name, tmp_path / "articles"
    shutil.copytree(seeded, store)
    shutil.copytree(SEEDS, corpus)
    client = chromadb.PersistentClient(path=str(store))
    records = client.get_collection(f"{collection_name('articles', MODEL_ID)}-manifest")
    got = records.get(where={"kind": "article"}, include=["metadatas"])
    moved = [{**m, "path": str(corpus / Path(str(m["path"])).name)} for m in got["metadatas"]]
    records.update(ids=got["ids"], metadatas=moved)
    return store, corpus


@pytest.fixture
def seeded_copy(seeded_store: Path, tmp_path: Path) -> tuple[Path, Path]:
    """(store, corpus): a writable seeded store over a writable copy of the seeds."""
    return copy_seeded_store(seeded_store, tmp_path)


@pytest.fixture(scope="session")
def corpus_fact_checker(
    tmp_path_factory: pytest.TempPathFactory,
) -> Callable[[str], FactChecker]:
    """``get(name)``: an offline FactChecker over eval/corpora/NAME/articles (read-only).

    Each corpus is indexed once per session, in a store of its own, however many modules
    (the answer gate, the claim gate) run their eval on it.
    """
    built: dict[str, FactChecker] = {}

    def get(name: str) -> FactChecker:
        if name not in built:
            store = tmp_path_factory.mktemp(f"corpus-{name}") / "store"
            built[name] = FactChecker(make_settings(store, seeds_dir=CORPORA / name / "articles"))
        return built[name]

    return get


def seed_text(article_id: str) -> str:
    return (SEEDS / f"{article_id}.txt").read_text(encoding="utf-8")


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on now, for a server a test starts."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_chroma(path: Path) -> tuple[subprocess.Popen[bytes], int]:
    """A `chroma run` over ``path`` on a free 127.0.0.1 port, returned once it answers its
    heartbeat (the test fails if it exits or is not up within 60 s). The caller stops it."""
    chroma = shutil.which("chroma", path=str(Path(sys.executable).parent)) or shutil.which("chroma")
    if chroma is None:
        pytest.fail("the chroma CLI is not installed (it comes with the chromadb package)")
    port = free_port()
    proc = subprocess.Popen(
        [chroma, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1)
            return proc, port
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail("chroma run did not start")
            time.sleep(0.2)


def run_assistant(
    *args: str, store: Path, cwd: Path | None = None, stdin: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    """``python -m assistant ARGS`` in a new process over ``store`` and the seeds, with none of
    the caller's ASSISTANT_/OPENAI_ settings (only ``env``), as a user would run it."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("ASSISTANT_", "OPENAI_"))}
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        capture_output=True,
        text=True,
        env={
            **clean,
            "ASSISTANT_VECTORSTORE_DIR": str(store),
            "ASSISTANT_SEEDS_DIR": str(SEEDS),
            **env,
        },
        cwd=cwd,
        input=stdin,
        timeout=300,
    )
