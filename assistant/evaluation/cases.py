"""The eval set: one JSON object per line of ``eval/cases.jsonl``, checked before anything runs.

A wrong case silently skews every figure computed from it, so loading is strict: unknown keys
(typos), bad regular expressions, answerability that contradicts the kind, and conflict cases
without two sides are all errors naming the line and the case. ``check_against_corpus`` then
confirms every case can be scored against the articles actually indexed: each gold article
exists, and each key fact and each conflict side is really stated in its articles.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import InputError

KINDS: tuple[str, ...] = (
    "single",
    "multi_article",
    "numeric",
    "conflict",
    "false_premise",
    "out_of_scope",
    "near_miss",
    "injection",
    "multi_turn",
)
# Kinds whose answerability is fixed by definition; multi_turn cases may be either.
ANSWERABLE_KINDS = frozenset({"single", "multi_article", "numeric", "conflict", "false_premise"})
UNANSWERABLE_KINDS = frozenset({"out_of_scope", "near_miss", "injection"})

_REQUIRED = ("id", "kind", "question", "answerable", "gold_articles", "key_facts")
_OPTIONAL = ("history", "sides", "note")
_ROLES = frozenset({"user", "assistant"})


class EvalSetError(InputError):
    """The eval set (or a filter on it) cannot be used as given."""


@dataclass(frozen=True)
class Side:
    """One side of a disagreement: the articles that state it and the pattern of its value."""

    articles: tuple[str, ...]
    pattern: str


@dataclass(frozen=True)
class Case:
    id: str
    kind: str
    question: str
    answerable: bool
    gold_articles: tuple[str, ...]
    key_facts: tuple[str, ...]
    history: tuple[tuple[str, str], ...] = ()
    sides: tuple[Side, ...] = ()
    note: str = ""
    line: int = field(default=0, compare=False)

    def history_messages(self) -> list[dict[str, str]]:
        return [{"role": role, "content": content} for role, content in self.history]

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind,
            "question": self.question,
            "answerable": self.answerable,
            "gold_articles": list(self.gold_articles),
            "key_facts": list(self.key_facts),
        }
        if self.history:
            data["history"] = self.history_messages()
        if self.sides:
            data["sides"] = [
                {"articles": list(s.articles), "pattern": s.pattern} for s in self.sides
            ]
        if self.note:
            data["note"] = self.note
        return data


def json_lines(path: Path, missing: str) -> Iterator[tuple[str, int, Any]]:
    """``(where, line number, object)`` for each non-blank line of a JSON-lines file.

    ``missing`` is the message for an absent file; bad bytes and bad JSON are errors naming
    the line, so every eval file fails the same clear way.
    """
    if not path.is_file():
        raise EvalSetError(missing)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise EvalSetError(f"{path}: not UTF-8 text (bad byte at offset {exc.start})") from None
    for number, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        where = f"{path} line {number}"
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise EvalSetError(
                f"{where}: not valid JSON ({exc.msg} at column {exc.colno})"
            ) from None
        yield where, number, data


def load_cases(path: Path | str) -> list[Case]:
    """Read and validate the eval set; raises ``EvalSetError`` naming the first bad line."""
    path = Path(path)
    missing = f"eval set {path} not found (pass --cases PATH to use another file)"
    cases: list[Case] = []
    seen: dict[str, int] = {}
    for where, number, data in json_lines(path, missing):
        case = parse_case(data, where, number)
        if case.id in seen:
            raise EvalSetError(
                f"{where}: duplicate id {case.id!r} (first used on line {seen[case.id]})"
            )
        seen[case.id] = number
        cases.append(case)
    if not cases:
        raise EvalSetError(f"{path}: no cases (expected one JSON object per line)")
    return cases


def parse_case(data: Any, where: str = "case", line: int = 0) -> Case:
    """One case from its JSON object; every problem is reported with ``where`` and the case id."""
    if not isinstance(data, dict):
        raise EvalSetError(f"{where}: expected a JSON object, got {type(data).__name__}")
    if isinstance(data.get("id"), str) and data["id"].strip():
        where = f"{where} (case {data['id']})"
    missing = [k for k in _REQUIRED if k not in data]
    if missing:
        raise EvalSetError(f"{where}: missing key(s) {', '.join(missing)}")
    unknown = sorted(set(data) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        allowed = ", ".join((*_REQUIRED, *_OPTIONAL))
        raise EvalSetError(f"{where}: unknown key(s) {', '.join(unknown)} (allowed: {allowed})")

    case_id = _text(data["id"], "id", where)
    kind = _text(data["kind"], "kind", where)
    if kind not in KINDS:
        raise EvalSetError(f"{where}: unknown kind {kind!r} (one of: {', '.join(KINDS)})")
    question = _text(data["question"], "question", where)
    answerable = data["answerable"]
    if not isinstance(answerable, bool):
        raise EvalSetError(f"{where}: answerable must be true or false, got {answerable!r}")
    if kind in ANSWERABLE_KINDS and not answerable:
        raise EvalSetError(f"{where}: {kind} cases are answerable; set answerable to true")
    if kind in UNANSWERABLE_KINDS and answerable:
        raise EvalSetError(f"{where}: {kind} cases must be refused; set answerable to false")
    gold = tuple(_text_list(data["gold_articles"], "gold_articles", where))
    facts = tuple(_text_list(data["key_facts"], "key_facts", where))
    for i, pattern in enumerate(facts):
        _check_regex(pattern, f"key_facts[{i}]", where)
    if answerable and (not gold or not facts):
        raise EvalSetError(
            f"{where}: an answerable case needs at least one gold article and one key fact"
        )
    if not answerable and (gold or facts):
        raise EvalSetError(
            f"{where}: an unanswerable case has no gold articles or key facts; leave both empty"
        )
    if kind == "multi_article" and len(set(gold)) < 2:
        raise EvalSetError(f"{where}: a multi_article case needs two or more gold articles")

    history = _history(data.get("history"), kind, where)
    sides = _sides(data.get("sides"), kind, gold, where)
    note = data.get("note") or ""
    if not isinstance(note, str):
        raise EvalSetError(f"{where}: note must be a string")
    return Case(
        id=case_id,
        kind=kind,
        question=question,
        answerable=answerable,
        gold_articles=gold,
        key_facts=facts,
        history=history,
        sides=sides,
        note=note,
        line=line,
    )


def _text(value: Any, key: str, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise EvalSetError(f"{where}: {key} must be a non-empty string")
    return value.strip()


def _text_list(value: Any, key: str, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise EvalSetError(f"{where}: {key} must be a list of non-empty strings")
    return [v.strip() for v in value]


def _check_regex(pattern: str, key: str, where: str) -> None:
    try:
        re.compile(pattern, re.I)
    except re.error as exc:
        raise EvalSetError(
            f"{where}: {key} {pattern!r} is not a valid regular expression ({exc})"
        ) from None


def _history(value: Any, kind: str, where: str) -> tuple[tuple[str, str], ...]:
    if value is None:
        if kind == "multi_turn":
            raise EvalSetError(f"{where}: a multi_turn case needs a history of earlier turns")
        return ()
    if kind != "multi_turn":
        raise EvalSetError(f"{where}: only multi_turn cases have a history")
    if not isinstance(value, list) or not value:
        raise EvalSetError(f"{where}: history must be a non-empty list of {{role, content}}")
    turns = []
    for i, turn in enumerate(value):
        if (
            not isinstance(turn, dict)
            or turn.get("role") not in _ROLES
            or not isinstance(turn.get("content"), str)
            or not turn["content"].strip()
        ):
            raise EvalSetError(
                f"{where}: history[{i}] must be {{'role': 'user'|'assistant', 'content': text}}"
            )
        turns.append((turn["role"], turn["content"]))
    return tuple(turns)


def _sides(value: Any, kind: str, gold: Sequence[str], where: str) -> tuple[Side, ...]:
    if value is None:
        if kind == "conflict":
            raise EvalSetError(f"{where}: a conflict case needs 'sides' (two or more)")
        return ()
    if kind != "conflict":
        raise EvalSetError(f"{where}: only conflict cases have sides")
    if not isinstance(value, list) or len(value) < 2:
        raise EvalSetError(f"{where}: sides must list two or more sides of the disagreement")
    sides = []
    for i, side in enumerate(value):
        if not isinstance(side, dict) or set(side) != {"articles", "pattern"}:
            raise EvalSetError(f"{where}: sides[{i}] must be {{'articles': [...], 'pattern': ...}}")
        articles = _text_list(side["articles"], f"sides[{i}].articles", where)
        if not articles:
            raise EvalSetError(f"{where}: sides[{i}].articles is empty")
        outside = [a for a in articles if a not in gold]
        if outside:
            raise EvalSetError(
                f"{where}: sides[{i}] names {', '.join(outside)}, which is not in gold_articles"
            )
        pattern = _text(side["pattern"], f"sides[{i}].pattern", where)
        _check_regex(pattern, f"sides[{i}].pattern", where)
        sides.append(Side(tuple(articles), pattern))
    return tuple(sides)


def select_cases(
    cases: Sequence[Case], kinds: Iterable[str] | None = None, limit: int | None = None
) -> list[Case]:
    """The cases of the given kinds (all when None), at most ``limit`` of them, in file order."""
    chosen = list(cases)
    if kinds is not None:
        wanted = [k.strip() for k in kinds if k.strip()]
        unknown = [k for k in wanted if k not in KINDS]
        if unknown:
            raise EvalSetError(
                f"unknown kind(s) {', '.join(unknown)} (choose from: {', '.join(KINDS)})"
            )
        chosen = [c for c in chosen if c.kind in wanted]
    if limit is not None:
        if limit < 1:
            raise EvalSetError(f"--limit must be at least 1, got {limit}")
        chosen = chosen[:limit]
    if not chosen:
        raise EvalSetError("no case matches the chosen kinds")
    return chosen


def check_against_corpus(cases: Iterable[Case], texts: Mapping[str, str]) -> None:
    """Raise ``EvalSetError`` if a case cannot be scored against these articles.

    A gold article missing from the index (a different store, an article removed) or a key fact
    no gold article states would make the case unpassable for any model, so it is an error.
    """
    problems: list[str] = []
    for case in cases:
        absent = [a for a in case.gold_articles if a not in texts]
        if absent:
            problems.append(
                f"case {case.id}: gold article(s) {', '.join(absent)} are not indexed "
                "(run `assistant ingest` on the seed articles)"
            )
            continue
        for pattern in case.key_facts:
            if not any(re.search(pattern, texts[a], re.I) for a in case.gold_articles):
                problems.append(
                    f"case {case.id}: key fact {pattern!r} is in none of its gold articles"
                )
        for side in case.sides:
            for article in side.articles:
                if not re.search(side.pattern, texts[article], re.I):
                    problems.append(
                        f"case {case.id}: side pattern {side.pattern!r} is not in {article}"
                    )
    if problems:
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise EvalSetError("; ".join(problems[:5]) + more)
