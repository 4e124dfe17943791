"""Plain-text rendering of claim checks for the terminal: verdict, explanation, evidence."""

from __future__ import annotations

import textwrap

import click

from assistant.check.explain import readable
from assistant.check.schema import CheckReport, ClaimCheck

# Colour is an extra: the verdict is always written out in words.
VERDICT_COLOURS = {
    "supported": "green",
    "refuted": "red",
    "conflicting": "yellow",
    "not_enough_evidence": "bright_black",
}


def render_report(report: CheckReport, width: int = 100, colour: bool = False) -> str:
    parts = []
    many = len(report.claims) > 1
    for i, check in enumerate(report.claims, 1):
        heading = f"Claim {i} of {len(report.claims)}: " if many else "Claim: "
        parts.append(render_check(check, width, colour, heading))
    if report.skipped:
        skipped = "; ".join(f"“{s}”" for s in report.skipped)
        parts.append(textwrap.fill(f"Not checked (no checkable fact): {skipped}", width=width))
    return "\n\n".join(parts)


def render_check(
    check: ClaimCheck, width: int = 100, colour: bool = False, heading: str = "Claim: "
) -> str:
    verdict = f"Verdict: {check.label.upper()}"
    if colour:
        verdict = click.style(verdict, fg=VERDICT_COLOURS[check.verdict], bold=True)
    lines = [textwrap.fill(heading + check.claim, width=width), verdict]
    lines.append(textwrap.fill(check.explanation, width=width))
    details = {e.citation_id: e.detail for e in check.evidence}
    by_id = {c.id: c for c in check.citations}
    for title, ids in (
        ("Evidence for", check.supporting),
        ("Evidence against", check.contradicting),
    ):
        if not ids:
            continue
        lines += ["", f"{title}:"]
        for cid in ids:
            c = by_id[cid]
            lines.append(f"  [{c.id}] {c.title} ({c.article_id}, chars {c.start}-{c.end})")
            lines.append(
                textwrap.fill(
                    f"“{c.quote}”", width=width, initial_indent="      ", subsequent_indent="      "
                )
            )
            if details.get(cid):
                lines.append(
                    textwrap.fill(
                        f"({readable(details[cid])})",
                        width=width,
                        initial_indent="      ",
                        subsequent_indent="      ",
                    )
                )
    for note in check.notes:
        lines.append(textwrap.fill(f"Note: {note}", width=width))
    return "\n".join(lines)
