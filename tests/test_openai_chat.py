"""The OpenAI path end to end over real HTTP: ``ChatOpenAI`` against a local fake server.

Every test drives the real client stack (LangChain → openai SDK → httpx → socket) against the
scripted server in ``fake_openai``; the ``openai_server`` fixture refuses any connection that
is not to 127.0.0.1, so these tests also show that nothing leaves the machine.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from fake_openai import (  # noqa: F401 - fixtures
    API_KEY,
    FakeOpenAI,
    Reply,
    cite_missing_passage,
    cite_wrong_article,
    fake_server,
    invent_every_quote,
    invent_quote,
    loopback_only,
    openai_checker,
    openai_server,
)

from assistant.errors import ModelError
from assistant.factchecker import FactChecker
from assistant.schema import Answer
from assistant.tokens import count_tokens

from conftest import free_port, make_settings

QUESTION = "How far did the missile fly?"  # the faithful answer has three claims
INVENTED = "Officials confirmed the launch was a complete and total failure."

pytestmark = pytest.mark.server


def assert_citations_verified(fc: FactChecker, answer: Answer) -> None:
    for c in answer.citations:
        assert fc.article_text(c.article_id)[c.start : c.end] == c.quote


# --- faithful answers ------------------------------------------------------------------------


def test_faithful_answer_over_http_cites_verified_quotes(
    openai_fc: FactChecker,
    openai_server: FakeOpenAI,  # noqa: F811
) -> None:
    answer = openai_fc.ask(QUESTION)

    assert not answer.refused
    assert answer.model == "gpt-4o-mini"
    assert len(answer.citations) == openai_server.last_faithful
    assert "1,001 kilometers" in answer.answer
    assert_citations_verified(openai_fc, answer)
    assert answer.dropped_claims == 0 and answer.notes == []


def test_request_uses_strict_json_schema_temperature_zero_and_the_key(
    openai_fc: FactChecker,
    openai_server: FakeOpenAI,  # noqa: F811
) -> None:
    openai_fc.ask(QUESTION)

    (request,) = openai_server.answer_requests()
    body = request.body
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    assert body["model"] == "gpt-4o-mini"
    assert body["temperature"] == 0
    assert body["response_format"]["type"] == "json_schema"
    schema = body["response_format"]["json_schema"]
    assert schema["name"] == "ModelAnswer" and schema["strict"] is True
    assert set(schema["schema"]["required"]) == {"refused", "claims", "correction", "conflict"}
    assert "tools" not in body
    assert body["messages"][0]["role"] == "system"


def test_answer_reports_the_tokens_the_server_counted(
    openai_fc: FactChecker,
    openai_server: FakeOpenAI,  # noqa: F811
) -> None:
    answer = openai_fc.ask(QUESTION)

    (request,) = openai_server.answer_requests()
    assert answer.usage.prompt_tokens == count_tokens(request.prompt)
    assert answer.usage.completion_tokens > 0
    assert answer.usage.total_tokens == answer.usage.prompt_tokens + answer.usage.completion_tokens


def test_function_calling_method_sends_a_forced_tool_call_and_reads_it(
    seeded_store: Path,
    openai_server: FakeOpenAI,  # noqa: F811
) -> None:
    fc = openai_checker(seeded_store, openai_server, structured_output_method="function_calling")

    answer = fc.ask(QUESTION)

    (request,) = openai_server.answer_requests()
    assert "response_format" not in request.body
    assert request.body["tools"][0]["function"]["name"] == "ModelAnswer"
    assert request.body["tool_choice"]["function"]["name"] == "ModelAnswer"
    assert len(answer.citations) == openai_server.last_faithful
    assert_citations_verified(fc, answer)


def test_follow_up_question_is_condensed_by_the_server_model(
    openai_fc: FactChecker,
    openai_server: FakeOpenAI,  # noqa: F811
) -> None:
    history = [
        {"role": "user", "content": [{"type": "text", "text": "Tell me about the ICBM launch."}]},
        {"role": "assistant", "content": "North Korea launched a Hwasong-19. [1]"},
    ]

    answer = openai_fc.ask("How high did it go?", history)

    assert len(openai_server.chat_requests()) == 2  # condense, then answer
    assert answer.standalone_question and "ICBM" in answer.standalone_question
    assert re.search(r"7,68[78]", answer.answer)  # that article's altitude, either quote
    assert answer.usage.prompt_tokens == sum(
        count_tokens(r.prompt) for r in openai_server.chat_requests()
    )


# --- what a real model gets wrong never becomes a citation -----------------------------------


def test_hallucinated_quote_is_dropped_with_a_note(
    openai_fc: FactChecker,
    openai_server: FakeOpenAI,  # noqa: F811
) -> None:
    openai_server.script(Reply(edit=invent_quote))

    answer = openai_fc.ask(QUESTION)

    assert not answer.refused
    assert answer.dropped_claims == 1
    assert len(answer.citations) == openai_server.last_faithful - 1
    assert all(INVENTED not in c.quote for c in answer.citations)
    assert any("quote not found" in n for n in answer.notes)
    assert_citations_verified(openai_fc, answer)


def test_quote_cited_to_the_wrong_article_is_dropped(
    openai_fc: FactChecker,
    openai_server: FakeOpenAI,  # noqa: F811
) -> None:
    faithful = openai_fc.ask(QUESTION)
    first = faithful.citations[0]
    openai_server.script(Reply(edit=cite_wrong_article))

    answer = openai_fc.ask(QUESTION)

    assert answer.dropped_claims == 1
    assert any("quote not found in article" in n for n in answer.notes)
    assert all(c.quote != first.quote for c in answer.citations)
    assert_citations_verified(openai_fc, answer)


def test_out_of_range_passage_number_is_dropped(
    openai_fc: FactChecker,
    openai_server: FakeOpenAI,  # noqa: F811
) -> None:
    openai_server.script(Reply(edit=cite_missing_passage))

    answer = openai_fc.ask(QUESTION)

    assert answer.dropped_claims == 1
    assert any("does not exist" in n for n in answer.notes)
    assert len(answer.citations) == openai_server.last_faithful - 1


def test_answer_with_only_invented_quotes_becomes_a_refusal_with_a_note(
    openai_fc: FactChecker,
    openai_server: FakeOpenAI,  # noqa: F811
) -> None:
    openai_server.script(Reply(edit=invent_every_quote))

    answer = openai_fc.ask(QUESTION)

    assert answer.refused and answer.citations == []
    assert answer.dropped_claims == openai_server.last_faithful
    assert any("could not be verified" in n for n in answer.notes)


@pytest.mark.parametrize(
    "text",
    [
        '{"refused": false, "claims": [{"text": "The missile flew',
        "Sure! The missile flew 1,001 km.",
        '{"refused": false, "claims": [{"text": "x", "passage": "first"}]}',
        "",
    ],
    ids=["truncated-json", "prose", "wrong-types", "empty"],
)
def test_malformed_reply_becomes_a_refusal_with_a_note(
    openai_fc: FactChecker,
    openai_server: FakeOpenAI,  # noqa: F811
    text: str,
) -> None:
    openai_server.script(Reply(text=text))

    answer = openai_fc.ask(QUESTION)

    assert answer.refused and answer.citations == []
    assert any("not a valid structured answer" in n for n in answer.notes)
    assert len(answer.passages) > 0  # the passages it was shown stay inspectable


def test_reply_cut_off_at_the_output_limit_becomes_a_refusal_with_a_note(
    openai_fc: FactChecker,
    openai_server: FakeOpenAI,  # noqa: F811
) -> None:
    openai_server.script(Reply(finish_reason="length"))

    answer = openai_fc.ask(QUESTION)

    assert answer.refused and answer.citations == []
    assert any("cut off" in n for n in answer.notes)


def test_malformed_tool_call_arguments_become_a_refusal(
    seeded_store: Path,
    openai_server: FakeOpenAI,  # noqa: F811
) -> None:
    fc = openai_checker(seeded_store, openai_server, structured_output_method="function_calling")
    openai_server.script(Reply(text='{"refused": false, "claims": [{"text"'))

    answer = fc.ask(QUESTION)

    assert answer.refused and answer.citations == []
    assert any("not a valid structured answer" in n for n in answer.notes)


# --- failures a user can act on --------------------------------------------------------------


def test_rate_limit_then_success_is_retried_transparently(
    seeded_store: Path,
    openai_server: FakeOpenAI,  # noqa: F811
) -> None:
    fc = openai_checker(seeded_store, openai_server, max_retries=2)
    openai_server.script(Reply(status=429))

    answer = fc.ask(QUESTION)

    assert len(openai_server.answer_requests()) == 2
    assert len(answer.citations) == openai_server.last_faithful


def test_rate_limit_after_the_retries_is_one_clear_model_error(
    seeded_store: Path,
    openai_server: FakeOpenAI,  # noqa: F811
) -> None:
    fc = openai_checker(seeded_store, openai_server, max_retries=1)
    openai_server.default = Reply(status=429)

    with pytest.raises(ModelError, match=r"rate limiting requests \(429\)") as caught:
        fc.ask(QUESTION)

    assert len(openai_server.answer_requests()) == 2  # the try and one retry
    assert "\n" not in str(caught.value)


def test_server_error_until_the_retries_run_out_is_a_model_error(
    seeded_store: Path,
    openai_server: FakeOpenAI,  # noqa: F811
) -> None:
    fc = openai_checker(seeded_store, openai_server, max_retries=2)
    openai_server.default = Reply(status=500)

    with pytest.raises(ModelError, match=r"failed \(500\) and the retries ran out"):
        fc.ask(QUESTION)

    assert len(openai_server.answer_requests()) == 3


def test_slow_server_past_the_timeout_is_a_model_error_not_a_hang(
    seeded_store: Path,
    openai_server: FakeOpenAI,  # noqa: F811
) -> None:
    fc = openai_checker(seeded_store, openai_server, request_timeout_s=0.5, max_retries=0)
    openai_server.script(Reply(delay=30))

    started = time.monotonic()
    with pytest.raises(ModelError, match="did not answer in time"):
        fc.ask(QUESTION)

    assert time.monotonic() - started < 20  # the 30 s reply was not waited for


def test_wrong_api_key_is_a_model_error_naming_the_key(
    seeded_store: Path,
    openai_server: FakeOpenAI,  # noqa: F811
) -> None:
    fc = openai_checker(seeded_store, openai_server, openai_api_key="sk-wrong")

    with pytest.raises(ModelError, match=r"rejected the API key \(401\); check OPENAI_API_KEY"):
        fc.ask(QUESTION)


def test_unreachable_server_is_a_model_error_naming_the_address(
    seeded_store: Path,
    openai_server: FakeOpenAI,  # noqa: F811
) -> None:
    port = free_port()
    fc = openai_checker(seeded_store, openai_server, openai_base_url=f"http://127.0.0.1:{port}/v1")

    with pytest.raises(
        ModelError, match=f"cannot reach the model server at http://127.0.0.1:{port}"
    ):
        fc.ask(QUESTION)


def test_unknown_model_is_a_model_error_with_the_server_message(
    openai_fc: FactChecker,
    openai_server: FakeOpenAI,  # noqa: F811
) -> None:
    openai_server.script(Reply(status=404, message="The model `gpt-9` does not exist."))

    with pytest.raises(ModelError, match=r"\(404\): The model `gpt-9` does not exist"):
        openai_fc.ask(QUESTION)


def test_openai_model_without_a_key_or_server_says_what_to_set(seeded_store: Path) -> None:
    fc = FactChecker(make_settings(seeded_store, model="gpt-4o-mini"))

    with pytest.raises(ModelError, match="needs an API key: set OPENAI_API_KEY"):
        fc.ask(QUESTION)


def test_local_server_without_a_key_is_called_with_a_placeholder(
    seeded_store: Path,
    openai_server: FakeOpenAI,  # noqa: F811
) -> None:
    openai_server.api_key = "not-needed"
    fc = FactChecker(
        make_settings(seeded_store, model="llama3.1", openai_base_url=openai_server.base_url)
    )

    answer = fc.ask(QUESTION)

    assert answer.model == "llama3.1" and len(answer.citations) == openai_server.last_faithful


# --- nothing leaves the machine --------------------------------------------------------------


def test_the_openai_path_only_connects_to_loopback(seeded_store: Path) -> None:
    server = FakeOpenAI().start()  # a fresh port, so the client opens new connections
    try:
        with loopback_only() as net:
            fc = openai_checker(seeded_store, server)
            answer = fc.ask(QUESTION)
            list(fc.stream(QUESTION))
    finally:
        server.stop()

    assert len(answer.citations) == server.last_faithful
    assert net.connected, "the client made no connection at all"
    assert all(c == f"127.0.0.1:{server.port}" for c in net.connected)
    assert net.refused == []
