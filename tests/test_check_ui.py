"""The "Check a claim" mode of the web UI and the /check API endpoint."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from assistant.check.schema import CheckReport, ClaimCheck
from assistant.factchecker import FactChecker
from assistant.schema import Citation
from assistant.ui.check_tab import claimreview_file, report_html

CLAIM = "Japan said the ICBM was airborne for about 68 minutes."


def test_check_endpoint_returns_the_same_json_as_the_cli(
    client: Client, fact_checker: FactChecker
) -> None:
    got = CheckReport.model_validate(client.predict(CLAIM, api_name="/check"))
    assert got == fact_checker.check_text(CLAIM)
    (check,) = got.claims
    assert check.verdict == "refuted"
    for c in check.citations:
        assert fact_checker.article_text(c.article_id)[c.start : c.end] == c.quote


def test_check_endpoint_rejects_an_empty_claim_with_one_line(client: Client) -> None:
    with pytest.raises(AppError, match="the claim is empty"):
        client.predict("  ", api_name="/check")


def test_the_page_has_a_check_a_claim_tab(url: str) -> None:
    config = httpx.get(url + "config").json()
    labels = {c.get("props", {}).get("label") for c in config["components"]}
    assert "Check a claim" in labels


def test_the_verdict_reads_in_words_and_symbol_not_colour_alone(
    fact_checker: FactChecker,
) -> None:
    html = report_html(fact_checker.check_text(CLAIM), fact_checker.article_text)
    assert "fc-v-refuted" in html
    assert "Refuted" in html and "✗" in html
    assert "Contradicts" in html
    assert '<mark class="fc-mark">' in html and "86 minutes" in html


def test_hostile_claim_text_is_shown_as_text(fact_checker: FactChecker) -> None:
    check = ClaimCheck(
        claim="<script>window.x=1</script> ${7*7}",
        verdict="not_enough_evidence",
        explanation="<img src=x onerror=alert(1)>",
    )
    html = report_html(CheckReport(text=check.claim, claims=[check]), fact_checker.article_text)
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "${" not in html


def test_the_claimreview_download_is_json_ld(fact_checker: FactChecker) -> None:
    check = ClaimCheck(
        claim="The bridge opened in 1963.",
        verdict="refuted",
        explanation="The article gives 1953 [1].",
        citations=[
            Citation(
                id=1, article_id="a", title="Bridges", quote="It opened in 1953.", start=0, end=18
            )
        ],
        contradicting=[1],
    )
    path = claimreview_file(CheckReport(text=check.claim, claims=[check]))
    review = json.loads(Path(path).read_text(encoding="utf-8"))
    assert review["@type"] == "ClaimReview" and review["reviewRating"]["ratingValue"] == 1
    assert review["citation"][0]["text"] == "It opened in 1953."
