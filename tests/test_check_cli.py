"""``assistant check``: plain verdicts with evidence, --json, --format claimreview, and errors."""

from __future__ import annotations

import json
from pathlib import Path

from assistant.check.schema import CheckReport

from conftest import run_assistant, seed_text

CLAIM = "Japan said the ICBM was airborne for about 68 minutes."


def test_plain_output_shows_verdict_explanation_and_evidence_against(seeded_store: Path) -> None:
    result = run_assistant("check", CLAIM, store=seeded_store)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"Claim: {CLAIM}"
    assert lines[1] == "Verdict: REFUTED"
    assert "Evidence against:" in result.stdout
    assert "86 minutes" in result.stdout
    assert "Evidence for:" not in result.stdout


def test_json_prints_the_check_report_with_verified_citations(seeded_store: Path) -> None:
    result = run_assistant("check", CLAIM, "--json", store=seeded_store)
    assert result.returncode == 0, result.stderr
    report = CheckReport.model_validate_json(result.stdout)
    (check,) = report.claims
    assert check.verdict == "refuted" and check.contradicting
    for c in check.citations:
        assert seed_text(c.article_id)[c.start : c.end] == c.quote


def test_claimreview_format_is_schema_org_json_ld(seeded_store: Path) -> None:
    result = run_assistant("check", CLAIM, "--format", "claimreview", store=seeded_store)
    assert result.returncode == 0, result.stderr
    review = json.loads(result.stdout)
    assert review["@context"] == "https://schema.org"
    assert review["@type"] == "ClaimReview"
    assert review["claimReviewed"] == CLAIM
    assert review["reviewRating"]["alternateName"] == "Refuted"
    assert review["reviewRating"]["ratingValue"] == 1
    assert any("86 minutes" in c["text"] for c in review["citation"])


def test_several_claims_become_a_json_ld_graph(seeded_store: Path) -> None:
    text = f"{CLAIM} The Hwasong-19 reached a top speed of Mach 20."
    result = run_assistant("check", text, "--format", "claimreview", store=seeded_store)
    assert result.returncode == 0, result.stderr
    graph = json.loads(result.stdout)["@graph"]
    assert [r["reviewRating"]["alternateName"] for r in graph] == [
        "Refuted",
        "Not enough evidence",
    ]
    assert "ratingValue" not in graph[1]["reviewRating"]


def test_an_empty_claim_exits_2_with_one_line(seeded_store: Path) -> None:
    result = run_assistant("check", "  ", store=seeded_store)
    assert result.returncode == 2
    assert result.stderr.startswith("error: the claim is empty")
    assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1


def test_a_question_instead_of_a_claim_exits_2_saying_what_to_do(seeded_store: Path) -> None:
    result = run_assistant("check", "Did the missile fly far?", store=seeded_store)
    assert result.returncode == 2
    assert "no checkable claim" in result.stderr
