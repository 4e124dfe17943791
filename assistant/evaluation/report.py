"""The report of a run: a folder with results.jsonl, summary.json, report.md and a chart, plus
the rich table printed in the terminal.

matplotlib is imported only when the chart is drawn (with the Agg backend, so no display is
needed), which keeps ``assistant eval --compare`` and the rest of the CLI quick to start.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.evaluation.cases import KINDS
from assistant.evaluation.metrics import METRIC_INFO, METRICS, fmt

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
FILES = ("results.jsonl", "summary.json", "report.md", "metrics_by_kind.png")


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
            summary["by_kind"][k].get(info.key) for k in kinds
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
        cells = [fmt(info.key, summary["by_kind"][k].get(info.key)) for k in kinds]
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
            lines.append(f"- **{r.case.id}** — {_md(r.case.question)} — {_md(reasons)}")
        lines.append("")
    flagged = [r for r in run.results if r.scores.passed and r.scores.failures]
    if flagged:
        lines += ["## Passed, with citation problems", ""]
        for r in flagged:
            lines.append(f"- **{r.case.id}** — {_md('; '.join(r.scores.failures))}")
        lines.append("")
    return "\n".join(lines)


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
    groups = [summary["by_kind"][k] for k in kinds] + [summary["overall"]]
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
