"""``assistant eval``: run the eval set, write a report folder, gate on thresholds, compare runs.

``assistant.cli`` forwards every argument of ``assistant eval`` here. Errors a user can fix (a
missing eval set, an unknown kind, an unreachable model) end as one ``error:`` line and exit
status 2 (bad input) or 1 (model or service); ``--check`` exits 1 when a metric is below its
threshold, printing one line per metric.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from assistant.cli_options import load_settings, model_option, top_k_option
from assistant.evaluation.cases import KINDS, EvalSetError
from assistant.evaluation.options import SEED_CORPUS, RunOptions, corpus_settings
from assistant.evaluation.report import report_folder, shown_path
from assistant.messages import exit_code, user_message
from assistant.settings import data_path

DEFAULT_CASES = data_path("eval") / "cases.jsonl"
DEFAULT_THRESHOLDS = data_path("eval") / "thresholds.json"
CORPORA_DIR = data_path("eval") / "corpora"
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class EvalCorpus:
    """Where one eval corpus keeps its articles, its cases and its gate.

    ``seeds`` is the product's own corpus (seeds/, eval/cases.jsonl, eval/thresholds.json);
    any other name is a folder eval/corpora/NAME with articles/, cases.jsonl and optionally
    catalog.toml, gated by eval/thresholds-NAME.json. Each runs in an index of its own.
    """

    name: str
    articles: Path
    cases: Path
    thresholds: Path
    catalog: Path | None = None

    @classmethod
    def named(cls, name: str) -> EvalCorpus:
        if name == SEED_CORPUS:
            return cls(name, data_path("seeds"), DEFAULT_CASES, DEFAULT_THRESHOLDS)
        folder = CORPORA_DIR / name
        if not re.fullmatch(r"[A-Za-z0-9_-]+", name) or not (folder / "articles").is_dir():
            raise EvalSetError(
                f"no eval corpus named {name!r}: expected a folder eval/corpora/{name}/ with "
                f"articles/ and cases.jsonl (available: {', '.join(available_corpora())})"
            )
        catalog = folder / "catalog.toml"
        return cls(
            name,
            folder / "articles",
            folder / "cases.jsonl",
            data_path("eval") / f"thresholds-{name}.json",
            catalog if catalog.is_file() else None,
        )


def available_corpora() -> list[str]:
    """``seeds`` and every eval/corpora/NAME that has articles and cases."""
    names = [SEED_CORPUS]
    if CORPORA_DIR.is_dir():
        names += sorted(
            p.name
            for p in CORPORA_DIR.iterdir()
            if (p / "articles").is_dir() and (p / "cases.jsonl").is_file()
        )
    return names


def _path_option(*decls: str, help: str, **kinds: bool) -> Callable[[F], F]:
    """An optional path option; ``kinds`` says whether it must be a file or a folder."""
    return click.option(*decls, type=click.Path(path_type=Path, **kinds), default=None, help=help)


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@model_option
@top_k_option
@click.option(
    "--corpus",
    default=SEED_CORPUS,
    show_default=True,
    metavar="NAME",
    help="Which corpus to evaluate on: `seeds` (the product's articles) or a folder "
    "eval/corpora/NAME; sets the articles, the cases and the thresholds file.",
)
@_path_option(
    "--cases",
    "cases_path",
    dir_okay=False,
    help="The eval set (JSON lines); default: the corpus's own (eval/cases.jsonl for seeds).",
)
@click.option(
    "--kinds",
    default=None,
    metavar="KIND[,KIND...]",
    help=f"Run only these kinds: {', '.join(KINDS)}; or 'claim' alone for the claim checks "
    "(eval/claims.jsonl, or --cases eval/corpora/NAME/claims.jsonl).",
)
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Run at most N cases.")
@_path_option(
    "--out",
    file_okay=False,
    help="Report folder (default eval/reports/<timestamp>-<model>/).",
)
@click.option(
    "--compare",
    nargs=2,
    type=click.Path(path_type=Path),
    default=None,
    metavar="A B",
    help="Print the per-metric differences between two report folders (B − A); runs nothing.",
)
@click.option(
    "--check", is_flag=True, help="Exit 1 if a metric is below its threshold (the CI gate)."
)
@_path_option(
    "--thresholds",
    "thresholds_path",
    dir_okay=False,
    help="Minimums for --check; default: the corpus's own (eval/thresholds.json for seeds, "
    "eval/thresholds-NAME.json otherwise).",
)
@click.option(
    "--write-thresholds",
    is_flag=True,
    help="Store this run's figures (floored to 3 decimals) as the thresholds. Needs a full "
    "run; review the report first and never use it to hide a regression.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON on stdout.")
@click.option("--no-progress", is_flag=True, help="Do not show the progress bar.")
@click.option(
    "--fidelity",
    is_flag=True,
    help="Run the claim-fidelity cases instead (eval/fidelity.jsonl: scripted distortions and "
    "loose quotes); exit 1 if any claim is shown that its citations do not support.",
)
@click.pass_context
def eval_command(
    ctx: click.Context,
    model: str | None,
    top_k: int | None,
    corpus: str,
    cases_path: Path | None,
    kinds: str | None,
    limit: int | None,
    out: Path | None,
    compare: tuple[Path, Path] | None,
    check: bool,
    thresholds_path: Path | None,
    write_thresholds: bool,
    as_json: bool,
    no_progress: bool,
    fidelity: bool,
) -> None:
    """Measure how far the assistant's answers and citations can be trusted.

    Runs every case of the eval set through the assistant, scores citations (ALCE-style recall
    and precision, quote validity), answers, refusals, conflicts, retrieval and latency, prints
    a table, and writes results.jsonl, summary.json, report.md and a chart to the report folder.
    Metric definitions: docs/eval.md.
    """

    def options(default_thresholds: Path) -> RunOptions:
        return RunOptions(
            model,
            limit,
            out,
            check,
            thresholds_path or default_thresholds,
            write_thresholds,
            as_json,
        )

    try:
        if fidelity:
            from assistant.evaluation.fidelity import fidelity_report

            fc, _, _ = _fact_checker(ctx, None, top_k, EvalCorpus.named(corpus))
            text, code = fidelity_report(fc, as_json=as_json)
            click.echo(text)
            ctx.exit(code)
        if compare:
            if check or write_thresholds:
                raise click.UsageError("--compare runs nothing, so it cannot --check or write")
            _compare(compare, as_json)
            return
        if kinds is not None and "claim" in [k.strip() for k in kinds.split(",")]:
            from assistant.evaluation.claim_cli import run_claim_eval

            if kinds.strip() != "claim":
                raise click.UsageError("--kinds claim runs on its own (claims file, not cases)")
            claims_path = None if cases_path in (None, DEFAULT_CASES) else cases_path
            if claims_path is None and corpus != SEED_CORPUS:
                # --corpus NAME picks that corpus's own claims file, as it picks its cases.
                claims_path = EvalCorpus.named(corpus).articles.parent / "claims.jsonl"
            code = run_claim_eval(ctx, options(DEFAULT_THRESHOLDS), claims_path)
            ctx.exit(code)
        chosen = EvalCorpus.named(corpus)
        code = _run(
            ctx,
            options(chosen.thresholds),
            top_k=top_k,
            corpus=chosen,
            cases_path=cases_path or chosen.cases,
            kinds=kinds,
            no_progress=no_progress,
        )
    except (click.ClickException, click.exceptions.Exit):
        raise
    except Exception as exc:  # the eval CLI's error boundary: one line, never a traceback
        if ctx.find_root().params.get("debug"):
            raise
        click.echo(f"error: {user_message(exc, doing='running the eval')}", err=True)
        ctx.exit(exit_code(exc))
    ctx.exit(code)


def _run(
    ctx: click.Context,
    options: RunOptions,
    *,
    top_k: int | None,
    corpus: EvalCorpus,
    cases_path: Path,
    kinds: str | None,
    no_progress: bool,
) -> int:
    from rich.console import Console

    from assistant.evaluation.cases import check_against_corpus, load_cases, select_cases
    from assistant.evaluation.report import summary_table, write_report
    from assistant.evaluation.runner import load_sources, run_eval
    from assistant.evaluation.thresholds import check as check_thresholds
    from assistant.evaluation.thresholds import load_thresholds, thresholds_from_summary

    wanted = [k.strip() for k in kinds.split(",") if k.strip()] if kinds is not None else None
    if wanted is not None and not wanted:
        raise EvalSetError(f"--kinds is empty (choose from: {', '.join(KINDS)})")
    complete = wanted is None and options.limit is None
    if options.write_thresholds and not complete:
        raise click.UsageError(
            "--write-thresholds needs a run of the whole set (no --kinds/--limit)"
        )
    all_cases = load_cases(cases_path)
    cases = select_cases(all_cases, wanted, options.limit)
    thresholds = load_thresholds(options.thresholds_path) if options.check else None

    fc, ask_model, ask_top_k = _fact_checker(ctx, options.model, top_k, corpus)
    sources = load_sources(fc)
    check_against_corpus(cases, sources)

    run = run_eval(
        fc,
        cases,
        sources=sources,
        top_k=ask_top_k,
        model=ask_model,
        console=Console(stderr=True),
        progress=not no_progress,
        cases_file=shown_path(cases_path),
        kinds=wanted,
        limit=options.limit,
        complete=complete,
    )
    summary = run.summary()
    checks = check_thresholds(summary, thresholds) if thresholds is not None else None
    folder = options.out or report_folder(run.model)
    paths = write_report(run, folder, checks=checks)

    if options.as_json:
        summary["report_dir"] = str(folder)
        if checks is not None:
            summary["checks"] = [c.to_json() for c in checks]
        click.echo(json.dumps(summary, indent=2, ensure_ascii=False))
    else:
        console = _wide_console()
        console.print(summary_table(summary))
        console.print(
            f"{summary['overall']['n']['cases'] - len(summary['failed_cases'])} of "
            f"{summary['overall']['n']['cases']} cases passed in {run.duration_s:.1f} s; "
            f"report: {paths['report.md'].parent}"
        )
    if options.write_thresholds:
        written = thresholds_from_summary(summary)
        if (
            options.thresholds_path.is_file()
        ):  # keep the claim eval's minimums (another run sets them)
            kept = json.loads(options.thresholds_path.read_text(encoding="utf-8")).get("claims")
            if kept:
                written["claims"] = kept
        options.thresholds_path.write_text(json.dumps(written, indent=2) + "\n", encoding="utf-8")
        click.echo(f"wrote thresholds to {options.thresholds_path}", err=options.as_json)
    if checks is None:
        return 0
    failed = [c for c in checks if c.ok is False]
    stream_err = options.as_json  # keep stdout pure JSON
    for c in checks:
        if c.ok is not True:
            click.echo(c.line(), err=stream_err)
    passed = sum(c.ok is True for c in checks)
    where = shown_path(options.thresholds_path)
    if not passed and not failed:
        click.echo("check: nothing to check on this subset (run the whole set)", err=stream_err)
    elif failed:
        click.echo(
            f"check FAILED: {len(failed)} metric(s) below their minimum in {where} "
            f"({passed} met theirs)",
            err=stream_err,
        )
        return 1
    else:
        click.echo(
            f"check passed: {passed} metric(s) meet their minimum in {where}", err=stream_err
        )
    return 0


def _fact_checker(
    ctx: click.Context, model: str | None, top_k: int | None, corpus: EvalCorpus
) -> tuple[Any, str | None, int | None]:
    """The FactChecker to evaluate, and the model/top-k to pass per question.

    Tests (and embedding programs) may hand one in as ``obj={"fact_checker": fc}``; then the
    options apply per question instead of at construction.
    """
    injected = (ctx.obj or {}).get("fact_checker") if isinstance(ctx.obj, dict) else None
    if injected is not None:
        return injected, model, top_k
    from assistant.factchecker import FactChecker

    settings = corpus_settings(load_settings(), corpus.name, corpus.articles)
    fc = FactChecker(settings, model=model, top_k=top_k, auto_ingest=False)
    # Costs a hash per article when the corpus is unchanged.
    from assistant.store.ingest import ingest

    ingest(fc.index, [corpus.articles], corpus.catalog)
    return fc, None, None


def _wide_console() -> Any:
    """stdout console; when it is not a terminal (a pipe, a CI log) the table gets room."""
    from rich.console import Console

    console = Console()
    return console if console.is_terminal else Console(width=max(console.width, 120))


def _compare(paths: tuple[Path, Path], as_json: bool) -> None:
    from assistant.evaluation.compare import compare, print_comparison

    result = compare(*paths)
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2))
    else:
        print_comparison(result, _wide_console())


if __name__ == "__main__":  # pragma: no cover
    eval_command(sys.argv[1:])
