"""``assistant ask`` as a user runs it: a subprocess with OPENAI_API_KEY / OPENAI_BASE_URL set.

The subprocess gets a generated ``sitecustomize`` that refuses and logs any connection or name
lookup beyond 127.0.0.1, so each test also shows the CLI keeps to the local server.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fake_openai import (  # noqa: F401 - fixtures
    API_KEY,
    FakeOpenAI,
    Reply,
    fake_server,
    guard_env,
    openai_server,
)

from assistant.schema import Answer

from conftest import SEEDS

pytestmark = pytest.mark.server

QUESTION = "How far did the missile fly?"


def run_cli(
    *args: str, tmp_path: Path, store: Path, server: FakeOpenAI, **env: str
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "ASSISTANT_"))}
    guard = guard_env(tmp_path / "guard")
    environment = {
        **clean,
        **guard,
        "ASSISTANT_VECTORSTORE_DIR": str(store),
        "ASSISTANT_SEEDS_DIR": str(SEEDS),
        "OPENAI_API_KEY": API_KEY,
        "OPENAI_BASE_URL": server.base_url,
        "ASSISTANT_MAX_RETRIES": "0",
        "ASSISTANT_REQUEST_TIMEOUT_S": "10",
        **env,
    }
    result = subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=tmp_path,  # no stray .env from the repository
        timeout=120,
    )
    refused = Path(guard["FAKE_OPENAI_GUARD_LOG"]).read_text(encoding="utf-8")
    assert refused == "", f"the CLI reached beyond 127.0.0.1: {refused}"
    return result


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def test_cli_ask_answers_through_the_openai_compatible_server(
    tmp_path: Path,
    seeded_store: Path,
    openai_server: FakeOpenAI,  # noqa: F811
) -> None:
    result = run_cli(
        "ask", QUESTION, "--json", tmp_path=tmp_path, store=seeded_store, server=openai_server
    )

    assert result.returncode == 0, result.stderr
    answer = Answer.model_validate_json(result.stdout)
    assert answer.model == "gpt-4o-mini"  # chosen because OPENAI_API_KEY is set
    assert len(answer.citations) == openai_server.last_faithful and not answer.refused
    assert answer.usage.total_tokens > 0
    (request,) = openai_server.answer_requests()
    assert request.body["response_format"]["type"] == "json_schema"


def test_cli_plain_answer_lists_sources(
    tmp_path: Path,
    seeded_store: Path,
    openai_server: FakeOpenAI,  # noqa: F811
) -> None:
    result = run_cli("ask", QUESTION, tmp_path=tmp_path, store=seeded_store, server=openai_server)

    assert result.returncode == 0, result.stderr
    assert "1,001 kilometers" in result.stdout
    assert "Sources:" in result.stdout and "[2]" in result.stdout


@pytest.mark.parametrize(
    ("reply", "env", "expected", "requests"),
    [
        pytest.param(
            Reply(),
            {"OPENAI_API_KEY": "sk-wrong"},
            "error: the model server at {server} rejected the API key (401); check OPENAI_API_KEY",
            1,
            id="wrong-key",
        ),
        pytest.param(
            Reply(),
            {"OPENAI_BASE_URL": "http://127.0.0.1:9/v1"},  # the discard port: nothing listens
            "error: cannot reach the model server at http://127.0.0.1:9; check OPENAI_BASE_URL "
            "and that the server is running",
            0,
            id="unreachable",
        ),
        pytest.param(
            Reply(status=429),
            {"ASSISTANT_MAX_RETRIES": "1"},
            "error: the model server is rate limiting requests (429) and the retries ran out; "
            "wait and try again, or raise ASSISTANT_MAX_RETRIES",
            2,
            id="rate-limit-after-retries",
        ),
        pytest.param(
            Reply(delay=30),
            {"ASSISTANT_REQUEST_TIMEOUT_S": "0.5"},
            "error: the model server at {server} did not answer in time (after retries); raise "
            "ASSISTANT_REQUEST_TIMEOUT_S or try again",
            1,
            id="timeout",
        ),
    ],
)
def test_a_failing_model_server_is_one_line_exit_1(
    tmp_path: Path,
    seeded_store: Path,
    openai_server: FakeOpenAI,  # noqa: F811
    reply: Reply,
    env: dict[str, str],
    expected: str,
    requests: int,
) -> None:
    openai_server.default = reply  # Reply(): the faithful answer

    result = run_cli(
        "ask", QUESTION, tmp_path=tmp_path, store=seeded_store, server=openai_server, **env
    )

    assert result.returncode == 1
    server = f"http://127.0.0.1:{openai_server.port}"
    assert one_error_line(result) == expected.format(server=server)
    assert len(openai_server.answer_requests()) == requests


def test_cli_embedding_model_with_a_rejected_key_is_one_line_exit_1(
    tmp_path: Path,
    openai_server: FakeOpenAI,  # noqa: F811
) -> None:
    """The failure happens while building the index (OpenAIEmbeddings), outside the chain."""
    result = run_cli(
        "ask",
        QUESTION,
        tmp_path=tmp_path,
        store=tmp_path / "store",
        server=openai_server,
        OPENAI_API_KEY="sk-wrong",
        ASSISTANT_EMBEDDING_MODEL="text-embedding-3-small",
    )

    assert result.returncode == 1
    assert "rejected the API key (401)" in one_error_line(result)
    assert openai_server.embedding_requests()


def test_cli_malformed_reply_is_a_refusal_with_a_note_not_an_error(
    tmp_path: Path,
    seeded_store: Path,
    openai_server: FakeOpenAI,  # noqa: F811
) -> None:
    openai_server.script(Reply(text="The missile flew 1,001 km, trust me."))

    result = run_cli(
        "ask", QUESTION, "--json", tmp_path=tmp_path, store=seeded_store, server=openai_server
    )

    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["refused"] is True and payload["citations"] == []
    assert any("not a valid structured answer" in n for n in payload["notes"])
