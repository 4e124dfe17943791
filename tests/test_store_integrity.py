"""The store's integrity with several processes and threads: nothing lost, no answer failing.

Each scenario is one that used to delete articles silently: a process that opened the store
before another ingested, a CLI ingest beside web UI uploads, questions during an ingest.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from assistant.errors import IndexError_
from assistant.factchecker import FactChecker
from assistant.ui.uploads import add_upload

from conftest import SEED_IDS, make_settings

WORKER = """
import sys
from assistant.factchecker import FactChecker
fc = FactChecker(auto_ingest=False)
fc.articles()
print("ready", flush=True)
path = sys.stdin.readline().strip()
print(fc.ingest([path]).summary(), flush=True)
"""


def _env(store: Path, corpus: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSISTANT_", "OPENAI_"))}
    return {**env, "ASSISTANT_VECTORSTORE_DIR": str(store), "ASSISTANT_SEEDS_DIR": str(corpus)}


def _article(folder: Path, name: str, sentence: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.md"
    path.write_text(f"# {name}\n\n{sentence}\n", "utf-8")
    return path


def _assert_whole(fc: FactChecker, ids: list[str]) -> None:
    """Each article is listed, has its passages in the store, and its text readable."""
    entries = {e.article_id: e for e in fc.articles()}
    assert sorted(entries) == sorted(ids)
    stored = {p.article_id for p in fc.index.passages()}
    assert stored == set(ids)
    for article_id in ids:
        assert fc.article_text(article_id)


def test_a_process_that_opened_the_store_earlier_does_not_undo_another_ingest(
    seeded_copy: tuple[Path, Path], tmp_path: Path
) -> None:
    store, corpus = seeded_copy
    x = _article(tmp_path / "new", "x", "Lighthouse keepers in Busan repainted the tower red.")
    y = _article(tmp_path / "new", "y", "Ferry crews in Incheon voted to strike on Tuesday.")
    env = _env(store, corpus)
    b = subprocess.Popen(
        [sys.executable, "-c", WORKER],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    try:
        assert b.stdout is not None and b.stdin is not None
        assert b.stdout.readline().strip() == "ready"  # B has the store open
        a = subprocess.run(
            [sys.executable, "-m", "assistant", "ingest", str(x)],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert a.returncode == 0, a.stderr
        b.stdin.write(f"{y}\n")
        b.stdin.flush()
        assert "1 added" in b.stdout.readline()
        assert b.wait(timeout=300) == 0
    finally:
        b.kill()
    fc = FactChecker(make_settings(store, seeds_dir=corpus), auto_ingest=False)
    _assert_whole(fc, [*SEED_IDS, "x", "y"])
    assert "repainted" in fc.ask("What did the lighthouse keepers in Busan repaint?").answer


def test_a_cli_ingest_during_web_uploads_loses_neither(
    seeded_copy: tuple[Path, Path], tmp_path: Path
) -> None:
    store, corpus = seeded_copy
    folder = tmp_path / "batch"
    batch = [f"batch{i:02d}" for i in range(12)]
    for i, name in enumerate(batch):
        _article(folder, name, f"Report {i}: the harbour council counted {100 + i} boats.")
    ui = FactChecker(make_settings(store, seeds_dir=corpus))  # the web UI's FactChecker
    cli = subprocess.Popen(
        [sys.executable, "-m", "assistant", "ingest", str(folder)],
        env=_env(store, corpus),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    uploads = []
    for i in range(3):
        upload = _article(tmp_path / "incoming", f"upload{i}", f"Upload {i} about tide tables.")
        uploads.append(add_upload(ui, upload).entry.article_id)
    _, err = cli.communicate(timeout=300)
    assert cli.returncode == 0, err
    ui.ingest([tmp_path / "incoming" / "upload0.md"])  # one more upload after the CLI finished
    _assert_whole(ui, [*SEED_IDS, *batch, *uploads])


def test_questions_asked_during_an_ingest_all_succeed(
    seeded_copy: tuple[Path, Path], tmp_path: Path
) -> None:
    store, corpus = seeded_copy
    fc = FactChecker(make_settings(store, seeds_dir=corpus))
    questions = [
        "How far did the missile fly?",
        "Why did Incheon Airport close?",
        "How many North Korean troops are in Russia?",
    ]
    baseline = {q: fc.ask(q) for q in questions}
    for path in sorted(corpus.glob("*.txt"))[:3]:
        path.write_text(path.read_text("utf-8") + "\nA closing line was added.\n", "utf-8")
    for i in range(3):
        _article(corpus, f"extra{i}", f"Extra article {i} about fishing quotas.")
    failures: list[BaseException] = []
    answers: list[tuple[str, object]] = []
    done = threading.Event()

    def ask_until_done() -> None:
        while True:
            finished = done.is_set()
            for q in questions:
                try:
                    answers.append((q, fc.ask(q)))
                except BaseException as exc:
                    failures.append(exc)
            if finished:
                return

    askers = [threading.Thread(target=ask_until_done) for _ in range(4)]
    for t in askers:
        t.start()
    report = fc.ingest([corpus])
    done.set()
    for t in askers:
        t.join(timeout=300)
    assert not failures
    assert len(report.updated) == 3 and len(report.added) == 3
    assert len(answers) >= 4 * len(questions)
    for q, answer in answers:
        assert answer.refused == baseline[q].refused  # type: ignore[attr-defined]
        assert not answer.dropped_claims or baseline[q].dropped_claims  # type: ignore[attr-defined]


def test_a_stalled_chroma_server_is_an_error_naming_the_store(tmp_path: Path) -> None:
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        settings = make_settings(
            tmp_path / "store", chroma_host="127.0.0.1", chroma_port=port, store_timeout_s=0.5
        )
        with pytest.raises(IndexError_, match=f"Chroma server at 127.0.0.1:{port}"):
            FactChecker(settings)
