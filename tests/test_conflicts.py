"""Reading figures out of quotes and deciding when articles disagree."""

from __future__ import annotations

from assistant.answer.conflicts import figures, find_conflicts


def test_altitude_and_distance_in_one_sentence_are_told_apart() -> None:
    found = figures(
        "reached an altitude of 7,688 kilometers and flew approximately 1,001 kilometers"
    )
    assert [(f.kind, f.value) for f in found] == [("altitude", 7688.0), ("distance", 1001.0)]


def test_unit_after_the_number_decides_when_context_follows() -> None:
    found = figures("The missile reached a 7,687.5 km altitude and traveled 1,001.2 km")
    assert [(f.kind, f.value) for f in found] == [("altitude", 7687.5), ("distance", 1001.2)]


def test_years_and_bare_numbers_are_not_figures() -> None:
    assert figures("on October 31, 2024, the 103rd Airborne Brigade") == []


def test_different_altitudes_from_two_articles_conflict() -> None:
    found = find_conflicts(
        [("a", "reaching altitudes of 7,000 kilometers"), ("b", "an altitude of 7,688 kilometers")]
    )
    assert [c.kind for c in found] == ["altitude"]
    assert [side.figures for side in found[0].sides] == [
        [(0, "7,000 kilometers")],
        [(1, "7,688 kilometers")],
    ]


def test_rounding_and_unit_conversion_do_not_conflict() -> None:
    quotes = [
        ("a", "a missile that flew 1,000 kilometers (621 miles)"),
        ("b", "flew approximately 1,001 kilometers"),
    ]
    assert find_conflicts(quotes) == []


def test_one_article_alone_never_conflicts_with_itself() -> None:
    assert (
        find_conflicts([("a", "between 10,000 and 12,000 soldiers"), ("a", "some 8,000 troops")])
        == []
    )


def test_a_range_is_one_side() -> None:
    found = find_conflicts(
        [("a", "between 10,000 and 12,000 soldiers"), ("b", "around 8,000 North Korean soldiers")]
    )
    assert found[0].sides[0].figures == [(0, "10,000–12,000 soldiers")]


def test_counts_of_one_thing_in_other_documents_conflict_whatever_the_thing() -> None:
    found = find_conflicts(
        [
            ("a", "There were around 15,000 binary packages."),
            ("b", "It had 15,400 binary packages."),
        ]
    )
    assert [c.kind for c in found] == ["packages"]


def test_figures_for_different_places_are_not_a_disagreement() -> None:
    quotes = [
        ("a", "around 8,000 troops have been moved to the Kursk region"),
        ("b", "some 10,000 troops are in Russia"),
    ]
    assert find_conflicts(quotes) == []


def test_an_article_that_shares_a_figure_and_adds_one_does_not_disagree() -> None:
    quotes = [
        ("a", "some 8,000 of the 10,000 North Korean troops believed to be in Russia"),
        ("b", "around 8,000 North Korean troops have been moved to Russia’s Kursk region"),
    ]
    assert find_conflicts(quotes) == []
