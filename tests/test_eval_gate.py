"""The CI gate: the offline eval must meet every minimum in eval/thresholds.json.

A regression in retrieval, prompting, verification or the offline model shows up here as one
line per metric that fell below its stored minimum (rerun `assistant eval` for the report).
"""

from __future__ import annotations

from eval_fixtures import THRESHOLDS_FILE, full_offline_run

from assistant.evaluation.cases import KINDS
from assistant.evaluation.thresholds import GATED, check, load_thresholds
from assistant.factchecker import FactChecker


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
