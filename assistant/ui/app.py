"""The Gradio Blocks app: chat, evidence panel, corpus tab, and the named API endpoints.

Every handler works on the one ``FactChecker`` given to ``build_app``; the UI adds no answering
logic of its own. The conversation is kept server-side per browser session as ``Turn`` objects
(the question, the ``Answer`` and its rendered HTML), so follow-up questions send the model the
plain answer text, never the HTML shown in the chat.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr

from assistant.errors import AssistantError, InputError
from assistant.schema import Answer
from assistant.settings import OFFLINE_MODEL
from assistant.store.index import ArticleEntry
from assistant.ui import render
from assistant.ui.check_tab import add_check_api, add_check_tab
from assistant.ui.style import CSS
from assistant.ui.uploads import add_upload, human_bytes

log = logging.getLogger(__name__)

EXAMPLES = [
    "When did North Korea launch its latest ICBM?",
    "How many North Korean troops are in Russia?",
    "What did Blinken say about the North Korean troops?",
    "Who won the 2024 US presidential election?",
]
DEFAULT_CONCURRENCY = 4  # answers computed at once; the rest wait in the queue
QUEUE_SIZE = 64  # waiting requests beyond this are told the server is busy
TOP_K_MAX = 20

THEME = gr.themes.Soft(
    primary_hue="indigo",
    neutral_hue="slate",
    font=("ui-sans-serif", "system-ui", "-apple-system", "Segoe UI", "Roboto", "sans-serif"),
    font_mono=("ui-monospace", "SFMono-Regular", "Menlo", "monospace"),
)


@dataclass(frozen=True)
class Turn:
    """One exchange in the chat: what was asked, what came back, and how it is shown."""

    question: str
    answer: Answer | None  # None while pending or when answering failed
    html: str

    def messages(self) -> list[dict[str, str]]:
        question = render.sanitize(f'<div class="fc-q">{render.esc(self.question)}</div>')
        return [
            {"role": "user", "content": question},
            {"role": "assistant", "content": self.html},
        ]


def _messages(turns: list[Turn]) -> list[dict[str, str]]:
    return [m for t in turns for m in t.messages()]


def _history(turns: list[Turn]) -> list[tuple[str, str]]:
    """What the model sees of the conversation: questions and plain answers, no markup."""
    out: list[tuple[str, str]] = []
    for t in turns:
        if t.answer is not None:
            out += [("user", t.question), ("assistant", t.answer.answer)]
    return out


def user_message(exc: BaseException) -> str:
    """The line a user sees for a failure: ours verbatim, model-client errors explained."""
    if isinstance(exc, AssistantError):
        return str(exc)
    from assistant.model_errors import explain

    known = explain(exc)
    if known is not None:
        return str(known)
    return (
        f"Something went wrong while answering ({type(exc).__name__}). "
        "Please try again; the details are in the server log."
    )


def build_app(fact_checker: Any, *, concurrency_limit: int = DEFAULT_CONCURRENCY) -> gr.Blocks:
    """The web UI over ``fact_checker``; start it with ``launch(app, ...)`` or ``serve``."""
    fc = fact_checker
    settings = fc.settings
    seeds_dir = Path(settings.seeds_dir).resolve()
    uploads_dir = settings.resolved_uploads_dir().resolve()

    def corpus() -> render.Corpus:
        return render.Corpus.of(fc.articles())

    def origin(entry: ArticleEntry) -> str:
        parent = Path(entry.path).resolve().parent
        if parent == seeds_dir:
            return "seed"
        if parent == uploads_dir:
            return "uploaded"
        return "added"

    def entry_json(entry: ArticleEntry) -> dict[str, Any]:
        # No server paths in API answers (and a "path" key would make gradio_client try to
        # download the value as a file).
        data = {k: v for k, v in entry.to_json().items() if k != "path"}
        return {**data, "source": origin(entry)}

    def corpus_views() -> tuple[str, Any]:
        entries = fc.articles()
        table = render.corpus_table_html(entries, origin)
        choices = [(f"{e.title} ({e.article_id})", e.article_id) for e in entries]
        return table, gr.update(choices=choices)

    def model_choices() -> list[str]:
        names = [fc.model_name, OFFLINE_MODEL]
        if settings.openai_api_key is not None:
            names.append(settings.openai_model)
        return list(dict.fromkeys(names))

    # --- handlers ------------------------------------------------------------------------

    def respond(
        message: str, turns: list[Turn], model: str | None, top_k: float | None
    ) -> Iterator[tuple[Any, Any, Any, Any]]:
        question = (message or "").strip()
        if not question:
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        turns = list(turns or [])
        pending = Turn(question, None, render.pending_html(question))
        yield "", _messages([*turns, pending]), gr.skip(), gr.skip()
        final: Answer | None = None
        try:
            shelf = corpus()
            for snapshot in fc.stream(
                question,
                _history(turns),
                top_k=round(top_k) if top_k else None,
                model=model or None,
            ):
                final = snapshot
                partial = Turn(
                    question, snapshot, render.answer_html(snapshot, shelf, streaming=True)
                )
                evidence = render.evidence_html(snapshot, shelf, fc.article_text)
                yield gr.skip(), _messages([*turns, partial]), gr.skip(), evidence
            if final is None:
                raise AssistantError("the model returned no answer; please try again")
            done = Turn(question, final, render.answer_html(final, shelf))
            turns.append(done)
            evidence = render.evidence_html(final, shelf, fc.article_text)
            yield gr.skip(), _messages(turns), turns, evidence
        except Exception as exc:
            if not isinstance(exc, AssistantError):
                log.exception("answering %r failed", question)
            turns.append(Turn(question, None, render.error_html(user_message(exc))))
            keep = question if isinstance(exc, InputError) else ""
            yield keep, _messages(turns), turns, gr.skip()

    def select_answer(turns: list[Turn], evt: gr.SelectData) -> Any:
        index = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
        if not isinstance(index, int) or not 0 <= index // 2 < len(turns or []):
            return gr.skip()
        answer = turns[index // 2].answer
        if answer is None:
            return gr.skip()
        return render.evidence_html(answer, corpus(), fc.article_text)

    def new_conversation() -> tuple[list[Turn], list[Any], str, str]:
        return [], [], render.EVIDENCE_EMPTY, ""

    def pick_example(evt: gr.SelectData) -> str:
        value = evt.value
        return str(value.get("text", "")) if isinstance(value, dict) else str(value)

    def on_upload(path: str | None) -> tuple[str, str, Any, None]:
        if not path:
            return gr.skip(), gr.skip(), gr.skip(), None
        try:
            result = add_upload(fc, Path(path))
            notice = render.notice_html(result.message(), ok=True)
        except Exception as exc:
            if not isinstance(exc, AssistantError):
                log.exception("upload of %s failed", path)
            notice = render.notice_html(f"Not added: {user_message(exc)}", ok=False)
        table, choices = corpus_views()
        return notice, table, choices, None

    def show_article(article_id: str | None) -> str:
        if not article_id:
            return ""
        entry = corpus().get(article_id)
        if entry is None:
            return render.notice_html(f"No article with id {article_id!r}.", ok=False)
        return render.article_html(entry, fc.article_text(article_id))

    def on_load() -> tuple[str, Any, str]:
        table, choices = corpus_views()
        return table, choices, header_html()

    def header_html() -> str:
        entries = fc.articles()
        return render.sanitize(
            '<div class="fc-header"><h1>Fact-check assistant</h1>'
            f"<p>Answers only from the {len(entries)} indexed news articles. Every claim cites "
            "a verified verbatim quote; when the articles do not say, it says so.</p></div>"
        )

    # --- API endpoints ---------------------------------------------------------------------

    def ask(
        question: str,
        history: list | None = None,  # type: ignore[type-arg]
        top_k: int | None = None,
        model: str | None = None,
    ) -> dict:  # type: ignore[type-arg]
        """Answer a question from the articles. Returns the same JSON as `assistant ask --json`:
        answer text with [n] markers, refused, citations (article_id, quote, start, end),
        conflicts, passages. history: earlier turns as [{"role", "content"}] or [role, text]."""
        try:
            return fc.ask(question, history or None, top_k=top_k, model=model or None).model_dump()
        except Exception as exc:
            if not isinstance(exc, AssistantError):
                log.exception("/ask failed")
            raise gr.Error(user_message(exc), print_exception=False) from None

    def articles() -> list:  # type: ignore[type-arg]
        """The indexed articles: article_id, version, title, outlet, date, passages, source."""
        return [entry_json(e) for e in fc.articles()]

    def article(article_id: str) -> dict:  # type: ignore[type-arg]
        """One article's full text, so a caller can check text[start:end] == quote."""
        entry = corpus().get(article_id)
        if entry is None:
            raise gr.Error(
                f"no article with id {article_id!r}; see /articles for the ids",
                print_exception=False,
            )
        return {**entry_json(entry), "text": fc.article_text(article_id)}

    def add_article(path: str | None) -> dict:  # type: ignore[type-arg]
        if not path:
            raise gr.Error(
                "no file was sent; pass gradio_client.handle_file(path)", print_exception=False
            )
        try:
            result = add_upload(fc, Path(path))
        except Exception as exc:
            if not isinstance(exc, AssistantError):
                log.exception("/add_article failed")
            raise gr.Error(user_message(exc), print_exception=False) from None
        return {"status": result.status, **entry_json(result.entry)}

    # --- layout ----------------------------------------------------------------------------

    limit_text = human_bytes(min(settings.max_upload_bytes, 2_000_000))
    with gr.Blocks(title="Fact-check assistant", analytics_enabled=False) as app:
        turns_state = gr.State([])
        header = gr.HTML(header_html(), elem_id="fc-header")
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
                        placeholder=("Ask about the articles; every claim comes with its source."),
                        examples=[{"text": q, "display_text": q} for q in EXAMPLES],
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
                            choices=model_choices(),
                            value=fc.model_name,
                            label="Model",
                            info="“offline” runs locally; any other name is an OpenAI "
                            "model (needs OPENAI_API_KEY).",
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
                        render.EVIDENCE_EMPTY,
                        elem_id="fc-evidence",
                        js_on_load=None,
                        max_height=760,
                        container=True,
                        padding=True,
                    )
            with gr.Tab("Corpus", id="corpus"), gr.Row(equal_height=False):
                with gr.Column(scale=3):
                    corpus_table = gr.HTML(
                        render.corpus_table_html(fc.articles(), origin),
                        elem_id="fc-corpus",
                        js_on_load=None,
                    )
                    article_picker = gr.Dropdown(
                        choices=[
                            (f"{e.title} ({e.article_id})", e.article_id) for e in fc.articles()
                        ],
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
                        "searchable in the next question. A file with the same name as an "
                        "earlier upload replaces it.",
                        elem_classes=["fc-help"],
                    )
            add_check_tab(fc)
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
            new_conversation,
            None,
            [turns_state, chatbot, evidence, question_box],
            api_visibility="private",
            queue=False,
        )
        upload.upload(
            on_upload,
            upload,
            [upload_notice, corpus_table, article_picker, upload],
            api_visibility="private",
            concurrency_limit=1,
            concurrency_id="ingest",
        )
        article_picker.change(
            show_article,
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

        gr.api(ask, api_name="ask", concurrency_limit=concurrency_limit, concurrency_id="answer")
        gr.api(articles, api_name="articles")
        gr.api(article, api_name="article")
        add_check_api(fc, concurrency_limit)
        api_file.upload(
            add_article,
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
    auth: tuple[str, str] | None = None,
    max_upload_bytes: int = 1_000_000,
    prevent_thread_lock: bool = False,
    quiet: bool = False,
) -> str:
    """Start the server with the project's fixed choices (theme, no share link, no SSR)."""
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


def parse_auth(value: str | None) -> tuple[str, str] | None:
    """``user:password`` (ASSISTANT_UI_AUTH) as the pair Gradio expects."""
    if value is None or not value.strip():
        return None
    user, sep, password = value.partition(":")
    if not sep or not user.strip() or not password:
        raise InputError("ASSISTANT_UI_AUTH must look like user:password (both parts non-empty)")
    return user.strip(), password


def serve(fact_checker: Any, host: str = "127.0.0.1", port: int = 7860) -> None:
    """Run the web UI until interrupted (``assistant serve``)."""
    settings = fact_checker.settings
    secret = settings.ui_auth.get_secret_value() if settings.ui_auth is not None else None
    auth = parse_auth(secret)
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
        if "port" in str(exc).lower():
            raise AssistantError(
                f"cannot listen on {host}:{port}: the port is in use or not allowed; "
                "pass --port with another number or stop the other server"
            ) from None
        raise AssistantError(f"cannot start the web server on {host}:{port}: {exc}") from None
    print(
        f"Fact-check assistant: {url} ({len(fact_checker.articles())} articles"
        f"{', sign-in required' if auth else ''}). Press Ctrl-C to stop.",
        flush=True,
    )
    app.block_thread()
