"""Each metric can fail: deliberately bad models (and a broken verifier) make the matching one drop.

Every run uses the same subset of the eval set and the same seeded store as the offline
baseline, so the only difference is the model (or the verifier) under test.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from eval_fixtures import (
    AlwaysRefuseModel,
    InventedQuoteModel,
    MisattributingModel,
    NeverRefuseModel,
    ScriptedModel,
    WrongArticleModel,
    lax_verify_claims,
    subset_cases,
)

from assistant.answer.fidelity import Fidelity
from assistant.evaluation.cases import Case
from assistant.evaluation.runner import run_eval
from assistant.factchecker import FactChecker

from conftest import make_settings

KINDS = ("single", "numeric", "conflict", "false_premise", "out_of_scope", "near_miss")


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    return subset_cases(per_kind=6, kinds=KINDS)


@pytest.fixture(scope="module")
def baseline(fact_checker: FactChecker, cases: list[Case]) -> dict[str, Any]:
    return run_eval(fact_checker, cases, progress=False).summary()["overall"]


def overall_with(store: Path, model: ScriptedModel, cases: list[Case]) -> dict[str, Any]:
    fc = FactChecker(make_settings(store), model=model)
    return run_eval(fc, cases, progress=False).summary()["overall"]


def test_offline_baseline_answers_refuses_and_cites_on_the_subset(baseline: dict[str, Any]) -> None:
    # The comparisons below are only meaningful if the baseline does each thing at least once.
    assert baseline["answer_correctness"] > 0.3
    assert baseline["refusal_recall"] > 0.5
    assert baseline["refusal_precision"] > 0
    assert baseline["claim_verification"] == 1.0
    assert baseline["quote_validity"] == 1.0
    assert baseline["citation_recall"] > 0.9


def test_citing_the_wrong_article_drops_claim_verification_and_correctness(
    seeded_store: Path, cases: list[Case], baseline: dict[str, Any]
) -> None:
    bad = overall_with(seeded_store, WrongArticleModel(), cases)
    assert bad["claim_verification"] < 0.2 < baseline["claim_verification"]
    assert bad["answer_correctness"] < baseline["answer_correctness"] / 2


def test_invented_quotes_drop_claim_verification_and_correctness(
    seeded_store: Path, cases: list[Case], baseline: dict[str, Any]
) -> None:
    bad = overall_with(seeded_store, InventedQuoteModel(), cases)
    assert bad["claim_verification"] == 0.0
    assert bad["answer_correctness"] < baseline["answer_correctness"] / 2


def test_never_refusing_drops_refusal_recall(
    seeded_store: Path, cases: list[Case], baseline: dict[str, Any]
) -> None:
    bad = overall_with(seeded_store, NeverRefuseModel(), cases)
    assert bad["refusal_recall"] < 0.2 < baseline["refusal_recall"]
    assert bad["accuracy"] < baseline["accuracy"]


def test_always_refusing_drops_refusal_precision_and_correctness(
    seeded_store: Path, cases: list[Case], baseline: dict[str, Any]
) -> None:
    bad = overall_with(seeded_store, AlwaysRefuseModel(), cases)
    assert bad["refusal_precision"] < baseline["refusal_precision"]
    assert bad["answer_correctness"] == 0.0
    assert bad["refusal_recall"] == 1.0  # it does refuse every unanswerable question


def test_quotes_from_the_wrong_article_drop_citation_recall_and_precision(
    seeded_store: Path,
    cases: list[Case],
    baseline: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Real quotes that verify, attached to sentences they do not support: ALCE's failure mode.
    # The verifier drops such claims (the sentence shares too few words with its quote)…
    guarded = overall_with(seeded_store, MisattributingModel(), cases)
    assert guarded["claim_verification"] < baseline["claim_verification"] - 0.3
    # …and were that check to regress, citation recall and precision would show it.
    monkeypatch.setattr("assistant.answer.verify.MIN_CLAIM_SUPPORT", 0.0)
    monkeypatch.setattr("assistant.answer.verify.check_fidelity", lambda c, s: Fidelity(True))
    bad = overall_with(seeded_store, MisattributingModel(), cases)
    assert bad["citation_recall"] < baseline["citation_recall"] - 0.3
    assert bad["citation_precision"] < baseline["citation_precision"] - 0.3
    assert bad["quote_validity"] == 1.0  # the quotes themselves are genuine


def test_a_broken_verifier_lets_wrong_article_citations_through_and_quote_validity_drops(
    seeded_store: Path,
    cases: list[Case],
    baseline: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The judge rechecks every citation against the article files, so a regression in the
    # assistant's own verification cannot vouch for itself.
    monkeypatch.setattr("assistant.answer.compose.verify_claims", lax_verify_claims)
    bad = overall_with(seeded_store, WrongArticleModel(), cases)
    assert bad["quote_validity"] < 0.5 < baseline["quote_validity"]
    assert bad["citation_recall"] < baseline["citation_recall"] - 0.3
