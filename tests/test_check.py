"""``FactChecker.check``: verdicts with the sentences for and against, on the seeds and on a
corpus that is not the seeds (Python's "What's New" pages).

Every verdict other than not_enough_evidence must cite a sentence whose quote is exactly the
article text at its offsets; a claim the articles say nothing about is never called refuted.
"""

from __future__ import annotations

import pytest

from assistant.check.schema import ClaimCheck
from assistant.errors import InputError
from assistant.factchecker import FactChecker
from assistant.settings import PROJECT_ROOT

from conftest import make_settings, seed_text

PYTHON_DOCS = PROJECT_ROOT / "eval" / "corpora" / "python_whatsnew" / "articles"


@pytest.fixture(scope="module")
def python_docs(tmp_path_factory: pytest.TempPathFactory) -> FactChecker:
    """Three of the Python "What's New" pages, indexed in a store of their own."""
    folder = tmp_path_factory.mktemp("pydocs")
    for name in ("python_2_0", "python_3_4", "python_3_6"):
        (folder / f"{name}.txt").write_text((PYTHON_DOCS / f"{name}.txt").read_text("utf-8"))
    return FactChecker(make_settings(tmp_path_factory.mktemp("pystore"), seeds_dir=folder))


def assert_cites_verified(fc: FactChecker, check: ClaimCheck) -> None:
    assert check.citations, "a verdict other than not_enough_evidence must cite a sentence"
    for c in check.citations:
        assert fc.article_text(c.article_id)[c.start : c.end] == c.quote
    assert set(check.supporting) | set(check.contradicting) == {c.id for c in check.citations}


def test_a_different_figure_for_the_same_thing_refutes_the_claim(
    fact_checker: FactChecker,
) -> None:
    check = fact_checker.check("Japan said the ICBM was airborne for about 68 minutes.")
    assert check.verdict == "refuted"
    assert_cites_verified(fact_checker, check)
    against = [c for c in check.citations if c.id in check.contradicting]
    assert "86 minutes" in against[0].quote
    assert "86" in check.explanation and "68" in check.explanation


def test_a_paraphrased_claim_the_article_states_is_supported(fact_checker: FactChecker) -> None:
    check = fact_checker.check("Donald Trump met Kim Jong Un three times.")
    assert check.verdict == "supported"
    assert_cites_verified(fact_checker, check)
    assert "met three times" in check.citations[0].quote


def test_swapped_figures_refute_the_claim(fact_checker: FactChecker) -> None:
    check = fact_checker.check(
        "South Korea sanctioned eight Russian ships and four North Korean individuals."
    )
    assert check.verdict == "refuted"
    assert_cites_verified(fact_checker, check)


def test_a_claim_the_articles_never_address_has_not_enough_evidence(
    fact_checker: FactChecker,
) -> None:
    check = fact_checker.check("Russia is paying each North Korean soldier about $2,000 a month.")
    assert check.verdict == "not_enough_evidence"
    assert not check.citations and not check.supporting and not check.contradicting


def test_a_paragraph_gets_one_verdict_per_claim(fact_checker: FactChecker) -> None:
    report = fact_checker.check_text(
        "Japan said the ICBM was airborne for about 68 minutes. Who knows? "
        "The Hwasong-19 reached a top speed of Mach 20."
    )
    assert [c.verdict for c in report.claims] == ["refuted", "not_enough_evidence"]
    assert report.skipped == ["Who knows?"]


def test_an_empty_claim_is_a_clear_input_error(fact_checker: FactChecker) -> None:
    with pytest.raises(InputError, match="empty"):
        fact_checker.check_text("   ")


def test_a_text_with_no_statement_is_a_clear_input_error(fact_checker: FactChecker) -> None:
    with pytest.raises(InputError, match="no checkable claim"):
        fact_checker.check_text("Is it true? Really?")


def test_an_overlong_text_is_refused_with_the_limit(fact_checker: FactChecker) -> None:
    with pytest.raises(InputError, match="limit"):
        fact_checker.check_text("The missile flew far. " * 400)


def test_a_wrong_year_refutes_a_claim_on_another_corpus(python_docs: FactChecker) -> None:
    check = python_docs.check("Python 2.0 was released on October 16, 2001.")
    assert check.verdict == "refuted"
    assert_cites_verified(python_docs, check)
    assert "2000" in check.citations[0].quote


def test_a_negated_statement_refutes_a_claim_on_another_corpus(python_docs: FactChecker) -> None:
    check = python_docs.check("Python 3.4 introduced several new syntax features.")
    assert check.verdict == "refuted"
    assert_cites_verified(python_docs, check)


def test_a_stated_fact_is_supported_on_another_corpus(python_docs: FactChecker) -> None:
    check = python_docs.check("Python 2.0 came out in October 2000.")
    assert check.verdict == "supported"
    assert_cites_verified(python_docs, check)


def test_an_unaddressed_claim_is_not_enough_evidence_on_another_corpus(
    python_docs: FactChecker,
) -> None:
    check = python_docs.check(
        "Python 2.0 was downloaded more than a million times in its first month."
    )
    assert check.verdict == "not_enough_evidence"


def test_the_seed_quote_of_a_citation_is_in_the_seed_file(fact_checker: FactChecker) -> None:
    check = fact_checker.check(
        "Incheon Airport had to shut down because of the North's trash balloons."
    )
    assert check.verdict == "supported"
    for c in check.citations:
        assert seed_text(c.article_id)[c.start : c.end] == c.quote
