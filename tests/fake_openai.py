"""A small OpenAI-compatible HTTP server for tests, plus the fixtures that start and stop it.

The server speaks just enough of the OpenAI wire protocol for the assistant's real clients
(``ChatOpenAI``, ``OpenAIEmbeddings``, the ``openai`` SDK underneath) to run unmodified against it:

* ``POST /v1/chat/completions``: JSON or ``stream=true`` server-sent events; the answer is the
  message content when the request asks for ``response_format`` (json_schema) and a tool call
  when it sends ``tools`` (function calling). Usage is reported, in the stream too when
  ``stream_options.include_usage`` is set.
* ``POST /v1/embeddings``: deterministic hashed bag-of-words vectors (float or base64), so dense
  retrieval over them works.

Replies are scripted per test: a queue of ``Reply`` objects (a status code, a delay, an edited
answer, raw text) consumed one per chat request, then ``default`` for every later request. The
default is *faithful*: it answers from the passages in the prompt it received, exactly as the
offline model would (``assistant.offline.model.answer``), so a correct client gets verifiable
citations and any breakage is the client's. It binds 127.0.0.1 on a random port only.

``loopback_only`` makes the tests' claim "nothing leaves the machine" checkable: it fails every
socket connection and name lookup to anything but the loopback interface, and records them.
"""

from __future__ import annotations

import base64
import contextlib
import errno
import hashlib
import json
import math
import re
import socket
import struct
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from assistant.answer.judge import JUDGE_MARKER
from assistant.answer.prompts import CONDENSE_MARKER
from assistant.factchecker import FactChecker
from assistant.offline.model import answer as offline_answer
from assistant.offline.model import condense, parse_prompt
from assistant.tokens import count_tokens

from conftest import make_settings

API_KEY = "sk-test-fake-openai"
EMBEDDING_DIM = 256
STREAM_CHUNK_CHARS = 24

Edit = Callable[[dict[str, Any], list[tuple[int, str, str]]], "dict[str, Any] | str"]


@dataclass
class Reply:
    """One scripted reply to a chat completion request.

    ``status`` other than 200 sends an OpenAI-style error body. ``delay`` sleeps first (the
    client's timeout is what the test exercises). ``edit`` receives the faithful answer (a
    ``ModelAnswer`` dict) and the prompt's passages and returns the answer to send instead, or a
    string to send verbatim (malformed output). ``text`` sends that string as the content as is.
    ``hold_after_first_claim`` (streaming) pauses the stream right after the first claim object
    until the test sets ``FakeOpenAI.release``, so a test can see what arrived mid-reply.
    ``respond`` receives the whole prompt (passages with their sentence ids) and returns the
    answer to send, as a model citing sentence ids would. A judge request (the answer judge's
    prompt) is answered "supported" for every claim unless ``text`` scripts it.
    """

    status: int = 200
    delay: float = 0.0
    edit: Edit | None = None
    text: str | None = None
    message: str = ""
    finish_reason: str | None = None
    hold_after_first_claim: bool = False
    respond: Callable[[str], dict[str, Any] | str] | None = None


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def prompt(self) -> str:
        return _prompt_text(self.body.get("messages") or [])


@dataclass
class FakeOpenAI:
    """The scripted server; ``base_url`` is what ``OPENAI_BASE_URL`` should be set to."""

    api_key: str = API_KEY
    default: Reply = field(default_factory=Reply)
    requests: list[Recorded] = field(default_factory=list)
    _queue: deque[Reply] = field(default_factory=deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stopping: threading.Event = field(default_factory=threading.Event)
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    streams_finished: int = 0
    last_faithful: int = 0  # claims in the last faithful answer (before any scripted edit)
    _httpd: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self) -> FakeOpenAI:
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.fake = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers sleeping in a scripted delay
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def port(self) -> int:
        assert self._httpd is not None, "server not started"
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    # --- scripting ---------------------------------------------------------------------------

    def script(self, *replies: Reply) -> None:
        """Queue replies for the next chat requests, in order."""
        with self._lock:
            self._queue.extend(replies)

    def reset(self) -> None:
        with self._lock:
            self._queue.clear()
            self.requests.clear()
            self.default = Reply()
            self.api_key = API_KEY
            self.streams_finished = 0
            self.last_faithful = 0
        self.holding.clear()
        self.release.clear()

    def chat_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def answer_requests(self) -> list[Recorded]:
        """Chat requests for an answer (not the follow-up condensing ones)."""
        return [r for r in self.chat_requests() if CONDENSE_MARKER not in r.prompt]

    def embedding_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.path.endswith("/embeddings")]

    def _next_reply(self) -> Reply:
        with self._lock:
            return self._queue.popleft() if self._queue else self.default


# --- request handling --------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeOpenAI/1.0"

    def log_message(self, format: str, *args: Any) -> None:  # quiet test output
        return

    @property
    def fake(self) -> FakeOpenAI:
        return self.server.fake  # type: ignore[attr-defined,no-any-return]

    def do_GET(self) -> None:
        if self.path.rstrip("/").endswith("/models"):
            self._send_json(200, {"object": "list", "data": [{"id": "fake", "object": "model"}]})
        else:
            self._send_error(404, f"no route {self.path}", "not_found")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            self._send_error(400, "request body is not JSON", "invalid_request_error")
            return
        path = self.path.split("?", 1)[0]
        fake = self.fake
        with fake._lock:
            fake.requests.append(
                Recorded(path, {k.lower(): v for k, v in self.headers.items()}, body)
            )
        if self.headers.get("Authorization") != f"Bearer {fake.api_key}":
            self._send_error(401, "Incorrect API key provided.", "invalid_api_key")
            return
        try:
            if path == "/v1/chat/completions":
                self._chat(body)
            elif path == "/v1/embeddings":
                self._embeddings(body)
            else:
                self._send_error(404, f"no route {path}", "not_found")
        except Exception as exc:  # a broken script: say so as a 500 rather than hang up
            self._send_error(500, f"fake server error: {type(exc).__name__}: {exc}", "bug")

    # --- chat ------------------------------------------------------------------------------

    def _chat(self, body: dict[str, Any]) -> None:
        reply = self.fake._next_reply()
        if reply.delay and self.fake._stopping.wait(reply.delay):
            return
        if reply.status != 200:
            kinds = {429: "rate_limit_exceeded", 401: "invalid_api_key", 404: "model_not_found"}
            self._send_error(
                reply.status,
                reply.message or f"scripted status {reply.status}",
                kinds.get(reply.status, "server_error"),
            )
            return
        messages = body.get("messages") or []
        prompt = _prompt_text(messages)
        tools = body.get("tools") or []
        if CONDENSE_MARKER in prompt and "<conversation>" in prompt:
            content: str = condense(prompt)
            tools = []
        elif reply.text is not None:
            content = reply.text
        elif JUDGE_MARKER in prompt and "Cited sentences:" in prompt:
            claims = re.findall(r"^(\d+)\. Claim:", prompt, re.MULTILINE)
            verdicts = [{"claim": int(n), "supported": True, "reason": "stated"} for n in claims]
            content = json.dumps({"verdicts": verdicts})
        elif reply.respond is not None:
            produced_now = reply.respond(prompt)
            content = produced_now if isinstance(produced_now, str) else json.dumps(produced_now)
        else:
            question, passages = parse_prompt(prompt)
            faithful = offline_answer(question, passages)
            self.fake.last_faithful = len(faithful.claims)
            produced: dict[str, Any] | str = faithful.model_dump()
            if reply.edit is not None:
                produced = reply.edit(dict(produced), passages)  # type: ignore[arg-type]
            content = produced if isinstance(produced, str) else json.dumps(produced)
        as_tool = bool(tools) and "response_format" not in body
        finish = reply.finish_reason or ("tool_calls" if as_tool else "stop")
        usage = {
            "prompt_tokens": count_tokens(prompt),
            "completion_tokens": count_tokens(content),
        }
        usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
        tool_name = tools[0]["function"]["name"] if as_tool else ""
        call_id = "call_" + uuid.uuid5(uuid.NAMESPACE_URL, prompt).hex[:16]
        completion_id = "chatcmpl-" + uuid.uuid4().hex[:20]
        model = str(body.get("model", "fake"))
        if body.get("stream"):
            include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
            hold = content.find("}") + 1 if reply.hold_after_first_claim else 0
            self._stream_chat(
                completion_id, model, content, as_tool, tool_name, call_id, finish, usage,
                include_usage, hold,
            )  # fmt: skip
            return
        message: dict[str, Any] = {"role": "assistant", "content": content, "refusal": None}
        if as_tool:
            message["content"] = None
            message["tool_calls"] = [
                {
                    "id": call_id,
                    "type": "function",
                    "function": {"name": tool_name, "arguments": content},
                }
            ]
        self._send_json(
            200,
            {
                "id": completion_id,
                "object": "chat.completion",
                "created": int(time.time()),
                "model": model,
                "choices": [
                    {"index": 0, "message": message, "finish_reason": finish, "logprobs": None}
                ],
                "usage": usage,
            },
        )

    def _stream_chat(
        self,
        completion_id: str,
        model: str,
        content: str,
        as_tool: bool,
        tool_name: str,
        call_id: str,
        finish: str,
        usage: dict[str, int],
        include_usage: bool,
        hold: int = 0,
    ) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        created = int(time.time())

        def event(choices: list[dict[str, Any]], extra: dict[str, Any] | None = None) -> None:
            data = {
                "id": completion_id,
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "choices": choices,
                **(extra or {}),
            }
            self.wfile.write(f"data: {json.dumps(data)}\n\n".encode())
            self.wfile.flush()

        def delta(d: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
            return {"index": 0, "delta": d, "finish_reason": finish_reason, "logprobs": None}

        def split(text: str) -> list[str]:
            return [
                text[i : i + STREAM_CHUNK_CHARS] for i in range(0, len(text), STREAM_CHUNK_CHARS)
            ]

        # With a hold, the pieces break exactly after the first claim and the stream pauses there.
        pieces = [*split(content[:hold]), "", *split(content[hold:])] if hold else split(content)
        fake = self.fake

        def send(piece: str) -> None:
            if piece == "" and hold:
                fake.holding.set()
                fake.release.wait(10)
                return
            if as_tool:
                event([delta({"tool_calls": [{"index": 0, "function": {"arguments": piece}}]})])
            else:
                event([delta({"content": piece})])

        try:
            if as_tool:
                event(
                    [
                        delta(
                            {
                                "role": "assistant",
                                "content": None,
                                "tool_calls": [
                                    {
                                        "index": 0,
                                        "id": call_id,
                                        "type": "function",
                                        "function": {"name": tool_name, "arguments": ""},
                                    }
                                ],
                            }
                        )
                    ]
                )
            else:
                event([delta({"role": "assistant", "content": ""})])
            for piece in pieces:
                send(piece)
            event([delta({}, finish)])
            if include_usage:
                event([], {"usage": usage})
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
            with fake._lock:
                fake.streams_finished += 1
        except (BrokenPipeError, ConnectionResetError):  # the client gave up; nothing to do
            return

    # --- embeddings ------------------------------------------------------------------------

    def _embeddings(self, body: dict[str, Any]) -> None:
        inputs = body.get("input")
        if isinstance(inputs, str) or (
            isinstance(inputs, list) and inputs and isinstance(inputs[0], int)
        ):
            inputs = [inputs]
        if not isinstance(inputs, list) or not inputs:
            self._send_error(400, "'input' must be a string or a list", "invalid_request_error")
            return
        as_base64 = body.get("encoding_format") == "base64"
        data = []
        used = 0
        for i, item in enumerate(inputs):
            text = item if isinstance(item, str) else " ".join(f"t{t}" for t in item)
            used += count_tokens(text)
            vector = hashed_embedding(text)
            encoded: Any = (
                base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode()
                if as_base64
                else vector
            )
            data.append({"object": "embedding", "index": i, "embedding": encoded})
        self._send_json(
            200,
            {
                "object": "list",
                "data": data,
                "model": body.get("model", "fake"),
                "usage": {"prompt_tokens": used, "total_tokens": used},
            },
        )

    # --- plumbing --------------------------------------------------------------------------

    def _send_json(
        self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            return

    def _send_error(self, status: int, message: str, code: str) -> None:
        kind = "invalid_request_error" if status < 500 else "server_error"
        # A tiny Retry-After keeps the client's retries (429, 5xx) fast in tests.
        self._send_json(
            status,
            {"error": {"message": message, "type": kind, "param": None, "code": code}},
            {"retry-after-ms": "5"},
        )


def _prompt_text(messages: list[dict[str, Any]]) -> str:
    """The non-system message text, joined the way the offline model joins it."""
    parts = []
    for m in messages:
        if m.get("role") == "system":
            continue
        content = m.get("content")
        if isinstance(content, list):
            content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
        parts.append(str(content or ""))
    return "\n\n".join(parts)


_WORD = re.compile(r"[a-z0-9]+")


def hashed_embedding(text: str, dim: int = EMBEDDING_DIM) -> list[float]:
    """A unit vector from hashed lower-cased words: similar wording, similar vectors."""
    vector = [0.0] * dim
    for word in _WORD.findall(text.lower()):
        word = word[:-1] if len(word) > 3 and word.endswith("s") else word
        digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
        index = int.from_bytes(digest[:4], "little") % dim
        vector[index] += 1.0 if digest[4] & 1 else -1.0
    norm = math.sqrt(sum(v * v for v in vector)) or 1.0
    return [v / norm for v in vector]


# --- edits of the faithful answer (the ways a real model goes wrong) ---------------------------


def invent_quote(answer: dict[str, Any], passages: list[tuple[int, str, str]]) -> dict[str, Any]:
    """The first claim quotes a sentence that is in no article."""
    claims = [dict(c) for c in answer["claims"]]
    if not claims:
        return answer
    claims[0]["quote"] = "Officials confirmed the launch was a complete and total failure."
    return {**answer, "claims": claims}


def cite_wrong_article(
    answer: dict[str, Any], passages: list[tuple[int, str, str]]
) -> dict[str, Any]:
    """The first claim keeps its real quote but cites a passage of a different article."""
    claims = [dict(c) for c in answer["claims"]]
    if not claims:
        return answer
    cited = next(p for p in passages if p[0] == claims[0]["passage"])
    other = next(p for p in passages if p[1] != cited[1])
    claims[0]["passage"] = other[0]
    return {**answer, "claims": claims}


def cite_missing_passage(
    answer: dict[str, Any], passages: list[tuple[int, str, str]]
) -> dict[str, Any]:
    """The first claim cites a passage number the prompt never had."""
    claims = [dict(c) for c in answer["claims"]]
    if not claims:
        return answer
    claims[0]["passage"] = len(passages) + 7
    return {**answer, "claims": claims}


def invent_every_quote(
    answer: dict[str, Any], passages: list[tuple[int, str, str]]
) -> dict[str, Any]:
    claims = [
        {**c, "quote": f"An invented sentence number {i} that no article contains."}
        for i, c in enumerate(answer["claims"])
    ]
    return {**answer, "claims": claims}


# --- keeping the tests on the loopback interface ------------------------------------------------

_LOCAL_HOSTS = {"127.0.0.1", "::1", "localhost", "0.0.0.0"}


@dataclass
class NetLog:
    """Connections seen while ``loopback_only`` was active."""

    connected: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


def _is_loopback(address: Any) -> bool:
    if not isinstance(address, tuple):  # an AF_UNIX path
        return True
    host = str(address[0])
    return host in _LOCAL_HOSTS or host.startswith("127.")


@contextlib.contextmanager
def loopback_only() -> Iterator[NetLog]:
    """Refuse (and record) any connection or name lookup beyond loopback while the block runs.

    Loopback connections go through and are recorded in ``connected``, so a test can show both
    that traffic happened and that all of it stayed on 127.0.0.1.
    """
    log = NetLog()
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def connect(self: socket.socket, address: Any) -> Any:
        if not _is_loopback(address):
            log.refused.append(f"connect {address!r}")
            raise ConnectionRefusedError(f"test network guard: {address!r} is not loopback")
        if isinstance(address, tuple):
            log.connected.append(f"{address[0]}:{address[1]}")
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> Any:
        if not _is_loopback(address):
            log.refused.append(f"connect {address!r}")
            return errno.ECONNREFUSED
        return real_connect_ex(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if host is not None and not _is_loopback((name, 0)):
            log.refused.append(f"lookup {name}")
            raise socket.gaierror(socket.EAI_NONAME, f"test network guard: {name} is not local")
        return real_getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = getaddrinfo
    try:
        yield log
    finally:
        socket.socket.connect = real_connect  # type: ignore[method-assign]
        socket.socket.connect_ex = real_connect_ex  # type: ignore[method-assign]
        socket.getaddrinfo = real_getaddrinfo


def guard_env(folder: Path) -> dict[str, str]:
    """Environment that installs the same guard in a subprocess (a generated sitecustomize).

    Refused destinations are appended to ``folder/refused.log``; a test asserts it stays empty.
    """
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    log = folder / "refused.log"
    log.write_text("", encoding="utf-8")
    return {"PYTHONPATH": str(folder), "FAKE_OPENAI_GUARD_LOG": str(log)}


# --- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fake_server() -> Iterator[FakeOpenAI]:
    """One server per test module (started on a free 127.0.0.1 port, stopped at the end)."""
    server = FakeOpenAI().start()
    yield server
    server.stop()


@pytest.fixture
def openai_server(fake_server: FakeOpenAI) -> Iterator[FakeOpenAI]:
    """The module's server, reset for this test, with every non-loopback connection refused."""
    fake_server.reset()
    with loopback_only() as net:
        yield fake_server
    fake_server.release.set()
    assert not net.refused, f"a test reached beyond 127.0.0.1: {net.refused}"


def openai_checker(store: Path, server: FakeOpenAI, **overrides: Any) -> FactChecker:
    """A FactChecker on the OpenAI path to ``server``: no retries and a short timeout, so a
    scripted failure surfaces at once."""
    options: dict[str, Any] = {
        "openai_api_key": API_KEY,
        "openai_base_url": server.base_url,
        "model": "gpt-4o-mini",
        "request_timeout_s": 10,
        "max_retries": 0,
        **overrides,
    }
    return FactChecker(make_settings(store, **options))


@pytest.fixture(scope="module")
def openai_fc(seeded_store: Path, fake_server: FakeOpenAI) -> FactChecker:
    """The module's OpenAI-path FactChecker over the session's seeded store (read-only)."""
    return openai_checker(seeded_store, fake_server)


# Installed into CLI subprocesses via a generated sitecustomize.py (see ``guard_env``).
SITECUSTOMIZE = """
import os, socket
_log = os.environ["FAKE_OPENAI_GUARD_LOG"]
_real_connect = socket.socket.connect
_real_getaddrinfo = socket.getaddrinfo

def _allowed(address):
    if not isinstance(address, tuple):
        return True
    host = str(address[0])
    return host in {"127.0.0.1", "::1", "localhost", "0.0.0.0"} or host.startswith("127.")

def _refuse(what):
    with open(_log, "a", encoding="utf-8") as handle:
        handle.write(what + "\\n")

def _connect(self, address):
    if not _allowed(address):
        _refuse(f"connect {address!r}")
        raise ConnectionRefusedError(f"test network guard: {address!r} is not loopback")
    return _real_connect(self, address)

def _getaddrinfo(host, *args, **kwargs):
    name = host.decode() if isinstance(host, bytes) else str(host)
    if host is not None and not _allowed((name, 0)):
        _refuse(f"lookup {name}")
        raise socket.gaierror(socket.EAI_NONAME, f"test network guard: {name} is not local")
    return _real_getaddrinfo(host, *args, **kwargs)

socket.socket.connect = _connect
socket.getaddrinfo = _getaddrinfo
"""
