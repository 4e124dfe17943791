"""The fidelity eval: scripted model answers that distort or loosely copy what they cite.

Each case of ``eval/fidelity.jsonl`` is one claim a model might write, citing one article
sentence (by sentence id, or by a passage number and a quote): a distortion of the sentence
(flipped negation, swapped figures, wrong title, person, country, day, unit or comparator,
reversed outcome, invented cause, qualifier or certainty), a faithful claim with an exact quote,
or a faithful claim with a loosely copied quote (number format, unit spelling, inflection,
approximator, dropped editorial bracket, ellipsis, speaker outside the quote). The scripted
model answers the case's question with exactly that claim, through the real chain.

Metrics: ``unsupported_shown``, claims shown whose citations do not support them (every
distortion shown as written; must be 0), and the share of exact and loose faithful claims kept
as written. A case whose sentence was not among the retrieved passages is ``not_reached``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from assistant.answer.prompts import PASSAGES_CLOSE, PASSAGES_OPEN
from assistant.answer.sentences import MARKER, strip_sentence_ids
from assistant.errors import InputError
from assistant.offline.model import OfflineChatModel
from assistant.settings import PROJECT_ROOT

FIDELITY_FILE = PROJECT_ROOT / "eval" / "fidelity.jsonl"
_HEADER = re.compile(r"^\[(\d+)\] article ", re.MULTILINE)


class FidelityCase(BaseModel):
    model_config = {"extra": "forbid"}

    id: str
    group: Literal["distortion", "exact", "loose"]
    question: str
    sentence: str  # a piece of the article sentence the claim cites
    claim: str
    quote: str | None  # None: the claim cites the sentence by its id
    note: str = ""


def load_fidelity_cases(path: Path = FIDELITY_FILE) -> list[FidelityCase]:
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            cases.append(FidelityCase.model_validate(json.loads(line)))
        except (ValueError, ValidationError) as exc:
            raise InputError(f"{path}:{number}: not a fidelity case: {exc}") from None
    return cases


def _squash(text: str) -> str:
    return " ".join(text.replace("’", "'").split())


def scripted_reply(case: FidelityCase, prompt: str) -> dict[str, Any]:
    """The ``ModelAnswer`` a model would send for ``case``, given the prompt it was shown."""
    block = prompt.split(PASSAGES_OPEN, 1)[-1].split(PASSAGES_CLOSE, 1)[0]
    needle = _squash(case.sentence)
    headers = list(_HEADER.finditer(block))
    for i, header in enumerate(headers):
        end = headers[i + 1].start() if i + 1 < len(headers) else len(block)
        body = block[header.end() : end]
        if needle not in _squash(strip_sentence_ids(body)):
            continue
        if case.quote is not None:
            claim = {"text": case.claim, "sentences": [], "passage": int(header.group(1))}
            return _answer({**claim, "quote": case.quote})
        marks = list(MARKER.finditer(body))
        for j, mark in enumerate(marks):
            stop = marks[j + 1].start() if j + 1 < len(marks) else len(body)
            if needle in _squash(body[mark.end() : stop]):
                sid = int(mark.group(1))
                return _answer({"text": case.claim, "sentences": [sid], "passage": None})
    return {"refused": True, "claims": [], "correction": None, "conflict": None}


def _answer(claim: dict[str, Any]) -> dict[str, Any]:
    return {
        "refused": False,
        "claims": [{"quote": None, **claim}],
        "correction": None,
        "conflict": None,
    }


class ScriptedCaseModel(OfflineChatModel):
    """Answers every question with one case's scripted claim (condensing stays offline)."""

    case: FidelityCase

    def answer_args(self, prompt: str) -> dict[str, Any]:
        return scripted_reply(self.case, prompt)


@dataclass(frozen=True)
class FidelityResult:
    case: FidelityCase
    reached: bool
    shown: bool  # the claim appears in the answer as written
    citations_valid: bool
    status: str


def shown_as_written(claim: str, answer_text: str) -> bool:
    return _squash(claim.rstrip(".")) in _squash(answer_text)


def judge_case(case: FidelityCase, answer: Any, reached: bool, sources: Any) -> FidelityResult:
    valid = all(sources(c.article_id)[c.start : c.end] == c.quote for c in answer.citations)
    shown = shown_as_written(case.claim, answer.answer)
    return FidelityResult(case, reached, shown, valid, answer.status)


def run_fidelity(
    fact_checker: Any, cases: Sequence[FidelityCase] | None = None
) -> list[FidelityResult]:
    """Each case through the real chain, answered by its scripted model."""
    from assistant.answer.chain import build_chain

    results = []
    for case in cases if cases is not None else load_fidelity_cases():
        model = ScriptedCaseModel(case=case)
        chain = build_chain(
            fact_checker.settings,
            fact_checker.retriever,
            model,
            fact_checker.index.article_text,
            model_name="scripted",
        )
        answer = chain.invoke({"question": case.question, "history": [], "top_k": None})
        reached = not (answer.status == "not_in_articles" and not answer.dropped)
        results.append(judge_case(case, answer, reached, fact_checker.article_text))
    return results


def fidelity_metrics(results: Sequence[FidelityResult]) -> dict[str, Any]:
    """Distortions shown (must be 0), faithful claims kept, per group, over reached cases."""

    def share(group: str) -> float | None:
        reached = [r for r in results if r.case.group == group and r.reached]
        return sum(r.shown for r in reached) / len(reached) if reached else None

    return {
        "unsupported_shown": sum(
            1 for r in results if r.case.group == "distortion" and r.reached and r.shown
        ),
        "distortions": sum(1 for r in results if r.case.group == "distortion" and r.reached),
        "exact_kept": share("exact"),
        "loose_kept": share("loose"),
        "citations_valid": all(r.citations_valid for r in results),
        "not_reached": [r.case.id for r in results if not r.reached],
    }


def fidelity_report(fact_checker: Any, *, as_json: bool = False) -> tuple[str, int]:
    """The figures as text (or JSON) and the exit code: 1 if any distortion was shown."""
    results = run_fidelity(fact_checker)
    metrics = fidelity_metrics(results)
    code = 1 if metrics["unsupported_shown"] else 0
    if as_json:
        return json.dumps(metrics, indent=2), code
    lines = [
        f"{r.case.group:10} {r.case.id:28} {'shown' if r.shown else 'not shown'}" for r in results
    ]

    def pct(value: float | None) -> str:
        return "—" if value is None else f"{100 * value:.1f}"

    lines += [
        "",
        f"claims shown that their citations do not support: {metrics['unsupported_shown']} "
        f"(of {metrics['distortions']} distortions; must be 0)",
        f"exactly quoted faithful claims kept: {pct(metrics['exact_kept'])}%",
        f"loosely quoted faithful claims kept: {pct(metrics['loose_kept'])}%",
        f"citations verbatim at their offsets: {metrics['citations_valid']}",
    ]
    if metrics["not_reached"]:
        lines.append(f"not reached (sentence not retrieved): {', '.join(metrics['not_reached'])}")
    return "\n".join(lines), code
