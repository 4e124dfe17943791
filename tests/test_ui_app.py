"""The web UI served in-process and driven through its named API with gradio_client."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError
from ui_fixtures import (
    EVIL_ARTICLE,
    GOOD_ARTICLE,
    LIGHTHOUSE_QUESTION,
    ZEBRA_QUESTION,
    FailingModel,
    connection_error,
    running_app,
    writable_checker,
    write_file,
)

from assistant.errors import InputError
from assistant.factchecker import FactChecker
from assistant.ui.app import parse_auth

from conftest import SEED_IDS, seed_text

# Gradio's queue trips pandas deprecation warnings that say nothing about this project.
pytestmark = [
    pytest.mark.filterwarnings("ignore:.*no_silent_downcasting"),
    pytest.mark.filterwarnings("ignore:.*copy keyword is deprecated"),
]

ICBM = "When did North Korea launch the ICBM?"
UNANSWERABLE = "Who won the 2024 US presidential election?"


@pytest.fixture(scope="module")
def writable(seeded_store: Path, tmp_path_factory: pytest.TempPathFactory) -> FactChecker:
    return writable_checker(seeded_store, tmp_path_factory.mktemp("ui-writable"))


@pytest.fixture(scope="module")
def writable_url(writable: FactChecker) -> Iterator[str]:
    with running_app(writable) as address:
        yield address


@pytest.fixture(scope="module")
def failing_model() -> FailingModel:
    return FailingModel(error=connection_error())


@pytest.fixture(scope="module")
def failing_url(
    seeded_store: Path, failing_model: FailingModel, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    from conftest import make_settings

    checker = FactChecker(make_settings(seeded_store), model=failing_model)
    with running_app(checker) as address:
        yield address


def chat(client: Client, question: str, model: str = "offline", top_k: int = 6) -> tuple[Any, ...]:
    """One turn through the chat box, as the browser sends it; returns (box, messages, panel)."""
    return client.predict(question, model, top_k, api_name="/chat")


def text_of(message: dict[str, Any]) -> str:
    content = message["content"]
    return content if isinstance(content, str) else "".join(p.get("text", "") for p in content)


# --- /ask ----------------------------------------------------------------------------------


def test_ask_returns_citations_whose_quotes_are_in_the_articles(client: Client) -> None:
    result = client.predict(ICBM, api_name="/ask")
    assert result["refused"] is False
    assert result["citations"]
    for c in result["citations"]:
        assert seed_text(c["article_id"])[c["start"] : c["end"]] == c["quote"]
        assert f"[{c['id']}]" in result["answer"]


def test_ask_returns_the_same_json_as_the_cli(client: Client, fact_checker: FactChecker) -> None:
    expected = fact_checker.ask(ICBM).model_dump(mode="json")
    assert client.predict(ICBM, api_name="/ask") == expected


def test_ask_refuses_a_question_the_articles_do_not_answer(client: Client) -> None:
    result = client.predict(UNANSWERABLE, api_name="/ask")
    assert result["refused"] is True
    assert result["citations"] == []
    assert result["answer"].startswith("The articles do not answer this")


def test_ask_uses_the_history_for_a_follow_up(client: Client) -> None:
    first = client.predict(ICBM, api_name="/ask")
    history = [{"role": "user", "content": ICBM}, {"role": "assistant", "content": first["answer"]}]
    result = client.predict(question="And how far did it fly?", history=history, api_name="/ask")
    assert result["standalone_question"] and "ICBM" in result["standalone_question"]
    assert "kilometers" in result["answer"]


def test_ask_honours_the_number_of_passages(client: Client) -> None:
    result = client.predict(question=ICBM, top_k=2, api_name="/ask")
    assert 1 <= len(result["passages"]) <= 2


def test_ask_reports_bad_input_as_a_clear_error(client: Client) -> None:
    with pytest.raises(AppError, match="the question is empty"):
        client.predict("   ", api_name="/ask")


def test_articles_lists_the_corpus_without_server_paths(client: Client) -> None:
    articles = client.predict(api_name="/articles")
    assert [a["article_id"] for a in articles] == SEED_IDS
    assert all(a["source"] == "seed" and a["passages"] > 0 and "path" not in a for a in articles)


def test_article_returns_the_text_that_citation_offsets_index(client: Client) -> None:
    article = client.predict(SEED_IDS[1], api_name="/article")
    assert article["text"] == seed_text(SEED_IDS[1])
    with pytest.raises(AppError, match="no article with id"):
        client.predict("nope", api_name="/article")


def test_api_page_documents_the_named_endpoints_only(client: Client) -> None:
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert {"/ask", "/articles", "/article", "/add_article"} <= set(endpoints)
    assert "/chat" not in endpoints


def test_concurrent_questions_are_all_answered(url: str, fact_checker: FactChecker) -> None:
    questions = [ICBM, UNANSWERABLE, "How many North Korean troops are in Russia?", ICBM]

    def ask(question: str) -> dict[str, Any]:
        return Client(url, verbose=False).predict(question, api_name="/ask")

    with ThreadPoolExecutor(max_workers=len(questions)) as pool:
        results = list(pool.map(ask, questions))
    assert results == [fact_checker.ask(q).model_dump(mode="json") for q in questions]


# --- the chat ------------------------------------------------------------------------------


def test_chat_answer_carries_markers_sources_and_highlighted_evidence(url: str) -> None:
    _, messages, panel = chat(Client(url, verbose=False), ICBM)
    assert [m["role"] for m in messages] == ["user", "assistant"]
    answer = text_of(messages[1])
    assert '<sup class="fc-cite" title="Source 1">[1]</sup>' in answer
    assert '<ol class="fc-sources">' in answer and "Hwasong-19" in answer
    assert re.search(r'<mark class="fc-mark">[^<]*Hwasong-19', panel)


def test_chat_follow_up_uses_the_conversation(url: str) -> None:
    session = Client(url, verbose=False)
    chat(session, ICBM)
    _, messages, panel = chat(session, "And how far did it fly?")
    assert len(messages) == 4
    assert "kilometers" in text_of(messages[3]) and "fc-answered" in text_of(messages[3])
    assert "And how far did it fly?" in panel


def test_chat_refusal_is_shown_as_not_in_the_articles(url: str) -> None:
    _, messages, panel = chat(Client(url, verbose=False), UNANSWERABLE)
    assert "fc-refused" in text_of(messages[1]) and "Not in the articles" in text_of(messages[1])
    assert "nothing is cited" in panel


@pytest.mark.xfail(
    strict=True,
    reason="issue 10, open: the general engine has no synonym resource, so '10,000-12,000 "
    "soldiers' is not taken as the same count as '8,000 troops'",
)
def test_chat_shows_conflicting_sources_side_by_side(url: str) -> None:
    _, messages, _ = chat(Client(url, verbose=False), "How many North Korean troops are in Russia?")
    answer = text_of(messages[1])
    assert "Sources give different figures for troops" in answer
    assert answer.count('<div class="fc-side">') == 2


def test_chat_keeps_an_invalid_question_in_the_box_and_explains(url: str) -> None:
    long_question = "missile " * 400
    box, messages, _ = chat(Client(url, verbose=False), long_question)
    assert box == long_question.strip()
    assert "fc-error" in text_of(messages[1]) and "tokens long" in text_of(messages[1])


def test_model_failure_shows_its_reason_in_the_chat(failing_url: str) -> None:
    _, messages, _ = chat(Client(failing_url, verbose=False), ICBM, model="failing")
    reply = text_of(messages[-1])
    assert 'role="alert"' in reply and "Could not answer" in reply
    assert "cannot reach the model server" in reply


def test_unexpected_failure_shows_a_short_generic_line(
    failing_url: str, failing_model: FailingModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(failing_model, "error", RuntimeError("secret internal detail"))
    _, messages, _ = chat(Client(failing_url, verbose=False), ICBM, model="failing")
    reply = text_of(messages[-1])
    assert "Something went wrong while answering (RuntimeError)" in reply
    assert "secret internal detail" not in reply


def test_ask_endpoint_reports_model_failure_as_an_error(failing_url: str) -> None:
    with pytest.raises(AppError, match="cannot reach the model server"):
        Client(failing_url, verbose=False).predict(ICBM, api_name="/ask")


# --- uploads and hostile articles ----------------------------------------------------------


def test_uploaded_article_is_searchable_at_once(writable_url: str, tmp_path: Path) -> None:
    session = Client(writable_url, verbose=False)
    path = write_file(tmp_path, "skerry.md", GOOD_ARTICLE)
    added = session.predict(handle_file(str(path)), api_name="/add_article")
    assert added["status"] == "added" and added["article_id"] == "skerry"
    result = session.predict(LIGHTHOUSE_QUESTION, api_name="/ask")
    assert [c["article_id"] for c in result["citations"]] == ["skerry"]
    text = session.predict("skerry", api_name="/article")["text"]
    for c in result["citations"]:
        assert text[c["start"] : c["end"]] == c["quote"]


def test_rejected_upload_explains_why_and_adds_nothing(writable_url: str, tmp_path: Path) -> None:
    session = Client(writable_url, verbose=False)
    before = session.predict(api_name="/articles")
    path = write_file(tmp_path, "latin.txt", "Caf\u00e9 cr\u00e8me".encode("latin-1"))
    with pytest.raises(AppError, match="not UTF-8 text"):
        session.predict(handle_file(str(path)), api_name="/add_article")
    assert session.predict(api_name="/articles") == before


def test_malicious_article_renders_inert_in_chat_evidence_and_reader(
    writable_url: str, tmp_path: Path
) -> None:
    session = Client(writable_url, verbose=False)
    path = write_file(tmp_path, "testville.md", EVIL_ARTICLE)
    session.predict(handle_file(str(path)), api_name="/add_article")
    _, messages, panel = chat(session, ZEBRA_QUESTION)
    reader = session.predict("testville", api_name="/show_article")
    answer = text_of(messages[1])
    assert "fc-answered" in answer  # the hostile sentence was quoted, so it reached the HTML
    for fragment in (answer, panel, reader):
        assert "<script" not in fragment and "<img" not in fragment
        assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in fragment
        assert "&#36;&#123;7*7&#125;" in fragment


# --- serving -------------------------------------------------------------------------------


def test_auth_is_required_when_configured(fact_checker: FactChecker) -> None:
    with running_app(fact_checker, auth=("reader", "s3cret")) as address:
        assert httpx.get(address + "config").status_code == 401
        session = Client(address, auth=("reader", "s3cret"), verbose=False)
        assert len(session.predict(api_name="/articles")) == len(SEED_IDS)


@pytest.mark.parametrize("value", ["nocolon", ":password", "user:"])
def test_malformed_auth_setting_is_a_clear_error(value: str) -> None:
    with pytest.raises(InputError, match="user:password"):
        parse_auth(value)


def test_auth_setting_splits_at_the_first_colon() -> None:
    assert parse_auth("reader:pa:ss") == ("reader", "pa:ss")
    assert parse_auth(None) is None


def test_offline_cli_path_does_not_import_gradio() -> None:
    code = (
        "import sys, assistant.cli, assistant.ui, assistant.ui.render, assistant.ui.uploads; "
        "print('gradio' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
