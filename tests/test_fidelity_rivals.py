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
