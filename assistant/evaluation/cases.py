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
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictStr,
    ValidationError,
    model_validator,
)

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


class EvalSetError(InputError):
    """The eval set (or a filter on it) cannot be used as given."""


def _non_empty(value: str) -> str:
    if not value.strip():
        raise ValueError("must be a non-empty string")
    return value.strip()


def _regex(pattern: str) -> str:
    try:
        re.compile(pattern, re.I)
    except re.error as exc:
        raise ValueError(f"{pattern!r} is not a valid regular expression ({exc})") from None
    return pattern


def one_of(what: str, choices: Sequence[str]) -> AfterValidator:
    """A check that a value is one of ``choices``; the error lists them."""

    def check(value: str) -> str:
        if value not in choices:
            raise ValueError(f"unknown {what} {value!r} (one of: {', '.join(choices)})")
        return value

    return AfterValidator(check)


Text = Annotated[StrictStr, AfterValidator(_non_empty)]
Regex = Annotated[Text, AfterValidator(_regex)]


class StrictModel(BaseModel):
    """Frozen, and no keys beyond the declared ones: a misspelt key is an error, not ignored."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Turn(StrictModel):
    role: Literal["user", "assistant"]
    content: Text


class Side(StrictModel):
    """One side of a disagreement: the articles that state it and the pattern of its value."""

    articles: tuple[Text, ...] = Field(min_length=1)
    pattern: Regex


class Case(StrictModel):
    id: Text
    kind: Annotated[Text, one_of("kind", KINDS)]
    question: Text
    answerable: StrictBool
    gold_articles: tuple[Text, ...]
    key_facts: tuple[Regex, ...]
    history: tuple[Turn, ...] = ()
    sides: tuple[Side, ...] = ()
    note: StrictStr = ""

    @model_validator(mode="after")
    def _consistent(self) -> Case:
        """The rules between fields: answerability, gold and facts, history and sides by kind."""
        kind, answerable, gold = self.kind, self.answerable, self.gold_articles
        if kind in ANSWERABLE_KINDS and not answerable:
            raise ValueError(f"{kind} cases are answerable; set answerable to true")
        if kind in UNANSWERABLE_KINDS and answerable:
            raise ValueError(f"{kind} cases must be refused; set answerable to false")
        if answerable and (not gold or not self.key_facts):
            raise ValueError("an answerable case needs at least one gold article and one key fact")
        if not answerable and (gold or self.key_facts):
            raise ValueError(
                "an unanswerable case has no gold articles or key facts; leave both empty"
            )
        if kind == "multi_article" and len(set(gold)) < 2:
            raise ValueError("a multi_article case needs two or more gold articles")
        if (kind == "multi_turn") != bool(self.history):
            raise ValueError(
                "a multi_turn case needs a history of earlier turns"
                if kind == "multi_turn"
                else "only multi_turn cases have a history"
            )
        if kind != "conflict" and self.sides:
            raise ValueError("only conflict cases have sides")
        if kind == "conflict" and len(self.sides) < 2:
            raise ValueError("a conflict case needs 'sides': two or more sides of the disagreement")
        for i, side in enumerate(self.sides):
            outside = [a for a in side.articles if a not in gold]
            if outside:
                raise ValueError(
                    f"sides[{i}] names {', '.join(outside)}, which is not in gold_articles"
                )
        return self

    def history_messages(self) -> list[dict[str, str]]:
        return [turn.model_dump() for turn in self.history]

    def to_json(self) -> dict[str, Any]:
        """The case as its line in the eval set (optional keys only when set)."""
        return self.model_dump(mode="json", exclude_defaults=True)


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


M = TypeVar("M", bound=BaseModel)


def load_models(path: Path, model: type[M], noun: str, missing: str) -> list[M]:
    """Every line of a JSON-lines file as ``model`` (a ``noun``), ids unique; errors name the line."""
    items: list[M] = []
    seen: dict[str, int] = {}
    for where, number, data in json_lines(path, missing):
        item = parse_model(model, data, where, noun)
        item_id = str(item.id)
        if item_id in seen:
            raise EvalSetError(
                f"{where}: duplicate id {item_id!r} (first used on line {seen[item_id]})"
            )
        seen[item_id] = number
        items.append(item)
    if not items:
        raise EvalSetError(f"{path}: no {noun}s (expected one JSON object per line)")
    return items


def parse_model(model: type[M], data: Any, where: str, noun: str) -> M:
    """``data`` as ``model``; the first problem becomes one line naming ``where`` and the id."""
    if not isinstance(data, dict):
        raise EvalSetError(f"{where}: expected a JSON object, got {type(data).__name__}")
    if isinstance(data.get("id"), str) and data["id"].strip():
        where = f"{where} ({noun} {data['id'].strip()})"
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise EvalSetError(f"{where}: {_first_problem(exc, model)}") from None


def _first_problem(exc: ValidationError, model: type[BaseModel]) -> str:
    errors = exc.errors()
    missing = [_where(e["loc"]) for e in errors if e["type"] == "missing"]
    if missing:
        return f"missing key(s) {', '.join(missing)}"
    unknown = [_where(e["loc"]) for e in errors if e["type"] == "extra_forbidden"]
    if unknown:
        allowed = ", ".join(model.model_fields)
        return f"unknown key(s) {', '.join(unknown)} (allowed: {allowed})"
    first = errors[0]
    message = str(first["msg"]).removeprefix("Value error, ")
    where = _where(first["loc"])
    return f"{where}: {message}" if where else message


def _where(loc: tuple[int | str, ...]) -> str:
    """``("sides", 0, "pattern")`` as ``sides[0].pattern``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def load_cases(path: Path | str) -> list[Case]:
    """Read and validate the eval set; raises ``EvalSetError`` naming the first bad line."""
    path = Path(path)
    missing = f"eval set {path} not found (pass --cases PATH to use another file)"
    return load_models(path, Case, "case", missing)


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
