"""Shared fixtures: settings on temporary stores, and one seeded FactChecker per session.

Nothing here touches the network: the embedding model is local and the chat model is the
offline one unless a test says otherwise. OPENAI_* variables from the developer's shell are
removed so the offline path is what the suite tests.
"""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.factchecker import FactChecker
from assistant.settings import PROJECT_ROOT, Settings

# The fake OpenAI server's fixtures (fake_server, openai_server, openai_fc) for every module.
pytest_plugins = ("fake_openai",)

SEEDS = PROJECT_ROOT / "seeds"
SEED_IDS = sorted(p.stem for p in SEEDS.glob("*.txt"))

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
    """A store with the five seeds ingested once for the whole session (read-only for tests)."""
    store = tmp_path_factory.mktemp("seeded") / "store"
    FactChecker(make_settings(store)).index  # noqa: B018 - builds the index on first use
    return store


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


def seed_text(article_id: str) -> str:
    return (SEEDS / f"{article_id}.txt").read_text(encoding="utf-8")


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on now, for a server a test starts."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
