"""The eval report for a decision-maker: a plain verdict first, and no verdicts where none apply."""

from __future__ import annotations

import re

import pytest
from eval_fixtures import subset_cases
from rich.console import Console

from assistant.evaluation.report import markdown_report, summary_table
from assistant.evaluation.runner import EvalRun, run_eval
from assistant.factchecker import FactChecker


@pytest.fixture(scope="module")
def small_run(fact_checker: FactChecker) -> EvalRun:
    cases = subset_cases(per_kind=2)
    return run_eval(fact_checker, cases, progress=False, complete=False, limit=len(cases))


def test_the_report_opens_with_a_plain_verdict(small_run: EvalRun) -> None:
    text = markdown_report(small_run, small_run.summary())
    verdict = text.split("## Verdict", 1)[1].split("## Overall", 1)[0]
    assert text.index("## Verdict") < text.index("## Overall")
    assert re.search(r"answers \d+% of the answerable questions correctly", verdict)
    assert re.search(r"wrongly refuses \d+%", verdict)
    assert re.search(r"answers \d+% of the questions it should refuse", verdict)
    assert re.search(r"misses \d+% of the disagreements", verdict)
    assert re.search(r"shows \d+ quotes? that could not be verified", verdict)


def test_the_verdict_links_the_worst_failing_cases_to_their_entries(small_run: EvalRun) -> None:
    text = markdown_report(small_run, small_run.summary())
    verdict = text.split("## Verdict", 1)[1].split("## Overall", 1)[0]
    linked = re.findall(r"\[([\w-]+)\]\(#case-([\w-]+)\)", verdict)
    assert linked and all(a == b for a, b in linked)
    for case_id, _ in linked:
        assert f'<a id="case-{case_id}"></a>' in text


def test_refusal_metrics_are_blank_for_kinds_with_nothing_to_refuse(small_run: EvalRun) -> None:
    summary = small_run.summary()
    kinds = list(summary["by_kind"])
    single = summary["by_kind"]["single"]
    assert single["n"]["unanswerable"] == 0
    single["refusal_precision"] = 0.0  # what one wrong refusal among answerable cases gives
    table = markdown_report(small_run, summary).split("## By kind", 1)[1]
    row = next(line for line in table.splitlines() if line.startswith("| Refusal precision"))
    cells = [c.strip() for c in row.strip("|").split("|")][1:]
    assert cells[kinds.index("single")] == "—"
    assert cells[kinds.index("out_of_scope")] != "—"
    console = Console(width=200, record=True)
    console.print(summary_table(summary))
    line = next(x for x in console.export_text().splitlines() if "Refusal precision" in x)
    assert not re.search(r"(?<![\d.])0\.0\b", line)
