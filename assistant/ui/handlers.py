"""What the web UI does for each event, without Gradio: testable with a plain FactChecker.

The conversation is kept server-side per browser session as ``Turn`` objects (the question, the
``Answer`` and its rendered HTML), so follow-up questions send the model the plain answer text,
never the HTML shown in the chat. Handlers return plain values; ``SKIP`` means "leave this
output as it is", which the layout (``app.py``) translates into Gradio's own marker.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from assistant.errors import AssistantError, InputError
from assistant.messages import known_error, user_message
from assistant.schema import Answer
from assistant.settings import OFFLINE_MODEL
from assistant.store.index import ArticleEntry
from assistant.ui import render
from assistant.ui.evidence import EVIDENCE_EMPTY, evidence_html
from assistant.ui.uploads import add_upload, uploaded_file

log = logging.getLogger(__name__)


class _Skip:
    def __repr__(self) -> str:
        return "SKIP"


SKIP: Any = _Skip()
ECHO_CHARS = 600  # an over-long question is shown cut to this in the chat bubble


@dataclass(frozen=True)
class Turn:
    """One exchange in the chat: what was asked, what came back, and how it is shown."""

    question: str
    answer: Answer | None  # None while pending or when answering failed
    html: str

    def messages(self) -> list[dict[str, str]]:
        shown = self.question
        if len(shown) > ECHO_CHARS:  # the bubble need not repeat a wall of text
            shown = f"{shown[:ECHO_CHARS].rstrip()}… ({len(self.question):,} characters)"
        return [
            {"role": "user", "content": render.question_html(shown)},
            {"role": "assistant", "content": self.html},
        ]


def messages_of(turns: list[Turn]) -> list[dict[str, str]]:
    return [m for t in turns for m in t.messages()]


def history_of(turns: list[Turn]) -> list[tuple[str, str]]:
    """What the model sees of the conversation: questions and plain answers, no markup."""
    out: list[tuple[str, str]] = []
    for t in turns:
        if t.answer is not None:
            out += [("user", t.question), ("assistant", t.answer.answer)]
    return out


class ChatUpdate(NamedTuple):
    """The chat's outputs: the question box, the messages, the session's turns, the panel."""

    box: Any = SKIP
    messages: Any = SKIP
    turns: Any = SKIP
    evidence: Any = SKIP


class CorpusUpdate(NamedTuple):
    """After an upload: the notice, the corpus table, the reader's choices, the header."""

    notice: str
    table: str
    choices: list[tuple[str, str]]
    header: str


class Handlers:
    """The UI's behaviour over one ``FactChecker``; the UI adds no answering logic of its own."""

    def __init__(self, fact_checker: Any) -> None:
        self.fc = fact_checker
        self.settings = fact_checker.settings
        self.seeds_dir = Path(self.settings.seeds_dir).resolve()
        self.uploads_dir = self.settings.resolved_uploads_dir().resolve()

    # --- the corpus ----------------------------------------------------------------------

    def corpus(self) -> render.Corpus:
        return render.Corpus.of(self.fc.articles())

    def origin(self, entry: ArticleEntry) -> str:
        parent = Path(entry.path).resolve().parent
        if parent == self.seeds_dir:
            return "seed"
        if parent == self.uploads_dir:
            return "uploaded"
        return "added"

    def entry_json(self, entry: ArticleEntry) -> dict[str, Any]:
        # No server paths in API answers (and a "path" key would make gradio_client try to
        # download the value as a file).
        data = {k: v for k, v in entry.to_json().items() if k != "path"}
        return {**data, "source": self.origin(entry)}

    def article_choices(self, entries: list[ArticleEntry] | None = None) -> list[tuple[str, str]]:
        entries = self.fc.articles() if entries is None else entries
        return [
            (f"{render.Title.of(e.title).text} ({e.article_id})", e.article_id) for e in entries
        ]

    def corpus_table(self, entries: list[ArticleEntry] | None = None) -> str:
        entries = self.fc.articles() if entries is None else entries
        return render.corpus_table_html(entries, self.origin)

    def header(self, entries: list[ArticleEntry] | None = None) -> str:
        entries = self.fc.articles() if entries is None else entries
        return render.header_html(len(entries))

    def page_views(self) -> tuple[str, list[tuple[str, str]], str]:
        """On page load: the corpus table, the reader's choices and the header, all current."""
        entries = self.fc.articles()
        return self.corpus_table(entries), self.article_choices(entries), self.header(entries)

    def model_choices(self) -> list[str]:
        names = [self.fc.model_name, OFFLINE_MODEL]
        if self.settings.openai_api_key is not None:
            names.append(self.settings.openai_model)
        return list(dict.fromkeys(names))

    # --- the chat ------------------------------------------------------------------------

    def respond(
        self, message: str | None, turns: list[Turn] | None, model: str | None, top_k: Any
    ) -> Iterator[ChatUpdate]:
        """Answer one chat message, yielding the chat as each verified claim arrives."""
        turns = list(turns or [])
        question = (message or "").strip()
        if not question:  # say why nothing was asked, rather than silently doing nothing
            notice = Turn("", None, render.error_html(EMPTY_QUESTION))
            yield ChatUpdate("", [*messages_of(turns), notice.messages()[1]], SKIP, SKIP)
            return
        pending = Turn(question, None, render.pending_html())
        yield ChatUpdate("", messages_of([*turns, pending]))
        final: Answer | None = None
        try:
            shelf = self.corpus()
            for snapshot in self.fc.stream(
                question,
                history_of(turns),
                top_k=round(top_k) if top_k else None,
                model=model or None,
            ):
                final = snapshot
                html = render.answer_html(snapshot, shelf, streaming=True)
                evidence = evidence_html(snapshot, shelf, self.fc.article_text)
                yield ChatUpdate(
                    SKIP, messages_of([*turns, Turn(question, snapshot, html)]), SKIP, evidence
                )
            if final is None:
                raise AssistantError("the model returned no answer; please try again")
            turns.append(Turn(question, final, render.answer_html(final, shelf)))
            evidence = evidence_html(final, shelf, self.fc.article_text)
            yield ChatUpdate(SKIP, messages_of(turns), turns, evidence)
        except Exception as exc:
            log_unexpected(exc, "answering %r failed", question)
            turns.append(Turn(question, None, render.error_html(user_message(exc, audience="ui"))))
            keep = question if isinstance(known_error(exc), InputError) else ""
            yield ChatUpdate(keep, messages_of(turns), turns, SKIP)

    def evidence_for(self, turns: list[Turn] | None, index: Any) -> Any:
        """The evidence panel for the answer clicked in the chat (messages alternate Q, A)."""
        if isinstance(index, (list, tuple)):
            index = index[0] if index else None
        turns = turns or []
        if not isinstance(index, int) or not 0 <= index // 2 < len(turns):
            return SKIP
        answer = turns[index // 2].answer
        if answer is None:
            return SKIP
        return evidence_html(answer, self.corpus(), self.fc.article_text)

    def new_conversation(self) -> tuple[list[Turn], list[Any], str, str]:
        return [], [], EVIDENCE_EMPTY, ""

    # --- the corpus tab ------------------------------------------------------------------

    def upload(self, file: Any) -> CorpusUpdate | None:
        """Add an uploaded file (Gradio's FileData or a path); None when no file came."""
        received = uploaded_file(file)
        if received is None:
            return None
        path, original_name = received
        return self._corpus_change(
            lambda: add_upload(self.fc, path, original_name=original_name).message(),
            doing="adding the article",
            failed="Not added",
            log_as=f"upload of {path}",
        )

    def _corpus_change(
        self, change: Callable[[], str], doing: str, failed: str, log_as: str
    ) -> CorpusUpdate:
        """Run one change to the corpus; the notice says what it did or, in one line, why not
        (a traceback goes to the server log only for a bug), and the views show the corpus after."""
        try:
            notice = render.notice_html(change(), ok=True)
        except Exception as exc:
            log_unexpected(exc, "%s failed", log_as)
            reason = user_message(exc, audience="ui", doing=doing)
            notice = render.notice_html(f"{failed}: {reason}", ok=False)
        table, choices, header = self.page_views()
        return CorpusUpdate(notice, table, choices, header)

    def remove(self, article_id: str) -> ArticleEntry | None:
        """Remove one article through the store's own removal (``assistant remove``): atomic,
        nothing else touched, answers in flight keep the passages they retrieved. Returns the
        entry as it was listed (None if another process added it since this one last looked)."""
        entry = self.corpus().get(article_id)
        report = self.fc.remove([article_id])
        if article_id not in report.removed:
            raise InputError(f"no article with id {article_id!r}; see the corpus list for the ids")
        log.info("removed in the UI: %s", article_id)
        return entry

    def confirm_removal(self, article_id: Any) -> tuple[str, str | None]:
        """The question asked before removing (and the id it is about), or why nothing is asked."""
        entry = self.corpus().get(article_id) if isinstance(article_id, str) else None
        if entry is None:
            return render.notice_html("Choose an article to remove first.", ok=False), None
        title = render.Title.of(entry.title).text
        return render.notice_html(
            f"Remove “{title}” ({entry.article_id}) from the corpus? Questions will no longer "
            "find it; its file is kept, and adding it again restores it.",
            ok=False,
        ), entry.article_id

    def remove_confirmed(self, article_id: Any) -> CorpusUpdate:
        """Remove the article the user confirmed; the notice says what happened or why not."""

        def change() -> str:
            if not isinstance(article_id, str) or not article_id:
                raise InputError("nothing to remove: choose an article, then press Remove")
            entry = self.remove(article_id)
            title = f"“{render.Title.of(entry.title).text}” " if entry else ""
            return f"Removed {title}({article_id})."

        return self._corpus_change(
            change,
            doing="removing the article",
            failed="Not removed",
            log_as=f"removing {article_id!r}",
        )

    def show_article(self, article_id: Any) -> str:
        if not article_id:
            return ""
        entry = self.corpus().get(article_id)
        if entry is None:
            return render.notice_html(f"No article with id “{article_id}”.", ok=False)
        return render.article_html(entry, self.fc.article_text(entry.article_id))


EMPTY_QUESTION = "The question is empty: type a question about the articles, then press Ask."


def log_unexpected(exc: BaseException, message: str, *args: Any) -> None:
    """A traceback in the server log for bugs only; known errors are the user's to fix."""
    if known_error(exc) is None:
        log.error(message, *args, exc_info=exc)
