"""Shared fixtures: settings on temporary stores, and one seeded FactChecker per session.

Nothing here touches the network: the embedding model is local and the chat model is the
offline one unless a test says otherwise. OPENAI_* variables from the developer's shell are
removed so the offline path is what the suite tests.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.factchecker import FactChecker
from assistant.settings import PROJECT_ROOT, Settings

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


def seed_text(article_id: str) -> str:
    return (SEEDS / f"{article_id}.txt").read_text(encoding="utf-8")


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on now, for a server a test starts."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
