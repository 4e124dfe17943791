"""The offline answer model reads the real prompt and returns structured, extractive answers."""

from __future__ import annotations

from langchain_core.messages import HumanMessage

from assistant.answer.prompts import format_passages
from assistant.offline.model import OfflineChatModel, answer, condense, parse_prompt
from assistant.schema import ModelAnswer
from assistant.store.splitting import Passage

TEXT = (
    "Seoul's military reported that about 70 balloons had landed by Thursday morning. "
    "Incheon Airport, Seoul's main hub, had to close on Wednesday because of the balloons."
)
PASSAGE = Passage("004_x", "Flash Balloons", 0, len(TEXT), TEXT, 0, "004_x@v")


def _prompt(question: str) -> str:
    return f"<passages>\n{format_passages([PASSAGE])}\n</passages>\n\nQuestion: {question}"


def test_prompt_is_parsed_back_into_question_and_numbered_passages() -> None:
    question, passages = parse_prompt(_prompt("Why did the airport close?"))
    assert question == "Why did the airport close?"
    assert passages == [(1, "004_x", TEXT)]


def test_answers_with_the_best_supported_sentence_as_a_verbatim_quote() -> None:
    result = answer(*parse_prompt(_prompt("Why did Incheon Airport close?")))
    assert not result.refused
    assert result.claims[0].quote.startswith("Incheon Airport")
    assert result.claims[0].quote in TEXT and result.claims[0].passage == 1


def test_a_how_many_question_needs_a_figure() -> None:
    result = answer(*parse_prompt(_prompt("How many balloons landed?")))
    assert "70 balloons" in result.claims[0].quote


def test_refuses_when_a_key_term_is_missing_from_every_passage() -> None:
    assert answer(*parse_prompt(_prompt("What was the airport's passenger count?"))).refused


def test_refuses_without_passages() -> None:
    assert answer("Why did the airport close?", []).refused


def test_structured_output_comes_back_through_tool_calls() -> None:
    structured = OfflineChatModel().with_structured_output(ModelAnswer)
    result = structured.invoke([HumanMessage(_prompt("Why did Incheon Airport close?"))])
    assert isinstance(result, ModelAnswer) and result.claims


def test_condense_leaves_a_standalone_question_as_asked() -> None:
    prompt = (
        "<conversation>\nuser: When did the airport close?\n"
        "assistant: On Wednesday [1].\n</conversation>\n\n"
        "Latest question: How many balloons landed by Thursday morning?"
    )
    assert condense(prompt) == "How many balloons landed by Thursday morning?"


def test_condense_replaces_a_pronoun_with_what_the_answer_named() -> None:
    prompt = (
        "<conversation>\nuser: Which release introduced apt?\n"
        "assistant: Debian 2.1 Slink, released in March 1999 [1].\n</conversation>\n\n"
        "Latest question: How many packages did it have?"
    )
    assert condense(prompt) == "How many packages did Debian 2.1 Slink have?"


def test_condense_reads_he_as_the_person_just_named() -> None:
    prompt = (
        "<conversation>\nuser: Who was the second leader?\n"
        "assistant: Bruce Perens, from April 1996 [1].\n</conversation>\n\n"
        "Latest question: Where was he working then?"
    )
    assert condense(prompt) == "Where was Bruce Perens working then?"
