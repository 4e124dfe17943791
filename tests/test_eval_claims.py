"""The claim eval: strict claims files, accuracy and confusion matrix, and the CI gate.

The gate runs every labelled claim through the offline checker on the seeds and on the Python
docs corpus and compares verdict accuracy (and the cited-verdict guarantee) with the minimums
in eval/thresholds.json under "claims".
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from eval_fixtures import THRESHOLDS_FILE

from assistant.evaluation.cases import EvalSetError
from assistant.evaluation.claim_cli import SEED_CLAIMS, claim_fact_checker, corpus_of
from assistant.evaluation.claims import (
    check_claim_thresholds,
    check_claims_against_corpus,
    load_claims,
)
from assistant.evaluation.cli import eval_command
from assistant.evaluation.runner import load_sources
from assistant.factchecker import FactChecker
from assistant.settings import PROJECT_ROOT

CORPORA = PROJECT_ROOT / "eval" / "corpora"
CORPUS_CLAIMS = sorted(CORPORA.glob("*/claims.jsonl"))


def write_lines(path: Path, *rows: dict[str, object]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


GOOD = {
    "id": "c1",
    "kind": "claim",
    "claim": "The bridge opened in 1953.",
    "verdict": "supported",
    "gold_articles": ["a"],
    "evidence": ["opened in 1953"],
}


def test_a_claim_with_an_unknown_verdict_is_rejected_naming_its_line(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "c.jsonl", GOOD, {**GOOD, "id": "c2", "verdict": "mostly true"})
    with pytest.raises(EvalSetError, match=r"line 2.*verdict"):
        load_claims(path)


def test_a_not_enough_evidence_claim_with_evidence_is_rejected(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "c.jsonl", {**GOOD, "verdict": "not_enough_evidence"})
    with pytest.raises(EvalSetError, match="not_enough_evidence"):
        load_claims(path)


def test_a_bad_evidence_regex_is_rejected(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "c.jsonl", {**GOOD, "evidence": ["opened (in"]})
    with pytest.raises(EvalSetError, match="not a valid regular expression"):
        load_claims(path)


def test_the_seed_claims_cover_all_four_verdicts_and_match_the_seeds(
    fact_checker: FactChecker,
) -> None:
    cases = load_claims(SEED_CLAIMS)
    assert len(cases) >= 40
    assert {c.verdict for c in cases} == {
        "supported",
        "refuted",
        "not_enough_evidence",
        "conflicting",
    }
    check_claims_against_corpus(cases, load_sources(fact_checker))


def test_a_claims_file_under_eval_corpora_names_its_own_articles() -> None:
    for path in CORPUS_CLAIMS:
        name, articles = corpus_of(path)
        assert name == path.parent.name and articles == path.parent / "articles"
    assert corpus_of(SEED_CLAIMS)[0] == "seeds"


def test_eval_kinds_claim_prints_accuracy_and_the_confusion_matrix(
    fact_checker: FactChecker, tmp_path: Path
) -> None:
    result = CliRunner().invoke(
        eval_command,
        ["--kinds", "claim", "--limit", "3", "--out", str(tmp_path / "r"), "--no-progress"],
        obj={"fact_checker": fact_checker},
    )
    assert result.exit_code == 0, result.output
    assert "verdict accuracy" in result.output
    assert "| gold \\ verdict | supported | refuted | not_enough_evidence | conflicting |" in (
        result.output
    )
    report = (tmp_path / "r" / "report.md").read_text(encoding="utf-8")
    assert "Verdict accuracy" in report and "| precision |" in report
    rows = (tmp_path / "r" / "results.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(rows) == 3


def test_kinds_claim_cannot_be_mixed_with_question_kinds(fact_checker: FactChecker) -> None:
    result = CliRunner().invoke(
        eval_command, ["--kinds", "claim,single"], obj={"fact_checker": fact_checker}
    )
    assert result.exit_code == 2
    assert "--kinds claim runs on its own" in result.output


def test_a_missing_threshold_block_fails_the_check() -> None:
    assert check_claim_thresholds({"verdict_accuracy": 1.0}, {"claims": {}}, "nowhere")


def test_every_corpus_with_claims_has_claim_thresholds() -> None:
    thresholds = json.loads(THRESHOLDS_FILE.read_text(encoding="utf-8"))["claims"]
    assert set(thresholds) == {"seeds", *(p.parent.name for p in CORPUS_CLAIMS)}
    assert all(block["cited_verdicts"] == 1.0 for block in thresholds.values())


def test_claim_fact_checker_indexes_the_corpus_in_a_store_of_its_own(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ASSISTANT_VECTORSTORE_DIR", str(tmp_path))
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text("The bridge opened in 1953 after four years of work.\n")
    fc = claim_fact_checker("tiny", folder)
    assert [e.article_id for e in fc.articles()] == ["a"]
    assert Path(fc.settings.vectorstore_dir) == tmp_path / "eval-tiny"
