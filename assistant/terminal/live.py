"""Showing a streamed answer in the terminal.

On a terminal the answer is redrawn in place as each verified claim arrives (rich's ``Live``), so
a slow model shows its first cited sentence early. Anywhere else (a pipe, a file, a test) only
the final answer is printed, exactly as ``render_answer`` prints it without streaming, so
scripts see the same output either way.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import TextIO

from assistant.schema import Answer
from assistant.terminal.plain import render_answer


def echo_stream(answers: Iterable[Answer], out: TextIO | None = None) -> Answer:
    """Print the snapshots of ``answers`` as they come; returns the final answer."""
    out = out or sys.stdout
    final: Answer | None = None
    if not out.isatty():
        for final in answers:  # noqa: B007 - only the last is shown
            pass
    else:
        from rich.console import Console
        from rich.live import Live
        from rich.text import Text

        console = Console(file=out, highlight=False, soft_wrap=False)
        width = max(40, min(100, console.width))
        with Live(
            Text(""), console=console, auto_refresh=False, vertical_overflow="visible"
        ) as live:
            for final in answers:
                live.update(Text(render_answer(final, width=width)), refresh=True)
        return _require(final)
    final = _require(final)
    print(render_answer(final), file=out, flush=True)
    return final


def _require(final: Answer | None) -> Answer:
    if final is None:  # FactChecker.stream always yields at least the final answer
        raise RuntimeError("the answer stream ended without an answer")
    return final
