"""The UI's HTTP API called as a script would, with values missing or malformed.

gradio_client fills in every value an endpoint declares, so the calls here are raw HTTP: the
JSON body exactly as written. Each must come back as one clear error naming what was wrong,
and the server's log (its stderr, and the log records of the process serving it) must show no
traceback: a caller's mistake is not a server bug.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from conftest import free_port

STARTUP_S = 90


def call_error(url: str, api_name: str, body: str) -> str:
    """POST ``body`` to /gradio_api/call/<api_name>; the error its event stream ends with."""
    posted = httpx.post(
        f"{url}gradio_api/call/{api_name}",
        content=body.encode("ascii"),
        headers={"content-type": "application/json"},
    )
    posted.raise_for_status()
    stream = httpx.get(f"{url}gradio_api/call/{api_name}/{posted.json()['event_id']}", timeout=60)
    event, _, data = stream.text.strip().rpartition("event: ")[2].partition("\n")
    assert event == "error", stream.text
    message = json.loads(data.removeprefix("data: "))["error"]
    assert message, f"an empty error for {body}"
    return str(message)


def server_log(capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> str:
    """What the in-process server wrote to stderr, and its log records with any traceback."""
    records = [
        f"{r.getMessage()}\n{logging.Formatter().formatException(r.exc_info)}"
        for r in caplog.records
        if r.exc_info
    ]
    return capfd.readouterr().err + "\n".join(records)


BAD_CALLS = [
    ("ask", '{"data": []}', "/ask takes 4 values"),
    ("ask", '{"data": ["How far did it fly?"]}', "1 was sent"),
    ("ask", '{"data": ["How far did it fly? \\ud800", null, null, null]}', "not valid text"),
    ("ask", '{"data": ["How far?", 5, null, null]}', "history must be a list"),
    ("ask", '{"data": ["How far?", ' + "[" * 500 + "]" * 500 + ", null, null]}", "history"),
    ("ask", '{"data": ["How far?", null, "many", null]}', "top_k must be a whole number"),
    ("article", '{"data": []}', "/article takes 1 value"),
    ("article", '{"data": [{"id": "x"}]}', "article_id must be an article's id"),
    ("add_article", '{"data": []}', "/add_article takes 1 value"),
    ("add_article", '{"data": [5]}', "gradio_client.handle_file"),
    (
        "add_article",
        '{"data": [{"path": "/etc/passwd", "meta": {"_type": "gradio.FileData"}}]}',
        "not uploaded",
    ),
    ("remove_article", '{"data": []}', "/remove_article takes 1 value"),
    ("remove_article", '{"data": [["a", "b"]]}', "article_id must be an article's id"),
    ("chat", '{"data": []}', "/chat takes 4 values"),
    ("chat", '{"data": ["hi", null, null, "many"]}', "value 4 (top_k, a slider)"),
    ("evidence", '{"data": [null]}', "needs that click's data"),
    ("show_article", '{"data": []}', "/show_article takes 1 value"),
]
BAD_CALL_IDS = [
    "ask-nothing", "ask-one-value", "lone-surrogate", "history-5", "history-500-deep",
    "top-k-text", "article-nothing", "article-dict", "add-nothing", "add-number",
    "add-server-path", "remove-nothing", "remove-list", "chat-nothing", "chat-top-k-text",
    "evidence-without-click", "show-article-nothing",
]  # fmt: skip


@pytest.mark.parametrize(("api_name", "body", "reason"), BAD_CALLS, ids=BAD_CALL_IDS)
def test_a_malformed_http_call_gets_a_clear_error_and_no_server_traceback(
    url: str,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    api_name: str,
    body: str,
    reason: str,
) -> None:
    assert reason in call_error(url, api_name, body)
    assert "Traceback" not in server_log(capfd, caplog)


@pytest.mark.parametrize("route", ["run", "api"])
def test_the_direct_routes_refuse_missing_values_the_same_way(
    url: str, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture, route: str
) -> None:
    response = httpx.post(f"{url}gradio_api/{route}/ask", json={"data": []}, timeout=60)
    assert "/ask takes 4 values" in response.json()["error"]
    assert "Traceback" not in server_log(capfd, caplog)


def queue_error(url: str, api_name: str, data: list[object], event_data: object) -> str:
    """Join the queue as the page does (fn_index, event_data); the error the event ends with."""
    config = httpx.get(f"{url}config").json()
    fn_index = next(d["id"] for d in config["dependencies"] if d.get("api_name") == api_name)
    session = f"raw-{api_name}-{abs(hash(json.dumps(event_data)))}"
    body = {"data": data, "fn_index": fn_index, "session_hash": session, "event_data": event_data}
    httpx.post(f"{url}gradio_api/queue/join", json=body).raise_for_status()
    params = {"session_hash": session}
    with httpx.stream("GET", f"{url}gradio_api/queue/data", params=params, timeout=60) as events:
        for line in events.iter_lines():
            message = json.loads(line.removeprefix("data: ")) if line.startswith("data: ") else {}
            if message.get("msg") == "process_completed":
                assert not message["success"]
                return str(message["output"]["error"])
    raise AssertionError("the event never completed")


@pytest.mark.parametrize(
    "event_data",
    [None, 5, {"index": 1}, {"value": "x"}],
    ids=["none", "number", "no-value", "no-index"],
)
def test_a_click_event_joined_with_malformed_click_data_gets_a_clear_error(
    url: str,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    event_data: object,
) -> None:
    assert "needs that click's data" in queue_error(url, "evidence", [None], event_data)
    assert "Traceback" not in server_log(capfd, caplog)


@pytest.mark.parametrize(
    ("path", "body", "reason"),
    [
        ("call/asks", {"data": ["How far?"]}, "there is no endpoint named 'asks'"),
        ("run/asks", {"data": ["How far?"]}, "there is no endpoint named 'asks'"),
        ("queue/join", {"data": [], "fn_index": 999, "session_hash": "x"}, "fn_index 999"),
    ],
    ids=["call", "run", "queue-join"],
)
def test_a_call_to_an_endpoint_that_does_not_exist_is_a_404_saying_so(
    url: str,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    path: str,
    body: dict[str, object],
    reason: str,
) -> None:
    response = httpx.post(f"{url}gradio_api/{path}", json=body)
    assert response.status_code == 404 and reason in response.json()["error"]
    assert "Traceback" not in server_log(capfd, caplog)


def test_a_served_process_logs_no_traceback_for_any_malformed_call(
    seeded_store: Path, tmp_path: Path
) -> None:
    """`assistant serve` as run by a user: its whole output, after every bad call, is clean."""
    store = tmp_path / "store"
    shutil.copytree(seeded_store, store, ignore=shutil.ignore_patterns("*.lock"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSISTANT_", "OPENAI_"))}
    env |= {"ASSISTANT_VECTORSTORE_DIR": str(store), "GRADIO_ANALYTICS_ENABLED": "False"}
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant", "serve", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_until_listening(proc, url)
        messages = [call_error(url, name, body) for name, body, _ in BAD_CALLS]
        unknown = httpx.post(f"{url}gradio_api/call/asks", json={"data": []})
    finally:
        proc.terminate()
        output, _ = proc.communicate(timeout=30)
    assert [reason in m for m, (_, _, reason) in zip(messages, BAD_CALLS, strict=True)] == [
        True
    ] * len(BAD_CALLS)
    assert unknown.status_code == 404
    assert "Traceback" not in output, output


def wait_until_listening(proc: subprocess.Popen[str], url: str) -> None:
    deadline = time.monotonic() + STARTUP_S
    while True:
        if proc.poll() is not None:
            pytest.fail(f"assistant serve exited early:\n{proc.communicate()[0]}")
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.TransportError:
            if time.monotonic() > deadline:
                pytest.fail("assistant serve did not start listening")
            time.sleep(0.3)
