"""The "Check a claim" mode of the web UI and its ``/check`` API endpoint.

Self-contained: ``add_check_tab`` is called inside the app's ``gr.Tabs()`` and ``add_check_api``
next to the other ``gr.api`` endpoints. The verdict is shown at a glance in colour *and* words
(with a symbol, so it reads without colour too), then the one-sentence explanation, then the
evidence for and against, each sentence in its article with the quoted words highlighted. The
ClaimReview JSON-LD of the last check can be downloaded.
"""

from __future__ import annotations

import json
import logging
import tempfile
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.check.claimreview import claim_reviews
from assistant.check.explain import readable
from assistant.check.schema import CheckReport, ClaimCheck
from assistant.messages import user_message
from assistant.ui import render
from assistant.ui.evidence import cited_context

log = logging.getLogger(__name__)

EXAMPLE_CLAIMS = [
    "Japan said the ICBM was airborne for about 68 minutes.",
    "North Korean troops have already fought Ukrainian forces.",
]
SYMBOLS = {"supported": "✓", "refuted": "✗", "conflicting": "⇄", "not_enough_evidence": "?"}
CHECK_CSS = """
.fc-verdict { display: inline-flex; gap: .45em; align-items: center; font-weight: 700;
  font-size: 1.05rem; padding: .3em .8em; border-radius: 999px; border: 2px solid; }
.fc-v-supported { background: #dcfce7; color: #14532d; border-color: #16a34a; }
.fc-v-refuted { background: #fee2e2; color: #7f1d1d; border-color: #dc2626; }
.fc-v-conflicting { background: #fef3c7; color: #78350f; border-color: #d97706; }
.fc-v-not_enough_evidence { background: #f1f5f9; color: #1e293b; border-color: #64748b; }
.fc-check { margin-bottom: 1.2em; }
.fc-check-claim { font-size: 1.05rem; margin: .2em 0 .5em; }
.fc-check-why { margin: .5em 0; }
.fc-stance { font-size: .75rem; font-weight: 700; text-transform: uppercase; margin-right: .4em; }
.fc-stance-for { color: #15803d; }
.fc-stance-against { color: #b91c1c; }
.fc-diff { font-size: .85rem; color: #475569; margin-top: .3em; }
"""
EMPTY = (
    '<div class="fc-check"><p>Type a claim, or paste a paragraph: each check-worthy sentence '
    "gets a verdict (supported, refuted, conflicting, not enough evidence) with the sentences "
    "for and against it.</p></div>"
)


def report_html(report: CheckReport, article_text: Any) -> str:
    """Every claim's verdict badge, explanation and evidence cards (sanitised HTML)."""
    parts = [claim_html(c, article_text) for c in report.claims]
    if report.skipped:
        skipped = "; ".join(f"“{render.esc(s)}”" for s in report.skipped)
        parts.append(f'<p class="fc-diff">Not checked (no checkable fact): {skipped}</p>')
    return render.sanitize("".join(parts))


def claim_html(check: ClaimCheck, article_text: Any) -> str:
    badge = (
        f'<span class="fc-verdict fc-v-{check.verdict}" role="status" '
        f'aria-label="Verdict: {render.esc(check.label)}">'
        f"<span>{SYMBOLS[check.verdict]}</span><span>{render.esc(check.label)}</span></span>"
    )
    stance = {c: "for" for c in check.supporting} | {c: "against" for c in check.contradicting}
    details = {e.citation_id: e.detail for e in check.evidence}
    cards = []
    for c in check.citations:
        context, _current = cited_context(c, article_text)
        side = stance.get(c.id, "for")
        label = "Supports" if side == "for" else "Contradicts"
        diff = (
            f'<div class="fc-diff">{render.esc(readable(details[c.id]))}</div>'
            if details.get(c.id)
            else ""
        )
        cards.append(
            '<div class="fc-card">'
            f'<div class="fc-card-h"><span class="fc-stance fc-stance-{side}">{label}</span>'
            f'<span class="fc-src-n">[{c.id}]</span> '
            f'<span class="fc-src-title">{render.esc(c.title)}</span></div>'
            f'<div class="fc-context">{context}</div>{diff}'
            f'<div class="fc-where">{render.esc(c.article_id)} · characters '
            f"{c.start}–{c.end}</div></div>"
        )
    notes = "".join(f'<p class="fc-diff">Note: {render.esc(n)}</p>' for n in check.notes)
    return (
        f'<div class="fc-check">{badge}'
        f'<p class="fc-check-claim">{render.esc(check.claim)}</p>'
        f'<p class="fc-check-why">{render.esc(check.explanation)}</p>'
        f"{''.join(cards)}{notes}</div>"
    )


def claimreview_file(report: CheckReport) -> str:
    """The report as ClaimReview JSON-LD in a temporary file, for the download button."""
    folder = Path(tempfile.mkdtemp(prefix="claimreview-"))
    path = folder / "claimreview.jsonld"
    path.write_text(json.dumps(claim_reviews(report), indent=2, ensure_ascii=False), "utf-8")
    return str(path)


def _error(exc: BaseException) -> gr.Error:
    """The one line the user reads; a traceback in the server log only for a bug."""
    from assistant.ui.handlers import log_unexpected

    log_unexpected(exc, "checking the claim failed")
    return gr.Error(
        user_message(exc, audience="ui", doing="checking the claim"), print_exception=False
    )


def add_check_tab(fc: Any) -> None:
    """The "Check a claim" tab; call inside ``gr.Tabs()``."""

    def run(text: str) -> tuple[str, Any]:
        try:
            report = fc.check_text(text or "")
        except Exception as exc:
            raise _error(exc) from None
        return report_html(report, fc.article_text), gr.update(
            value=claimreview_file(report), visible=True
        )

    with gr.Tab("Check a claim", id="check"):
        claim_box = gr.Textbox(
            label="Claim",
            placeholder="A statement to fact-check, e.g. “Japan said the ICBM flew for 68 "
            "minutes.” A paragraph is split into claims.",
            lines=2,
            max_lines=8,
            elem_id="fc-claim",
            submit_btn="Check",
        )
        gr.Examples(EXAMPLE_CLAIMS, inputs=claim_box, label="Examples")
        result = gr.HTML(
            EMPTY,
            elem_id="fc-check-result",
            css_template=CHECK_CSS,
            js_on_load=None,
            container=True,
            padding=True,
        )
        download = gr.DownloadButton(
            "Download ClaimReview (JSON-LD)", visible=False, size="sm", elem_id="fc-claimreview"
        )
        claim_box.submit(
            run,
            claim_box,
            [result, download],
            api_visibility="private",
            concurrency_id="answer",
        )


def add_check_api(fc: Any, concurrency_limit: int | None = None) -> None:
    """``/check``: the same JSON as ``assistant check --json``."""

    def check(text: str, model: str | None = None) -> dict:  # type: ignore[type-arg]
        """Fact-check a claim (or a paragraph of claims). Returns {text, claims: [{claim,
        verdict, explanation, citations, supporting, contradicting, evidence, ...}], skipped}."""
        try:
            return fc.check_text(text or "", model=model or None).model_dump()
        except Exception as exc:
            raise _error(exc) from None

    gr.api(check, api_name="check", concurrency_limit=concurrency_limit, concurrency_id="answer")
