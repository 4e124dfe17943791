"""The CI gate: the offline eval must meet every minimum in eval/thresholds.json, on the seeds
and on a corpus that is not the seeds (eval/thresholds-python_whatsnew.json), and so must the
claim checks on the seeds and on every corpus with a claims file.

The corpus runs share one index per corpus (``corpus_fact_checker``) and stay in this one
module, so a parallel run (``make test``) builds each index once, on one worker.

A regression in retrieval, prompting, verification or the offline model shows up here as one
line per metric that fell below its stored minimum (rerun `assistant eval` for the report).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from eval_fixtures import (
    TEST_CORPUS,
    TEST_CORPUS_DIR,
    TEST_CORPUS_THRESHOLDS,
    THRESHOLDS_FILE,
    corpus_offline_run,
    full_offline_run,
)

from assistant.evaluation.cases import KINDS
from assistant.evaluation.claim_cli import SEED_CLAIMS
from assistant.evaluation.claims import check_claim_thresholds, load_claims, run_claims, summarize
from assistant.evaluation.runner import load_sources
from assistant.evaluation.thresholds import GATED, check, load_thresholds
from assistant.factchecker import FactChecker
from assistant.settings import PROJECT_ROOT

CORPUS_CLAIMS = sorted((PROJECT_ROOT / "eval" / "corpora").glob("*/claims.jsonl"))


def test_offline_eval_meets_every_threshold(fact_checker: FactChecker) -> None:
    summary = full_offline_run(fact_checker).summary()
    results = check(summary, load_thresholds(THRESHOLDS_FILE))
    failed = [r.line() for r in results if r.ok is False]
    assert not failed, "below eval/thresholds.json:\n" + "\n".join(failed)
    assert sum(r.ok is True for r in results) >= len(GATED)


def test_thresholds_gate_every_metric_overall_and_every_kind() -> None:
    thresholds = load_thresholds(THRESHOLDS_FILE)
    assert set(thresholds["overall"]) == set(GATED)
    assert set(thresholds["by_kind"]) == set(KINDS)
    assert all(thresholds["by_kind"][kind] for kind in KINDS)


def test_every_offline_citation_verifies_against_the_article_files(
    fact_checker: FactChecker,
) -> None:
    run = full_offline_run(fact_checker)
    checks = [c for r in run.results for c in r.scores.citation_checks]
    assert checks, "the offline run cited nothing"
    assert all(c.valid for c in checks), [c for c in checks if not c.valid][:3]


def test_offline_eval_on_a_corpus_that_is_not_the_seeds_meets_its_thresholds(
    corpus_fact_checker: Callable[[str], FactChecker],
) -> None:
    run = corpus_offline_run(corpus_fact_checker(TEST_CORPUS), TEST_CORPUS_DIR / "cases.jsonl")
    results = check(run.summary(), load_thresholds(TEST_CORPUS_THRESHOLDS))
    failed = [r.line() for r in results if r.ok is False]
    assert not failed, f"below {TEST_CORPUS_THRESHOLDS.name}:\n" + "\n".join(failed)
    assert all(c.valid for r in run.results for c in r.scores.citation_checks)


# --- the claim checks' gate -----------------------------------------------------------------------


def _gate(fc: FactChecker, claims: Path, corpus: str) -> None:
    cases = load_claims(claims)
    results = run_claims(fc, cases, load_sources(fc))
    summary = summarize(results)
    thresholds = json.loads(THRESHOLDS_FILE.read_text(encoding="utf-8"))
    failed = check_claim_thresholds(summary, thresholds, corpus)
    assert not failed, "\n".join(failed) + f"\nwrong: {summary['failed']}"
    assert summary["cited_verdicts"] == 1.0


def test_offline_claim_checks_on_the_seeds_meet_their_thresholds(
    fact_checker: FactChecker,
) -> None:
    _gate(fact_checker, SEED_CLAIMS, "seeds")


@pytest.mark.parametrize("claims", CORPUS_CLAIMS, ids=lambda p: p.parent.name)
def test_offline_claim_checks_on_another_corpus_meet_their_thresholds(
    claims: Path, corpus_fact_checker: Callable[[str], FactChecker]
) -> None:
    _gate(corpus_fact_checker(claims.parent.name), claims, claims.parent.name)
