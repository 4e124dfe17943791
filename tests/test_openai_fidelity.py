"""Claims held to their sources, through the real OpenAI client against the local fake server.

Each case of eval/fidelity.jsonl is a claim a real model might write about one seed sentence,
citing it by sentence id or by passage and quote: a distortion must never be shown as written;
a faithful claim, quoted exactly or copied loosely, must be kept. The honest outcomes (an answer
that could not be verified is not "the articles do not answer"), the pronoun rule, premise
corrections, stated conflicts and the optional judge model are specified here too.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fake_openai import (  # noqa: F401 - fixtures
    API_KEY,
    FakeOpenAI,
    Reply,
    fake_server,
    invent_every_quote,
    openai_checker,
    openai_server,
)

from assistant.evaluation.fidelity import (
    FidelityCase,
    load_fidelity_cases,
    scripted_reply,
    shown_as_written,
)
from assistant.factchecker import FactChecker
from assistant.schema import Answer

from conftest import make_settings

pytestmark = pytest.mark.server

CASES = load_fidelity_cases()
BY_ID = {c.id: c for c in CASES}


def ask_scripted(fc: FactChecker, server: FakeOpenAI, case: FidelityCase) -> Answer:
    server.script(Reply(respond=lambda prompt: scripted_reply(case, prompt)))
    answer = fc.ask(case.question)
    for c in answer.citations:
        assert fc.article_text(c.article_id)[c.start : c.end] == c.quote
    return answer


def _ids(group: str) -> list[str]:
    return [c.id for c in CASES if c.group == group]


@pytest.mark.parametrize("case_id", _ids("distortion"))
def test_a_distorted_claim_is_never_shown(
    openai_fc: FactChecker,
    openai_server: FakeOpenAI,  # noqa: F811
    case_id: str,
) -> None:
    case = BY_ID[case_id]
    answer = ask_scripted(openai_fc, openai_server, case)

    assert not shown_as_written(case.claim, answer.answer)
    assert [d.text for d in answer.dropped] == [case.claim]
    assert answer.status == "partial"  # the cited sentence is shown in its place


@pytest.mark.parametrize("case_id", _ids("exact") + _ids("loose"))
def test_a_faithful_claim_is_kept_however_it_quotes(
    openai_fc: FactChecker,
    openai_server: FakeOpenAI,  # noqa: F811
    case_id: str,
) -> None:
    case = BY_ID[case_id]
    answer = ask_scripted(openai_fc, openai_server, case)

    assert shown_as_written(case.claim, answer.answer), answer.dropped
    assert answer.status == "answered" and answer.dropped == []


def test_a_citation_is_the_whole_cited_sentence(
    openai_fc: FactChecker,
    openai_server: FakeOpenAI,  # noqa: F811
) -> None:
    case = BY_ID["loose-speaker"]  # the quote leaves out the speaker; the citation does not
    answer = ask_scripted(openai_fc, openai_server, case)

    (citation,) = answer.citations
    assert citation.quote.startswith("Austin emphasized that the deployment")


def test_a_dropped_distortion_records_its_reason_and_shows_the_cited_text(
    openai_fc: FactChecker,
    openai_server: FakeOpenAI,  # noqa: F811
) -> None:
    answer = ask_scripted(openai_fc, openai_server, BY_ID["distort-swapped-figures"])

    (dropped,) = answer.dropped
    assert dropped.replaced and dropped.reason.startswith("figure:")
    assert "four Russian ships and eight North Korean individuals" in answer.answer


def test_a_sentence_id_that_was_never_shown_is_dropped(
    openai_fc: FactChecker,
    openai_server: FakeOpenAI,  # noqa: F811
) -> None:
    reply = {"refused": False, "claims": [{"text": "x y z", "sentences": [999]}]}
    openai_server.script(Reply(respond=lambda prompt: reply))

    answer = openai_fc.ask("Why did Incheon Airport have to close?")

    assert answer.status == "unverified" and answer.refused
    assert "s999" in answer.dropped[0].reason


def test_an_unverifiable_answer_is_not_called_unanswerable(
    openai_fc: FactChecker,
    openai_server: FakeOpenAI,  # noqa: F811
) -> None:
    openai_server.script(Reply(edit=invent_every_quote))

    answer = openai_fc.ask("How far did the missile fly?")

    assert answer.status == "unverified" and answer.refused
    assert "could not be verified" in answer.answer
    assert "do not answer" not in answer.answer
    assert len(answer.dropped) == answer.dropped_claims > 0


def test_a_model_refusal_says_the_articles_do_not_answer(
    openai_fc: FactChecker,
    openai_server: FakeOpenAI,  # noqa: F811
) -> None:
    openai_server.script(Reply(text=json.dumps({"refused": True, "claims": []})))

    answer = openai_fc.ask("How far did the missile fly?")

    assert answer.status == "not_in_articles"
    assert answer.answer.startswith("The articles do not answer this.")


def _pronoun_reply(prompt: str) -> dict[str, Any]:
    """Two claims: the first is invented (dropped), the second says "He" for its subject."""
    case = BY_ID["exact-austin"].model_copy(
        update={"claim": "He stated there was no evidence that Russia had provided technology."}
    )
    reply = scripted_reply(case, prompt)
    invented = {"text": "Austin met Kim.", "sentences": [], "passage": 1, "quote": "Austin met Kim"}
    return {**reply, "claims": [invented, *reply["claims"]]}


def test_a_partial_answer_does_not_open_with_a_dangling_pronoun(
    openai_fc: FactChecker,
    openai_server: FakeOpenAI,  # noqa: F811
) -> None:
    openai_server.script(Reply(respond=_pronoun_reply))

    answer = openai_fc.ask(BY_ID["exact-austin"].question)

    assert answer.status == "partial"
    assert answer.answer.startswith("Austin stated there was no evidence")


def test_a_complete_answer_keeps_the_models_own_first_sentence(
    openai_fc: FactChecker,
    openai_server: FakeOpenAI,  # noqa: F811
) -> None:
    case = BY_ID["exact-austin"]
    answer = ask_scripted(openai_fc, openai_server, case)
    assert answer.answer.startswith(case.claim.rstrip("."))


def test_a_correction_naming_a_figure_no_source_gives_is_not_shown(
    openai_fc: FactChecker,
    openai_server: FakeOpenAI,  # noqa: F811
) -> None:
    case = BY_ID["exact-airborne"]

    def respond(prompt: str) -> dict[str, Any]:
        reply = scripted_reply(case, prompt)
        return {**reply, "correction": "The ICBM flew for 120 minutes, not 86."}

    openai_server.script(Reply(respond=respond))
    answer = openai_fc.ask(case.question)

    assert "120" not in answer.answer
    assert any("correction" in n for n in answer.notes)


def test_a_stated_conflict_whose_side_was_dropped_says_so(
    openai_fc: FactChecker,
    openai_server: FakeOpenAI,  # noqa: F811
) -> None:
    case = BY_ID["distort-figure"]

    def respond(prompt: str) -> dict[str, Any]:
        return {**scripted_reply(case, prompt), "conflict": "The articles disagree on the time."}

    openai_server.script(Reply(respond=respond))
    answer = openai_fc.ask(case.question)

    assert any("a side of that disagreement could not be verified" in n for n in answer.notes)


def test_the_prompt_shows_each_sentence_with_its_id(
    openai_fc: FactChecker,
    openai_server: FakeOpenAI,  # noqa: F811
) -> None:
    openai_fc.ask("Why did Incheon Airport have to close?")

    prompt = openai_server.answer_requests()[-1].prompt
    assert "[s1] " in prompt and "[s2] " in prompt


# --- the judge model ---------------------------------------------------------------------------

JUDGED = BY_ID["exact-incheon"]
SAYS_MORE = Reply(
    text=json.dumps({"verdicts": [{"claim": 1, "supported": False, "reason": "says more"}]})
)


@pytest.fixture(scope="module")
def judged_fc(seeded_store: Path, fake_server: FakeOpenAI) -> FactChecker:  # noqa: F811
    """The OpenAI-path FactChecker with the judge model on."""
    return openai_checker(seeded_store, fake_server, answer_judge=True)


def script_judged(server: FakeOpenAI, *judge: Reply) -> None:
    """The model answers ``JUDGED`` faithfully; then the judge replies as given."""
    server.script(Reply(respond=lambda prompt: scripted_reply(JUDGED, prompt)), *judge)


def test_the_judge_drops_a_claim_it_finds_unsupported(
    judged_fc: FactChecker,
    openai_server: FakeOpenAI,  # noqa: F811
) -> None:
    script_judged(openai_server, SAYS_MORE)

    answer = judged_fc.ask(JUDGED.question)

    assert not shown_as_written(JUDGED.claim, answer.answer)
    assert answer.dropped[0].reason == "the judge model: says more"
    assert len(openai_server.answer_requests()) == 2  # the answer and one judge call


def test_the_judge_keeps_what_it_finds_supported(
    judged_fc: FactChecker,
    openai_server: FakeOpenAI,  # noqa: F811
) -> None:
    script_judged(openai_server)

    answer = judged_fc.ask(JUDGED.question)

    assert shown_as_written(JUDGED.claim, answer.answer) and answer.status == "answered"


def test_a_failing_judge_leaves_a_note_and_the_rules_verdict(
    judged_fc: FactChecker,
    openai_server: FakeOpenAI,  # noqa: F811
) -> None:
    script_judged(openai_server, Reply(status=500))

    answer = judged_fc.ask(JUDGED.question)

    assert shown_as_written(JUDGED.claim, answer.answer)
    assert any("judge model could not be asked" in n for n in answer.notes)


def test_the_offline_path_has_no_judge(seeded_store: Path) -> None:
    fc = FactChecker(make_settings(seeded_store, answer_judge=True))
    answer = fc.ask("Why did Incheon Airport have to close?")
    assert answer.status == "answered" and not answer.refused


def test_a_judged_stream_shows_the_answer_once_judged(
    judged_fc: FactChecker,
    openai_server: FakeOpenAI,  # noqa: F811
) -> None:
    script_judged(openai_server, SAYS_MORE)

    snapshots = list(judged_fc.stream(JUDGED.question))

    assert len(snapshots) == 1
    assert not shown_as_written(JUDGED.claim, snapshots[0].answer)
