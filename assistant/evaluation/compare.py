"""``assistant eval --compare A B``: what changed between two runs, metric by metric.

Two report folders (or their summary.json files) are read; the differences are B minus A, so a
positive delta on a rate is an improvement and on latency a slow-down. When both folders have
results.jsonl, the cases that started or stopped passing are listed too: that is where a
regression is explained.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.evaluation.cases import KINDS, EvalSetError
from assistant.evaluation.metrics import METRIC_INFO, METRICS, fmt
from assistant.evaluation.report import SHORT_KIND

if TYPE_CHECKING:
    from rich.console import Console

EPSILON = 5e-4  # smaller differences print as unchanged (the figures show one decimal of %)


@dataclass(frozen=True)
class Delta:
    scope: str
    metric: str
    a: float | None
    b: float | None

    @property
    def delta(self) -> float | None:
        return None if self.a is None or self.b is None else self.b - self.a

    @property
    def changed(self) -> bool:
        d = self.delta
        return (self.a is None) != (self.b is None) or (d is not None and abs(d) >= EPSILON)

    @property
    def better(self) -> bool | None:
        d = self.delta
        if d is None or abs(d) < EPSILON:
            return None
        return d < 0 if METRIC_INFO[self.metric].unit == "s" else d > 0

    def to_json(self) -> dict[str, Any]:
        return {
            "scope": self.scope,
            "metric": self.metric,
            "a": self.a,
            "b": self.b,
            "delta": self.delta,
        }


@dataclass(frozen=True)
class Comparison:
    a: dict[str, Any]
    b: dict[str, Any]
    a_path: Path
    b_path: Path
    deltas: list[Delta]
    now_failing: list[str] | None  # None when a run has no results.jsonl
    now_passing: list[str] | None

    def to_json(self) -> dict[str, Any]:
        return {
            "a": str(self.a_path),
            "b": str(self.b_path),
            "deltas": [d.to_json() for d in self.deltas],
            "now_failing": self.now_failing,
            "now_passing": self.now_passing,
        }


def load_summary(path: Path) -> tuple[dict[str, Any], Path]:
    """The summary of a report folder (or of a summary.json given directly), and its folder."""
    file = path / "summary.json" if path.is_dir() else path
    if not file.is_file():
        raise EvalSetError(
            f"{path} is not an eval report (no summary.json); pass the folders that "
            "`assistant eval` wrote, e.g. eval/reports/<timestamp>-<model>"
        )
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise EvalSetError(f"{file}: not a valid summary.json ({exc})") from None
    if not isinstance(data, dict) or "overall" not in data or "by_kind" not in data:
        raise EvalSetError(f"{file}: not an eval summary (no overall/by_kind figures)")
    return data, file.parent


def _passed(folder: Path) -> dict[str, bool] | None:
    file = folder / "results.jsonl"
    if not file.is_file():
        return None
    out = {}
    for line in file.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            out[row["id"]] = bool(row.get("scores", {}).get("passed"))
    return out


def compare(a_path: Path, b_path: Path) -> Comparison:
    a, a_dir = load_summary(a_path)
    b, b_dir = load_summary(b_path)
    deltas = [
        Delta("overall", m.key, a["overall"].get(m.key), b["overall"].get(m.key)) for m in METRICS
    ]
    for kind in KINDS:
        ka, kb = a["by_kind"].get(kind), b["by_kind"].get(kind)
        if ka is None and kb is None:
            continue
        for m in METRICS:
            deltas.append(Delta(kind, m.key, (ka or {}).get(m.key), (kb or {}).get(m.key)))
    pa, pb = _passed(a_dir), _passed(b_dir)
    failing = passing = None
    if pa is not None and pb is not None:
        common = [cid for cid in pb if cid in pa]
        failing = [cid for cid in common if pa[cid] and not pb[cid]]
        passing = [cid for cid in common if pb[cid] and not pa[cid]]
    return Comparison(a, b, a_path, b_path, deltas, failing, passing)


def print_comparison(result: Comparison, console: Console) -> None:
    from rich.table import Table

    a, b = result.a, result.b
    console.print(f"[bold]A[/] {result.a_path}  ({a.get('model')}, {a.get('started_at')})")
    console.print(f"[bold]B[/] {result.b_path}  ({b.get('model')}, {b.get('started_at')})")
    if a.get("cases_sha256") != b.get("cases_sha256"):
        console.print("[yellow]note: the two runs used different eval sets[/]")
    table = Table(title="overall (Δ = B − A)", header_style="bold")
    for column in ("metric", "A", "B", "Δ"):
        table.add_column(column, justify="left" if column == "metric" else "right")
    for d in result.deltas:
        if d.scope == "overall":
            table.add_row(
                METRIC_INFO[d.metric].label, fmt(d.metric, d.a), fmt(d.metric, d.b), _delta(d)
            )
    console.print(table)
    # Per-kind latency always moves a little; the overall row above shows it.
    changed = [
        d
        for d in result.deltas
        if d.scope != "overall" and d.changed and METRIC_INFO[d.metric].unit != "s"
    ]
    if changed:
        by_kind = Table(title="by kind: changed rates only", header_style="bold")
        for column in ("kind", "metric", "A", "B", "Δ"):
            by_kind.add_column(column, justify="right" if column in "ABΔ" else "left")
        for d in changed:
            by_kind.add_row(
                SHORT_KIND.get(d.scope, d.scope),
                METRIC_INFO[d.metric].label,
                fmt(d.metric, d.a),
                fmt(d.metric, d.b),
                _delta(d),
            )
        console.print(by_kind)
    else:
        console.print("by kind: no rate changed")
    if result.now_failing is not None:
        console.print(
            f"now failing ({len(result.now_failing)}): {', '.join(result.now_failing) or '—'}"
        )
        console.print(
            f"now passing ({len(result.now_passing or [])}): {', '.join(result.now_passing or []) or '—'}"
        )


def _delta(d: Delta) -> str:
    if d.delta is None:
        return "[dim]—[/]" if not d.changed else "[yellow]n/a[/]"
    if METRIC_INFO[d.metric].unit == "s":
        text = f"{d.delta * 1000:+.0f} ms"
    else:
        text = f"{100 * d.delta:+.1f}"
    if d.better is None:
        return f"[dim]{text}[/]"
    return f"[green]{text}[/]" if d.better else f"[red]{text}[/]"
