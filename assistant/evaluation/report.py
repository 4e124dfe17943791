"""The report of a run: a folder with results.jsonl, summary.json, report.md and a chart, plus
the rich table printed in the terminal.

matplotlib is imported only when the chart is drawn (with the Agg backend, so no display is
needed), which keeps ``assistant eval --compare`` and the rest of the CLI quick to start.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.evaluation.cases import KINDS
from assistant.evaluation.metrics import METRIC_INFO, METRICS, fmt
from assistant.settings import PROJECT_ROOT, SOURCE_CHECKOUT

if TYPE_CHECKING:
    from rich.table import Table

    from assistant.evaluation.runner import EvalRun
    from assistant.evaluation.thresholds import CheckResult

SHORT_KIND = {
    "single": "single",
    "multi_article": "multi",
    "numeric": "numeric",
    "conflict": "conflict",
    "false_premise": "premise",
    "out_of_scope": "oos",
    "near_miss": "near",
    "injection": "inject",
    "multi_turn": "turn",
}
CHART_METRICS = tuple(m.key for m in METRICS if m.unit == "rate")
# Metrics about refusing need cases that should be refused; about answers, answerable cases.
# Where a kind has none, the figure says nothing (a refusal precision of 0 for a kind whose
# every case is answerable only repeats its wrong refusals), so it is shown as not applicable.
NEEDS_UNANSWERABLE = ("refusal_precision", "refusal_recall", "refusal_f1", "grounded_refusal_f1")
NEEDS_ANSWERABLE = ("answer_correctness",)
VERDICT_WORST = 5  # failing cases linked from the verdict
FILES = ("results.jsonl", "summary.json", "report.md", "metrics_by_kind.png")


# An installed package must not write into site-packages: reports go to the working directory.
REPORTS_DIR = PROJECT_ROOT / "eval" / "reports" if SOURCE_CHECKOUT else Path("eval-reports")


def report_folder(model: str) -> Path:
    """A new folder under the reports directory, named by time and model."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", model).strip("_") or "model"
    folder = REPORTS_DIR / f"{stamp}-{safe}"
    n = 2
    while folder.exists():
        folder = REPORTS_DIR / f"{stamp}-{safe}-{n}"
        n += 1
    return folder


def shown_path(path: Path) -> str:
    """A path relative to the project when it lies inside it (reports stay portable)."""
    try:
        return str(Path(path).resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


def applicable(group: dict[str, Any]) -> dict[str, Any]:
    """``group``'s metrics with those that do not apply to its cases set to None."""
    n = group.get("n", {})
    out = dict(group)
    if n.get("unanswerable", 1) == 0:
        out.update(dict.fromkeys(NEEDS_UNANSWERABLE))
    if n.get("answerable", 1) == 0:
        out.update(dict.fromkeys(NEEDS_ANSWERABLE))
    return out


def write_report(
    run: EvalRun, out_dir: Path, *, checks: Sequence[CheckResult] | None = None
) -> dict[str, Path]:
    """Write the report folder; returns the path of each file by name."""
    out_dir.mkdir(parents=True, exist_ok=True)
    summary = run.summary()
    paths = {name: out_dir / name for name in FILES}
    with paths["results.jsonl"].open("w", encoding="utf-8") as fh:
        for result in run.results:
            fh.write(json.dumps(result.to_json(), ensure_ascii=False) + "\n")
    if checks is not None:
        summary["checks"] = [c.to_json() for c in checks]
    paths["summary.json"].write_text(
        json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    write_chart(summary, paths["metrics_by_kind.png"])
    paths["report.md"].write_text(markdown_report(run, summary, checks), encoding="utf-8")
    return paths


# --- terminal ----------------------------------------------------------------------------------


def summary_table(summary: dict[str, Any]) -> Table:
    """Metrics (rows) overall and per kind (columns), coloured by how good they are."""
    from rich import box
    from rich.table import Table

    kinds = [k for k in KINDS if k in summary["by_kind"]]
    selection = summary.get("selection", {})
    subset = "" if selection.get("complete", True) else " (subset)"
    table = Table(
        title=f"assistant eval — {summary['model']}, k={summary['top_k']}, "
        f"{summary['overall']['n']['cases']} cases{subset}",
        caption=_reference_caption(summary),
        title_style="bold",
        header_style="bold",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column("metric", no_wrap=True)
    table.add_column("overall", justify="right", style="bold")
    for kind in kinds:
        table.add_column(SHORT_KIND.get(kind, kind), justify="right")
    table.add_row(
        "cases",
        str(summary["overall"]["n"]["cases"]),
        *(str(summary["by_kind"][k]["n"]["cases"]) for k in kinds),
        end_section=True,
    )
    for info in METRICS:
        values = [summary["overall"].get(info.key)] + [
            applicable(summary["by_kind"][k]).get(info.key) for k in kinds
        ]
        label = f"{info.label} (ms)" if info.unit == "s" else info.label
        table.add_row(label, *(_cell(info.key, v) for v in values))
    return table


def _cell(key: str, value: float | None) -> str:
    text = fmt(key, value, unit=False)
    if value is None or METRIC_INFO[key].unit != "rate":
        return f"[dim]{text}[/]" if value is None else text
    colour = "green" if value >= 0.9 else "yellow" if value >= 0.6 else "red"
    return f"[{colour}]{text}[/]"


def _reference_caption(summary: dict[str, Any]) -> str:
    ref = summary.get("reference") or {}
    if not ref:
        return ""
    return (
        f"rates in %; for context, {ref['label']}: citation recall "
        f"{100 * ref['citation_recall']:.1f}, precision {100 * ref['citation_precision']:.1f}"
    )


# --- markdown ----------------------------------------------------------------------------------


def markdown_report(
    run: EvalRun, summary: dict[str, Any], checks: Sequence[CheckResult] | None = None
) -> str:
    overall = summary["overall"]
    kinds = [k for k in KINDS if k in summary["by_kind"]]
    ref = summary["reference"]
    lines = [
        f"# Citation-accuracy eval: {summary['model']}",
        "",
        f"- Run: {summary['started_at']}, {summary['duration_s']:.1f} s, commit "
        f"`{summary.get('git_commit') or 'unknown'}`",
        f"- Cases: {overall['n']['cases']} from `{summary['cases_file']}`"
        + (
            ""
            if summary["selection"]["complete"]
            else " (a subset: "
            f"kinds={summary['selection']['kinds'] or 'all'}, "
            f"limit={summary['selection']['limit']})"
        ),
        f"- Retrieval: top {summary['top_k']} passages; tokens used: {summary['total_tokens']}",
        f"- Passed: {overall['n']['cases'] - len(summary['failed_cases'])} of "
        f"{overall['n']['cases']} cases",
        "",
        "Definitions of every metric: `docs/eval.md`. Rates are percentages.",
        "",
        *verdict_lines(run),
        "## Overall",
        "",
        "| metric | this run | " + ref["label"] + " |",
        "|---|---:|---:|",
    ]
    for info in METRICS:
        reference = ref.get(info.key)
        lines.append(
            f"| {info.label} | {fmt(info.key, overall.get(info.key))} | "
            f"{fmt(info.key, reference) if reference is not None else ''} |"
        )
    lines += [
        "",
        "## By kind",
        "",
        "| metric | " + " | ".join(kinds) + " |",
        "|---|" + "---:|" * len(kinds),
        "| cases | " + " | ".join(str(summary["by_kind"][k]["n"]["cases"]) for k in kinds) + " |",
    ]
    for info in METRICS:
        cells = [fmt(info.key, applicable(summary["by_kind"][k]).get(info.key)) for k in kinds]
        lines.append(f"| {info.label} | " + " | ".join(cells) + " |")
    lines += ["", "![metrics by kind](metrics_by_kind.png)", ""]
    if checks:
        failed = [c for c in checks if c.ok is False]
        lines += [
            "## Threshold check",
            "",
            f"{'FAILED' if failed else 'Passed'}: "
            f"{sum(c.ok is True for c in checks)} metric(s) at or above their thresholds, "
            f"{len(failed)} below.",
            "",
        ]
        lines += [f"- {c.line()}" for c in checks if c.ok is not True]
        lines.append("")
    lines += ["## Cases that did not pass", ""]
    failing = [r for r in run.results if not r.scores.passed]
    if not failing:
        lines.append("None.")
    for kind in KINDS:
        group = [r for r in failing if r.case.kind == kind]
        if not group:
            continue
        lines += [f"### {kind} ({len(group)})", ""]
        for r in group:
            reasons = "; ".join(r.scores.failures) or "failed"
            lines.append(
                f'- <a id="case-{r.case.id}"></a>**{r.case.id}** — {_md(r.case.question)} — '
                f"{_md(reasons)}"
            )
        lines.append("")
    flagged = [r for r in run.results if r.scores.passed and r.scores.failures]
    if flagged:
        lines += ["## Passed, with citation problems", ""]
        for r in flagged:
            lines.append(f"- **{r.case.id}** — {_md('; '.join(r.scores.failures))}")
        lines.append("")
    return "\n".join(lines)


def verdict_lines(run: EvalRun) -> list[str]:
    """The run in plain words for a reader who will not study the tables, worst failures linked."""
    results = list(run.results)
    answerable = [r for r in results if r.scores.answerable]
    unanswerable = [r for r in results if not r.scores.answerable]
    conflicts = [r for r in results if r.scores.conflict_covered is not None]
    invalid = sum(not c.valid for r in results for c in r.scores.citation_checks)
    errors = sum(r.scores.error is not None for r in results)
    parts = []
    if answerable:
        correct = sum(r.scores.correct is True for r in answerable)
        wrongly_refused = sum(r.scores.refused for r in answerable)
        parts.append(
            f"answers {_pct(correct, len(answerable))} of the answerable questions correctly "
            f"and wrongly refuses {_pct(wrongly_refused, len(answerable))}"
        )
    if unanswerable:
        answered = sum(not r.scores.refused for r in unanswerable)
        parts.append(
            f"answers {_pct(answered, len(unanswerable))} of the questions it should refuse"
        )
    if conflicts:
        missed = sum(not r.scores.conflict_covered for r in conflicts)
        parts.append(f"misses {_pct(missed, len(conflicts))} of the disagreements between articles")
    quotes = f"shows {invalid} quote{'s' if invalid != 1 else ''} that could not be verified"
    verdict = f"**In short:** the assistant ({run.model}) {', '.join(parts)}, and {quotes}"
    if errors:
        verdict += f"; {errors} case{'s' if errors != 1 else ''} failed with an error"
    lines = ["## Verdict", "", verdict + ".", ""]
    failing = sorted((r for r in results if not r.scores.passed), key=_severity)
    if failing:
        lines.append("Worst failing cases:")
        lines.append("")
        for r in failing[:VERDICT_WORST]:
            reasons = "; ".join(r.scores.failures) or "failed"
            lines.append(f"- [{r.case.id}](#case-{r.case.id}) ({r.case.kind}): {_md(reasons)}")
        lines.append("")
    return lines


def _severity(r: Any) -> tuple[int, str]:
    """Invalid quotes first, then answers that should have been refusals, then the rest."""
    s = r.scores
    if any(not c.valid for c in s.citation_checks):
        rank = 0
    elif s.error is not None:
        rank = 1
    elif not s.answerable and not s.refused:
        rank = 2
    elif s.answerable and s.refused:
        rank = 3
    else:
        rank = 4
    return rank, r.case.id


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%"


def _md(text: str) -> str:
    return " ".join(text.replace("|", "\\|").split())


# --- chart -------------------------------------------------------------------------------------


def write_chart(summary: dict[str, Any], path: Path) -> Path:
    """A heatmap of the rate metrics (columns) for each kind and overall (rows)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    kinds = [k for k in KINDS if k in summary["by_kind"]]
    rows = [*kinds, "overall"]
    groups = [applicable(summary["by_kind"][k]) for k in kinds] + [summary["overall"]]
    data = np.array(
        [[np.nan if g.get(m) is None else 100 * g[m] for m in CHART_METRICS] for g in groups]
    )
    fig, ax = plt.subplots(figsize=(15, 1.6 + 0.55 * len(rows)), dpi=110)
    cmap = matplotlib.colormaps["RdYlGn"].with_extremes(bad="#e6e6e6")
    ax.imshow(np.ma.masked_invalid(data), cmap=cmap, vmin=0, vmax=100, aspect="auto")
    ax.set_xticks(range(len(CHART_METRICS)))
    ax.set_xticklabels(
        [METRIC_INFO[m].label for m in CHART_METRICS], rotation=30, ha="right", fontsize=9
    )
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels(
        [f"{r} ({g['n']['cases']})" for r, g in zip(rows, groups, strict=True)], fontsize=9
    )
    ax.axhline(len(rows) - 1.5, color="black", linewidth=1.5)
    for i in range(len(rows)):
        for j in range(len(CHART_METRICS)):
            value = data[i, j]
            text = "n/a" if np.isnan(value) else f"{value:.0f}"
            weight = "bold" if i == len(rows) - 1 else "normal"
            dark = not np.isnan(value) and (value >= 85 or value <= 15)  # deep green or red
            ax.text(
                j,
                i,
                text,
                ha="center",
                va="center",
                fontsize=8.5,
                weight=weight,
                color="white" if dark else "black",
            )
    ax.set_title(
        f"Metrics by kind (%) — {summary['model']}, k={summary['top_k']}, "
        f"{summary['started_at']}   (n/a: the metric does not apply to that kind)",
        fontsize=10,
    )
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
