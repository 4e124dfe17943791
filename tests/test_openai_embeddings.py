"""OpenAI embeddings (``text-embedding-3-small``) served by the fake server's ``/v1/embeddings``.

Switching the embedding model must never mix vectors: each model has its own Chroma collection,
built from the articles the first time that model is used, while the other model's collection
stays as it was.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fake_openai import (  # noqa: F401 - fixtures
    API_KEY,
    EMBEDDING_DIM,
    FakeOpenAI,
    fake_server,
    openai_server,
)

from assistant.factchecker import FactChecker

from conftest import SEED_IDS, make_settings

pytestmark = pytest.mark.server

OPENAI_EMBEDDINGS = "text-embedding-3-small"


def test_switching_embedding_model_builds_a_separate_collection_for_it(
    tmp_path: Path,
    openai_server: FakeOpenAI,  # noqa: F811
) -> None:
    store = tmp_path / "store"
    local = FactChecker(make_settings(store))
    local_name = local.index.store._collection.name
    local_count = local.index.store._collection.count()

    remote = FactChecker(
        make_settings(
            store,
            embedding_model=OPENAI_EMBEDDINGS,
            openai_api_key=API_KEY,
            openai_base_url=openai_server.base_url,
        )
    )

    remote_collection = remote.index.store._collection
    assert remote_collection.name == "articles-openai-text-embedding-3-small"
    assert remote_collection.name != local_name
    assert sorted(remote.index.manifest()) == SEED_IDS  # rebuilt from the articles
    assert remote_collection.count() == local_count  # the same passages, its own vectors
    vector = remote_collection.get(limit=1, include=["embeddings"])["embeddings"][0]
    assert len(vector) == EMBEDDING_DIM  # the server's vectors, not MiniLM's 384
    requests = openai_server.embedding_requests()
    assert requests and requests[0].body["model"] == OPENAI_EMBEDDINGS
    # The local collection is untouched, and reopening it embeds nothing new.
    again = FactChecker(make_settings(store))
    assert again.index.store._collection.count() == local_count
    assert again.ingest().passages_written == 0


def test_questions_are_embedded_by_the_server_and_answered(
    tmp_path: Path,
    openai_server: FakeOpenAI,  # noqa: F811
) -> None:
    fc = FactChecker(
        make_settings(
            tmp_path / "store",
            embedding_model=OPENAI_EMBEDDINGS,
            openai_api_key=API_KEY,
            openai_base_url=openai_server.base_url,
        )
    )
    before = len(openai_server.embedding_requests())

    hits = fc.search("Hwasong-19 missile altitude", 3)
    answer = fc.ask("How far did the missile fly?")

    assert len(openai_server.embedding_requests()) > before  # the query went to the server
    assert hits[0].dense_rank is not None
    assert any("1,001" in c.quote for c in answer.citations)
