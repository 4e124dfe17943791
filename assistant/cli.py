"""The ``assistant`` command: a thin click layer over ``FactChecker``.

Every error a user can cause or fix ends as one line on stderr and an exit status (2 for bad
input, 1 for unreachable services), never a traceback; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import click

from assistant.cli_options import handle_errors, load_settings, model_option, top_k_option
from assistant.evaluation.cli import eval_command


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


def _checker(model: str | None = None, top_k: int | None = None) -> Any:
    from assistant.factchecker import FactChecker

    return FactChecker(load_settings(), model=model, top_k=top_k)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.option("-v", "--verbose", is_flag=True, help="Log what the pipeline does.")
def main(debug: bool, verbose: bool) -> None:
    """Ask questions about the news articles; every claim cites a verified quote."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(message)s"
    )


@main.command()
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
@model_option
@top_k_option
@handle_errors
def ask(question: str, as_json: bool, model: str | None, top_k: int | None) -> None:
    """Answer QUESTION from the articles."""
    from assistant.errors import InputError

    if not question.strip():
        raise InputError("the question is empty: ask something about the articles")
    fc = _checker(model, top_k)
    if as_json:
        click.echo(fc.ask(question).model_dump_json(indent=2))
    else:
        from assistant.terminal.live import echo_stream

        echo_stream(fc.stream(question))


CHAT_HELP = """Commands:
  /help    show this list
  /reset   forget the conversation (follow-ups start fresh)
  /quit    leave (also /exit or Ctrl-D)
Ctrl-C stops an answer in progress; at the prompt it leaves.
Anything else is a question about the articles; follow-ups use the conversation."""


@main.command()
@click.argument("text")
@click.option("--json", "as_json", is_flag=True, help="Print the checks as JSON.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "claimreview"]),
    default=None,
    help="text (default), json, or claimreview (schema.org ClaimReview JSON-LD).",
)
@model_option
@handle_errors
def check(text: str, as_json: bool, output_format: str | None, model: str | None) -> None:
    """Fact-check TEXT: a verdict per claim with the evidence for and against."""
    import json

    from assistant.errors import InputError

    if not text.strip():
        raise InputError('the claim is empty: state a fact to check, e.g. "X happened in 2020."')
    report = _checker(model).check_text(text)
    output_format = output_format or ("json" if as_json else "text")
    if output_format == "json":
        click.echo(report.model_dump_json(indent=2))
    elif output_format == "claimreview":
        from assistant.check.claimreview import claim_reviews

        click.echo(json.dumps(claim_reviews(report), indent=2, ensure_ascii=False))
    else:
        from assistant.terminal.check import render_report

        click.echo(render_report(report, colour=sys.stdout.isatty()))


@main.command()
@model_option
@top_k_option
@handle_errors
def chat(model: str | None, top_k: int | None) -> None:
    """Chat in the terminal; follow-up questions use the conversation. /help lists commands."""
    from assistant.messages import user_message
    from assistant.terminal.live import echo_stream

    fc = _checker(model, top_k)
    history: list[tuple[str, str]] = []
    click.echo("Ask about the articles. /help lists the commands, /quit (or Ctrl-D) leaves.")
    while True:
        try:
            question = input("\nyou> ")
        except (EOFError, KeyboardInterrupt):  # Ctrl-D or Ctrl-C at the prompt: leave quietly
            click.echo()
            return
        command = question.strip().lower()
        if command in {"/quit", "/exit"}:
            return
        if command in {"/help", "/?", "help"}:
            click.echo(CHAT_HELP)
            continue
        if command == "/reset":
            history.clear()
            click.echo("(conversation cleared)")
            continue
        if command.startswith("/"):
            click.echo(f"unknown command {question.strip()!r}; /help lists the commands", err=True)
            continue
        if not command:
            continue
        click.echo()
        try:
            answer = echo_stream(fc.stream(question, history))
        except KeyboardInterrupt:  # stop this answer, keep chatting
            click.echo("\n(answer stopped)")
            continue
        except Exception as exc:  # a bad question or a model failure: say so, keep chatting
            if click.get_current_context().find_root().params.get("debug"):
                raise
            click.echo(f"error: {user_message(exc)}", err=True)
            continue
        history += [("user", question), ("assistant", answer.answer)]


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@handle_errors
def ingest(paths: tuple[Path, ...]) -> None:
    """Index article files or folders (default: seeds/). Unchanged files cost nothing."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from assistant.factchecker import FactChecker

    fc = FactChecker(load_settings(), auto_ingest=False)
    columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=_stderr_console(), transient=True) as bar:
        task = bar.add_task("embedding passages", total=None)
        report = fc.ingest(
            list(paths) or None,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    from assistant.terminal.plain import printable, skipped_warning

    for path, reason in report.skipped:
        click.echo(skipped_warning(path, reason), err=True)
    click.echo(printable(f"ingest: {report.summary()}"))
    if report.skipped and not (report.added or report.updated or report.unchanged):
        sys.exit(2)


@main.command()
@click.argument("article_ids", nargs=-1, required=True)
@handle_errors
def remove(article_ids: tuple[str, ...]) -> None:
    """Remove articles from the index by id (see `assistant articles`); files are kept."""
    from assistant.factchecker import FactChecker
    from assistant.terminal.plain import printable

    report = FactChecker(load_settings(), auto_ingest=False).remove(list(article_ids))
    for _id, reason in report.skipped:
        click.echo(printable(f"warning: {reason}", keep_newlines=False), err=True)
    removed = ", ".join(report.removed) or "nothing"
    click.echo(printable(f"removed {len(report.removed)}: {removed}", keep_newlines=False))
    if report.skipped and not report.removed:
        sys.exit(2)


@main.command()
@handle_errors
def articles() -> None:
    """List the indexed articles."""
    from assistant.factchecker import FactChecker
    from assistant.terminal.plain import render_articles

    click.echo(render_articles(FactChecker(load_settings(), auto_ingest=False).articles()))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", default=7860, show_default=True, type=click.IntRange(1, 65535))
@model_option
@top_k_option
@handle_errors
def serve(host: str, port: int, model: str | None, top_k: int | None) -> None:
    """Start the web UI (Gradio) on HOST:PORT."""
    from assistant.factchecker import FactChecker
    from assistant.ui import serve as run_ui
    from assistant.ui.network import check_host, check_port

    check_host(host)
    check_port(host, port)

    def progress(message: str) -> None:
        click.echo(message)

    progress("Loading the article index and the embedding model…")
    fc = FactChecker(load_settings(), model=model, top_k=top_k, progress=progress)
    progress("Starting the web UI…")
    run_ui(fc, host=host, port=port)


main.add_command(eval_command, name="eval")


@main.command()
@click.option(
    "--questions",
    type=click.IntRange(1, 500),
    default=30,
    show_default=True,
    help="Questions to time.",
)
@click.option("--repeats", type=click.IntRange(1, 100), default=3, show_default=True)
@click.option(
    "--corpus",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Measure the store on this folder of articles at --sizes documents.",
)
@click.option("--sizes", default="50,500,5000", show_default=True, help="With --corpus.")
@click.option("--stand-in", is_flag=True, help="With --corpus: hash tokens instead of embedding.")
@click.option(
    "--man-pages", is_flag=True, help="Fill an empty --corpus folder with Debian man pages first."
)
@handle_errors
def bench(
    questions: int,
    repeats: int,
    corpus: Path | None,
    sizes: str,
    stand_in: bool,
    man_pages: bool,
) -> None:
    """Print index-build, re-ingest, ask-latency and cold-start figures."""
    from assistant.errors import InputError

    if corpus is None:
        from assistant.bench import run_benchmark

        run_benchmark(questions=questions, repeats=repeats)
        return
    from assistant.bench_corpus import man_page_corpus
    from assistant.bench_store import run_corpus_benchmark

    try:
        counts = sorted({int(s) for s in sizes.split(",") if s.strip()})
    except ValueError:
        raise InputError(
            f"--sizes takes whole numbers separated by commas, got {sizes!r}"
        ) from None
    if man_pages and not (corpus.is_dir() and any(corpus.iterdir())):
        made = man_page_corpus(corpus, max(counts) + 1)
        click.echo(f"wrote {made} man pages as articles to {corpus}", err=True)
    if not corpus.is_dir():
        raise InputError(f"--corpus {corpus} is not a folder; add --man-pages to fill it")
    run_corpus_benchmark(corpus, counts, stand_in, questions, repeats)


if __name__ == "__main__":
    main()
