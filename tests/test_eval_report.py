"""The report folder (results, summary, markdown, chart), the terminal table, and --compare."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eval_fixtures import subset_cases
from rich.console import Console

from assistant.evaluation.compare import compare, print_comparison
from assistant.evaluation.metrics import METRIC_KEYS
from assistant.evaluation.report import summary_table, write_report
from assistant.evaluation.runner import EvalRun, run_eval
from assistant.factchecker import FactChecker


@pytest.fixture(scope="module")
def small_run(fact_checker: FactChecker) -> EvalRun:
    cases = subset_cases(per_kind=2)
    return run_eval(fact_checker, cases, progress=False, complete=False, limit=len(cases))


@pytest.fixture(scope="module")
def report_dir(small_run: EvalRun, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report") / "run"
    write_report(small_run, folder)
    return folder


def test_results_jsonl_has_every_case_with_answer_citations_and_scores(
    small_run: EvalRun, report_dir: Path
) -> None:
    rows = [json.loads(line) for line in (report_dir / "results.jsonl").read_text().splitlines()]
    assert [r["id"] for r in rows] == [r.case.id for r in small_run.results]
    cited = next(r for r in rows if r["citations"])
    assert {"question", "answer", "citations", "passages", "scores"} <= set(cited)
    assert {"quote", "start", "end", "article_id"} <= set(cited["citations"][0])
    assert {"passed", "citation_recall", "statements", "failures"} <= set(cited["scores"])


def test_summary_json_has_every_metric_overall_and_by_kind(
    small_run: EvalRun, report_dir: Path
) -> None:
    summary = json.loads((report_dir / "summary.json").read_text())
    assert set(METRIC_KEYS) <= set(summary["overall"])
    assert set(summary["by_kind"]) == {r.case.kind for r in small_run.results}
    assert summary["overall"]["n"]["cases"] == len(small_run.results)
    assert summary["selection"]["complete"] is False
    assert summary["reference"]["citation_recall"] == 0.736


def test_report_md_has_tables_the_alce_reference_and_failing_cases(
    small_run: EvalRun, report_dir: Path
) -> None:
    text = (report_dir / "report.md").read_text()
    assert "| Citation recall |" in text and "73.6" in text
    assert "## By kind" in text and "metrics_by_kind.png" in text
    failing = [r.case.id for r in small_run.results if not r.scores.passed]
    assert failing, "the subset should contain a failing case to list"
    assert all(f"**{cid}**" in text for cid in failing)


def test_the_chart_is_a_png_of_a_readable_size(report_dir: Path) -> None:
    from PIL import Image

    with Image.open(report_dir / "metrics_by_kind.png") as image:
        assert image.format == "PNG"
        width, height = image.size
    assert width >= 1200 and height >= 400


def test_the_terminal_table_shows_each_metric_and_kind(small_run: EvalRun) -> None:
    console = Console(width=160, record=True)
    console.print(summary_table(small_run.summary()))
    text = console.export_text()
    assert "Citation recall" in text and "Retrieval MRR" in text
    assert "conflict" in text and "turn" in text and "subset" in text


def test_compare_reports_each_metric_delta_and_flipped_cases(
    report_dir: Path, tmp_path: Path
) -> None:
    worse = tmp_path / "worse"
    worse.mkdir()
    summary = json.loads((report_dir / "summary.json").read_text())
    summary["overall"]["citation_recall"] = summary["overall"]["citation_recall"] - 0.25
    (worse / "summary.json").write_text(json.dumps(summary))
    rows = [json.loads(line) for line in (report_dir / "results.jsonl").read_text().splitlines()]
    flipped = next(r for r in rows if r["scores"]["passed"])
    flipped["scores"]["passed"] = False
    (worse / "results.jsonl").write_text("\n".join(json.dumps(r) for r in rows))

    result = compare(report_dir, worse)
    delta = next(d for d in result.deltas if d.scope == "overall" and d.metric == "citation_recall")
    assert delta.delta == pytest.approx(-0.25)
    assert delta.better is False
    assert result.now_failing == [flipped["id"]]

    console = Console(width=140, record=True)
    print_comparison(result, console)
    text = console.export_text()
    assert "-25.0" in text and flipped["id"] in text
