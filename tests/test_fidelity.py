"""The fidelity rules: a claim must say what its cited sentences say, copied loosely or exactly.

Seed sentences are quoted from seeds/; the others come from eval/corpora/debian_history, a corpus
the rules were not written against.
"""

from __future__ import annotations

import pytest

from assistant.answer.fidelity import check_fidelity, starts_with_pronoun

BELARUS = (
    "During that period, North Korean soldiers were reportedly training in Belarus with the "
    "Belarusian 103rd Airborne Brigade."
)
SANCTIONS = (
    'South Korea, which last week announced it would "reconsider" its long-standing policy '
    "prohibiting direct supply of weapons to Ukraine, announced on Thursday that it would impose "
    "unilateral sanctions against four Russian ships and eight North Korean individuals for "
    "weapons deliveries and oil transfers between the two countries."
)
CHOE = (
    "While North Korean soldiers advance in Kursk, North Korea's Foreign Minister, Choe Son-hui, "
    "has met with Putin in Moscow, where she reportedly promised, as North Korean media report, "
    "that her country will support Russia until it achieves victory in Ukraine."
)
INCHEON = "Incheon Airport, Seoul's main hub, had to close on Wednesday because of the balloons."
AUSTIN = "Austin stated there was no evidence that Russia had provided technology for the ICBM."
ICBM = (
    "Japan noted that the intercontinental ballistic missile (ICBM) flew longer than any "
    "previously tested by the North, remaining airborne for about 86 minutes and reaching "
    "altitudes of 7,000 kilometers."
)
MISSILES = (
    "North Korea, badly in need of cash, is also estimated to have sent more than 1,000 missiles "
    "to Russia along with millions of ammunition pieces, according to South Korean Defense "
    "Minister Kim Yong-hyun."
)
GOLD = (
    "“As a brick-and-mortar seller, we are seeing many first-time [gold] buyers,” Nick Fulton, "
    "managing partner at USA Pawn, previously told Newsweek."
)
HAMM = "This release consisted of 974 packages maintained by 200 developers."
SLINK = (
    "With Wichert Akkerman as Project Leader, this release consisted of about 2250 packages and "
    "required 2 CDs in the official set."
)


def _kinds(claim: str, *sources: str) -> set[str]:
    return {p.kind for p in check_fidelity(claim, list(sources)).problems}


# --- distortions are caught ----------------------------------------------------------------------


def test_flipped_negation_is_caught() -> None:
    claim = "North Korean soldiers did not train with the 103rd Airborne Brigade in Belarus."
    assert "negation" in _kinds(claim, BELARUS)


def test_dropped_negation_is_caught() -> None:
    claim = "Austin stated there was evidence that Russia had provided technology for the ICBM."
    assert "negation" in _kinds(claim, AUSTIN)


def test_swapped_figures_are_caught() -> None:
    claim = (
        "South Korea imposed sanctions on eight Russian ships and four North Korean individuals."
    )
    assert "figure" in _kinds(claim, SANCTIONS)


def test_swapped_figures_are_caught_on_another_corpus() -> None:
    claim = "This release consisted of 200 packages maintained by 974 developers."
    assert "figure" in _kinds(claim, HAMM)


def test_a_figure_the_sources_do_not_give_is_caught() -> None:
    assert "figure" in _kinds("This release consisted of 975 packages.", HAMM)


def test_a_changed_unit_is_caught() -> None:
    claim = "The missile reached altitudes of 7,000 miles."
    assert "figure" in _kinds(claim, ICBM)


def test_a_changed_comparator_is_caught() -> None:
    claim = "North Korea has sent fewer than 1,000 missiles to Russia."
    assert "figure" in _kinds(claim, MISSILES)


def test_a_different_year_is_a_date_problem() -> None:
    source = "Debian 1.1 Buzz was released in June 1996."
    assert "date" in _kinds("Debian 1.1 Buzz was released in June 1997.", source)


def test_wrong_title_is_caught() -> None:
    claim = "North Korea's Prime Minister, Choe Son-hui, has met with Putin in Moscow."
    assert "title" in _kinds(claim, CHOE)


def test_wrong_person_is_caught() -> None:
    claim = "Blinken stated there was no evidence that Russia had provided technology for the ICBM."
    assert "entity" in _kinds(claim, AUSTIN)


def test_wrong_country_is_caught() -> None:
    claim = "Choe Son-hui promised that her country will support China until victory in Ukraine."
    assert "entity" in _kinds(claim, CHOE)


def test_wrong_person_is_caught_on_another_corpus() -> None:
    claim = "With Ian Murdock as Project Leader, this release consisted of about 2250 packages."
    assert "entity" in _kinds(claim, SLINK)


def test_reversed_outcome_is_caught() -> None:
    claim = "Incheon Airport, Seoul's main hub, stayed open on Wednesday despite the balloons."
    assert not check_fidelity(claim, [INCHEON]).supported


def test_invented_cause_is_caught() -> None:
    claim = "Debian 2.1 required 2 CDs because it consisted of about 2250 packages."
    problems = check_fidelity(claim, [SLINK]).problems
    assert any(p.kind == "added" and "cause" in p.detail for p in problems)


def test_invented_qualifier_is_caught() -> None:
    claim = "In the past week, Incheon Airport had to close because of the balloons."
    assert not check_fidelity(claim, [INCHEON]).supported


def test_invented_certainty_is_caught() -> None:
    claim = "North Korean soldiers definitely trained with the 103rd Airborne Brigade in Belarus."
    problems = check_fidelity(claim, [BELARUS]).problems
    assert any("certainty" in p.detail for p in problems)


def test_each_problem_names_the_claim_part() -> None:
    claim = "North Korea's Prime Minister, Choe Son-hui, has met with Putin in Moscow."
    problems = check_fidelity(claim, [CHOE]).problems
    assert [p.claim_part for p in problems] == ["Prime"]


# --- legitimate copying differences are tolerated -------------------------------------------------


@pytest.mark.parametrize(
    ("claim", "source"),
    [
        ("North Korea sent more than 1000 missiles to Russia.", MISSILES),
        ("The missile reached altitudes of 7,000 km.", ICBM),
        ("The ICBM remained airborne for about 86 minutes.", ICBM),
        ("The ICBM was airborne for around 86 minutes.", ICBM),
        ("“We are seeing many first-time buyers,” Nick Fulton told Newsweek.", GOLD),
        ("Nick Fulton said sellers are seeing many first-time [gold] buyers.", GOLD),
        (
            "North Korean soldiers were reportedly training … with the 103rd Airborne Brigade.",
            BELARUS,
        ),
        (
            "According to Kim Yong-hyun, North Korea has sent more than 1,000 missiles to Russia.",
            MISSILES,
        ),
        ("This release had 974 packages maintained by 200 developers.", HAMM),
        ("Choe Son-hui, North Korea's Foreign Minister, met with Putin in Moscow.", CHOE),
        ("Incheon Airport had to close on Wednesday because of the balloons.", INCHEON),
        ("Austin stated there was no evidence that Russia had provided ICBM technology.", AUSTIN),
        ("The Russian ships were among those sanctioned by South Korea on Thursday.", SANCTIONS),
    ],
)
def test_faithful_copies_are_supported(claim: str, source: str) -> None:
    result = check_fidelity(claim, [source])
    assert result.supported, result.problems


def test_an_exact_copy_is_supported() -> None:
    for source in (BELARUS, SANCTIONS, CHOE, INCHEON, AUSTIN, ICBM, MISSILES, GOLD, HAMM, SLINK):
        assert check_fidelity(source, [source]).supported, source


def test_a_claim_may_combine_two_cited_sentences() -> None:
    claim = "The ICBM was airborne for about 86 minutes and Austin stated there was no evidence."
    assert check_fidelity(claim, [ICBM, AUSTIN]).supported


def test_dropping_a_hedge_of_the_source_is_tolerated() -> None:
    claim = "North Korean soldiers were training in Belarus with the 103rd Airborne Brigade."
    assert check_fidelity(claim, [BELARUS]).supported


def test_a_sentence_opening_with_a_pronoun_is_recognised() -> None:
    assert starts_with_pronoun("He said the troops would arrive.")
    assert not starts_with_pronoun("Austin said the troops would arrive.")


# --- names, numbers and abbreviations that copying changes ---------------------------------------


@pytest.mark.parametrize(
    ("claim", "source"),
    [
        ("Japanese officials reported the launch.", "Officials in Japan reported the launch."),
        ("Israeli officials reported the launch.", "Officials in Israel reported the launch."),
        ("The US confirmed the figure.", "The U.S. confirmed the figure."),
        ("The fund holds 1.5 million dollars.", "The fund holds 1.5 million dollars."),
    ],
)
def test_demonyms_abbreviations_and_multipliers_are_tolerated(claim: str, source: str) -> None:
    result = check_fidelity(claim, [source])
    assert result.supported, result.problems


def test_a_country_that_merely_starts_like_another_is_caught() -> None:
    claim = "Officials in Nigeria reported the launch."
    assert "entity" in _kinds(claim, "Officials in Niger reported the launch.")


# --- pairs written after the rules, on eval/corpora/python_whatsnew (not the seeds) -------------

SWITCH = (
    "A new command-line switch, -3, enables warnings about features that will be removed in "
    "Python 3."
)
SET = "The Set class is for mutable sets, sets that can have members added and removed."
GETATTR = (
    "Many uses of __getattr__() can be rewritten to use properties instead, making the "
    "resulting code simpler and faster."
)
MAXINT = (
    "The maxint constant was removed, since there is no longer a limit to the value of integers."
)
LNOTAB = "The co_lnotab attribute of code objects is deprecated and will be removed in 3.12."


@pytest.mark.parametrize(
    ("claim", "source"),
    [
        (SWITCH.replace("enables", "disables"), SWITCH),
        (SWITCH.replace("-3", "-4"), SWITCH),
        ("The Set class is for immutable sets.", SET),
        ("Uses of __getattr__() can always be rewritten to use properties.", GETATTR),
        (MAXINT.replace("removed", "kept"), MAXINT),
        (LNOTAB.replace("3.12", "3.13"), LNOTAB),
        ("The co_lnotab attribute of code objects is not deprecated.", LNOTAB),
        ("The maxint constant was removed because integers became faster.", MAXINT),
        ("Guido announced that the maxint constant was removed.", MAXINT),
    ],
)
def test_distortions_are_caught_on_another_corpus(claim: str, source: str) -> None:
    assert not check_fidelity(claim, [source]).supported


@pytest.mark.parametrize(
    ("claim", "source"),
    [
        ("The -3 command-line switch enables warnings about features removed in Python 3.", SWITCH),
        ("The Set class is for mutable sets, whose members can be added and removed.", SET),
        (
            "Many uses of __getattr__() can be rewritten to use properties, which makes the code "
            "simpler and faster.",
            GETATTR,
        ),
        ("The maxint constant was removed since integers no longer have a limit.", MAXINT),
        ("The co_lnotab attribute is deprecated and will be removed in 3.12.", LNOTAB),
    ],
)
def test_faithful_paraphrases_are_kept_on_another_corpus(claim: str, source: str) -> None:
    result = check_fidelity(claim, [source])
    assert result.supported, result.problems
