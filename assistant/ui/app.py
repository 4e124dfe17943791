"""The Gradio Blocks app: the layout, the wiring of events and endpoints, and serving it.

What each event does lives in ``handlers.py`` and ``api.py`` (no Gradio there); this module only
places components and connects them. To add a tab or mode, build it in its own module with a
``build(handlers)`` function called inside ``build_app``'s ``gr.Tabs()``.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable, Iterator
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr

from assistant.errors import AssistantError
from assistant.messages import user_message
from assistant.ui.api import Api
from assistant.ui.auth import SignInThrottle, parse_auth
from assistant.ui.check_tab import add_check_api, add_check_tab
from assistant.ui.evidence import EVIDENCE_EMPTY
from assistant.ui.handlers import SKIP, ChatUpdate, Handlers, Turn, log_unexpected
from assistant.ui.network import bind_failure, check_host
from assistant.ui.style import CSS
from assistant.ui.uploads import human_bytes

__all__ = ["EXAMPLES", "Turn", "build_app", "launch", "parse_auth", "serve"]

log = logging.getLogger(__name__)

# Shown when the corpus is empty; otherwise examples are drawn from the indexed titles.
EXAMPLES = [
    "What are the articles about?",
    "Who won the last football World Cup?",
]


def corpus_examples(titles: list[str], limit: int = 3) -> list[str]:
    """Example questions about the articles actually indexed, not about any fixed corpus."""
    questions = [f"What does “{t.strip('[]')[:60]}” report?" for t in titles[:limit] if t]
    return questions + EXAMPLES[1:] if questions else EXAMPLES


DEFAULT_CONCURRENCY = 4  # answers computed at once; the rest wait in the queue
QUEUE_SIZE = 64  # waiting requests beyond this are told the server is busy
TOP_K_MAX = 20

THEME = gr.themes.Soft(
    primary_hue="indigo",
    neutral_hue="slate",
    font=("ui-sans-serif", "system-ui", "-apple-system", "Segoe UI", "Roboto", "sans-serif"),
    font_mono=("ui-monospace", "SFMono-Regular", "Menlo", "monospace"),
)


def _gr(value: Any) -> Any:
    return gr.skip() if value is SKIP else value


def _chat_outputs(update: ChatUpdate) -> tuple[Any, ...]:
    return tuple(_gr(v) for v in update)


def _endpoint(func: Callable[..., Any], doing: str) -> Callable[..., Any]:
    """An API endpoint whose failures reach the caller as one line (AppError), logged if a bug."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except Exception as exc:
            log_unexpected(exc, "%s failed", doing)
            raise gr.Error(user_message(exc, doing=doing), print_exception=False) from None

    return wrapper


def build_app(fact_checker: Any, *, concurrency_limit: int = DEFAULT_CONCURRENCY) -> gr.Blocks:
    """The web UI over ``fact_checker``; start it with ``launch(app, ...)`` or ``serve``."""
    h = Handlers(fact_checker)
    api = Api(h)
    settings = h.settings

    def respond(
        message: str, turns: list[Turn], model: str | None, top_k: float | None
    ) -> Iterator[tuple[Any, ...]]:
        for update in h.respond(message, turns, model, top_k):
            yield _chat_outputs(update)

    def select_answer(turns: list[Turn], evt: gr.SelectData) -> Any:
        return _gr(h.evidence_for(turns, evt.index))

    def pick_example(evt: gr.SelectData) -> str:
        value = evt.value
        return str(value.get("text", "")) if isinstance(value, dict) else str(value)

    def on_upload(path: str | None) -> tuple[Any, ...]:
        update = h.upload(path)
        if update is None:
            return gr.skip(), gr.skip(), gr.skip(), gr.skip(), None
        notice, table, choices, header = update
        return notice, table, gr.update(choices=choices), header, None

    def on_load() -> tuple[Any, ...]:
        table, choices, header = h.page_views()
        return table, gr.update(choices=choices), header

    limit_text = human_bytes(min(settings.max_upload_bytes, 2_000_000))
    with gr.Blocks(title="Fact-check assistant", analytics_enabled=False) as app:
        turns_state = gr.State([])
        header = gr.HTML(h.header(), elem_id="fc-header")
        with gr.Tabs():
            with gr.Tab("Chat", id="chat"), gr.Row(equal_height=False):
                with gr.Column(scale=7, min_width=420):
                    chatbot = gr.Chatbot(
                        label="Conversation",
                        show_label=False,
                        elem_id="fc-chat",
                        height=600,
                        latex_delimiters=[],
                        feedback_options=None,
                        placeholder="Ask about the articles; every claim comes with its source.",
                        examples=[
                            {"text": q, "display_text": q}
                            for q in corpus_examples([e.title for e in fact_checker.articles()])
                        ],
                        autoscroll=True,
                        buttons=[],
                    )
                    question_box = gr.Textbox(
                        show_label=False,
                        placeholder="Ask a question about the articles…",
                        elem_id="fc-question",
                        submit_btn="Ask",
                        lines=1,
                        max_lines=4,
                        autofocus=True,
                    )
                    with gr.Row():
                        clear_btn = gr.Button(
                            "New conversation", size="sm", variant="secondary", scale=0
                        )
                    with gr.Accordion("Settings", open=False, elem_id="fc-settings"):
                        model_box = gr.Dropdown(
                            choices=h.model_choices(),
                            value=h.fc.model_name,
                            label="Model",
                            info="“offline” runs locally; any other name is an OpenAI "
                            "model (the server needs an API key for it).",
                            allow_custom_value=True,
                        )
                        top_k_box = gr.Slider(
                            minimum=1,
                            maximum=TOP_K_MAX,
                            step=1,
                            value=min(settings.top_k, TOP_K_MAX),
                            label="Passages to retrieve",
                            info="How many article passages the model reads per question.",
                        )
                with gr.Column(scale=5, min_width=360):
                    evidence = gr.HTML(
                        EVIDENCE_EMPTY,
                        elem_id="fc-evidence",
                        js_on_load=None,
                        max_height=760,
                        container=True,
                        padding=True,
                    )
            with gr.Tab("Corpus", id="corpus"), gr.Row(equal_height=False):
                with gr.Column(scale=3):
                    corpus_table = gr.HTML(h.corpus_table(), elem_id="fc-corpus", js_on_load=None)
                    article_picker = gr.Dropdown(
                        choices=h.article_choices(),
                        value=None,
                        allow_custom_value=True,  # articles added by other sessions
                        label="Read an article",
                        elem_id="fc-article-picker",
                    )
                    article_view = gr.HTML(
                        "", elem_id="fc-article", js_on_load=None, max_height=600
                    )
                with gr.Column(scale=2, min_width=300):
                    upload = gr.File(
                        label=f"Add an article (.txt or .md, UTF-8, up to {limit_text})",
                        file_types=[".txt", ".md"],
                        file_count="single",
                        type="filepath",
                        elem_id="fc-upload",
                    )
                    upload_notice = gr.HTML("", elem_id="fc-upload-notice", js_on_load=None)
                    gr.Markdown(
                        "An added article is split into passages, embedded locally and "
                        "searchable in the next question. Uploading a file with the same name "
                        "again replaces that upload; other names never replace an article.",
                        elem_classes=["fc-help"],
                    )
            add_check_tab(h.fc)
        # Hidden components that carry the file-upload API (a real File component, so
        # Gradio checks that the path is an upload it received).
        api_file = gr.File(visible=False, type="filepath")
        api_result = gr.JSON(visible=False)

        # --- events ------------------------------------------------------------------------
        chat_outputs = [question_box, chatbot, turns_state, evidence]
        chat_inputs = [question_box, turns_state, model_box, top_k_box]
        answer_queue = {"concurrency_limit": concurrency_limit, "concurrency_id": "answer"}
        question_box.submit(
            respond,
            chat_inputs,
            chat_outputs,
            api_name="chat",
            api_visibility="undocumented",
            show_progress="hidden",
            **answer_queue,
        )
        chatbot.example_select(
            pick_example, None, question_box, api_visibility="private", queue=False
        ).then(
            respond,
            chat_inputs,
            chat_outputs,
            api_visibility="private",
            show_progress="hidden",
            **answer_queue,
        )
        chatbot.select(
            select_answer, turns_state, evidence, api_name="evidence", api_visibility="undocumented"
        )
        clear_btn.click(
            h.new_conversation,
            None,
            [turns_state, chatbot, evidence, question_box],
            api_visibility="private",
            queue=False,
        )
        upload.upload(
            on_upload,
            upload,
            [upload_notice, corpus_table, article_picker, header, upload],
            api_visibility="private",
            concurrency_limit=1,
            concurrency_id="ingest",
        )
        article_picker.change(
            _endpoint(h.show_article, "showing the article"),
            article_picker,
            article_view,
            api_name="show_article",
            api_visibility="undocumented",
        )
        app.load(
            on_load,
            None,
            [corpus_table, article_picker, header],
            api_visibility="private",
            show_progress="hidden",
        )

        gr.api(
            _endpoint(api.ask, "answering"),
            api_name="ask",
            concurrency_limit=concurrency_limit,
            concurrency_id="answer",
        )
        gr.api(_endpoint(api.articles, "listing the articles"), api_name="articles")
        gr.api(_endpoint(api.article, "reading the article"), api_name="article")
        add_check_api(h.fc, concurrency_limit)
        api_file.upload(
            _endpoint(api.add_article, "adding the article"),
            api_file,
            api_result,
            api_name="add_article",
            api_description="Add a .txt/.md article file (gradio_client.handle_file(path)).",
            concurrency_limit=1,
            concurrency_id="ingest",
        )
    app.queue(default_concurrency_limit=concurrency_limit, max_size=QUEUE_SIZE)
    return app


def launch(
    app: gr.Blocks,
    *,
    host: str = "127.0.0.1",
    port: int | None = 7860,
    auth: tuple[str, str] | Callable[..., Any] | None = None,
    max_upload_bytes: int = 1_000_000,
    prevent_thread_lock: bool = False,
    quiet: bool = False,
) -> str:
    """Start the server with the project's fixed choices (theme, no share link, no SSR).

    A (user, password) pair is wrapped in a ``SignInThrottle``, so failed sign-ins through
    /login are limited however the app is started.
    """
    if isinstance(auth, tuple):
        auth = SignInThrottle(*auth).check
    _, local_url, _ = app.launch(
        server_name=host,
        server_port=port,
        share=False,
        auth=auth,
        auth_message="Sign in to the fact-check assistant." if auth else None,
        prevent_thread_lock=prevent_thread_lock,
        quiet=quiet,
        show_error=False,
        theme=THEME,
        css=CSS,
        footer_links=["api"],
        max_file_size=max(10 * max_upload_bytes, 10_000_000),
        ssr_mode=False,
        pwa=False,
        mcp_server=False,
        enable_monitoring=False,
        inbrowser=False,
    )
    return local_url


def serve(fact_checker: Any, host: str = "127.0.0.1", port: int = 7860) -> None:
    """Run the web UI until interrupted (``assistant serve``)."""
    settings = fact_checker.settings
    secret = settings.ui_auth.get_secret_value() if settings.ui_auth is not None else None
    auth = parse_auth(secret)
    check_host(host)
    if auth is None and host not in {"127.0.0.1", "localhost", "::1"}:
        log.warning(
            "serving on %s without a password: anyone who can reach this port can use it; "
            "set ASSISTANT_UI_AUTH=user:password",
            host,
        )
    app = build_app(fact_checker)
    try:
        url = launch(
            app,
            host=host,
            port=port,
            auth=auth,
            max_upload_bytes=settings.max_upload_bytes,
            prevent_thread_lock=True,
            quiet=True,  # Gradio's banner suggests share=True, which this app never uses
        )
    except OSError as exc:
        raise AssistantError(bind_failure(host, port, exc)) from None
    print(
        f"Fact-check assistant: {url} ({len(fact_checker.articles())} articles"
        f"{', sign-in required' if auth else ''}). Press Ctrl-C to stop.",
        flush=True,
    )
    app.block_thread()
