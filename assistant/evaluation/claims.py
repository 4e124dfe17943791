"""The ``claim`` eval kind: verdict accuracy of ``FactChecker.check`` on labelled claims.

A claims file (``eval/claims.jsonl`` for the seeds, ``eval/corpora/<name>/claims.jsonl`` for
another corpus) holds one claim per line: ``{"id", "kind": "claim", "claim", "verdict",
"gold_articles", "evidence" (regexes), "note"}``. Loading is strict, like the question cases.
The run reports verdict accuracy, per-verdict precision and recall, the confusion matrix, and
two guarantees: every verdict other than not_enough_evidence cites a sentence whose quote is at
its offsets in the article *file* (``cited_verdicts``), and how often a right verdict cites a
sentence the label's evidence patterns name (``evidence_hit``).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import StrictStr, model_validator

from assistant.check.schema import VERDICTS, ClaimCheck
from assistant.evaluation.cases import (
    EvalSetError,
    Regex,
    StrictModel,
    Text,
    load_models,
    one_of,
)

if TYPE_CHECKING:
    from assistant.factchecker import FactChecker

CLAIM_KIND = "claim"
CLAIM_METRICS = ("verdict_accuracy", "cited_verdicts", "evidence_hit")


class ClaimCase(StrictModel):
    id: Text
    kind: Literal["claim"]
    claim: Text
    verdict: Annotated[Text, one_of("verdict", VERDICTS)]
    gold_articles: tuple[Text, ...]
    evidence: tuple[Regex, ...]
    note: StrictStr = ""

    @model_validator(mode="after")
    def _evidence_fits_the_verdict(self) -> ClaimCase:
        nee = self.verdict == "not_enough_evidence"
        if nee != (not self.gold_articles and not self.evidence):
            raise ValueError(
                "a not_enough_evidence claim has no gold articles or evidence; "
                "every other verdict needs both"
            )
        return self


def load_claims(path: Path | str) -> list[ClaimCase]:
    """Read and validate a claims file; ``EvalSetError`` names the first bad line."""
    path = Path(path)
    missing = f"claims file {path} not found (pass --cases PATH/claims.jsonl)"
    return load_models(path, ClaimCase, "claim", missing)


def check_claims_against_corpus(cases: Sequence[ClaimCase], texts: Mapping[str, str]) -> None:
    problems = []
    for case in cases:
        absent = [a for a in case.gold_articles if a not in texts]
        if absent:
            problems.append(f"claim {case.id}: gold article(s) {', '.join(absent)} not indexed")
            continue
        for pattern in case.evidence:
            if not any(re.search(pattern, texts[a], re.I) for a in case.gold_articles):
                problems.append(f"claim {case.id}: evidence {pattern!r} in no gold article")
    if problems:
        raise EvalSetError("; ".join(problems[:5]))


@dataclass
class ClaimResult:
    case: ClaimCase
    check: ClaimCheck
    seconds: float
    cites_verified: bool  # every citation is at its offsets in the article file
    evidence_hit: bool  # a citation matches one of the label's evidence patterns

    @property
    def correct(self) -> bool:
        return self.check.verdict == self.case.verdict

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.case.id,
            "claim": self.case.claim,
            "gold": self.case.verdict,
            "verdict": self.check.verdict,
            "correct": self.correct,
            "cites_verified": self.cites_verified,
            "evidence_hit": self.evidence_hit,
            "seconds": round(self.seconds, 3),
            "check": self.check.model_dump(),
        }


def score_claim(
    case: ClaimCase, check: ClaimCheck, sources: Mapping[str, str], seconds: float = 0.0
) -> ClaimResult:
    valid = all(sources.get(c.article_id, "")[c.start : c.end] == c.quote for c in check.citations)
    cited = bool(check.citations) or check.verdict == "not_enough_evidence"
    hit = any(re.search(p, c.quote, re.I) for p in case.evidence for c in check.citations)
    return ClaimResult(case, check, seconds, valid and cited, hit)


def run_claims(
    fc: FactChecker,
    cases: Sequence[ClaimCase],
    sources: Mapping[str, str],
    *,
    model: str | None = None,
) -> list[ClaimResult]:
    results = []
    for case in cases:
        start = time.perf_counter()
        check = fc.check(case.claim, model=model)
        results.append(score_claim(case, check, sources, time.perf_counter() - start))
    return results


def summarize(results: Sequence[ClaimResult], **extra: Any) -> dict[str, Any]:
    n = len(results)
    matrix = {g: {v: 0 for v in VERDICTS} for g in VERDICTS}
    for r in results:
        matrix[r.case.verdict][r.check.verdict] += 1
    per_verdict = {}
    for v in VERDICTS:
        gold = sum(matrix[v].values())
        got = sum(matrix[g][v] for g in VERDICTS)
        per_verdict[v] = {
            "n": gold,
            "recall": _ratio(matrix[v][v], gold),
            "precision": _ratio(matrix[v][v], got),
        }
    right = [r for r in results if r.correct and r.case.verdict != "not_enough_evidence"]
    return {
        "kind": CLAIM_KIND,
        "n": n,
        "verdict_accuracy": _ratio(sum(r.correct for r in results), n),
        "cited_verdicts": _ratio(sum(r.cites_verified for r in results), n),
        "evidence_hit": _ratio(sum(r.evidence_hit for r in right), len(right)),
        "per_verdict": per_verdict,
        "confusion": matrix,
        "failed": [r.case.id for r in results if not r.correct],
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        **extra,
    }


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def confusion_markdown(summary: Mapping[str, Any]) -> str:
    head = "| gold \\ verdict | " + " | ".join(VERDICTS) + " | recall |"
    rule = "|---|" + "---:|" * (len(VERDICTS) + 1)
    rows = [head, rule]
    for g in VERDICTS:
        cells = " | ".join(str(summary["confusion"][g][v]) for v in VERDICTS)
        rows.append(f"| {g} | {cells} | {_pct(summary['per_verdict'][g]['recall'])} |")
    prec = " | ".join(_pct(summary["per_verdict"][v]["precision"]) for v in VERDICTS)
    rows.append(f"| precision | {prec} | |")
    return "\n".join(rows)


def report_markdown(summary: Mapping[str, Any], results: Sequence[ClaimResult]) -> str:
    lines = [
        f"# Claim checks: {summary.get('claims_file', '')}",
        "",
        f"Model: {summary.get('model', '')}; {summary['n']} claims.",
        "",
        f"- Verdict accuracy: {_pct(summary['verdict_accuracy'])}",
        f"- Verdicts other than not_enough_evidence citing a verified sentence: "
        f"{_pct(summary['cited_verdicts'])}",
        f"- Right verdicts citing the labelled evidence: {_pct(summary['evidence_hit'])}",
        "",
        confusion_markdown(summary),
        "",
        "## Wrong verdicts",
        "",
    ]
    for r in results:
        if not r.correct:
            lines.append(f"- `{r.case.id}` ({r.case.verdict} → {r.check.verdict}): {r.case.claim}")
    return "\n".join(lines) + "\n"


def write_claim_report(
    folder: Path, summary: Mapping[str, Any], results: Sequence[ClaimResult]
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "results.jsonl").open("w", encoding="utf-8") as out:
        for r in results:
            out.write(json.dumps(r.to_json(), ensure_ascii=False) + "\n")
    (folder / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    (folder / "report.md").write_text(report_markdown(summary, results), encoding="utf-8")
    return folder / "report.md"


def check_claim_thresholds(
    summary: Mapping[str, Any], thresholds: Mapping[str, Any], corpus: str
) -> list[str]:
    """Lines for metrics below ``thresholds["claims"][corpus]`` (empty: all met)."""
    block = (thresholds.get("claims") or {}).get(corpus)
    if not block:
        return [f"no claim thresholds for corpus {corpus!r} in eval/thresholds.json"]
    failed = []
    for metric, minimum in block.items():
        value = summary.get(metric)
        if value is None or value + 1e-9 < minimum:
            failed.append(f"FAIL claim/{corpus} {metric}: {_pct(value)} < {_pct(minimum)}")
    return failed


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}"
