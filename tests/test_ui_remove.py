"""Removing an article in the web UI: /remove_article and the corpus tab's Remove control.

Both go through the store's own removal (``FactChecker.remove``, as ``assistant remove`` does):
only the named article goes, an unknown id says so and changes nothing, an answer already
running when the article is removed still completes with its citations, and with
ASSISTANT_UI_AUTH set nobody removes anything without signing in.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError
from ui_fixtures import (
    GOOD_ARTICLE,
    LIGHTHOUSE_QUESTION,
    running_app,
    writable_checker,
    write_file,
)

from assistant.errors import IndexError_
from assistant.factchecker import FactChecker
from assistant.offline.model import OfflineChatModel
from assistant.ui.handlers import Handlers
from assistant.ui.uploads import add_upload

from conftest import SEED_IDS

pytestmark = [
    pytest.mark.filterwarnings("ignore:.*no_silent_downcasting"),
    pytest.mark.filterwarnings("ignore:.*copy keyword is deprecated"),
]

LIGHTHOUSE_ID = "lighthouse"


def with_lighthouse(seeded_store: Path, tmp_path: Path, **kwargs: Any) -> FactChecker:
    """A writable seeded store with one uploaded article (id ``lighthouse``) added."""
    fc = writable_checker(seeded_store, tmp_path, **kwargs)
    add_upload(fc, write_file(tmp_path / "in", f"{LIGHTHOUSE_ID}.md", GOOD_ARTICLE))
    return fc


def ids(fc: FactChecker) -> list[str]:
    return [e.article_id for e in fc.articles()]


@pytest.fixture
def fc(seeded_store: Path, tmp_path: Path) -> FactChecker:
    return with_lighthouse(seeded_store, tmp_path)


@pytest.fixture
def client(fc: FactChecker) -> Iterator[Client]:
    with running_app(fc) as url:
        yield Client(url, verbose=False)


def test_remove_article_removes_that_article_and_nothing_else(
    fc: FactChecker, client: Client
) -> None:
    assert fc.ask(LIGHTHOUSE_QUESTION).citations[0].article_id == LIGHTHOUSE_ID
    result = client.predict(LIGHTHOUSE_ID, api_name="/remove_article")
    assert (result["status"], result["article_id"]) == ("removed", LIGHTHOUSE_ID)
    assert ids(fc) == SEED_IDS
    listed = [a["article_id"] for a in client.predict(api_name="/articles")]
    assert listed == SEED_IDS
    assert LIGHTHOUSE_ID not in {c.article_id for c in fc.ask(LIGHTHOUSE_QUESTION).citations}


def test_removing_an_unknown_id_is_a_clear_error_and_changes_nothing(
    fc: FactChecker, client: Client
) -> None:
    before = ids(fc)
    with pytest.raises(AppError, match="no article with id 'no-such-article'"):
        client.predict("no-such-article", api_name="/remove_article")
    assert ids(fc) == before


def test_remove_article_needs_sign_in_when_auth_is_set(fc: FactChecker) -> None:
    with running_app(fc, auth=("reader", "s3cret")) as url:
        anonymous = httpx.post(
            f"{url}gradio_api/call/remove_article", json={"data": [LIGHTHOUSE_ID]}
        )
        assert anonymous.status_code in {401, 403}
        assert LIGHTHOUSE_ID in ids(fc)
        signed_in = Client(url, auth=("reader", "s3cret"), verbose=False)
        assert signed_in.predict(LIGHTHOUSE_ID, api_name="/remove_article")["status"] == "removed"
    assert LIGHTHOUSE_ID not in ids(fc)


class PausingModel(OfflineChatModel):
    """The offline model, holding each answer until the test lets it go on."""

    def answer_args(self, prompt: str) -> dict[str, Any]:
        ANSWERING.set()
        assert GO_ON.wait(60), "the test never let the answer go on"
        return super().answer_args(prompt)


ANSWERING, GO_ON = threading.Event(), threading.Event()


def test_an_answer_in_flight_completes_with_its_citations_when_its_article_is_removed(
    seeded_store: Path, tmp_path: Path
) -> None:
    ANSWERING.clear()
    GO_ON.clear()
    fc = with_lighthouse(seeded_store, tmp_path, model=PausingModel())
    with running_app(fc) as url:
        client = Client(url, verbose=False)
        job = client.submit(LIGHTHOUSE_QUESTION, api_name="/ask")
        assert ANSWERING.wait(60)  # the passages are retrieved; the model is writing
        removed = client.predict(LIGHTHOUSE_ID, api_name="/remove_article")
        GO_ON.set()
        answer = job.result(timeout=60)
    assert removed["status"] == "removed" and LIGHTHOUSE_ID not in ids(fc)
    assert not answer["refused"]
    assert answer["citations"][0]["article_id"] == LIGHTHOUSE_ID
    assert answer["citations"][0]["quote"] in GOOD_ARTICLE


# --- the corpus tab's control (its events are private: the handlers behind them) -------------


def test_the_remove_button_asks_first_naming_the_article_and_removes_nothing(
    fc: FactChecker,
) -> None:
    question, chosen = Handlers(fc).confirm_removal(LIGHTHOUSE_ID)
    assert chosen == LIGHTHOUSE_ID
    assert "Remove “Lighthouse keepers return to Skerry Point” (lighthouse)" in question
    assert LIGHTHOUSE_ID in ids(fc)


def test_the_remove_button_without_a_chosen_article_says_to_choose_one(fc: FactChecker) -> None:
    question, chosen = Handlers(fc).confirm_removal(None)
    assert chosen is None and "Choose an article to remove first" in question


def test_confirming_removes_the_article_and_refreshes_the_list(fc: FactChecker) -> None:
    notice, table, choices, header = Handlers(fc).remove_confirmed(LIGHTHOUSE_ID)
    assert "Removed “Lighthouse keepers return to Skerry Point” (lighthouse)" in notice
    assert LIGHTHOUSE_ID not in ids(fc)
    assert [value for _, value in choices] == SEED_IDS
    assert "Skerry Point" not in table and f"{len(SEED_IDS)} indexed news articles" in header


def test_confirming_an_article_removed_meanwhile_says_it_is_not_there(fc: FactChecker) -> None:
    fc.remove(LIGHTHOUSE_ID)  # e.g. by `assistant remove` in another terminal
    notice, _, choices, _ = Handlers(fc).remove_confirmed(LIGHTHOUSE_ID)
    assert "Not removed: no article with id 'lighthouse'" in notice
    assert [value for _, value in choices] == SEED_IDS


def test_a_store_failure_while_removing_is_shown_and_keeps_the_article(
    fc: FactChecker, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing_remove(article_ids: object) -> None:
        raise IndexError_("the vector store in /srv/store failed: database is locked")

    monkeypatch.setattr(fc, "remove", failing_remove)
    notice, _, choices, _ = Handlers(fc).remove_confirmed(LIGHTHOUSE_ID)
    assert "Not removed: the vector store in /srv/store failed: database is locked" in notice
    assert LIGHTHOUSE_ID in [value for _, value in choices]
