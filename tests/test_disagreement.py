"""Disagreements beyond figures: yes/no answers that differ, figures that differ, and figures
about different things that do not.

Two corpora: tests/data/disagree (four short reports on an invented river flood, written for
these tests and used to calibrate the thresholds) and the seed articles.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.answer.compose import compose_answer
from assistant.answer.conflicts import find_conflicts, vague_figures
from assistant.answer.disagreement import (
    SAME_KIND,
    Reader,
    Said,
    identifiers,
    local_embed,
    negations,
    other_sides,
    question_form,
)
from assistant.answer.holders import Holder, holders, rival_holder
from assistant.factchecker import FactChecker
from assistant.schema import Answer, Claim, ModelAnswer

from conftest import make_settings

FLOOD = Path(__file__).parent / "data" / "disagree"
DAM_HOLDS = "it has not been breached and remains stable"
DAM_BREACHED = "Water poured through a breach in the Halden dam"


@pytest.fixture(scope="module")
def flood(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FactChecker]:
    store = tmp_path_factory.mktemp("flood") / "store"
    yield FactChecker(make_settings(store, seeds_dir=FLOOD))


def _articles(answer: Answer) -> set[str]:
    return {c.article_id for c in answer.citations}


# --- reading questions and sentences -------------------------------------------------------------


def test_question_form_tells_yes_no_quantity_and_other_questions_apart() -> None:
    assert question_form("Has the dam been breached?") == "yesno"
    assert question_form("How many people were evacuated?") == "quantity"
    assert question_form("What distance did the surge travel?") == "quantity"
    assert question_form("Who is the mayor of Brennick?") == "other"


def test_a_denial_is_read_from_its_negator_to_the_end_of_its_clause() -> None:
    sentence = "Officials said it has not been breached, but the road is closed."
    assert negations(sentence) == ["not been breached"]
    assert negations("The council has denied selling the land to anyone.") == [
        "denied selling the land to anyone"
    ]
    assert negations("The bridge has yet to reopen after the storm.") == [
        "yet to reopen after the storm"
    ]


def test_a_denial_of_the_asked_thing_gives_a_no() -> None:
    reader = Reader("Has the Halden dam been breached?", local_embed)
    assert reader.denies(f"Engineers inspected the Halden dam and said {DAM_HOLDS}.")


def test_a_negation_about_something_else_gives_no_no() -> None:
    reader = Reader("Has the Halden dam been breached?", local_embed)
    assert not reader.denies("Residents said they had never seen the water rise so fast.")


def test_a_quantity_question_names_what_it_counts_or_measures() -> None:
    assert Reader("How many residents were evacuated?", local_embed).nouns == ("residents",)
    assert Reader("How high did the river rise?", local_embed).units >= {"altitude"}
    assert Reader("How many minutes did the storm last?", local_embed).units == {"duration"}


def test_only_figures_of_the_asked_kind_are_compared() -> None:
    reader = Reader("How many residents were evacuated?", local_embed)
    sentence = "About 3,000 residents were evacuated as the river peaked at 6.4 meters."
    assert reader.values(sentence) == [3000.0]


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("workers", "employees", True),
        ("cars", "vehicles", True),
        ("visitors", "tourists", True),
        ("cars", "trucks", False),
        ("dollars", "euros", False),
        ("apples", "oranges", False),
    ],
)
def test_two_counted_nouns_are_one_kind_of_thing_only_when_close_in_meaning(
    a: str, b: str, same: bool
) -> None:
    vectors = local_embed([a, b])
    assert (float(vectors[0] @ vectors[1]) >= SAME_KIND) is same


def test_quantities_in_words_are_figures_too() -> None:
    found = vague_figures("nearly two million pieces of ammunition and several missiles")
    assert [(f.value, f.counted[0]) for f in found] == [(2e6, "ammunition"), (5.0, "missiles")]


def test_a_sentence_giving_both_figures_together_reconciles_them() -> None:
    quotes = [
        ("wire", "About 3,000 residents were evacuated from the valley overnight."),
        ("town", "In the town alone, 1,200 residents were moved to emergency shelters."),
        (
            "town",
            "Of the 3,000 people evacuated across the valley, about 1,200 came from the town.",
        ),
    ]
    assert find_conflicts(quotes) == []
    assert [c.kind for c in find_conflicts(quotes[:2])] == ["residents"]


# --- answers on the flood corpus (not the seeds) -------------------------------------------------


def test_a_yes_no_disagreement_is_flagged_with_both_articles_cited(flood: FactChecker) -> None:
    answer = flood.ask("Has the Halden dam been breached?")
    assert DAM_HOLDS in answer.answer and DAM_BREACHED in answer.answer
    [conflict] = answer.conflicts
    assert conflict.kind == "yesno" and len(conflict.sides) == 2
    assert sorted(conflict.values) == ["no", "yes"]
    assert any("disagree" in note for note in answer.notes)


def test_figures_for_a_town_and_its_valley_are_no_disagreement_and_the_reconciling_sentence_is_shown(
    flood: FactChecker,
) -> None:
    answer = flood.ask("How many residents were evacuated?")
    assert "Of the 3,000 people evacuated across the Tarnholm valley" in answer.answer
    assert answer.conflicts == []


def test_articles_giving_different_figures_for_one_thing_are_both_shown(
    flood: FactChecker,
) -> None:
    answer = flood.ask("How many people were evacuated from the valley?")
    assert re.search(r"3,000", answer.answer) and re.search(r"4,500", answer.answer)
    assert [c.kind for c in answer.conflicts] == ["figures"]


def test_articles_that_agree_on_a_figure_add_nothing(flood: FactChecker) -> None:
    answer = flood.ask("How high did the Corvel River rise?")
    assert len(_articles(answer)) == 1 and answer.conflicts == []


def test_a_model_answer_citing_one_side_gets_the_other_side_added(flood: FactChecker) -> None:
    """The OpenAI path composes its verified claims through the same step."""
    question = "Has the Halden dam been breached?"
    passages = [h.passage for h in flood.retriever.search(question, 6)]
    texts = {p.version: flood.index.article_text(p.version) or "" for p in passages}
    number = next(i for i, p in enumerate(passages, 1) if DAM_HOLDS in p.text)
    reply = ModelAnswer(
        refused=False,
        claims=[Claim(text=f"Engineers said {DAM_HOLDS}.", passage=number, quote=DAM_HOLDS)],
    )
    answer = compose_answer(question, reply, passages, texts)
    assert DAM_BREACHED in answer.answer
    assert [c.kind for c in answer.conflicts] == ["yesno"]


# --- answers on the seeds ------------------------------------------------------------------------


def test_seed_articles_disagreeing_on_whether_troops_have_fought_are_both_cited(
    fact_checker: FactChecker,
) -> None:
    answer = fact_checker.ask("Have North Korean troops already fought against Ukrainian forces?")
    [conflict] = [c for c in answer.conflicts if c.kind == "yesno"]
    sides = [{answer.citations[i - 1].article_id for i in side} for side in conflict.sides]
    assert len(sides) == 2 and not sides[0] & sides[1]


def test_a_seed_question_one_article_answers_gets_no_other_article(
    fact_checker: FactChecker,
) -> None:
    answer = fact_checker.ask("How many minutes was the ICBM airborne according to Japan?")
    assert len(_articles(answer)) == 1 and answer.conflicts == []


def test_a_figure_for_another_release_is_not_taken_for_a_rival() -> None:
    question = "How many packages did Debian 1.1 contain?"
    shown = [Said("a", "Debian 1.1 contained 474 packages.", "Debian 1.1 contained 474 packages.")]
    other = Said("b", "Debian 2.0 contained 1500 packages.", "Debian 2.0 contained 1500 packages.")
    same = Said("c", "Debian 1.1 shipped 500 packages.", "Debian 1.1 shipped 500 packages.")
    names = identifiers(question, [s.context for s in (*shown, other, same)])
    assert names == ["1.1"]
    assert other_sides(question, shown, [other], local_embed, names) == []
    assert other_sides(question, shown, [same], local_embed, names) == [0]


# --- who holds an office -------------------------------------------------------------------------

NORLAND_Q = "Who is Norland's Finance Minister?"


def test_a_title_is_read_with_its_qualifier_and_its_holder() -> None:
    assert holders("Norland's Finance Minister Clara Weiss said the budget was balanced.") == [
        Holder("Norland Finance", "Minister", "Clara Weiss")
    ]
    assert holders("Secretary of State for Health Ola Berg arrived on Monday.") == [
        Holder("", "Secretary of State for Health", "Ola Berg")
    ]


def test_another_holder_of_the_asked_office_is_a_rival() -> None:
    shown = ["Norland's Finance Minister Clara Weiss said the budget was balanced."]
    assert rival_holder(NORLAND_Q, shown, "Finance Minister Jon Aas of Norland disagreed.")


def test_the_same_office_in_another_country_is_no_rival() -> None:
    shown = ["Norland's Finance Minister Clara Weiss said the budget was balanced."]
    assert not rival_holder(NORLAND_Q, shown, "Ostmark's Finance Minister Jan Berg disagreed.")


def test_another_office_of_the_same_country_is_no_rival() -> None:
    shown = ["Norland's Finance Minister Clara Weiss said the budget was balanced."]
    assert not rival_holder(NORLAND_Q, shown, "Norland's Health Minister Jan Berg disagreed.")


def test_a_former_holder_is_no_rival() -> None:
    shown = ["Norland's Finance Minister Clara Weiss said the budget was balanced."]
    assert not rival_holder(NORLAND_Q, shown, "The former Finance Minister Jon Aas disagreed.")


def test_seed_articles_naming_different_secretaries_of_state_are_both_cited(
    fact_checker: FactChecker,
) -> None:
    answer = fact_checker.ask(
        "Who is the US Secretary of State quoted in the coverage of North Korea's troops?"
    )
    [conflict] = [c for c in answer.conflicts if c.kind == "names"]
    assert sorted(conflict.values) == ["Antony Blinken", "Lloyd Austin"]


def test_the_ui_names_a_yes_no_disagreement_as_one() -> None:
    from assistant.schema import Citation, Conflict
    from assistant.ui import render

    citations = [
        Citation(id=i, article_id=f"a{i}", title=f"Report {i}", quote="q", start=0, end=1)
        for i in (1, 2)
    ]
    conflict = Conflict(
        topic="Has the Halden dam been breached",
        citation_ids=[1, 2],
        values=["yes", "no"],
        sides=[[1], [2]],
        kind="yesno",
    )
    html = render.conflicts_html([conflict], citations)
    assert "Sources disagree: Has the Halden dam been breached?" in html
    assert "different figures" not in html
