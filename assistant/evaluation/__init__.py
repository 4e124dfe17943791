"""The citation-accuracy eval: how far the assistant's answers, citations and refusals can be trusted.

``cases`` loads and checks the eval set (``eval/cases.jsonl``), ``metrics`` holds the pure scoring
functions (an ALCE-style citation judge made deterministic, refusal, conflict and retrieval
metrics), ``runner`` puts every case through a ``FactChecker``, ``report`` writes a report folder,
``thresholds`` is the CI gate and ``compare`` diffs two runs. ``cli.eval_command`` is
``assistant eval``. Metric definitions live in ``docs/eval.md``.
"""

from __future__ import annotations

from assistant.evaluation.cases import KINDS, Case, EvalSetError, load_cases
from assistant.evaluation.runner import CaseResult, EvalRun, run_eval

__all__ = ["KINDS", "Case", "CaseResult", "EvalRun", "EvalSetError", "load_cases", "run_eval"]
