"""The CI gate: the offline eval must meet every minimum in eval/thresholds.json, on the seeds
and on a corpus that is not the seeds (eval/thresholds-python_whatsnew.json).

A regression in retrieval, prompting, verification or the offline model shows up here as one
line per metric that fell below its stored minimum (rerun `assistant eval` for the report).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from eval_fixtures import (
    TEST_CORPUS_DIR,
    TEST_CORPUS_THRESHOLDS,
    THRESHOLDS_FILE,
    corpus_offline_run,
    full_offline_run,
)

from assistant.evaluation.cases import KINDS
from assistant.evaluation.thresholds import GATED, check, load_thresholds
from assistant.factchecker import FactChecker

from conftest import make_settings


@pytest.fixture(scope="module")
def corpus_checker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FactChecker]:
    """An offline FactChecker over the foreign test corpus, in a store of its own."""
    store: Path = tmp_path_factory.mktemp("test-corpus") / "store"
    yield FactChecker(make_settings(store, seeds_dir=TEST_CORPUS_DIR / "articles"))


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
    corpus_checker: FactChecker,
) -> None:
    run = corpus_offline_run(corpus_checker, TEST_CORPUS_DIR / "cases.jsonl")
    results = check(run.summary(), load_thresholds(TEST_CORPUS_THRESHOLDS))
    failed = [r.line() for r in results if r.ok is False]
    assert not failed, f"below {TEST_CORPUS_THRESHOLDS.name}:\n" + "\n".join(failed)
    assert all(c.valid for r in run.results for c in r.scores.citation_checks)
