"""The Gradio web UI. Importing this package is cheap; Gradio loads on first use.

``serve(fact_checker, host, port)`` runs the UI (``assistant serve``); ``build_app`` returns the
``gr.Blocks`` for tests and embedding, and ``launch`` starts one with the project's settings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import gradio as gr

__all__ = ["build_app", "launch", "serve"]


def build_app(fact_checker: Any, **kwargs: Any) -> gr.Blocks:
    from assistant.ui.app import build_app as _build_app

    return _build_app(fact_checker, **kwargs)


def launch(app: gr.Blocks, **kwargs: Any) -> str:
    from assistant.ui.app import launch as _launch

    return _launch(app, **kwargs)


def serve(fact_checker: Any, host: str = "127.0.0.1", port: int = 7860) -> None:
    from assistant.ui.app import serve as _serve

    _serve(fact_checker, host=host, port=port)
