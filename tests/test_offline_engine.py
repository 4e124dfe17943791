"""The offline engine's general rules, on text that is not the seeds (and nothing tuned to it)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from assistant.offline.condense import needs_context
from assistant.offline.model import answer
from assistant.offline.question import COUNT, DATE, NAMED, PERSON, PLACE, analyse
from assistant.settings import PROJECT_ROOT

HISTORY = (
    "By this time, Bruce Perens had taken over leadership of the Project from Ian Murdock. "
    "Ian Murdock, the founder of the Debian Project, died in December 2015. "
    "Debian 1.1 Buzz (June 17th, 1996): This was the first Debian release with a code name. "
    "This release contained 474 packages and was maintained by 120 developers."
)
POST = (
    "Officials said the bridge reopened in the evening.\n"
    "The bridge carried 40,000 cars on its first day back. pic.twitter.com/abc123\n"
    "— City News (@citynews) May 2, 2024"
)


def _ask(question: str, text: str = HISTORY) -> str | None:
    result = answer(question, [(1, "doc_1", text)])
    return None if result.refused else " ".join(c.quote for c in result.claims)


def test_answer_type_comes_from_the_first_question_word() -> None:
    assert analyse("Which company was he working for when Buzz came out?").answer_type == NAMED
    assert analyse("When did Ian Murdock die?").answer_type == DATE
    assert analyse("Who took over after Bruce Perens?").answer_type == PERSON
    assert analyse("Where is the project based?").answer_type == PLACE
    assert analyse("How many packages did it contain?").answer_type == COUNT


def test_a_how_many_answer_counts_the_asked_thing() -> None:
    found = _ask("How many packages did Debian 1.1 Buzz contain?")
    assert found is not None and "474 packages" in found


def test_a_how_old_question_is_refused_when_only_a_date_is_given() -> None:
    assert _ask("How old was Ian Murdock when he died?") is None


def test_a_when_question_is_answered_with_a_date() -> None:
    found = _ask("When did Ian Murdock die?")
    assert found is not None and "December 2015" in found


def test_a_what_day_question_needs_more_than_the_month_it_names() -> None:
    assert _ask("On what day in December 2015 did Ian Murdock die?") is None


def test_a_sentence_about_another_named_thing_does_not_answer() -> None:
    assert _ask("How many packages did Debian 2.2 Potato contain?") is None


def test_an_embedded_post_is_quoted_as_a_post_not_as_reporting() -> None:
    result = answer("How many cars did the bridge carry on its first day?", [(1, "doc_1", POST)])
    assert not result.refused
    claim = result.claims[0]
    assert claim.text.startswith("A post quoted in the article says:")
    assert "pic.twitter.com" not in claim.quote and "40,000 cars" in claim.quote


def test_only_a_pronoun_or_an_ellipsis_makes_a_follow_up() -> None:
    assert needs_context("How far did it fly?")
    assert needs_context("What about Woody?")
    assert not needs_context("Which university's network centre burned down?")


RELEASES = (
    "Toolkit 4.0 Harbor (May 2019): named after the town where the team first met. "
    "The release was frozen in March 2019 after a long beta. "
    "This release introduced a plugin system, which allowed users to extend the editor."
)
MEETINGS = (
    "The 9th annual meeting was held in Lisbon, Portugal, in 2018. "
    "The 10th annual meeting was held in Oslo, Norway, in 2019."
)


def test_ordinal_words_and_ordinal_figures_are_one_token() -> None:
    from assistant.text import tokens

    assert tokens("the tenth meeting") == tokens("the 10th meeting") == ["10", "meet"]


def test_an_ordinal_word_finds_the_meeting_written_with_a_figure() -> None:
    found = _ask("Where was the tenth annual meeting held?", MEETINGS)
    assert found is not None and "Oslo" in found and "Lisbon" not in found


def test_this_release_comes_with_the_sentence_that_names_it() -> None:
    found = _ask("Which release introduced a plugin system?", RELEASES)
    assert found is not None and "Toolkit 4.0 Harbor" in found


def test_the_subject_after_did_is_not_the_counted_act() -> None:
    assert analyse("how many plugins did harbor have").predicate is None
    assert analyse("How many people have died in the storm?").predicate == "die"


def test_a_contracted_question_word_is_read_as_is() -> None:
    assert analyse("what's the default port").focus == analyse("what is the default port").focus


def test_how_long_is_answered_by_a_range_of_dates() -> None:
    text = "The beta ran from June 2018 to February 2019. The beta began in June 2018."
    found = _ask("How long did the beta run?", text)
    assert found is not None and "February 2019" in found


def test_what_verbed_the_thing_asks_about_that_act() -> None:
    question = analyse("What started the fire at the depot?")
    assert question.verb == "start" and question.focus == ("fire",)


def test_engine_source_has_no_words_drawn_from_the_seed_articles() -> None:
    seed_words = ["hwasong", "kremlin", "fodder", "balloon", "pyongyang", "kursk", "icbm"]
    sources = [
        *sorted((PROJECT_ROOT / "assistant" / "offline").glob("*.py")),
        PROJECT_ROOT / "assistant" / "answer" / "conflicts.py",
        PROJECT_ROOT / "assistant" / "store" / "rerank.py",
    ]
    for path in sources:
        text = Path(path).read_text(encoding="utf-8").lower()
        found = [w for w in seed_words if re.search(rf"\b{w}", text)]
        assert not found, f"{path.name} mentions {found}"


@pytest.mark.xfail(
    strict=True,
    reason="issue 10, open: passages are cut around tweet links (store boilerplate), so the "
    "engine no longer sees the marks that tell a post from reporting",
)
def test_a_post_reaches_the_answer_as_a_post_and_its_quote_verifies(tmp_path: Path) -> None:
    from assistant.factchecker import FactChecker

    from conftest import make_settings

    folder = tmp_path / "articles"
    folder.mkdir()
    body = "City bridge reopens after repairs\n\n" + POST + "\n\n" + (HISTORY + "\n") * 2
    (folder / "bridge.txt").write_text(body, encoding="utf-8")
    fc = FactChecker(make_settings(tmp_path / "store", seeds_dir=folder))
    answer = fc.ask("How many cars did the bridge carry on its first day?")
    assert not answer.refused, answer.notes
    assert answer.answer.startswith("A post quoted in the article says:")
    citation = answer.citations[0]
    assert fc.article_text("bridge")[citation.start : citation.end] == citation.quote


RELEASE_NOTES = (
    "What's New in Toolkit 4.0\n\n"
    "Author:\n\nJane Doe and Max Roe\n\n"
    "This article explains the new features in Toolkit 4.0.\n\n"
    "Faster Start-up\n\n"
    "The biggest change in Toolkit 4.0 is a start-up time cut in half by lazy imports."
)


def test_a_title_line_does_not_answer_when_a_sentence_states_the_fact() -> None:
    found = _ask("What was the biggest change in Toolkit 4.0?", RELEASE_NOTES)
    assert found is not None and "lazy imports" in found
    assert "What's New" not in found


def test_a_line_after_a_label_is_read_as_a_value_not_as_a_heading() -> None:
    from assistant.offline.select import sentences_of

    found = {s.text: s.material for s in sentences_of([(1, "doc_1", RELEASE_NOTES)])}
    assert found["Jane Doe and Max Roe"] is None
    assert found["What's New in Toolkit 4.0"] == "heading"


def test_a_heading_claim_ends_as_a_statement_of_its_own() -> None:
    result = answer("What is new in Toolkit 4.0?", [(1, "doc_1", "What's New in Toolkit 4.0")])
    assert not result.refused
    assert result.claims[0].text.endswith(".")
    assert result.claims[0].quote == "What's New in Toolkit 4.0"


def test_a_two_part_question_gets_one_sentence_per_part_from_two_articles() -> None:
    passages = [
        (1, "bridge", "The old bridge was closed in March after inspectors found cracks."),
        (2, "council", "The council said the new bridge will cost 12 million euros to build."),
    ]
    result = answer(
        "Why was the old bridge closed, and how much will the new bridge cost?", passages
    )
    assert not result.refused
    quotes = " ".join(c.quote for c in result.claims)
    assert "cracks" in quotes and "12 million euros" in quotes
    assert {c.passage for c in result.claims} == {1, 2}


def test_a_name_said_elsewhere_in_the_article_does_not_veto_the_answer() -> None:
    text = (
        "The Riverside Marathon was held on a cold Sunday morning. "
        + "Crowds lined the streets for hours. " * 25
        + "The winner crossed the line in 2 hours 9 minutes, a course record."
    )
    found = _ask("How long did the winner of the Riverside Marathon take to cross the line?", text)
    assert found is not None and "2 hours 9 minutes" in found


def test_a_seed_question_in_two_parts_is_answered_from_two_articles(fact_checker: Any) -> None:
    answer = fact_checker.ask(
        "Who is the Japanese defence minister who commented on the October ICBM test, "
        "and how long did the missile stay in the air?"
    )
    assert not answer.refused, answer.notes
    assert "Nakatani" in answer.answer and "86 minutes" in answer.answer
    assert len({c.article_id for c in answer.citations}) >= 2
