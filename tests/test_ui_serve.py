"""`assistant serve` as a user runs it: a real process, bound to 127.0.0.1, auth from the env."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from gradio_client import Client
from ui_fixtures import free_port

from conftest import SEED_IDS

STARTUP_S = 90


@pytest.fixture
def env(seeded_store: Path, tmp_path: Path) -> dict[str, str]:
    store = tmp_path / "store"
    shutil.copytree(seeded_store, store, ignore=shutil.ignore_patterns("*.lock"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSISTANT_", "OPENAI_"))}
    return {**env, "ASSISTANT_VECTORSTORE_DIR": str(store), "GRADIO_ANALYTICS_ENABLED": "False"}


def start(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "assistant", "serve", *args],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.fixture
def served(env: dict[str, str], tmp_path: Path) -> Iterator[str]:
    """`assistant serve --port N` with ASSISTANT_UI_AUTH set; yields the URL once it answers."""
    port = free_port()
    proc = start(["--port", str(port)], {**env, "ASSISTANT_UI_AUTH": "reader:s3cret"}, tmp_path)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + STARTUP_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"assistant serve exited early:\n{proc.stdout.read()}")  # type: ignore[union-attr]
            try:
                httpx.get(url, timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    pytest.fail("assistant serve did not start listening")
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_serve_binds_loopback_and_requires_the_configured_password(served: str) -> None:
    port = int(served.rstrip("/").rsplit(":", 1)[1])
    with socket.socket() as probe:  # not reachable on a non-loopback address of this host
        probe.settimeout(1)
        host_ip = socket.gethostbyname(socket.gethostname())
        if not host_ip.startswith("127."):
            assert probe.connect_ex((host_ip, port)) != 0
    assert httpx.get(served + "config").status_code == 401
    articles = Client(served, auth=("reader", "s3cret"), verbose=False).predict(
        api_name="/articles"
    )
    assert [a["article_id"] for a in articles] == SEED_IDS


def test_serve_on_a_busy_port_fails_with_one_clear_line(
    env: dict[str, str], tmp_path: Path
) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = start(["--port", str(port)], env, tmp_path)
        out, _ = proc.communicate(timeout=STARTUP_S)
    assert proc.returncode == 1
    assert f"error: cannot listen on 127.0.0.1:{port}" in out
    assert "Traceback" not in out
