"""The fidelity rule the claim checker adds: a different figure for the same thing is named.

A claim whose figure is absent from its sources is merely unconfirmed; one whose sources give
another value for the same measure (same unit, same counted noun, or both dates) is contradicted,
and the problem says which value the sources give.
"""

from __future__ import annotations

from assistant.answer.fidelity import check_fidelity


def test_a_different_value_with_the_same_unit_is_named_as_the_source_figure() -> None:
    result = check_fidelity(
        "The flight lasted about 68 minutes.", ["The flight lasted about 86 minutes."]
    )
    figure = [p for p in result.problems if p.kind == "figure"]
    assert figure and figure[0].source_part == "86"


def test_a_different_year_is_named_as_the_source_date() -> None:
    result = check_fidelity("The bridge opened in 1963.", ["The bridge opened to traffic in 1953."])
    date = [p for p in result.problems if p.kind == "date"]
    assert date and date[0].source_part == "1953"


def test_a_figure_of_another_unit_is_not_a_rival() -> None:
    result = check_fidelity("The flight lasted 68 minutes.", ["The missile flew 1,001 kilometers."])
    figure = [p for p in result.problems if p.kind == "figure"]
    assert figure and figure[0].source_part is None


def test_a_number_that_is_part_of_a_name_is_not_a_rival() -> None:
    result = check_fidelity(
        "With Release 3.9, the team moved to a yearly cycle.",
        ["With Proposal 602, the team adopts an annual cycle."],
    )
    figure = [p for p in result.problems if p.kind == "figure"]
    assert figure and all(p.source_part is None for p in figure)


def test_no_longer_negates_the_word_after_it() -> None:
    result = check_fidelity(
        "The module remained provisional.", ["The module is no longer provisional."]
    )
    assert any(p.kind == "negation" and p.source_part for p in result.problems)


def test_instead_of_denies_what_follows() -> None:
    result = check_fidelity(
        "The method returns lists.", ["The method returns views instead of lists."]
    )
    assert any(p.kind == "negation" and p.source_part for p in result.problems)


def test_a_source_figure_the_claim_also_gives_is_not_a_rival() -> None:
    result = check_fidelity(
        "Release 9 measured a 1.25x speedup over 8.5 on the suite.",
        ["On average, we measured a 1.25x speedup on the suite."],
    )
    assert all(p.source_part is None for p in result.problems if p.kind == "figure")


def test_another_month_in_the_sources_is_named_as_the_rival_date() -> None:
    result = check_fidelity(
        "It was released in August 2006.", ["It was released in September 2006."]
    )
    date = [p for p in result.problems if p.kind == "date"]
    assert date and date[0].source_part == "September"


def test_not_compatible_is_what_incompatible_says() -> None:
    result = check_fidelity(
        "The release was deliberately not backwards compatible.",
        ["The release was intentionally backwards incompatible."],
    )
    assert not [p for p in result.problems if p.kind == "negation"]


def test_compatible_is_contradicted_by_incompatible() -> None:
    result = check_fidelity(
        "The release stays fully compatible with old code.",
        ["The release is incompatible with old code."],
    )
    negation = [p for p in result.problems if p.kind == "negation"]
    assert negation and negation[0].source_part == "incompatible"


def test_a_day_of_the_month_is_not_matched_by_counted_nouns() -> None:
    result = check_fidelity(
        "Version 2 was released on 17 April 2001.", ["Version 2 was made on April 17, 2001."]
    )
    assert not [p for p in result.problems if p.kind in ("date", "figure")]


def test_a_comparator_opening_the_sentence_does_not_make_the_figure_a_name() -> None:
    result = check_fidelity(
        "Around 12,000 soldiers are in the region.", ["Around 8,000 soldiers are in the region."]
    )
    figure = [p for p in result.problems if p.kind == "figure"]
    assert figure and figure[0].source_part == "8,000"


def test_a_figure_that_only_mentions_the_same_place_later_is_no_rival() -> None:
    result = check_fidelity(
        "Around 12,000 soldiers are in Russia.",
        ["It sent more than 1,000 missiles to Russia."],
    )
    figure = [p for p in result.problems if p.kind == "figure"]
    assert figure and figure[0].source_part is None
