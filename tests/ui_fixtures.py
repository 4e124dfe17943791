"""Helpers for the web-UI tests: running the app in-process, writable stores, hostile input.

Tests that add articles never touch the session's shared store: ``writable_checker`` copies the
seeded Chroma store (a fraction of a second, no re-embedding) and opens a FactChecker on it.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatResult

from assistant.factchecker import FactChecker
from assistant.offline.model import OfflineChatModel

from conftest import free_port, make_settings

if TYPE_CHECKING:
    from gradio_client import Client

# An article whose sentences carry HTML and template syntax. The offline model quotes the first
# sentence for ZEBRA_QUESTION, so the payload reaches both the chat and the evidence panel.
EVIL_ARTICLE = (
    "# Zebra crossing trial in Testville\n\n"
    "The Testville council said on Monday that its new zebra crossing "
    "<script>window.__pwned = 1</script> cut accidents "
    '<img src=x onerror="window.__pwned = 2"> by 40 percent at ${7*7} {{constructor}} dollars.\n'
    "Officials added that the white paint lasts five years.\n"
)
ZEBRA_QUESTION = "What did the Testville council say about the zebra crossing?"

GOOD_ARTICLE = (
    "# Lighthouse keepers return to Skerry Point\n\n"
    "The harbour board announced on Tuesday that two lighthouse keepers will return to Skerry "
    "Point after an absence of thirty years.\n"
    "The keepers will maintain the lamp and record the weather every three hours.\n"
)
LIGHTHOUSE_QUESTION = "How many lighthouse keepers will return to Skerry Point?"


@contextmanager
def running_app(
    fact_checker: Any, *, auth: tuple[str, str] | None = None, **build_kwargs: Any
) -> Iterator[str]:
    """The UI served on a free 127.0.0.1 port for the duration of the block; yields its URL."""
    from assistant.ui import build_app, launch

    app = build_app(fact_checker, **build_kwargs)
    url = launch(
        app,
        host="127.0.0.1",
        port=free_port(),
        auth=auth,
        max_upload_bytes=fact_checker.settings.max_upload_bytes,
        prevent_thread_lock=True,
        quiet=True,
    )
    try:
        yield url
    finally:
        app.close()


@pytest.fixture(scope="session")
def app_url(fact_checker: FactChecker) -> Iterator[str]:
    """The UI over the session's read-only FactChecker, started once for every module that
    only reads through it (each start costs seconds of Gradio set-up)."""
    with running_app(fact_checker) as address:
        yield address


@pytest.fixture(scope="session")
def url(app_url: str) -> str:
    """The shared UI's address; a module that needs its own app defines its own ``url``."""
    return app_url


@pytest.fixture(scope="session")
def client(app_url: str) -> Client:
    """A Gradio client of the shared UI."""
    from gradio_client import Client

    return Client(app_url, verbose=False)


def writable_checker(
    seeded_store: Path, workdir: Path, *, model: Any = None, **overrides: Any
) -> FactChecker:
    """A FactChecker over a private copy of the seeded store, free to ingest into."""
    store = workdir / "store"
    shutil.copytree(seeded_store, store, ignore=shutil.ignore_patterns("uploads", "*.lock"))
    return FactChecker(make_settings(store, **overrides), model=model)


def write_file(folder: Path, name: str, data: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


class FailingModel(OfflineChatModel):
    """A chat model whose every call fails the way the given exception says."""

    error: Exception

    @property
    def model_name(self) -> str:
        return "failing"

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: Sequence[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        raise self.error


def connection_error() -> Exception:
    """What the OpenAI client raises when the model server cannot be reached."""
    import httpx
    import openai

    return openai.APIConnectionError(request=httpx.Request("POST", "http://127.0.0.1:9/v1"))
