"""The metric functions on hand-built answers: each rule of the judge, one test each."""

from __future__ import annotations

import pytest

from assistant.evaluation.cases import Case, Side
from assistant.evaluation.citations import (
    check_citation,
    content_words,
    judge_answer,
    split_statements,
    strip_markers,
    supports,
)
from assistant.evaluation.metrics import (
    CaseScores,
    aggregate,
    missing_facts,
    percentile,
    refusal_scores,
    retrieval_scores,
    score_case,
)
from assistant.schema import Answer, Citation, PassageRef

from conftest import SEED_IDS, seed_text

A, B = SEED_IDS[1], SEED_IDS[3]  # 001 (AFP) and 003
SOURCES = {i: seed_text(i) for i in SEED_IDS}


def cite(cid: int, article: str, quote: str) -> Citation:
    text = SOURCES[article]
    start = text.index(quote)
    return Citation(
        id=cid, article_id=article, title="t", quote=quote, start=start, end=start + len(quote)
    )


ALT_A = "remaining airborne for about 86 minutes and reaching altitudes of 7,000 kilometers"
ALT_B = "the missile reached an altitude of 7,688 kilometers"


def case(**overrides: object) -> Case:
    fields: dict[str, object] = {
        "id": "t-1",
        "kind": "single",
        "question": "q?",
        "answerable": True,
        "gold_articles": (A,),
        "key_facts": (r"\b86\b",),
    }
    fields.update(overrides)
    return Case(**fields)  # type: ignore[arg-type]


def answer(text: str, citations: list[Citation], refused: bool = False, **kw: object) -> Answer:
    return Answer(question="q?", answer=text, refused=refused, citations=citations, **kw)  # type: ignore[arg-type]


# --- statements ---------------------------------------------------------------------------------


def test_markers_after_the_full_stop_belong_to_the_sentence_before() -> None:
    statements = split_statements("It flew 86 minutes. [1] It reached 7,000 km. [2][3]")
    assert [(s.text, s.citation_ids) for s in statements] == [
        ("It flew 86 minutes.", (1,)),
        ("It reached 7,000 km.", (2, 3)),
    ]


def test_markers_before_the_full_stop_and_comma_lists_are_read() -> None:
    statements = split_statements("It flew 86 minutes [1]. It reached 7,000 km [2, 3].")
    assert [s.citation_ids for s in statements] == [(1,), (2, 3)]
    assert statements[0].text == "It flew 86 minutes."


def test_abbreviations_and_decimals_do_not_end_a_statement() -> None:
    statements = split_statements("The U.S. says it reached 7,687.5 km over Japan. [1]")
    assert len(statements) == 1
    assert statements[0].citation_ids == (1,)


def test_a_sentence_without_markers_is_a_statement_with_no_citation() -> None:
    statements = split_statements("The articles do not give 50,000. About 10,000 were sent. [1]")
    assert [s.citation_ids for s in statements] == [(), (1,)]


def test_strip_markers_keeps_a_figure_from_matching_a_marker() -> None:
    assert strip_markers("They met three times [3].") == "They met three times."
    assert missing_facts("They met several times [3].", [r"three|\b3\b"]) == [r"three|\b3\b"]


# --- quotes and support ---------------------------------------------------------------------------


def test_a_quote_at_its_offsets_is_valid() -> None:
    assert check_citation(cite(1, A, ALT_A), SOURCES).valid


def test_a_quote_with_shifted_offsets_is_invalid() -> None:
    c = cite(1, A, ALT_A)
    shifted = c.model_copy(update={"start": c.start + 1, "end": c.end + 1})
    assert not check_citation(shifted, SOURCES).valid


def test_a_quote_attributed_to_another_article_is_invalid() -> None:
    c = cite(1, A, ALT_A).model_copy(update={"article_id": B})
    result = check_citation(c, SOURCES)
    assert not result.valid and "not the article's text" in (result.reason or "")


def test_an_unknown_article_is_invalid() -> None:
    c = cite(1, A, ALT_A).model_copy(update={"article_id": "999_nope"})
    assert not check_citation(c, SOURCES).valid


def test_a_paraphrase_is_supported_when_its_key_fact_is_in_the_quote() -> None:
    ok, _ = supports("Japan said the missile stayed up for about 86 minutes.", [ALT_A], [r"\b86\b"])
    assert ok


def test_a_statement_is_unsupported_when_its_key_fact_is_not_in_the_quote() -> None:
    ok, reason = supports("It flew for 86 minutes.", [ALT_B], [r"\b86\b"])
    assert not ok and "86" in reason


def test_an_invented_figure_makes_a_statement_unsupported() -> None:
    ok, reason = supports("It stayed airborne for 95 minutes.", [ALT_A], [])
    assert not ok and "95" in reason


def test_digits_inside_an_article_id_are_not_figures() -> None:
    ok, _ = supports(f"Article {A} reports it remained airborne for about 86 minutes.", [ALT_A], [])
    assert ok


def test_inflections_of_a_word_count_as_the_same_word() -> None:
    assert content_words("times fired shipped missiles launches") == content_words(
        "time fire ship missile launch"
    )


def test_without_a_key_fact_the_words_must_mostly_be_in_the_quote() -> None:
    assert supports("It remained airborne for minutes, reaching high altitudes.", [ALT_A], [])[0]
    assert not supports("China urged a political resolution of the crisis.", [ALT_A], [])[0]


# --- ALCE recall and precision ---------------------------------------------------------------------


def test_recall_counts_an_uncited_sentence_as_unsupported() -> None:
    c = cite(1, A, ALT_A)
    judged = judge_answer(
        "The articles do not say 20 minutes. It flew 86 minutes. [1]",
        [c],
        {1: check_citation(c, SOURCES)},
        [r"\b86\b"],
    )
    assert judged.recall == 0.5
    assert judged.precision == 1.0


def test_a_citation_that_adds_nothing_is_irrelevant_for_precision() -> None:
    c1, c2 = cite(1, A, ALT_A), cite(2, B, ALT_B)
    checks = {c.id: check_citation(c, SOURCES) for c in (c1, c2)}
    judged = judge_answer(
        "It stayed aloft for about 86 minutes. [1][2]", [c1, c2], checks, [r"\b86\b"]
    )
    assert judged.recall == 1.0
    assert judged.statements[0].irrelevant_ids == (2,)
    assert judged.precision == 0.5


def test_both_sides_of_a_conflict_sentence_are_relevant() -> None:
    c1, c2 = cite(1, A, ALT_A), cite(2, B, ALT_B)
    checks = {c.id: check_citation(c, SOURCES) for c in (c1, c2)}
    facts = [r"7[,\s]?000", r"7[,\s]?688"]
    judged = judge_answer(
        "The articles disagree on the altitude: 7,000 kilometers [1] versus 7,688 kilometers [2].",
        [c1, c2],
        checks,
        facts,
    )
    assert (judged.recall, judged.precision) == (1.0, 1.0)


def test_a_statement_citing_an_invalid_quote_is_unsupported() -> None:
    c = cite(1, A, ALT_A)
    broken = c.model_copy(update={"start": c.start + 3})
    judged = judge_answer(
        "It flew 86 minutes. [1]", [broken], {1: check_citation(broken, SOURCES)}, []
    )
    assert judged.recall == 0.0 and judged.precision == 0.0


def test_a_marker_without_a_citation_is_unsupported() -> None:
    judged = judge_answer("It flew 86 minutes. [4]", [], {}, [])
    assert judged.recall == 0.0


# --- answer-level metrics ------------------------------------------------------------------------


def test_refusal_scores_treat_unanswerable_cases_as_positive() -> None:
    # (answerable, refused): 2 correct refusals, 1 wrong refusal, 1 missed refusal, 1 answer.
    scores = refusal_scores(
        [(False, True), (False, True), (True, True), (False, False), (True, False)]
    )
    assert scores["refusal_precision"] == pytest.approx(2 / 3)
    assert scores["refusal_recall"] == pytest.approx(2 / 3)
    assert scores["refusal_f1"] == pytest.approx(2 / 3)
    # answered: precision 1/2 (one of two answers was answerable), recall 1/2
    assert scores["grounded_refusal_f1"] == pytest.approx((2 / 3 + 1 / 2) / 2)


def test_refusal_precision_is_undefined_without_refusals() -> None:
    assert refusal_scores([(True, False)])["refusal_precision"] is None


def test_retrieval_recall_and_reciprocal_rank() -> None:
    assert retrieval_scores(["x", A, "y", B], [A, B]) == (1.0, 0.5)
    assert retrieval_scores(["x", "y"], [A]) == (0.0, 0.0)


def test_percentile_interpolates_like_numpy() -> None:
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert percentile([0.0, 10.0], 95) == pytest.approx(9.5)
    assert percentile([], 50) is None


# --- score_case ------------------------------------------------------------------------------------


def test_a_refused_answerable_case_fails_with_a_reason() -> None:
    scores = score_case(
        case(), answer("The articles do not answer this.", [], refused=True), SOURCES
    )
    assert not scores.passed and scores.correct is False
    assert scores.citation_recall is None
    assert "refused" in scores.failures[0]


def test_an_answered_unanswerable_case_fails() -> None:
    c = cite(1, A, ALT_A)
    unanswerable = case(answerable=False, kind="near_miss", gold_articles=(), key_facts=())
    scores = score_case(unanswerable, answer(f"{ALT_A}. [1]", [c]), SOURCES)
    assert not scores.passed
    assert scores.citation_recall == 1.0  # well cited, but it should have refused


def test_conflict_coverage_needs_each_side_cited_from_its_own_article() -> None:
    sides = (Side(articles=(A,), pattern=r"7[,\s]?000"), Side(articles=(B,), pattern=r"7[,\s]?688"))
    conflict = case(
        kind="conflict", gold_articles=(A, B), key_facts=(r"7[,\s]?000", r"7[,\s]?688"), sides=sides
    )
    c1, c2 = cite(1, A, ALT_A), cite(2, B, ALT_B)
    one_side = score_case(conflict, answer("It reached 7,000 kilometers. [1]", [c1]), SOURCES)
    both = score_case(
        conflict,
        answer(
            "It reached 7,000 kilometers. [1] Another report says 7,688 kilometers. [2]", [c1, c2]
        ),
        SOURCES,
    )
    assert one_side.conflict_covered is False and one_side.missing_sides == [1]
    assert both.conflict_covered is True


def test_retrieval_uses_the_passages_in_prompt_order() -> None:
    passages = [
        PassageRef(number=2, article_id=A, title="t", start=0, end=1),
        PassageRef(number=1, article_id=B, title="t", start=0, end=1),
    ]
    c = cite(1, A, ALT_A)
    scores = score_case(case(), answer(f"{ALT_A}. [1]", [c], passages=passages), SOURCES)
    assert scores.retrieval_recall == 1.0
    assert scores.reciprocal_rank == 0.5


def test_claims_kept_are_the_proposed_minus_the_dropped() -> None:
    c = cite(1, A, ALT_A)
    scores = score_case(
        case(), answer(f"{ALT_A}. [1]", [c], dropped_claims=2), SOURCES, claims_proposed=3
    )
    assert (scores.claims_proposed, scores.claims_kept) == (3, 1)
    assert aggregate([scores])["claim_verification"] == pytest.approx(1 / 3)


def test_aggregate_leaves_metrics_that_do_not_apply_empty() -> None:
    refused = CaseScores(kind="out_of_scope", answerable=False, refused=True, passed=True)
    metrics = aggregate([refused])
    assert metrics["accuracy"] == 1.0
    assert metrics["citation_recall"] is None
    assert metrics["answer_correctness"] is None
    assert metrics["conflict_coverage"] is None
    assert metrics["n"]["cases"] == 1
