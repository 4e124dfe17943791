"""Plain-text rendering of answers for the terminal."""

from __future__ import annotations

import textwrap

from assistant.schema import Answer


def render_answer(answer: Answer, width: int = 100) -> str:
    lines = [textwrap.fill(answer.answer, width=width)]
    if answer.citations:
        lines.append("")
        lines.append("Sources:")
        for c in answer.citations:
            lines.append(f"  [{c.id}] {c.title} ({c.article_id}, chars {c.start}-{c.end})")
            quote = textwrap.fill(
                f"“{c.quote}”", width=width, initial_indent="      ", subsequent_indent="      "
            )
            lines.append(quote)
    for note in answer.notes:
        lines.append(textwrap.fill(f"Note: {note}", width=width))
    return "\n".join(lines)
