"""``FactChecker.stream``: growing snapshots of verified claims, ending with ``ask``'s answer.

Offline, the model answers in one piece and the chain hands out its verified claims one by one;
over HTTP (the fake OpenAI server's ``stream=true`` SSE), snapshots follow the reply as it is
generated. Either way a snapshot never holds a claim that failed verification.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from pathlib import Path
from typing import Any

import pytest
from fake_openai import (  # noqa: F401 - fixtures
    API_KEY,
    FakeOpenAI,
    Reply,
    fake_server,
    invent_quote,
    openai_checker,
    openai_server,
)

from assistant.answer.structured import complete_claims
from assistant.errors import ModelError
from assistant.factchecker import FactChecker
from assistant.schema import Answer

QUESTION = "How far did the missile fly?"  # three verified claims
INVENTED = "Officials confirmed the launch was a complete and total failure."


def assert_growing_and_verified(fc: FactChecker, snapshots: list[Answer]) -> None:
    """Each snapshot keeps the previous one's citations and adds; every quote is in its article."""
    for before, after in itertools.pairwise(snapshots):
        assert after.citations[: len(before.citations)] == before.citations
        assert len(after.citations) >= len(before.citations)
    for snapshot in snapshots:
        assert not snapshot.refused
        for c in snapshot.citations:
            assert fc.article_text(c.article_id)[c.start : c.end] == c.quote


# --- offline -----------------------------------------------------------------------------------


def test_offline_stream_yields_one_more_claim_per_snapshot_and_ends_with_ask(
    fact_checker: FactChecker,
) -> None:
    snapshots = list(fact_checker.stream(QUESTION))
    claims = len(fact_checker.ask(QUESTION).citations)

    assert claims >= 2
    assert [len(s.citations) for s in snapshots[:-1]] == list(range(1, claims + 1))
    assert_growing_and_verified(fact_checker, snapshots)
    assert snapshots[-1] == fact_checker.ask(QUESTION)


def test_offline_stream_of_an_unanswerable_question_is_just_the_refusal(
    fact_checker: FactChecker,
) -> None:
    question = "What is the capital of Australia?"

    snapshots = list(fact_checker.stream(question))

    assert len(snapshots) == 1
    assert snapshots[0].refused and snapshots[0] == fact_checker.ask(question)


def test_offline_stream_follows_the_conversation_like_ask(fact_checker: FactChecker) -> None:
    history = [
        {"role": "user", "content": [{"type": "text", "text": "Tell me about the ICBM launch."}]},
        {"role": "assistant", "content": [{"type": "text", "text": "It flew far. [1]"}]},
    ]

    snapshots = list(fact_checker.stream("How high did it go?", history))

    assert snapshots[-1] == fact_checker.ask("How high did it go?", history)
    assert snapshots[-1].standalone_question
    assert re.search(r"7,68[78]", snapshots[-1].answer)  # that article's altitude, either quote


def test_stream_rejects_an_empty_question_like_ask(fact_checker: FactChecker) -> None:
    from assistant.errors import InputError

    with pytest.raises(InputError, match="empty"):
        next(fact_checker.stream("   "))


# --- over HTTP -----------------------------------------------------------------------------------


@pytest.mark.server
@pytest.mark.parametrize("method", ["json_schema", "function_calling"])
def test_stream_over_sse_grows_and_ends_with_what_ask_returns(
    seeded_store: Path,
    openai_server: FakeOpenAI,  # noqa: F811
    method: str,
) -> None:
    fc = openai_checker(seeded_store, openai_server, structured_output_method=method)

    snapshots = list(fc.stream(QUESTION))
    answer = fc.ask(QUESTION)

    stream_request = openai_server.answer_requests()[0].body
    assert stream_request["stream"] is True
    assert stream_request["stream_options"] == {"include_usage": True}
    assert [len(s.citations) for s in snapshots[:-1]] == list(
        range(1, openai_server.last_faithful + 1)
    )
    assert_growing_and_verified(fc, snapshots)
    assert snapshots[-1] == answer
    assert snapshots[-1].usage.total_tokens > 0  # usage arrived in the stream


@pytest.mark.server
def test_first_snapshot_arrives_while_the_reply_is_still_streaming(
    openai_fc: FactChecker,
    openai_server: FakeOpenAI,  # noqa: F811
) -> None:
    openai_server.script(Reply(hold_after_first_claim=True))
    stream = openai_fc.stream(QUESTION)

    first = next(stream)  # the server is now paused right after the first claim
    finished_before_release = openai_server.streams_finished
    held = openai_server.holding.is_set()
    openai_server.release.set()
    rest = list(stream)

    assert held and finished_before_release == 0
    assert len(first.citations) == 1
    assert rest[-1].citations[0] == first.citations[0]


@pytest.mark.server
def test_stream_never_shows_a_claim_whose_quote_is_invented(
    openai_fc: FactChecker,
    openai_server: FakeOpenAI,  # noqa: F811
) -> None:
    openai_server.script(Reply(edit=invent_quote))  # the first claim's quote is invented

    snapshots = list(openai_fc.stream(QUESTION))

    assert all(INVENTED not in c.quote for s in snapshots for c in s.citations)
    assert all(INVENTED not in s.answer for s in snapshots)
    assert [len(s.citations) for s in snapshots[:-1]] == list(range(1, openai_server.last_faithful))
    assert snapshots[-1].dropped_claims == 1


@pytest.mark.server
def test_stream_of_a_malformed_reply_ends_in_the_same_refusal_as_ask(
    openai_fc: FactChecker,
    openai_server: FakeOpenAI,  # noqa: F811
) -> None:
    broken = '{"refused": false, "claims": [{"text": "It flew", "passage": 1, "quote": "fl'
    openai_server.script(Reply(text=broken), Reply(text=broken))

    snapshots = list(openai_fc.stream(QUESTION))
    answer = openai_fc.ask(QUESTION)

    assert len(snapshots) == 1
    assert snapshots[0].refused and snapshots[0] == answer
    assert any("not a valid structured answer" in n for n in answer.notes)


@pytest.mark.server
def test_stream_cut_off_at_the_output_limit_ends_in_a_refusal(
    openai_fc: FactChecker,
    openai_server: FakeOpenAI,  # noqa: F811
) -> None:
    openai_server.script(Reply(finish_reason="length"))

    snapshots = list(openai_fc.stream(QUESTION))

    assert snapshots[-1].refused and snapshots[-1].citations == []
    assert any("cut off" in n for n in snapshots[-1].notes)


@pytest.mark.server
def test_stream_failure_raises_a_model_error(
    openai_fc: FactChecker,
    openai_server: FakeOpenAI,  # noqa: F811
) -> None:
    openai_server.default = Reply(status=429)

    with pytest.raises(ModelError, match=r"\(429\)"):
        list(openai_fc.stream(QUESTION))


@pytest.mark.server
def test_streamed_chat_follow_up_matches_ask(
    openai_fc: FactChecker,
    openai_server: FakeOpenAI,  # noqa: F811
) -> None:
    first = list(openai_fc.stream("Tell me about the ICBM launch."))[-1]
    history = [
        {"role": "user", "content": [{"type": "text", "text": "Tell me about the ICBM launch."}]},
        {"role": "assistant", "content": [{"type": "text", "text": first.answer}]},
    ]

    snapshots = list(openai_fc.stream("How high did it go?", history))

    assert snapshots[-1] == openai_fc.ask("How high did it go?", history)
    assert not snapshots[-1].refused
    assert "ICBM" in (snapshots[-1].standalone_question or "")


@pytest.mark.server
def test_concurrent_streams_do_not_mix_answers(
    openai_fc: FactChecker,
    openai_server: FakeOpenAI,  # noqa: F811
) -> None:
    questions = [QUESTION, "How long did the ICBM stay in the air?"]
    results: dict[str, Answer] = {}

    def run(q: str) -> None:
        results[q] = list(openai_fc.stream(q))[-1]

    threads = [threading.Thread(target=run, args=(q,)) for q in questions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)

    assert results[questions[0]] == openai_fc.ask(questions[0])
    assert results[questions[1]] == openai_fc.ask(questions[1])


# --- the partial-JSON scanner -----------------------------------------------------------------


def _claim(i: int) -> dict[str, Any]:
    return {"text": f'Claim {i} says {{braces}} and "quotes".', "passage": i, "quote": f"q{i}]}}"}


def _seen(text: str) -> list[int]:
    return [len(complete_claims(text[:end])[0]) for end in range(1, len(text) + 1)]


def test_a_streamed_claim_counts_only_once_its_object_closes() -> None:
    text = json.dumps({"refused": False, "claims": [_claim(1), _claim(2)], "correction": None})
    seen = _seen(text)

    first_close = text.index("}, {") + 1
    assert seen[first_close - 2] == 0 and seen[first_close - 1] == 1
    assert seen[-1] == 2
    claims, _ = complete_claims(text)
    assert [c.passage for c in claims] == [1, 2]
    assert claims[0].text == _claim(1)["text"]


def test_a_streamed_claim_citing_sentence_ids_counts_once_closed() -> None:
    claim = {"text": "The missile flew 1,000 km.", "sentences": [3, 4]}
    text = json.dumps({"refused": False, "claims": [claim]})
    seen = _seen(text)
    assert seen[text.index("]}") - 1] == 0 and seen[-1] == 1
    assert complete_claims(text)[0][0].sentences == [3, 4]


def test_a_streamed_refusal_is_seen_and_other_arrays_are_ignored() -> None:
    assert complete_claims('{"refused": true, "other": [{"a": 1}], "claims": []}') == ([], True)

    fenced = '```json\n{"refused": false, "claims": [' + json.dumps(_claim(3))
    claims, refused = complete_claims(fenced)
    assert not refused and len(claims) == 1


def test_a_claim_still_being_written_is_not_complete() -> None:
    text = '{"refused": false, "claims": [' + json.dumps(_claim(1))[:-3]
    assert complete_claims(text) == ([], False)


def test_stream_never_shows_a_distorted_claim(
    openai_fc: FactChecker,
    openai_server: FakeOpenAI,  # noqa: F811
) -> None:
    from assistant.evaluation.fidelity import load_fidelity_cases, scripted_reply

    case = next(c for c in load_fidelity_cases() if c.id == "distort-swapped-figures")
    openai_server.script(Reply(respond=lambda prompt: scripted_reply(case, prompt)))

    snapshots = list(openai_fc.stream(case.question))

    assert all("eight Russian ships" not in s.answer for s in snapshots)
    assert snapshots[-1].dropped[0].text == case.claim
