"""The eval, run against the OpenAI-compatible fake server over HTTP.

The server's faithful answers are the offline model's, so the same cases must score the same
over HTTP as offline: the transport (JSON schema, SSE, retries) must not change a result. A
server whose quotes are invented must show up in the eval as dropped claims, never as bad
citations.
"""

from __future__ import annotations

import pytest
from fake_openai import (  # noqa: F401 - fixtures
    API_KEY,
    FakeOpenAI,
    Reply,
    fake_server,
    invent_quote,
    openai_server,
)

from assistant.evaluation import load_cases, run_eval
from assistant.evaluation.cases import select_cases
from assistant.factchecker import FactChecker
from assistant.settings import PROJECT_ROOT

pytestmark = pytest.mark.server

INVENTED = "Officials confirmed the launch was a complete and total failure."
KINDS = ["single", "numeric", "conflict", "out_of_scope", "injection", "multi_turn"]


def handful() -> list:
    cases = load_cases(PROJECT_ROOT / "eval" / "cases.jsonl")
    return [select_cases(cases, [kind], limit=1)[0] for kind in KINDS]


def test_eval_over_http_scores_exactly_like_offline(
    openai_fc: FactChecker,
    openai_server: FakeOpenAI,  # noqa: F811
    fact_checker: FactChecker,
) -> None:
    cases = handful()

    remote = run_eval(openai_fc, cases, progress=False)
    local = run_eval(fact_checker, cases, progress=False)

    assert remote.model == "gpt-4o-mini"
    assert all(r.answer is not None and r.scores.error is None for r in remote.results)
    assert [r.answer.answer for r in remote.results] == [r.answer.answer for r in local.results]
    assert [r.scores.passed for r in remote.results] == [r.scores.passed for r in local.results]
    overall = remote.summary()["overall"]
    assert overall["quote_validity"] == 1.0
    assert overall["claim_verification"] == 1.0  # proposed claims were seen in the trace
    assert remote.summary()["total_tokens"] > 0
    answered = [r for r in remote.results if r.case.kind != "injection"]
    assert len(openai_server.answer_requests()) == len(answered)


def test_eval_over_http_counts_invented_quotes_as_dropped_claims(
    openai_fc: FactChecker,
    openai_server: FakeOpenAI,  # noqa: F811
    fact_checker: FactChecker,
) -> None:
    # Cases whose faithful answer has several claims, so one invented quote leaves the rest.
    cases = load_cases(PROJECT_ROOT / "eval" / "cases.jsonl")
    several = [
        c
        for c in select_cases(cases, ["conflict", "false_premise"])
        if len(fact_checker.ask(c.question, c.history_messages() or None).citations) >= 2
    ][:3]
    assert several, "the eval set has no case with a multi-claim answer"
    openai_server.default = Reply(edit=invent_quote)  # every answer's first quote is invented

    run = run_eval(openai_fc, several, progress=False)

    overall = run.summary()["overall"]
    assert overall["claim_verification"] < 1.0
    assert overall["quote_validity"] == 1.0  # what survived is genuine
    assert all(r.answer and r.answer.dropped_claims == 1 for r in run.results)
    assert all(INVENTED not in c.quote for r in run.results for c in r.answer.citations)
