"""What ``assistant`` and ``assistant eval`` share: settings loading, options, error handling.

Kept apart from ``cli.py`` so the eval's command can be a plain subcommand of ``assistant``
without either module importing the other.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from assistant.messages import exit_code, user_message

F = TypeVar("F", bound=Callable[..., Any])

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def _fail(message: str, code: int) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def handle_errors(func: F) -> F:
    """The CLI's error boundary: every failure becomes one line on stderr and an exit status."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        try:
            return func(*args, **kwargs)
        except click.ClickException:
            raise  # usage errors: click prints them and exits 2
        except KeyboardInterrupt:  # Ctrl-C: the user asked to stop; nothing went wrong
            click.echo(err=True)
            sys.exit(130)
        except BrokenPipeError:  # `assistant ask … | head`: the reader left; nothing to report
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(141)
        except Exception as exc:
            if ctx.find_root().params.get("debug"):
                raise
            _fail(user_message(exc, audience="cli", doing=_doing(ctx)), exit_code(exc))

    return wrapper  # type: ignore[return-value]


def _doing(ctx: click.Context) -> str:
    name = ctx.info_name or "the command"
    return {"ask": "answering", "chat": "answering", "ingest": "ingesting"}.get(
        name, f"running `{name}`"
    )


def load_settings(**overrides: Any) -> Any:
    """Settings from the environment; an invalid value is a usage error (exit 2), not a crash."""
    from pydantic import ValidationError

    from assistant.settings import Settings

    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        message = str(first["msg"]).removeprefix("Value error, ")
        raise click.UsageError(
            f"invalid setting {where}: {message}" if where else f"invalid settings: {message}"
        ) from None


top_k_option = click.option(
    "-k", "--top-k", type=click.IntRange(1, 50), default=None, help="Passages to retrieve (1-50)."
)
model_option = click.option(
    "--model",
    default=None,
    help="'offline' (default without OPENAI_API_KEY) or an OpenAI model name.",
)
