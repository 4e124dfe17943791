"""Removing an article from the corpus tab: ask first, then remove through the store.

The button under the article reader asks for confirmation naming the article; only "Remove"
in that question removes it, and it removes the article the question named (kept in the
session's state), not whatever the reader shows by then. Removal goes through the same store
call as ``assistant remove`` (atomic, no other article touched, answers in flight unaffected)
and shares the upload's one-at-a-time queue. ``/remove_article`` is the same for scripts; like
every endpoint it sits behind ASSISTANT_UI_AUTH when that is set.
"""

from __future__ import annotations

from typing import Any

import gradio as gr

from assistant.ui.handlers import Handlers

INGEST_QUEUE = {"concurrency_limit": 1, "concurrency_id": "ingest"}


def add_remove_controls(
    h: Handlers, picker: gr.Dropdown, table: gr.HTML, header: gr.HTML, reader: gr.HTML
) -> None:
    """The remove button, its confirmation and their events, placed where this is called.

    The events are private, but Gradio still names them after their functions, so the
    functions here must not share a name with a public endpoint (an ``ask`` here would push
    the real /ask to /ask_1)."""
    pending = gr.State(None)
    remove_btn = gr.Button(
        "Remove this article…", size="sm", variant="secondary", elem_id="fc-remove"
    )
    with gr.Group(visible=False, elem_id="fc-remove-confirm") as confirm_box:
        question = gr.HTML("", js_on_load=None, elem_id="fc-remove-question")
        with gr.Row():
            yes_btn = gr.Button("Remove", variant="stop", size="sm", elem_id="fc-remove-yes")
            no_btn = gr.Button("Cancel", size="sm", elem_id="fc-remove-no")
    notice = gr.HTML("", elem_id="fc-remove-notice", js_on_load=None)

    def ask_to_remove(article_id: Any) -> tuple[Any, ...]:
        text, chosen = h.confirm_removal(article_id)
        if chosen is None:
            return "", gr.update(visible=False), None, text
        return text, gr.update(visible=True), chosen, ""

    def remove_confirmed(article_id: Any) -> tuple[Any, ...]:
        result, table_html, choices, header_html = h.remove_confirmed(article_id)
        picker_update = gr.update(choices=choices, value=None)
        return result, table_html, picker_update, header_html, gr.update(visible=False), None, ""

    def cancel_removal() -> tuple[Any, ...]:
        return gr.update(visible=False), None, ""

    remove_btn.click(
        ask_to_remove,
        picker,
        [question, confirm_box, pending, notice],
        api_visibility="private",
        queue=False,
    )
    yes_btn.click(
        remove_confirmed,
        pending,
        [notice, table, picker, header, confirm_box, pending, reader],
        api_visibility="private",
        **INGEST_QUEUE,  # type: ignore[arg-type]
    )
    no_btn.click(
        cancel_removal, None, [confirm_box, pending, notice], api_visibility="private", queue=False
    )
