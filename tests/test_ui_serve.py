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


def listening_addresses(port: int) -> set[str]:
    """Local addresses of the sockets listening on ``port``, read from the kernel's tables."""
    addresses = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as rows:
            for row in list(rows)[1:]:
                local, state = row.split()[1], row.split()[3]
                address, hex_port = local.rsplit(":", 1)
                if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                    addresses.add(address)
    return addresses


LOOPBACK = {
    "0100007F",
    "00000000000000000000000001000000",
}  # 127.0.0.1 and ::1, as the kernel writes them


def test_serve_binds_loopback_and_requires_the_configured_password(served: str) -> None:
    port = int(served.rstrip("/").rsplit(":", 1)[1])
    bound = listening_addresses(port)
    assert bound, f"nothing listens on port {port}"
    assert bound <= LOOPBACK, f"the UI listens beyond loopback: {bound}"
    assert httpx.get(served + "config").status_code == 401
    articles = Client(served, auth=("reader", "s3cret"), verbose=False).predict(
        api_name="/articles"
    )
    assert [a["article_id"] for a in articles] == SEED_IDS


def test_serve_says_what_it_is_doing_then_the_url(env: dict[str, str], tmp_path: Path) -> None:
    port = free_port()
    proc = start(["--port", str(port)], {**env, "PYTHONUNBUFFERED": "1"}, tmp_path)
    assert proc.stdout is not None
    try:
        lines = [proc.stdout.readline().strip() for _ in range(3)]
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    assert lines[0].startswith("Loading the article index")
    assert lines[1] == "Starting the web UI…"
    assert lines[2].startswith(f"Fact-check assistant: http://127.0.0.1:{port}/")


def test_serve_on_an_address_that_does_not_exist_says_so(
    env: dict[str, str], tmp_path: Path
) -> None:
    proc = start(["--host", "999.1.1.1"], env, tmp_path)
    out, _ = proc.communicate(timeout=STARTUP_S)
    assert proc.returncode == 2
    assert "999.1.1.1" in out and "not an IP address or a host name" in out
    assert "port is in use" not in out and "Traceback" not in out


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


def test_serve_on_an_address_of_another_machine_says_so(
    env: dict[str, str], tmp_path: Path
) -> None:
    proc = start(["--host", "192.0.2.1", "--port", str(free_port())], env, tmp_path)  # TEST-NET-1
    out, _ = proc.communicate(timeout=STARTUP_S)
    assert proc.returncode == 1
    assert "cannot listen on 192.0.2.1: this machine has no such address" in out
    assert "port is in use" not in out and "Traceback" not in out
