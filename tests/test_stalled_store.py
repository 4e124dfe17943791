"""A Chroma server that freezes, dies or never answers: questions fail fast, naming the store.

Found by freezing `chroma run` (SIGSTOP) under the web UI: each /ask hung for minutes holding
one of the answer slots, and the CLI against a port that accepts and never answers hung until
killed; a killed Chroma was reported as the model server. Every store call now has a time
limit (ASSISTANT_STORE_TIMEOUT_S) and its failures name the store. The corpus here is one short
article, so the server is ready in seconds.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError
from ui_fixtures import GOOD_ARTICLE, LIGHTHOUSE_QUESTION, running_app, write_file

from assistant.factchecker import FactChecker

from conftest import make_settings, start_chroma

pytestmark = [
    pytest.mark.server,
    pytest.mark.filterwarnings("ignore:.*no_silent_downcasting"),
    pytest.mark.filterwarnings("ignore:.*copy keyword is deprecated"),
]

TIMEOUT_S = 1


@pytest.fixture
def chroma(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """`chroma run` on a free port; continued and stopped at the end whatever the test did."""
    proc, port = start_chroma(tmp_path / "chroma")
    try:
        yield proc, port
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGCONT)
            proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture
def fc(chroma: tuple[subprocess.Popen[bytes], int], tmp_path: Path) -> FactChecker:
    corpus = write_file(tmp_path / "articles", "lighthouse.md", GOOD_ARTICLE).parent
    settings = make_settings(
        tmp_path / "unused",
        chroma_host="127.0.0.1",
        chroma_port=chroma[1],
        store_timeout_s=TIMEOUT_S,
        seeds_dir=corpus,
    )
    checker = FactChecker(settings)
    assert not checker.ask(LIGHTHOUSE_QUESTION).refused
    return checker


def test_a_frozen_chroma_fails_a_ui_question_naming_the_store_and_frees_its_slot(
    chroma: tuple[subprocess.Popen[bytes], int], fc: FactChecker
) -> None:
    proc, port = chroma
    with running_app(fc, concurrency_limit=1) as url:
        client = Client(url, verbose=False)
        os.kill(proc.pid, signal.SIGSTOP)
        try:
            with pytest.raises(AppError) as caught:
                client.submit(LIGHTHOUSE_QUESTION, api_name="/ask").result(timeout=60)
            _, messages, _ = client.submit(
                LIGHTHOUSE_QUESTION, "offline", 6, api_name="/chat"
            ).result(timeout=60)
        finally:
            os.kill(proc.pid, signal.SIGCONT)
        answer = client.submit(LIGHTHOUSE_QUESTION, api_name="/ask").result(timeout=60)
    store = f"the Chroma server at 127.0.0.1:{port} did not answer within {TIMEOUT_S} s"
    assert store in str(caught.value)
    assert store in str(messages[-1]["content"])
    assert not answer["refused"]  # the one answer slot was given back


def test_a_killed_chroma_is_reported_as_the_store_not_the_model(
    chroma: tuple[subprocess.Popen[bytes], int], fc: FactChecker
) -> None:
    proc, port = chroma
    with running_app(fc) as url:
        client = Client(url, verbose=False)
        proc.kill()
        proc.wait(timeout=30)
        with pytest.raises(AppError) as caught:
            client.submit(LIGHTHOUSE_QUESTION, api_name="/ask").result(timeout=60)
    message = str(caught.value)
    assert f"Chroma server at 127.0.0.1:{port}" in message
    assert "model" not in message and "OPENAI_BASE_URL" not in message


def test_the_cli_against_a_port_that_never_answers_exits_naming_the_store(
    tmp_path: Path,
) -> None:
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSISTANT_", "OPENAI_"))}
        env |= {
            "ASSISTANT_CHROMA_HOST": "127.0.0.1",
            "ASSISTANT_CHROMA_PORT": str(port),
            "ASSISTANT_STORE_TIMEOUT_S": str(TIMEOUT_S),
            "ASSISTANT_VECTORSTORE_DIR": str(tmp_path / "unused"),
        }
        result = subprocess.run(
            [sys.executable, "-m", "assistant", "ask", LIGHTHOUSE_QUESTION],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=120,
        )
    assert result.returncode == 1, result.stderr
    assert f"Chroma server at 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr and "OPENAI_BASE_URL" not in result.stderr
