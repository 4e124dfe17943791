"""``echo_stream``: a streamed answer in the terminal, and the same final text in a pipe."""

from __future__ import annotations

import io

from assistant.factchecker import FactChecker
from assistant.terminal.live import echo_stream
from assistant.terminal.plain import render_answer

QUESTION = "How far did the missile fly?"


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_piped_output_is_exactly_the_final_rendering(fact_checker: FactChecker) -> None:
    out = io.StringIO()

    final = echo_stream(fact_checker.stream(QUESTION), out)

    assert final == fact_checker.ask(QUESTION)
    assert out.getvalue() == render_answer(final) + "\n"


def test_terminal_output_redraws_each_snapshot_and_ends_with_the_answer(
    fact_checker: FactChecker,
) -> None:
    out = FakeTerminal()
    snapshots = list(fact_checker.stream(QUESTION))

    final = echo_stream(iter(snapshots), out)

    assert final == snapshots[-1]
    shown = out.getvalue()
    assert shown.count("Sources:") >= len(snapshots)  # one drawing per snapshot
    assert "\x1b[" in shown  # cursor movement: redrawn in place, not appended
    assert snapshots[-1].citations[-1].article_id in shown
