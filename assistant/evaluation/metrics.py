"""Answer-level metrics and their aggregation; the per-statement judge is in ``citations.py``.

Everything here is strings and numbers in, numbers out; ``docs/eval.md`` defines each metric.
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from assistant.evaluation.citations import (
    CitationCheck,
    CitationJudgement,
    CitationLike,
    StatementJudgement,
    check_citation,
    judge_answer,
    strip_markers,
)

# --- answer-level metrics ----------------------------------------------------------------------


def missing_facts(answer_text: str, key_facts: Sequence[str]) -> list[str]:
    text = strip_markers(answer_text)
    return [p for p in key_facts if not re.search(p, text, re.I)]


class SideLike(Protocol):
    articles: tuple[str, ...]
    pattern: str


def missing_sides(
    judged: Sequence[StatementJudgement],
    citations: Sequence[CitationLike],
    checks: Mapping[int, CitationCheck],
    sides: Sequence[SideLike],
) -> list[int]:
    """Indexes of the sides not covered: no statement states the side's value citing a valid
    quote from one of that side's articles that itself contains the value."""
    by_id = {c.id: c for c in citations}
    missing = []
    for index, side in enumerate(sides):
        covered = False
        for statement in judged:
            if not re.search(side.pattern, statement.text, re.I):
                continue
            for cid in statement.citation_ids:
                c = by_id.get(cid)
                check = checks.get(cid)
                if (
                    c is not None
                    and check is not None
                    and check.valid
                    and c.article_id in side.articles
                    and re.search(side.pattern, c.quote, re.I)
                ):
                    covered = True
        if not covered:
            missing.append(index)
    return missing


def retrieval_scores(ranked_articles: Sequence[str], gold: Iterable[str]) -> tuple[float, float]:
    """(recall@k, reciprocal rank) of the gold articles in the passages shown, in rank order."""
    gold_set = set(gold)
    if not gold_set:
        raise ValueError("retrieval scores need at least one gold article")
    found = gold_set & set(ranked_articles)
    rank = next((i for i, a in enumerate(ranked_articles, 1) if a in gold_set), None)
    return len(found) / len(gold_set), (1.0 / rank if rank else 0.0)


def refusal_scores(pairs: Iterable[tuple[bool, bool]]) -> dict[str, float | None]:
    """Refusal precision/recall/F1 with unanswerable cases as the positive class.

    ``pairs`` are (answerable, refused). Also the Trust-Score "grounded refusal" F1, the mean of
    the refusal F1 and the answered F1 (answerable cases as the positive class of answering).
    """
    tp = fp = fn = tn = 0
    for answerable, refused in pairs:
        if refused and not answerable:
            tp += 1
        elif refused:
            fp += 1
        elif not answerable:
            fn += 1
        else:
            tn += 1
    precision = _ratio(tp, tp + fp)
    recall = _ratio(tp, tp + fn)
    f1 = _f1(precision, recall)
    answered_f1 = _f1(_ratio(tn, tn + fn), _ratio(tn, tn + fp))
    both = f1 is not None and answered_f1 is not None
    return {
        "refusal_precision": precision,
        "refusal_recall": recall,
        "refusal_f1": f1,
        "grounded_refusal_f1": (f1 + answered_f1) / 2 if both else None,  # type: ignore[operator]
    }


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def _f1(p: float | None, r: float | None) -> float | None:
    if p is None or r is None:
        return None
    return 2 * p * r / (p + r) if p + r else 0.0


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile, interpolated between closest ranks (numpy's default method)."""
    if not values:
        return None
    if len(values) == 1 or q <= 0:
        return min(values)
    if q >= 100:
        return max(values)
    return statistics.quantiles(values, n=100, method="inclusive")[round(q) - 1]


def mean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


# --- per-case scores and their aggregation -----------------------------------------------------


@dataclass
class CaseScores:
    """Everything the eval measured about one case (JSON-ready through ``to_json``)."""

    kind: str
    answerable: bool
    refused: bool
    error: str | None = None
    correct: bool | None = None  # answerable cases only
    missing_facts: list[str] = field(default_factory=list)
    passed: bool = False
    statements: list[StatementJudgement] = field(default_factory=list)
    citation_recall: float | None = None
    citation_precision: float | None = None
    citation_checks: list[CitationCheck] = field(default_factory=list)
    claims_proposed: int | None = None
    claims_kept: int | None = None
    conflict_covered: bool | None = None
    missing_sides: list[int] = field(default_factory=list)
    retrieval_recall: float | None = None
    reciprocal_rank: float | None = None
    latency_s: float | None = None
    failures: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "refused": self.refused,
            "correct": self.correct,
            "missing_facts": self.missing_facts,
            "citation_recall": self.citation_recall,
            "citation_precision": self.citation_precision,
            "quotes_valid": sum(c.valid for c in self.citation_checks),
            "quotes_total": len(self.citation_checks),
            "invalid_quotes": [
                {"id": c.id, "article_id": c.article_id, "reason": c.reason}
                for c in self.citation_checks
                if not c.valid
            ],
            "claims_proposed": self.claims_proposed,
            "claims_kept": self.claims_kept,
            "conflict_covered": self.conflict_covered,
            "missing_sides": self.missing_sides,
            "retrieval_recall": self.retrieval_recall,
            "reciprocal_rank": self.reciprocal_rank,
            "latency_s": self.latency_s,
            "statements": [s.to_json() for s in self.statements],
            "failures": self.failures,
            "error": self.error,
        }


@dataclass(frozen=True)
class MetricInfo:
    key: str
    label: str
    unit: str  # "rate" (0..1, shown as %) or "s"
    gated: bool  # part of the CI gate (latency is machine-dependent, so it is not)
    help: str


METRICS: tuple[MetricInfo, ...] = (
    MetricInfo("accuracy", "Accuracy", "rate", True, "cases handled right"),
    MetricInfo("citation_recall", "Citation recall", "rate", True, "statements supported"),
    MetricInfo("citation_precision", "Citation precision", "rate", True, "citations relevant"),
    MetricInfo("quote_validity", "Quote validity", "rate", True, "quotes verbatim at offsets"),
    MetricInfo("claim_verification", "Claims verified", "rate", True, "model claims kept"),
    MetricInfo("answer_correctness", "Answer correctness", "rate", True, "key facts present"),
    MetricInfo("refusal_precision", "Refusal precision", "rate", True, "refusals warranted"),
    MetricInfo("refusal_recall", "Refusal recall", "rate", True, "unanswerables refused"),
    MetricInfo("refusal_f1", "Refusal F1", "rate", True, "refusal P/R harmonic mean"),
    MetricInfo("grounded_refusal_f1", "Grounded refusal F1", "rate", True, "Trust-Score F1_GR"),
    MetricInfo("conflict_coverage", "Conflict coverage", "rate", True, "both sides cited"),
    MetricInfo("retrieval_recall", "Retrieval recall@k", "rate", True, "gold articles shown"),
    MetricInfo("retrieval_mrr", "Retrieval MRR", "rate", True, "first gold passage rank"),
    MetricInfo("latency_p50_s", "Latency p50", "s", False, "median seconds per question"),
    MetricInfo("latency_p95_s", "Latency p95", "s", False, "95th percentile seconds"),
)
METRIC_KEYS = tuple(m.key for m in METRICS)
METRIC_INFO = {m.key: m for m in METRICS}


def aggregate(scores: Sequence[CaseScores]) -> dict[str, Any]:
    """The metrics of a group of cases (a kind, or all), plus the counts behind them."""
    answered = [s for s in scores if s.citation_recall is not None]
    checks = [c for s in scores for c in s.citation_checks]
    proposed = sum(s.claims_proposed or 0 for s in scores if s.claims_proposed is not None)
    kept = sum(s.claims_kept or 0 for s in scores if s.claims_proposed is not None)
    answerable = [s for s in scores if s.answerable]
    conflicts = [s for s in scores if s.conflict_covered is not None]
    retrieval = [s for s in answerable if s.retrieval_recall is not None]
    latencies = [s.latency_s for s in scores if s.latency_s is not None and s.error is None]
    metrics: dict[str, Any] = {
        "accuracy": mean(float(s.passed) for s in scores),
        "citation_recall": mean(s.citation_recall for s in answered),
        "citation_precision": mean(s.citation_precision for s in answered),
        "quote_validity": _ratio(sum(c.valid for c in checks), len(checks)),
        "claim_verification": _ratio(kept, proposed),
        "answer_correctness": mean(float(bool(s.correct)) for s in answerable),
        **refusal_scores((s.answerable, s.refused) for s in scores),
        "conflict_coverage": mean(float(bool(s.conflict_covered)) for s in conflicts),
        "retrieval_recall": mean(s.retrieval_recall for s in retrieval),
        "retrieval_mrr": mean(s.reciprocal_rank for s in retrieval),
        "latency_p50_s": percentile(latencies, 50),
        "latency_p95_s": percentile(latencies, 95),
    }
    metrics["n"] = {
        "cases": len(scores),
        "answerable": len(answerable),
        "unanswerable": len(scores) - len(answerable),
        "refused": sum(s.refused for s in scores),
        "errors": sum(s.error is not None for s in scores),
        "answers_with_statements": len(answered),
        "statements": sum(len(s.statements) for s in answered),
        "citations": len(checks),
        "claims_proposed": proposed,
        "conflict_cases": len(conflicts),
    }
    return metrics


class CaseLike(Protocol):
    kind: str
    answerable: bool
    gold_articles: tuple[str, ...]
    key_facts: tuple[str, ...]
    sides: Sequence[SideLike]


class AnswerLike(Protocol):
    answer: str
    refused: bool
    citations: Sequence[Any]
    passages: Sequence[Any]
    dropped_claims: int


def score_case(
    case: CaseLike,
    answer: AnswerLike | None,
    sources: Mapping[str, str],
    *,
    latency_s: float | None = None,
    claims_proposed: int | None = None,
    error: str | None = None,
) -> CaseScores:
    """Score one answer against its case. ``answer`` is None when the assistant failed (error)."""
    if answer is None:
        scores = CaseScores(case.kind, case.answerable, refused=False, error=error)
        if case.answerable:
            scores.correct = False
            scores.missing_facts = list(case.key_facts)
            scores.retrieval_recall, scores.reciprocal_rank = 0.0, 0.0
        if case.kind == "conflict":
            scores.conflict_covered = False
            scores.missing_sides = list(range(len(case.sides)))
        scores.failures = [f"error: {error or 'no answer'}"]
        return scores

    checks = {c.id: check_citation(c, sources) for c in answer.citations}
    judged = (
        judge_answer(answer.answer, answer.citations, checks, case.key_facts)
        if not answer.refused
        else CitationJudgement([], None, None)
    )
    scores = CaseScores(
        kind=case.kind,
        answerable=case.answerable,
        refused=answer.refused,
        statements=judged.statements,
        citation_recall=judged.recall,
        citation_precision=judged.precision,
        citation_checks=list(checks.values()),
        latency_s=latency_s,
        claims_proposed=claims_proposed,
        claims_kept=(
            max(0, claims_proposed - answer.dropped_claims) if claims_proposed is not None else None
        ),
    )
    failures = scores.failures
    if case.answerable:
        scores.missing_facts = (
            [] if answer.refused else missing_facts(answer.answer, case.key_facts)
        )
        scores.correct = not answer.refused and not scores.missing_facts
        scores.passed = scores.correct
        if answer.refused:
            failures.append("refused a question the articles answer")
        elif scores.missing_facts:
            failures.append(
                "missing key fact(s): " + ", ".join(f"/{p}/" for p in scores.missing_facts)
            )
        ranked = [p.article_id for p in sorted(answer.passages, key=lambda p: p.number)]
        scores.retrieval_recall, scores.reciprocal_rank = retrieval_scores(
            ranked, case.gold_articles
        )
    else:
        scores.passed = answer.refused
        if not answer.refused:
            failures.append("answered a question the articles do not answer")
    if case.kind == "conflict":
        scores.missing_sides = (
            list(range(len(case.sides)))
            if answer.refused
            else missing_sides(judged.statements, answer.citations, checks, case.sides)
        )
        scores.conflict_covered = not scores.missing_sides
        for index in scores.missing_sides:
            side = case.sides[index]
            failures.append(
                f"conflict side {index + 1} (/{side.pattern}/ from {', '.join(side.articles)}) "
                "is not cited"
            )
    for check in checks.values():
        if not check.valid:
            failures.append(f"[{check.id}] invalid quote: {check.reason}")
    for number, statement in enumerate(judged.statements, 1):
        if not statement.supported:
            failures.append(f"statement {number} unsupported ({statement.reason})")
        elif statement.irrelevant_ids:
            ids = "".join(f"[{i}]" for i in statement.irrelevant_ids)
            failures.append(f"statement {number}: irrelevant citation {ids}")
    return scores


def fmt(key: str, value: float | None, *, unit: bool = True) -> str:
    """A metric for people: rates as percentages with one decimal, latency in milliseconds."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if METRIC_INFO[key].unit == "s":
        return f"{value * 1000:.0f}" + (" ms" if unit else "")
    return f"{100 * value:.1f}"
