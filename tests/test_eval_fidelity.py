"""The fidelity eval: scripted distortions and loose quotes through the real chain, offline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.errors import InputError
from assistant.evaluation.cli import eval_command
from assistant.evaluation.fidelity import (
    FidelityCase,
    fidelity_metrics,
    load_fidelity_cases,
    run_fidelity,
)
from assistant.factchecker import FactChecker


@pytest.fixture(scope="module")
def metrics(fact_checker: FactChecker) -> dict[str, object]:
    return fidelity_metrics(run_fidelity(fact_checker))


def test_no_claim_is_shown_that_its_citations_do_not_support(metrics: dict[str, object]) -> None:
    assert metrics["distortions"] == 14 and metrics["unsupported_shown"] == 0


def test_every_exactly_quoted_faithful_claim_is_kept(metrics: dict[str, object]) -> None:
    assert metrics["exact_kept"] == 1.0


def test_loosely_quoted_faithful_claims_are_kept(metrics: dict[str, object]) -> None:
    assert isinstance(metrics["loose_kept"], float) and metrics["loose_kept"] >= 0.8


def test_every_case_reaches_its_sentence_and_citations_stay_verbatim(
    metrics: dict[str, object],
) -> None:
    assert metrics["not_reached"] == [] and metrics["citations_valid"] is True


def test_a_distortion_that_got_through_would_be_counted(fact_checker: FactChecker) -> None:
    # The metric can fail: a "distortion" that is in fact the sentence itself is shown.
    sentence = (
        "Incheon Airport, Seoul's main hub, had to close on Wednesday because of the balloons."
    )
    case = FidelityCase(
        id="x",
        group="distortion",
        question="Why did Incheon Airport have to close?",
        sentence="had to close on Wednesday",
        claim=sentence,
        quote=None,
    )
    assert fidelity_metrics(run_fidelity(fact_checker, [case]))["unsupported_shown"] == 1


def test_the_cli_reports_the_figures_and_passes(fact_checker: FactChecker) -> None:
    result = CliRunner().invoke(
        eval_command, ["--fidelity", "--json"], obj={"fact_checker": fact_checker}
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["unsupported_shown"] == 0


def test_a_malformed_case_file_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "cases.jsonl"
    path.write_text('{"id": "a", "group": "distortion"}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"cases\.jsonl:1"):
        load_fidelity_cases(path)
