"""`assistant bench --corpus DIR`: the store's costs at 50, 500 and 5,000 documents.

For each size, in a fresh temporary store: the first ingest, an unchanged re-ingest, adding one
article (and how much of that was the embedding model), warm ask p50 against a bare Chroma
query p50 measured in the same run, and a cold ``ask`` in a new process. With ``--stand-in`` the
embedding model is replaced by token hashing, so the store's own costs are not hidden behind
the model's (which dominates ingest and is reported separately).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from assistant.settings import Settings

COLD_ASK = """
import sys, time
started = time.perf_counter()
from assistant.factchecker import FactChecker
from assistant.settings import Settings
embeddings = None
if sys.argv[2] == "stand-in":
    from assistant.bench_corpus import HashEmbeddings
    embeddings = (HashEmbeddings(), HashEmbeddings.model_id)
fc = FactChecker(Settings(), model="offline", auto_ingest=False, embeddings=embeddings)
fc.ask(sys.argv[1])
print(time.perf_counter() - started)
"""


class TimedEmbeddings(Embeddings):
    """Counts the seconds spent in the embedding model, to separate it from the store's."""

    def __init__(self, inner: Embeddings) -> None:
        self.inner = inner
        self.seconds = 0.0
        self.symmetric = getattr(inner, "symmetric", False)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        started = time.perf_counter()
        try:
            return self.inner.embed_documents(texts)
        finally:
            self.seconds += time.perf_counter() - started

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


def corpus_questions(files: list[Path], limit: int) -> list[str]:
    """'What does X do?' for the first documents whose first paragraph names something."""
    out: list[str] = []
    step = max(1, len(files) // max(1, limit))
    for path in files[::step]:
        for line in path.read_text("utf-8").splitlines():
            name, sep, _ = line.partition(" - ")
            if sep and name.strip():
                out.append(f"What does {name.strip().split(',')[0]} do?")
                break
        if len(out) >= limit:
            break
    return out or ["What is this about?"]


def bench_size(
    files: list[Path], extra: Path, stand_in: bool, questions: int, repeats: int
) -> dict[str, float]:
    from assistant.bench_corpus import HashEmbeddings
    from assistant.factchecker import FactChecker
    from assistant.store.embeddings import MODEL_ID, LocalMiniLMEmbeddings

    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="assistant-bench-") as tmp:
        docs = Path(tmp) / "docs"
        docs.mkdir()
        for f in files:
            shutil.copyfile(f, docs / f.name)
        settings = Settings(  # type: ignore[call-arg]
            vectorstore_dir=Path(tmp) / "store", seeds_dir=docs, _env_file=None
        )
        inner: Embeddings = HashEmbeddings() if stand_in else LocalMiniLMEmbeddings()
        timed = TimedEmbeddings(inner)
        model_id = HashEmbeddings.model_id if stand_in else MODEL_ID

        def checker() -> Any:
            return FactChecker(
                settings, model="offline", auto_ingest=False, embeddings=(timed, model_id)
            )

        fc = checker()
        started = time.perf_counter()
        report = fc.ingest([docs])
        figures["first ingest (s)"] = time.perf_counter() - started
        figures["  embedding in it (s)"] = timed.seconds
        figures["passages"] = report.passages_written

        fresh = checker()  # another process's view: nothing cached
        started = time.perf_counter()
        fresh.ingest([docs])
        figures["unchanged re-ingest (s)"] = time.perf_counter() - started

        adds: list[float] = []
        embeds: list[float] = []
        for n in range(3):
            added = docs / f"zz-added-{n}-{extra.name}"
            added.write_text(f"Copy {n}.\n\n" + extra.read_text("utf-8"), "utf-8")
            timed.seconds = 0.0
            started = time.perf_counter()
            fresh.ingest([added])
            adds.append(time.perf_counter() - started)
            embeds.append(timed.seconds)
        figures["add one article p50 (s)"] = statistics.median(adds)
        figures["  embedding in that (s)"] = statistics.median(embeds)

        asked = corpus_questions(files, questions)
        k = settings.top_k
        for q in asked:  # warm-up
            fc.ask(q)
            fc.index.store.similarity_search(q, k=k)
        ask_ms: list[float] = []
        bare_ms: list[float] = []
        for _ in range(repeats):
            for q in asked:
                started = time.perf_counter()
                fc.ask(q)
                ask_ms.append(1000 * (time.perf_counter() - started))
                started = time.perf_counter()
                fc.index.store.similarity_search(q, k=k)
                bare_ms.append(1000 * (time.perf_counter() - started))
        figures["warm ask p50 (ms)"] = statistics.median(ask_ms)
        figures["bare Chroma query p50 (ms)"] = statistics.median(bare_ms)
        figures["ask p50 / bare query p50"] = statistics.median(ask_ms) / statistics.median(bare_ms)
        search_ms: list[float] = []
        for q in asked:
            started = time.perf_counter()
            fc.search(q)
            search_ms.append(1000 * (time.perf_counter() - started))
        figures["retrieval only p50 (ms)"] = statistics.median(search_ms)

        env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSISTANT_", "OPENAI_"))}
        env["ASSISTANT_VECTORSTORE_DIR"] = str(settings.vectorstore_dir)
        cold = []
        for _ in range(max(1, min(repeats, 3))):
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, "-c", COLD_ASK, asked[0], "stand-in" if stand_in else "local"],
                env=env,
                capture_output=True,
                check=True,
            )
            cold.append(time.perf_counter() - started)
        figures["cold ask, new process (s)"] = statistics.median(cold)
    return figures


def run_corpus_benchmark(
    corpus: Path, sizes: list[int], stand_in: bool, questions: int, repeats: int
) -> dict[int, dict[str, float]]:
    from rich.console import Console
    from rich.table import Table

    from assistant.store.corpus import ARTICLE_SUFFIXES

    files = sorted(p for p in corpus.iterdir() if p.suffix.lower() in ARTICLE_SUFFIXES)
    results: dict[int, dict[str, float]] = {}
    for size in sizes:
        if size > len(files) - 1:  # one more is needed as the added article
            Console(stderr=True).print(f"skipped {size}: {corpus} has only {len(files)} articles")
            continue
        results[size] = bench_size(files[:size], files[-1], stand_in, questions, repeats)
    embedding = "stand-in (token hashing)" if stand_in else "all-MiniLM-L6-v2 int8"
    table = Table(title=f"assistant bench --corpus {corpus} ({embedding}, {os.cpu_count()} cores)")
    table.add_column("documents")
    for size in results:
        table.add_column(f"{size:,}", justify="right")
    names = list(next(iter(results.values()))) if results else []
    for row, name in enumerate(names):
        values = [list(r.values())[row] for r in results.values()]
        shown = [f"{v:,.0f}" if name == "passages" else f"{v:.3f}" for v in values]
        table.add_row(name, *shown)
    Console().print(table)
    return results
