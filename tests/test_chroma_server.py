"""The same end-to-end questions against a `chroma run` server started on 127.0.0.1."""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.errors import IndexError_
from assistant.factchecker import FactChecker

from conftest import SEED_IDS, free_port, make_settings, seed_text, start_chroma

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def chroma_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    proc, port = start_chroma(tmp_path_factory.mktemp("chroma-server"))
    try:
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def server_checker(chroma_port: int, tmp_path_factory: pytest.TempPathFactory) -> FactChecker:
    settings = make_settings(
        tmp_path_factory.mktemp("unused-local-store"),
        chroma_host="127.0.0.1",
        chroma_port=chroma_port,
    )
    return FactChecker(settings)


def test_index_is_built_on_the_server(server_checker: FactChecker) -> None:
    assert [a.article_id for a in server_checker.articles()] == SEED_IDS
    local_store = server_checker.settings.vectorstore_dir
    assert not (local_store / "chroma.sqlite3").exists()


def test_answers_match_the_on_disk_store(
    server_checker: FactChecker, fact_checker: FactChecker
) -> None:
    for question in [
        "How far did the missile fly?",
        "Why did Incheon Airport close?",
        "Who won the 2022 FIFA World Cup final?",
    ]:
        remote = server_checker.ask(question)
        local = fact_checker.ask(question)
        assert remote.model_dump() == local.model_dump()
        for c in remote.citations:
            assert seed_text(c.article_id)[c.start : c.end] == c.quote


def test_reingest_against_the_server_is_incremental(server_checker: FactChecker) -> None:
    report = server_checker.ingest()
    assert report.unchanged == SEED_IDS and report.passages_written == 0


def test_unreachable_server_is_a_clear_error(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, chroma_host="127.0.0.1", chroma_port=free_port())
    with pytest.raises(IndexError_, match="cannot reach the Chroma server"):
        FactChecker(settings)


def test_two_machines_ingesting_into_one_server_lose_nothing(
    server_checker: FactChecker, tmp_path: Path
) -> None:
    # Two app processes on different machines: separate working folders, so no shared lock
    # file and separate lexical indexes; only the server is shared.
    def machine(name: str) -> FactChecker:
        settings = server_checker.settings.model_copy(
            update={"vectorstore_dir": tmp_path / name / "vectorstore"}
        )
        return FactChecker(settings, auto_ingest=False)

    first, second = machine("a"), machine("b")
    second.articles()  # opened before the other machine ingests
    (tmp_path / "x.md").write_text("# X\n\nThe Mokpo ferry timetable added a night run.\n")
    (tmp_path / "y.md").write_text("# Y\n\nThe Sokcho market opened a fish auction hall.\n")
    assert first.ingest([tmp_path / "x.md"]).added == ["x"]
    assert second.ingest([tmp_path / "y.md"]).added == ["y"]
    for fc in (first, second, machine("c")):
        assert {"x", "y"} <= {a.article_id for a in fc.articles()}
        found = {h.passage.article_id for h in fc.search("Sokcho fish auction hall", k=3)}
        assert "y" in found
        found = {h.passage.article_id for h in fc.search("Mokpo ferry night run", k=3)}
        assert "x" in found
    second.remove(["x", "y"])
    assert {a.article_id for a in first.articles()} == set(SEED_IDS)
    assert "x" not in {h.passage.article_id for h in first.search("Mokpo ferry night run", k=3)}


def test_a_slow_ingest_keeps_its_passages_while_another_machine_collects_orphans(
    server_checker: FactChecker, tmp_path: Path
) -> None:
    # Leftovers of a killed ingest are collected once no heartbeat refreshed them for
    # orphan_age_s; an ingest still embedding on another machine keeps refreshing its own.
    from langchain_core.embeddings import Embeddings

    from assistant.store.embeddings import MODEL_ID

    class Slow(Embeddings):
        def __init__(self, inner: Embeddings) -> None:
            self.inner = inner

        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            time.sleep(2.0)
            return self.inner.embed_documents(texts)

        def embed_query(self, text: str) -> list[float]:
            return self.inner.embed_query(text)

    def settings(name: str) -> object:
        return server_checker.settings.model_copy(
            update={"vectorstore_dir": tmp_path / name, "orphan_age_s": 1.0, "gc_grace_s": 0.0}
        )

    slow = FactChecker(
        settings("slow"),  # type: ignore[arg-type]
        auto_ingest=False,
        embeddings=(Slow(server_checker.index.embeddings), MODEL_ID),
    )
    other = FactChecker(settings("other"), auto_ingest=False)  # type: ignore[arg-type]
    (tmp_path / "slow.md").write_text("# Slow\n\nThe Gunsan lighthouse got a new lens.\n")
    (tmp_path / "fast.md").write_text("# Fast\n\nThe Yeosu cable car added two cabins.\n")
    done: list[object] = []
    thread = threading.Thread(target=lambda: done.append(slow.ingest([tmp_path / "slow.md"])))
    thread.start()
    time.sleep(3.0)  # its passages are written; its sentences are still being embedded
    other.ingest([tmp_path / "fast.md"])  # collects pending versions older than orphan_age_s
    thread.join()

    assert done and done[0].added == ["slow"]  # type: ignore[attr-defined]
    assert {"slow", "fast"} <= {a.article_id for a in other.articles()}
    found = {h.passage.article_id for h in other.search("Gunsan lighthouse lens", k=3)}
    assert "slow" in found
    other.remove(["slow", "fast"])
