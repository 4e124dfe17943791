"""The CI gate: each metric of a run must reach the minimum stored in ``eval/thresholds.json``.

Thresholds are set from a measured offline run (floored to three decimals, never far below), so
any regression in retrieval, prompting, verification or the offline model fails the build.
Latency is not gated: it depends on the machine. Overall thresholds apply only to a run of the
whole set, and a kind's only when all of that kind's cases were run, since a subset's figures
are not comparable. A metric with no value fails overall, but is skipped for a kind where it
cannot be measured (no statement to judge when every case of the kind was refused).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.evaluation.cases import KINDS, EvalSetError
from assistant.evaluation.metrics import METRICS, fmt

GATED = tuple(m.key for m in METRICS if m.gated)
TOLERANCE = 1e-9


@dataclass(frozen=True)
class CheckResult:
    scope: str  # "overall" or a kind
    metric: str
    value: float | None
    threshold: float
    ok: bool | None  # None: skipped (see note)
    note: str = ""

    def line(self) -> str:
        where = f"{self.scope:<13} {self.metric:<20}"
        if self.ok is None:
            return f"skip {where} ({self.note})"
        value = fmt(self.metric, self.value)
        if self.ok:
            return f"ok   {where} {value:>6} >= {fmt(self.metric, self.threshold)}"
        return (
            f"FAIL {where} {value:>6} <  {fmt(self.metric, self.threshold)} "
            f"(threshold; {self.note or 'below the stored minimum'})"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "scope": self.scope,
            "metric": self.metric,
            "value": self.value,
            "threshold": self.threshold,
            "ok": self.ok,
            "note": self.note,
        }


def load_thresholds(path: Path) -> dict[str, dict[str, Any]]:
    """``{"overall": {metric: min}, "by_kind": {kind: {metric: min}}}``, validated."""
    if not path.is_file():
        raise EvalSetError(f"thresholds file {path} not found (pass --thresholds PATH)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise EvalSetError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("overall", {}), dict):
        raise EvalSetError(f"{path}: expected an object with 'overall' and 'by_kind'")
    _check_block(data.get("overall", {}), f"{path}: overall")
    by_kind = data.get("by_kind", {})
    if not isinstance(by_kind, dict):
        raise EvalSetError(f"{path}: by_kind must be an object keyed by kind")
    for kind, block in by_kind.items():
        if kind not in KINDS:
            raise EvalSetError(f"{path}: unknown kind {kind!r} in by_kind")
        _check_block(block, f"{path}: by_kind.{kind}")
    return {"overall": data.get("overall", {}), "by_kind": by_kind}


def _check_block(block: Any, where: str) -> None:
    if not isinstance(block, dict):
        raise EvalSetError(f"{where} must be an object of metric: minimum")
    for metric, value in block.items():
        if metric not in GATED:
            raise EvalSetError(
                f"{where}: {metric!r} is not a gated metric (one of: {', '.join(GATED)})"
            )
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise EvalSetError(f"{where}.{metric} must be a number from 0 to 1, got {value!r}")


def check(summary: dict[str, Any], thresholds: dict[str, dict[str, Any]]) -> list[CheckResult]:
    results: list[CheckResult] = []
    complete = summary.get("selection", {}).get("complete", True)
    limited = summary.get("selection", {}).get("limit") is not None
    for metric, minimum in thresholds.get("overall", {}).items():
        if not complete:
            results.append(
                CheckResult("overall", metric, None, minimum, None, "not the whole eval set")
            )
            continue
        results.append(_one("overall", metric, summary["overall"].get(metric), minimum))
    for kind, block in thresholds.get("by_kind", {}).items():
        group = summary["by_kind"].get(kind)
        for metric, minimum in block.items():
            if group is None:
                results.append(CheckResult(kind, metric, None, minimum, None, "kind not run"))
            elif limited:
                results.append(CheckResult(kind, metric, None, minimum, None, "--limit in use"))
            elif group.get(metric) is None:
                # e.g. no statement to judge because every case of the kind was refused; the
                # kind's other metrics (and the overall ones) still gate that behaviour.
                results.append(
                    CheckResult(kind, metric, None, minimum, None, "not measurable on this run")
                )
            else:
                results.append(_one(kind, metric, group.get(metric), minimum))
    return results


def _one(scope: str, metric: str, value: float | None, minimum: float) -> CheckResult:
    if value is None:
        return CheckResult(scope, metric, None, minimum, False, "no value: nothing to measure")
    return CheckResult(scope, metric, value, minimum, value + TOLERANCE >= minimum)


def thresholds_from_summary(summary: dict[str, Any]) -> dict[str, Any]:
    """Thresholds equal to a run's figures, floored to three decimals (for ``--write-thresholds``)."""

    def block(group: dict[str, Any]) -> dict[str, float]:
        floored = {
            m: math.floor(group[m] * 1000 + TOLERANCE) / 1000
            for m in GATED
            if group.get(m) is not None
        }
        return {m: v for m, v in floored.items() if v > 0}  # a minimum of 0 gates nothing

    return {
        "about": (
            "Minimums for `assistant eval --check` and tests/test_eval_gate.py, measured with "
            f"the offline model ({summary.get('started_at')}, commit "
            f"{summary.get('git_commit') or 'unknown'}) and floored to 3 decimals. Raise them "
            "when the assistant improves; never lower one to let a regression pass."
        ),
        "overall": block(summary["overall"]),
        "by_kind": {kind: block(group) for kind, group in summary["by_kind"].items()},
    }
