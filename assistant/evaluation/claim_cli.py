"""``assistant eval --kinds claim``: run a claims file, print accuracy and the confusion matrix.

The claims file decides the corpus: ``eval/claims.jsonl`` is about the seed articles, and
``eval/corpora/<name>/claims.jsonl`` about the articles in ``eval/corpora/<name>/articles``.
Each corpus is indexed in a store of its own under ``vectorstore/``, so the figures never
depend on what a user ingested. ``--check`` compares with ``claims.<corpus>`` in
eval/thresholds.json; ``--write-thresholds`` stores this run's figures there (and only there).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import click

from assistant.cli_options import load_settings
from assistant.evaluation.cases import EvalSetError
from assistant.evaluation.claims import (
    CLAIM_METRICS,
    check_claim_thresholds,
    check_claims_against_corpus,
    confusion_markdown,
    load_claims,
    run_claims,
    summarize,
    write_claim_report,
)
from assistant.evaluation.options import SEED_CORPUS, RunOptions, corpus_settings
from assistant.settings import PROJECT_ROOT

SEED_CLAIMS = PROJECT_ROOT / "eval" / "claims.jsonl"
CORPORA = PROJECT_ROOT / "eval" / "corpora"


def corpus_of(claims_path: Path) -> tuple[str, Path]:
    """The corpus name and its articles folder for a claims file."""
    folder = claims_path.resolve().parent
    if folder.parent == CORPORA.resolve() and (folder / "articles").is_dir():
        return folder.name, folder / "articles"
    return SEED_CORPUS, PROJECT_ROOT / "seeds"


def claim_fact_checker(corpus: str, articles: Path, model: str | None = None) -> Any:
    from assistant.factchecker import FactChecker

    settings = corpus_settings(load_settings(), corpus, articles)
    fc = FactChecker(settings, model=model)
    fc.ingest()
    return fc


def run_claim_eval(ctx: click.Context, options: RunOptions, claims_path: Path | None) -> int:
    from assistant.evaluation.report import report_folder, shown_path
    from assistant.evaluation.runner import load_sources

    claims_path = claims_path or SEED_CLAIMS
    if options.write_thresholds and options.limit is not None:
        raise click.UsageError("--write-thresholds needs a run of every claim (no --limit)")
    cases = load_claims(claims_path)[: options.limit] if options.limit else load_claims(claims_path)
    corpus, articles = corpus_of(claims_path)
    injected = (ctx.obj or {}).get("fact_checker") if isinstance(ctx.obj, dict) else None
    fc = injected or claim_fact_checker(corpus, articles, options.model)
    sources = load_sources(fc)
    check_claims_against_corpus(cases, sources)
    results = run_claims(fc, cases, sources, model=options.model if injected else None)
    summary = summarize(
        results,
        model=options.model or fc.model_name,
        corpus=corpus,
        claims_file=shown_path(claims_path),
        complete=options.limit is None,
    )
    folder = options.out or report_folder(f"claims-{corpus}-{summary['model']}")
    report = write_claim_report(folder, summary, results)
    if options.as_json:
        click.echo(json.dumps({**summary, "report_dir": str(folder)}, indent=2))
    else:
        click.echo(
            f"claims ({corpus}): verdict accuracy {100 * (summary['verdict_accuracy'] or 0):.1f}% "
            f"of {summary['n']}; verdicts citing a verified sentence "
            f"{100 * (summary['cited_verdicts'] or 0):.1f}%"
        )
        click.echo(confusion_markdown(summary))
        click.echo(f"report: {report}")
    thresholds = _read(options.thresholds_path)
    if options.write_thresholds:
        thresholds.setdefault("claims", {})[corpus] = {
            m: math.floor(summary[m] * 1000 + 1e-9) / 1000
            for m in CLAIM_METRICS
            if summary.get(m) is not None
        }
        options.thresholds_path.write_text(
            json.dumps(thresholds, indent=2) + "\n", encoding="utf-8"
        )
        click.echo(
            f"wrote claim thresholds for {corpus} to {options.thresholds_path}", err=options.as_json
        )
    if not options.check:
        return 0
    if options.limit is not None:
        click.echo("check: nothing to check on a --limit run", err=options.as_json)
        return 0
    failed = check_claim_thresholds(summary, thresholds, corpus)
    for line in failed:
        click.echo(line, err=options.as_json)
    if failed:
        return 1
    click.echo(
        f"check passed: claim metrics meet {shown_path(options.thresholds_path)}",
        err=options.as_json,
    )
    return 0


def _read(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise EvalSetError(f"thresholds file {path} not found (pass --thresholds PATH)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise EvalSetError(f"{path}: not valid JSON ({exc.msg})") from None
    if not isinstance(data, dict):
        raise EvalSetError(f"{path}: expected a JSON object")
    return data
