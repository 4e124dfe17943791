"""The eval set loads, covers every kind, and bad case files fail with errors naming the problem."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from eval_fixtures import CASES_FILE

from assistant.evaluation.cases import (
    KINDS,
    EvalSetError,
    check_against_corpus,
    load_cases,
    select_cases,
)

from conftest import SEED_IDS, seed_text

GOOD = {
    "id": "x-1",
    "kind": "single",
    "question": "Who met Putin in Moscow?",
    "answerable": True,
    "gold_articles": [SEED_IDS[0]],
    "key_facts": ["Choe"],
}


def write(tmp_path: Path, *rows: object) -> Path:
    path = tmp_path / "cases.jsonl"
    path.write_text(
        "\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n",
        encoding="utf-8",
    )
    return path


def error_for(tmp_path: Path, *rows: object) -> str:
    with pytest.raises(EvalSetError) as info:
        load_cases(write(tmp_path, *rows))
    return str(info.value)


def test_the_eval_set_has_at_least_80_cases_and_8_of_every_kind() -> None:
    cases = load_cases(CASES_FILE)
    counts = Counter(c.kind for c in cases)
    assert len(cases) >= 80
    assert set(counts) == set(KINDS)
    assert min(counts.values()) >= 8


def test_every_case_is_scoreable_against_the_seed_articles() -> None:
    check_against_corpus(load_cases(CASES_FILE), {i: seed_text(i) for i in SEED_IDS})


def test_a_valid_case_loads(tmp_path: Path) -> None:
    [case] = load_cases(write(tmp_path, GOOD))
    assert (case.id, case.answerable, case.gold_articles) == ("x-1", True, (SEED_IDS[0],))


def test_broken_json_names_the_line(tmp_path: Path) -> None:
    message = error_for(tmp_path, GOOD, "{not json")
    assert "line 2" in message and "not valid JSON" in message


def test_a_missing_key_is_named(tmp_path: Path) -> None:
    row = {k: v for k, v in GOOD.items() if k != "key_facts"}
    assert "missing key(s) key_facts" in error_for(tmp_path, row)


def test_a_misspelt_key_is_rejected(tmp_path: Path) -> None:
    assert "unknown key(s) key_fact" in error_for(tmp_path, {**GOOD, "key_fact": ["x"]})


def test_an_unknown_kind_lists_the_kinds(tmp_path: Path) -> None:
    message = error_for(tmp_path, {**GOOD, "kind": "trivia"})
    assert "unknown kind 'trivia'" in message and "multi_turn" in message


def test_a_bad_regular_expression_is_named(tmp_path: Path) -> None:
    message = error_for(tmp_path, {**GOOD, "key_facts": ["Choe(", "Putin"]})
    assert "key_facts[0]" in message and "not a valid regular expression" in message


def test_duplicate_ids_are_rejected(tmp_path: Path) -> None:
    assert "duplicate id 'x-1'" in error_for(tmp_path, GOOD, GOOD)


def test_answerability_must_match_the_kind(tmp_path: Path) -> None:
    row = {**GOOD, "kind": "out_of_scope"}
    assert "must be refused" in error_for(tmp_path, row)


def test_an_answerable_case_needs_key_facts(tmp_path: Path) -> None:
    assert "at least one gold article and one key fact" in error_for(
        tmp_path, {**GOOD, "key_facts": []}
    )


def test_a_conflict_case_needs_two_sides(tmp_path: Path) -> None:
    row = {**GOOD, "kind": "conflict", "sides": [{"articles": [SEED_IDS[0]], "pattern": "x"}]}
    assert "two or more sides" in error_for(tmp_path, row)


def test_a_side_must_name_gold_articles(tmp_path: Path) -> None:
    sides = [
        {"articles": [SEED_IDS[0]], "pattern": "a"},
        {"articles": [SEED_IDS[1]], "pattern": "b"},
    ]
    row = {**GOOD, "kind": "conflict", "sides": sides}
    assert "not in gold_articles" in error_for(tmp_path, row)


def test_history_only_belongs_to_multi_turn_cases(tmp_path: Path) -> None:
    row = {**GOOD, "history": [{"role": "user", "content": "hi"}]}
    assert "only multi_turn cases have a history" in error_for(tmp_path, row)


def test_a_history_turn_needs_a_known_role(tmp_path: Path) -> None:
    row = {**GOOD, "kind": "multi_turn", "history": [{"role": "bot", "content": "hi"}]}
    assert "history[0]" in error_for(tmp_path, row)


def test_a_missing_file_says_how_to_point_elsewhere(tmp_path: Path) -> None:
    with pytest.raises(EvalSetError, match="--cases"):
        load_cases(tmp_path / "nope.jsonl")


def test_a_key_fact_no_gold_article_states_is_reported(tmp_path: Path) -> None:
    cases = load_cases(write(tmp_path, {**GOOD, "key_facts": ["Napoleon"]}))
    with pytest.raises(EvalSetError, match="in none of its gold articles"):
        check_against_corpus(cases, {i: seed_text(i) for i in SEED_IDS})


def test_a_gold_article_missing_from_the_index_is_reported(tmp_path: Path) -> None:
    cases = load_cases(write(tmp_path, GOOD))
    with pytest.raises(EvalSetError, match="not indexed"):
        check_against_corpus(cases, {})


def test_select_cases_filters_by_kind_and_limit() -> None:
    cases = load_cases(CASES_FILE)
    chosen = select_cases(cases, ["conflict", "numeric"], limit=5)
    assert len(chosen) == 5
    assert {c.kind for c in chosen} <= {"conflict", "numeric"}


def test_select_cases_rejects_an_unknown_kind() -> None:
    with pytest.raises(EvalSetError, match="unknown kind"):
        select_cases(load_cases(CASES_FILE), ["trivia"])
