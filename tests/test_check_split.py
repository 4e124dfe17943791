"""Splitting a text into check-worthy claims: one verdict per statement of fact."""

from __future__ import annotations

from assistant.check.split import split_claims


def test_a_paragraph_gives_one_claim_per_statement() -> None:
    split = split_claims(
        "The bridge opened in 1953. It carries 40,000 cars a day. The mayor cut the ribbon."
    )
    assert split.claims == [
        "The bridge opened in 1953.",
        "It carries 40,000 cars a day.",
        "The mayor cut the ribbon.",
    ]


def test_questions_and_fragments_are_set_aside_not_checked() -> None:
    split = split_claims("Who cares? Thank you. The council approved the budget on Monday.")
    assert split.claims == ["The council approved the budget on Monday."]
    assert split.skipped == ["Who cares?", "Thank you."]


def test_semicolon_clauses_that_each_state_a_fact_are_separate_claims() -> None:
    split = split_claims("The river flooded the old town; the railway line closed for a week.")
    assert split.claims == [
        "The river flooded the old town.",
        "The railway line closed for a week.",
    ]


def test_quote_marks_around_a_quoted_claim_are_dropped() -> None:
    assert split_claims("“The harbour reopened in May.”").claims == ["The harbour reopened in May."]
