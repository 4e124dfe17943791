"""`assistant bench`: the figures behind the README's speed claims, measured in one run.

Every latency is reported beside a baseline measured in the same run (a bare Chroma similarity
query for the same questions), so the ratio shows our pipeline's own overhead on whatever
machine runs it. Nothing here asserts: it prints.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from assistant.settings import Settings, data_path

# Used only when eval/cases.jsonl is missing: generic questions of each answer type.
DEFAULT_QUESTIONS = [
    "Who is quoted in the articles?",
    "When did it happen?",
    "How many people were involved?",
    "Where did it take place?",
    "Who won the 2022 FIFA World Cup final?",
]
TARGETS = {
    "seed index build (s)": 10.0,
    "unchanged re-ingest (s)": 1.0,
    "warm ask p50 (ms)": 50.0,
    "ask p50 / bare query p50": 5.0,
    "cold CLI ask (s)": 3.0,
}


def _questions(limit: int) -> list[str]:
    cases = data_path("eval") / "cases.jsonl"
    questions: list[str] = []
    if cases.is_file():
        for line in cases.read_text("utf-8").splitlines():
            if line.strip():
                case = json.loads(line)
                if not case.get("history"):
                    questions.append(case["question"])
    return (questions or DEFAULT_QUESTIONS)[:limit]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def _time(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def run_benchmark(questions: int = 30, repeats: int = 3) -> dict[str, float]:
    from rich.console import Console
    from rich.table import Table

    from assistant.factchecker import FactChecker

    console = Console()
    figures: dict[str, float] = {}
    asked = _questions(questions)
    with tempfile.TemporaryDirectory(prefix="assistant-bench-") as tmp:
        settings = Settings(vectorstore_dir=Path(tmp) / "store", _env_file=None)  # type: ignore[call-arg]
        started = time.perf_counter()
        fc = FactChecker(settings, model="offline", auto_ingest=False)
        opened = time.perf_counter() - started
        report_first = fc.ingest()
        figures["seed index build (s)"] = time.perf_counter() - started
        figures["  of which opening store + model (s)"] = opened
        figures["  passages embedded"] = report_first.passages_written
        figures["unchanged re-ingest (s)"] = _time(fc.ingest)

        for q in asked:  # warm-up: caches, ONNX session, BM25
            fc.ask(q)
            fc.index.store.similarity_search(q, k=settings.top_k)
        ask_ms: list[float] = []
        bare_ms: list[float] = []
        for _ in range(repeats):
            for q in asked:
                ask_ms.append(1000 * _time(lambda q=q: fc.ask(q)))
                bare_ms.append(
                    1000 * _time(lambda q=q: fc.index.store.similarity_search(q, k=settings.top_k))
                )
        figures["warm ask p50 (ms)"] = statistics.median(ask_ms)
        figures["warm ask p95 (ms)"] = _percentile(ask_ms, 0.95)
        figures["bare Chroma query p50 (ms)"] = statistics.median(bare_ms)
        figures["bare Chroma query p95 (ms)"] = _percentile(bare_ms, 0.95)
        figures["ask p50 / bare query p50"] = (
            figures["warm ask p50 (ms)"] / figures["bare Chroma query p50 (ms)"]
        )

        env = {**os.environ, "ASSISTANT_VECTORSTORE_DIR": str(settings.vectorstore_dir)}
        env.pop("OPENAI_API_KEY", None)
        cold = []
        for _ in range(max(1, repeats)):
            cold.append(
                _time(
                    lambda: subprocess.run(
                        [sys.executable, "-m", "assistant", "ask", asked[0]],
                        env=env,
                        capture_output=True,
                        check=True,
                    )
                )
            )
        figures["cold CLI ask (s)"] = statistics.median(cold)

    table = Table(
        title=f"assistant bench ({len(asked)} questions x {repeats}, {os.cpu_count()} cores)"
    )
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_column("target", justify="right")
    for name, value in figures.items():
        target = TARGETS.get(name)
        verdict = ""
        if target is not None:
            verdict = f"< {target:g} " + ("[green]ok[/]" if value < target else "[red]MISSED[/]")
        shown = f"{value:.0f}" if name.endswith("embedded") else f"{value:.3f}"
        table.add_row(name, shown, verdict)
    console.print(table)
    return figures
