"""A question that stands alone is answered as if asked fresh, in the API, the CLI and the UI;
only a real follow-up (a pronoun pointing back) is rewritten, into a natural question."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from gradio_client import Client
from ui_fixtures import running_app

from assistant.cli import main
from assistant.factchecker import FactChecker

pytestmark = [
    pytest.mark.filterwarnings("ignore:.*no_silent_downcasting"),
    pytest.mark.filterwarnings("ignore:.*copy keyword is deprecated"),
]

FIRST = "When did North Korea launch the ICBM?"
STANDALONE = "Why did Incheon Airport close?"
FOLLOW_UP = "How far did it fly?"


@pytest.fixture(scope="module")
def first_answer(fact_checker: FactChecker) -> str:
    return fact_checker.ask(FIRST).answer


def test_a_standalone_question_after_another_gets_its_fresh_answer(
    fact_checker: FactChecker, first_answer: str
) -> None:
    alone = fact_checker.ask(STANDALONE)
    after = fact_checker.ask(STANDALONE, [("user", FIRST), ("assistant", first_answer)])
    assert not alone.refused
    assert after.answer == alone.answer
    assert after.standalone_question is None


def test_a_follow_up_is_rewritten_into_a_natural_question(
    fact_checker: FactChecker, first_answer: str
) -> None:
    history = [
        ("user", "Which new ICBM did North Korea test?"),
        ("assistant", "The Hwasong-19 [1]."),
    ]
    answer = fact_checker.ask(FOLLOW_UP, history)
    assert answer.standalone_question == "How far did Hwasong-19 fly?"
    assert "[context" not in answer.standalone_question


def test_chat_in_the_terminal_answers_a_standalone_second_question_afresh(
    seeded_store: Path, fact_checker: FactChecker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSISTANT_VECTORSTORE_DIR", str(seeded_store))
    result = CliRunner().invoke(main, ["chat"], input=f"{FIRST}\n{STANDALONE}\n/quit\n")
    assert result.exit_code == 0, result.output
    second = result.output.split("you> ")[2]
    expected = fact_checker.ask(STANDALONE).answer
    assert expected.split(" [1]")[0] in " ".join(second.split())


@pytest.fixture(scope="module")
def client(fact_checker: FactChecker) -> Iterator[Client]:
    with running_app(fact_checker) as address:
        yield Client(address, verbose=False)


def test_the_ui_answers_a_standalone_second_question_afresh(
    client: Client, fact_checker: FactChecker, first_answer: str
) -> None:
    history = [{"role": "user", "content": FIRST}, {"role": "assistant", "content": first_answer}]
    result = client.predict(question=STANDALONE, history=history, api_name="/ask")
    assert result["answer"] == fact_checker.ask(STANDALONE).answer
    assert result["standalone_question"] is None
