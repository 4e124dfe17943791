"""Running the eval set through a ``FactChecker``: timing, the model's raw claims, and scoring.

The judge rechecks citations against the article *files* (``load_sources``), not the index the
assistant answers from, so a bug in the assistant's own verifier cannot vouch for itself. Each
call is wrapped in LangChain's run collector to read the model's structured answer before
verification: how many claims it proposed, of which the answer kept ``n - dropped_claims``.
"""

from __future__ import annotations

import hashlib
import subprocess
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from assistant.errors import InputError
from assistant.evaluation.cases import KINDS, Case, EvalSetError
from assistant.evaluation.metrics import CaseScores, aggregate, score_case
from assistant.messages import known_error
from assistant.schema import Answer

if TYPE_CHECKING:
    from rich.console import Console

    from assistant.factchecker import FactChecker

SCHEMA_VERSION = 1
# The ALCE paper's figures for ChatGPT on ASQA (vanilla prompting), for context in reports.
ALCE_REFERENCE = {
    "label": "ALCE, ChatGPT on ASQA (Gao et al. 2023)",
    "citation_recall": 0.736,
    "citation_precision": 0.725,
}


@dataclass
class CaseResult:
    case: Case
    answer: Answer | None
    scores: CaseScores

    def to_json(self) -> dict[str, Any]:
        a = self.answer
        data = self.case.to_json()
        data.update(
            {
                "answer": a.answer if a else None,
                "refused": a.refused if a else None,
                "citations": [c.model_dump() for c in a.citations] if a else [],
                "conflicts": [c.model_dump() for c in a.conflicts] if a else [],
                "passages": [p.model_dump() for p in a.passages] if a else [],
                "standalone_question": a.standalone_question if a else None,
                "notes": a.notes if a else [],
                "dropped_claims": a.dropped_claims if a else None,
                "usage": a.usage.model_dump() if a else None,
                "model": a.model if a else None,
                "scores": self.scores.to_json(),
            }
        )
        return data


@dataclass
class EvalRun:
    """A finished run: its results and what it was run with."""

    model: str
    top_k: int
    cases_file: str
    cases_sha256: str
    results: list[CaseResult]
    started_at: str
    duration_s: float
    kinds: list[str] | None = None
    limit: int | None = None
    complete: bool = True  # every case of the set was run (no --kinds/--limit)
    git_commit: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        scores = [r.scores for r in self.results]
        by_kind = {
            kind: aggregate([r.scores for r in self.results if r.case.kind == kind])
            for kind in KINDS
            if any(r.case.kind == kind for r in self.results)
        }
        usage = [r.answer.usage.total_tokens for r in self.results if r.answer]
        return {
            "schema_version": SCHEMA_VERSION,
            "model": self.model,
            "top_k": self.top_k,
            "cases_file": self.cases_file,
            "cases_sha256": self.cases_sha256,
            "started_at": self.started_at,
            "duration_s": round(self.duration_s, 3),
            "git_commit": self.git_commit,
            "selection": {"kinds": self.kinds, "limit": self.limit, "complete": self.complete},
            "overall": aggregate(scores),
            "by_kind": by_kind,
            "total_tokens": sum(usage),
            "failed_cases": [r.case.id for r in self.results if not r.scores.passed],
            "reference": ALCE_REFERENCE,
            **self.extra,
        }


def load_sources(fc: FactChecker) -> dict[str, str]:
    """Each indexed article's text, read from its file, for the independent quote check.

    The file must still be what was indexed: otherwise offsets could not be compared, and the
    run would blame the model for a stale index.
    """
    texts: dict[str, str] = {}
    for entry in fc.articles():
        path = Path(entry.path)
        if not path.is_file():
            fallback = [fc.settings.seeds_dir / f"{entry.article_id}{s}" for s in (".txt", ".md")]
            path = next((p for p in fallback if p.is_file()), path)
        if not path.is_file():
            raise EvalSetError(
                f"the file of article {entry.article_id} ({entry.path}) is missing; the eval "
                "rechecks every quote against the article files"
            )
        text = path.read_bytes().decode("utf-8", errors="replace").removeprefix("\ufeff")
        if text != fc.article_text(entry.article_id):
            raise EvalSetError(
                f"article {entry.article_id} changed on disk since it was indexed ({path}); run "
                "`assistant ingest` first"
            )
        texts[entry.article_id] = text
    if not texts:
        raise EvalSetError("the index has no articles; run `assistant ingest` first")
    return texts


def proposed_claims(runs: Iterable[Any]) -> int | None:
    """Claims in the model's structured answer, from the collected runs; None if not called."""
    stack = list(runs)
    while stack:
        run = stack.pop(0)
        outputs = getattr(run, "outputs", None)
        if isinstance(outputs, dict) and "parsed" in outputs and "raw" in outputs:
            parsed = outputs["parsed"]
            if isinstance(parsed, BaseModel):
                parsed = parsed.model_dump()
            if not isinstance(parsed, dict):
                return 0  # the reply did not parse: no usable claim
            if parsed.get("refused"):
                return 0
            return len(parsed.get("claims") or [])
        stack.extend(getattr(run, "child_runs", None) or [])
    return None


def ask_case(
    fc: FactChecker, case: Case, *, top_k: int | None = None, model: str | None = None
) -> tuple[Answer, float, int | None]:
    """The answer to one case, the seconds it took, and the number of claims the model made."""
    from langchain_core.tracers.context import collect_runs

    history = case.history_messages() or None
    with collect_runs() as collector:
        start = time.perf_counter()
        answer = fc.ask(case.question, history, top_k=top_k, model=model)
        elapsed = time.perf_counter() - start
    return answer, elapsed, proposed_claims(collector.traced_runs)


def run_eval(
    fc: FactChecker,
    cases: Sequence[Case],
    *,
    sources: dict[str, str] | None = None,
    top_k: int | None = None,
    model: str | None = None,
    console: Console | None = None,
    progress: bool = True,
    cases_file: Path | str = "",
    kinds: list[str] | None = None,
    limit: int | None = None,
    complete: bool = True,
    on_result: Callable[[CaseResult], None] | None = None,
) -> EvalRun:
    """Ask every case, score it, and return the run.

    A model error on the first cases aborts (the model is unreachable or misconfigured, and
    every case would fail the same way); once a case has succeeded, a model error is recorded
    on its case and the run goes on.
    """
    if sources is None:
        sources = load_sources(fc)
    started = datetime.now(UTC)
    start = time.perf_counter()
    results: list[CaseResult] = []
    with _progress(console, len(cases), progress) as advance:
        for case in cases:
            result = _run_case(fc, case, sources, top_k, model, any_ok=_any_ok(results))
            results.append(result)
            if on_result:
                on_result(result)
            advance(case.id, result.scores.passed)
    return EvalRun(
        model=model or fc.model_name,
        top_k=top_k or fc.settings.top_k,
        cases_file=str(cases_file),
        cases_sha256=_sha256(cases_file),
        results=results,
        started_at=started.isoformat(timespec="seconds"),
        duration_s=time.perf_counter() - start,
        kinds=kinds,
        limit=limit,
        complete=complete,
        git_commit=_git_commit(),
    )


def _any_ok(results: Sequence[CaseResult]) -> bool:
    return any(r.scores.error is None for r in results)


def _run_case(
    fc: FactChecker,
    case: Case,
    sources: dict[str, str],
    top_k: int | None,
    model: str | None,
    *,
    any_ok: bool,
) -> CaseResult:
    try:
        answer, elapsed, proposed = ask_case(fc, case, top_k=top_k, model=model)
    except InputError:
        raise  # a setting or the case itself is unusable: every case would fail alike
    except Exception as exc:
        known = known_error(exc)
        if known is None or (known is exc and not any_ok):
            raise
        if not any_ok:
            raise known from exc
        scores = score_case(case, None, sources, error=str(known))
        return CaseResult(case, None, scores)
    scores = score_case(case, answer, sources, latency_s=elapsed, claims_proposed=proposed)
    return CaseResult(case, answer, scores)


class _progress:
    """A rich progress bar on stderr (case id, passed so far, elapsed and remaining time)."""

    def __init__(self, console: Console | None, total: int, enabled: bool) -> None:
        self.console, self.total, self.enabled = console, total, enabled
        self.passed = 0
        self.bar: Any = None

    def __enter__(self) -> Callable[[str, bool], None]:
        if self.enabled:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self.bar = Progress(
                SpinnerColumn(),
                TextColumn("[bold]eval[/] {task.description:<14}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("[green]{task.fields[passed]} passed"),
                TimeElapsedColumn(),
                TextColumn("eta"),
                TimeRemainingColumn(),
                console=self.console or Console(stderr=True),
                transient=True,
            )
            self.bar.start()
            self.task = self.bar.add_task("", total=self.total, passed=0)
        return self.advance

    def advance(self, case_id: str, passed: bool) -> None:
        self.passed += passed
        if self.bar is not None:
            self.bar.update(self.task, advance=1, description=case_id, passed=self.passed)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def _sha256(path: Path | str) -> str | None:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest() if path else None
    except OSError:
        return None


def _git_commit() -> str | None:
    """The checkout's commit, so a report says which code produced it (None outside git);
    "+dirty" when tracked files have uncommitted changes."""
    from assistant.settings import PROJECT_ROOT

    def git(*args: str) -> str | None:
        try:
            out = subprocess.run(
                ["git", *args],
                cwd=PROJECT_ROOT,
                capture_output=True,
                text=True,
                timeout=5,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return out.stdout.strip() if out.returncode == 0 else None

    commit = git("rev-parse", "--short=12", "HEAD")
    if not commit:
        return None
    return commit + ("+dirty" if git("status", "--porcelain", "--untracked-files=no") else "")
