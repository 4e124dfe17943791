"""Claim checks through the OpenAI path: the model proposes a verdict, the fidelity rules verify.

Runs the real ``ChatOpenAI`` client against the local scripted server. A model that cites a
sentence for the claim while that sentence gives another figure, or cites a sentence that does
not exist, does not get its verdict: the citation is dropped with a note and the verdict is
recomputed from what verified.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fake_openai import (  # noqa: F401 - fixtures
    API_KEY,
    FakeOpenAI,
    Reply,
    fake_server,
    openai_server,
)

from assistant.check.decide import MIN_RELEVANCE
from assistant.check.model import MAX_SENTENCES
from assistant.factchecker import FactChecker

pytestmark = pytest.mark.server

CLAIM = "Japan said the ICBM was airborne for about 68 minutes."


def sentence_number(fc: FactChecker, claim: str, pattern: str) -> int:
    """The number the model sees for the first shown sentence matching ``pattern``."""
    shown = [c for c in fc._claim_checker().candidates(claim) if c.relevance >= MIN_RELEVANCE]
    for i, c in enumerate(shown[:MAX_SENTENCES], 1):
        if re.search(pattern, c.sentence.text):
            return i
    raise AssertionError(f"no shown sentence matches {pattern!r}")


def verdict(**fields: Any) -> Reply:
    return Reply(text=json.dumps({"supporting": [], "contradicting": [], **fields}))


def test_a_verified_refutation_keeps_the_models_verdict_and_cites_the_sentence(
    openai_fc: FactChecker,
    openai_server: FakeOpenAI,  # noqa: F811
) -> None:
    n = sentence_number(openai_fc, CLAIM, "86 minutes")
    openai_server.script(
        verdict(verdict="refuted", contradicting=[n], explanation="It was 86 minutes.")
    )
    check = openai_fc.check(CLAIM)
    assert check.verdict == "refuted"
    assert check.model == "gpt-4o-mini"
    (c,) = check.citations
    assert "86 minutes" in c.quote and check.contradicting == [c.id]
    assert openai_fc.article_text(c.article_id)[c.start : c.end] == c.quote
    assert check.usage.total_tokens > 0


def test_the_request_asks_for_the_verdict_schema_with_numbered_sentences(
    openai_fc: FactChecker,
    openai_server: FakeOpenAI,  # noqa: F811
) -> None:
    openai_server.script(verdict(verdict="not_enough_evidence", explanation="Nothing."))
    openai_fc.check(CLAIM)
    (request,) = openai_server.chat_requests()
    schema = request.body["response_format"]["json_schema"]
    assert schema["name"] == "ModelVerdict"
    assert f"Claim: {CLAIM}" in request.prompt and "[1] (" in request.prompt


def test_support_cited_from_a_sentence_with_another_figure_is_dropped(
    openai_fc: FactChecker,
    openai_server: FakeOpenAI,  # noqa: F811
) -> None:
    n = sentence_number(openai_fc, CLAIM, "86 minutes")
    openai_server.script(verdict(verdict="supported", supporting=[n], explanation="Yes."))
    check = openai_fc.check(CLAIM)
    assert check.verdict == "not_enough_evidence"
    assert not check.citations
    assert any("proposed supported" in note for note in check.notes)


def test_a_sentence_number_that_does_not_exist_is_dropped_with_a_note(
    openai_fc: FactChecker,
    openai_server: FakeOpenAI,  # noqa: F811
) -> None:
    openai_server.script(verdict(verdict="refuted", contradicting=[99], explanation="No."))
    check = openai_fc.check(CLAIM)
    assert check.verdict == "not_enough_evidence"
    assert any("[99], which does not exist" in note for note in check.notes)


def test_a_malformed_reply_is_not_enough_evidence_with_a_note(
    openai_fc: FactChecker,
    openai_server: FakeOpenAI,  # noqa: F811
) -> None:
    openai_server.script(Reply(text='{"verdict": "refuted", "supporting": ['))
    check = openai_fc.check(CLAIM)
    assert check.verdict == "not_enough_evidence"
    assert any("not a usable verdict" in note for note in check.notes)


def test_a_rejected_key_is_one_model_error_not_a_verdict(
    openai_fc: FactChecker,
    openai_server: FakeOpenAI,  # noqa: F811
) -> None:
    from assistant.errors import ModelError

    openai_server.script(Reply(status=401, message="Incorrect API key provided"))
    with pytest.raises(ModelError):
        openai_fc.check(CLAIM)
