"""Plain-text rendering for the terminal: answers, the article list, and safe display of text.

Article text reaches the terminal (quotes, titles, file names in warnings) and an article may
contain terminal control sequences: ``ESC[2J`` clears the screen, OSC 0 sets the window title,
OSC 52 writes the clipboard. ``printable`` shows every control character as its visible Unicode
"control picture" (ESC as ␛), so the text is still readable and the terminal obeys nothing.
"""

from __future__ import annotations

import textwrap
import unicodedata
from collections.abc import Sequence
from typing import Any

from assistant.schema import Answer
from assistant.store.corpus import described_title

_CONTROL_PICTURES = {c: 0x2400 + c for c in range(0x20) if chr(c) not in "\n\t"} | {0x7F: 0x2421}


def printable(text: str, *, keep_newlines: bool = True) -> str:
    """``text`` with every control character shown as a visible symbol instead of obeyed."""
    text = text.translate(_CONTROL_PICTURES)
    if not keep_newlines:
        text = text.replace("\n", "␤")
    if any(0x80 <= ord(ch) <= 0x9F for ch in text):  # C1 controls (CSI, OSC as single bytes)
        text = "".join(
            "�" if unicodedata.category(ch) == "Cc" and ch not in "\n\t" else ch for ch in text
        )
    return text


def title_text(title: str) -> str:
    """A catalog description ("[...]") reads as one, not as a headline in brackets."""
    described, text = described_title(title)
    return f"untitled article: {text}" if described else text


def render_answer(answer: Answer, width: int = 100) -> str:
    lines = [textwrap.fill(printable(answer.answer), width=width)]
    if answer.citations:
        lines.append("")
        lines.append("Sources:")
        for c in answer.citations:
            head = f"[{c.id}] "
            lines.append(
                textwrap.fill(
                    printable(
                        f"{head}{title_text(c.title)} ({c.article_id}, chars {c.start}-{c.end})",
                        keep_newlines=False,
                    ),
                    width=width,
                    initial_indent="  ",
                    subsequent_indent="  " + " " * len(head),
                )
            )
            quote = textwrap.fill(
                printable(f"“{c.quote}”"),
                width=width,
                initial_indent="      ",
                subsequent_indent="      ",
            )
            lines.append(quote)
    for note in answer.notes:
        lines.append(
            textwrap.fill(printable(f"Note: {note}"), width=width, subsequent_indent="      ")
        )
    return "\n".join(lines)


def render_articles(entries: Sequence[Any]) -> str:
    """``assistant articles``: aligned columns of id, passage count, title (outlet, date)."""
    if not entries:
        return "No articles are indexed yet; add some with `assistant ingest PATH`."
    id_width = max(len(e.article_id) for e in entries)
    count_width = max(len(str(e.passages)) for e in entries)
    rows = []
    for e in entries:
        unit = "passage " if e.passages == 1 else "passages"
        extra = ", ".join(x for x in (e.outlet, e.date) if x)
        title = title_text(e.title) + (f" ({extra})" if extra else "")
        rows.append(
            printable(
                f"{e.article_id:<{id_width}}  {e.passages:>{count_width}} {unit}  {title}",
                keep_newlines=False,
            ).rstrip()
        )
    return "\n".join(rows)


def skipped_warning(path: str, reason: str) -> str:
    """An ingest warning as a sentence: "warning: skipped x.txt: it is a binary file, …"."""
    reason = reason.strip()
    if reason.startswith(path):
        reason = reason[len(path) :].lstrip(" :")
    if reason.startswith(("is ", "has ", "was ", "contains ")):
        reason = f"it {reason}"
    return printable(f"warning: skipped {path}: {reason.rstrip('.')}.", keep_newlines=False)
