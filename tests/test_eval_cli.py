"""`assistant eval` end to end through click: report folder, --json, --check, --compare, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from eval_fixtures import FailingModel

from assistant.cli import main
from assistant.evaluation.cli import eval_command
from assistant.factchecker import FactChecker

from conftest import make_settings


def run_cli(fc: FactChecker, *args: str) -> Result:
    return CliRunner().invoke(eval_command, [*args, "--no-progress"], obj={"fact_checker": fc})


@pytest.fixture(scope="module")
def two_reports(
    fact_checker: FactChecker, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("reports")
    a, b = root / "a", root / "b"
    assert run_cli(fact_checker, "--kinds", "conflict", "--out", str(a)).exit_code == 0
    assert run_cli(fact_checker, "--kinds", "conflict", "-k", "2", "--out", str(b)).exit_code == 0
    return a, b


def test_json_output_is_the_summary_and_the_report_folder_is_written(
    fact_checker: FactChecker, tmp_path: Path
) -> None:
    out = tmp_path / "run"
    result = run_cli(
        fact_checker, "--kinds", "numeric,conflict", "--limit", "4", "--out", str(out), "--json"
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["overall"]["n"]["cases"] == 4
    assert summary["report_dir"] == str(out)
    assert sorted(p.name for p in out.iterdir()) == [
        "metrics_by_kind.png",
        "report.md",
        "results.jsonl",
        "summary.json",
    ]


def test_the_table_and_the_report_path_are_printed(
    fact_checker: FactChecker, tmp_path: Path
) -> None:
    result = run_cli(
        fact_checker, "--kinds", "out_of_scope", "--limit", "2", "--out", str(tmp_path / "r")
    )
    assert result.exit_code == 0, result.output
    assert "Refusal recall" in result.stdout
    assert "2 of 2 cases passed" in result.stdout and str(tmp_path / "r") in result.stdout


def check_conflict_cases(fc: FactChecker, tmp_path: Path, minimums: dict[str, float]) -> Result:
    """``assistant eval --kinds conflict --check`` against these minimums for the conflict kind."""
    thresholds = tmp_path / "t.json"
    thresholds.write_text(json.dumps({"by_kind": {"conflict": minimums}}))
    return run_cli(
        fc,
        "--kinds",
        "conflict",
        "--check",
        "--thresholds",
        str(thresholds),
        "--out",
        str(tmp_path / "r"),
    )


def test_check_exits_1_with_a_line_for_each_metric_below_its_minimum(
    fact_checker: FactChecker, tmp_path: Path
) -> None:
    result = check_conflict_cases(
        fact_checker, tmp_path, {"conflict_coverage": 1.0, "quote_validity": 1.0}
    )
    assert result.exit_code == 1
    failed = [line.split() for line in result.output.splitlines() if line.startswith("FAIL")]
    assert [line[:3] for line in failed] == [["FAIL", "conflict", "conflict_coverage"]]
    assert "check FAILED: 1 metric(s) below" in result.output


def test_check_passes_when_every_metric_meets_its_minimum(
    fact_checker: FactChecker, tmp_path: Path
) -> None:
    result = check_conflict_cases(fact_checker, tmp_path, {"quote_validity": 1.0})
    assert result.exit_code == 0, result.output
    assert "check passed: 1 metric(s) meet their minimum" in result.output


def test_compare_prints_the_difference_of_two_runs(
    two_reports: tuple[Path, Path], fact_checker: FactChecker
) -> None:
    a, b = two_reports
    result = run_cli(fact_checker, "--compare", str(a), str(b))
    assert result.exit_code == 0, result.output
    assert "Retrieval recall@k" in result.stdout and "Δ" in result.stdout
    assert "now failing" in result.stdout


def test_compare_json_lists_every_metric(
    two_reports: tuple[Path, Path], fact_checker: FactChecker
) -> None:
    result = run_cli(fact_checker, "--compare", *map(str, two_reports), "--json")
    deltas = json.loads(result.stdout)["deltas"]
    assert {d["metric"] for d in deltas if d["scope"] == "overall"} >= {
        "citation_recall",
        "retrieval_mrr",
    }


def test_compare_of_a_folder_that_is_not_a_report_is_a_clear_error(
    fact_checker: FactChecker, tmp_path: Path
) -> None:
    result = run_cli(fact_checker, "--compare", str(tmp_path), str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and "no summary.json" in result.stderr


def test_a_missing_eval_set_is_a_one_line_error(fact_checker: FactChecker, tmp_path: Path) -> None:
    result = run_cli(fact_checker, "--cases", str(tmp_path / "none.jsonl"))
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0 and "not found" in result.stderr


def test_an_unknown_kind_lists_the_valid_ones(fact_checker: FactChecker) -> None:
    result = run_cli(fact_checker, "--kinds", "trivia")
    assert result.exit_code == 2
    assert "unknown kind(s) trivia" in result.stderr and "near_miss" in result.stderr


def test_a_bad_thresholds_file_fails_before_running(
    fact_checker: FactChecker, tmp_path: Path
) -> None:
    thresholds = tmp_path / "t.json"
    thresholds.write_text(json.dumps({"overall": {"latency_p50_s": 0.5}}))
    result = run_cli(fact_checker, "--check", "--thresholds", str(thresholds))
    assert result.exit_code == 2
    assert "not a gated metric" in result.stderr


def test_write_thresholds_refuses_a_subset(fact_checker: FactChecker) -> None:
    result = run_cli(fact_checker, "--limit", "3", "--write-thresholds")
    assert result.exit_code == 2
    assert "needs a run of the whole set" in result.output


def test_an_unreachable_model_stops_the_run_with_one_line(
    seeded_store: Path, tmp_path: Path
) -> None:
    fc = FactChecker(make_settings(seeded_store), model=FailingModel(fail_on=frozenset({1})))
    result = run_cli(fc, "--kinds", "single", "--limit", "3", "--out", str(tmp_path / "r"))
    assert result.exit_code == 1
    assert (
        result.stderr
        == "error: cannot reach the model server at http://127.0.0.1:9; check it runs\n"
    )


def test_a_model_error_after_a_success_is_recorded_on_its_case(
    seeded_store: Path, tmp_path: Path
) -> None:
    fc = FactChecker(make_settings(seeded_store), model=FailingModel(fail_on=frozenset({2})))
    result = run_cli(
        fc, "--kinds", "single", "--limit", "3", "--out", str(tmp_path / "r"), "--json"
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["overall"]["n"]["errors"] == 1
    rows = [json.loads(x) for x in (tmp_path / "r" / "results.jsonl").read_text().splitlines()]
    assert "cannot reach the model server" in rows[1]["scores"]["error"]


def test_assistant_eval_forwards_its_arguments() -> None:
    result = CliRunner().invoke(main, ["eval", "--help"])
    assert result.exit_code == 0
    assert "--compare A B" in result.output and "--check" in result.output


def test_an_unknown_corpus_is_a_one_line_error_naming_the_available_ones(
    fact_checker: FactChecker,
) -> None:
    result = run_cli(fact_checker, "--corpus", "no_such_corpus")
    assert result.exit_code == 2
    assert "no eval corpus named 'no_such_corpus'" in result.output
    assert "seeds" in result.output and "python_whatsnew" in result.output


def test_a_corpus_name_picks_its_articles_cases_and_thresholds() -> None:
    from assistant.evaluation.cli import EvalCorpus

    seeds = EvalCorpus.named("seeds")
    assert seeds.cases.name == "cases.jsonl" and seeds.thresholds.name == "thresholds.json"
    foreign = EvalCorpus.named("python_whatsnew")
    assert foreign.articles.parent.name == "python_whatsnew"
    assert foreign.cases == foreign.articles.parent / "cases.jsonl"
    assert foreign.thresholds.name == "thresholds-python_whatsnew.json"
