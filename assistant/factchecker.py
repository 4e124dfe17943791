"""``FactChecker``: the Python API that the CLI, the web UI and the eval all use."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel

from assistant.answer.history import normalize_history
from assistant.errors import ArticleError, AssistantError, InputError
from assistant.models import make_chat_model, make_embeddings, structured_output_kwargs
from assistant.schema import Answer
from assistant.settings import Settings
from assistant.store import ingest as store_ingest
from assistant.store.index import ArticleEntry, ArticleIndex, IngestReport
from assistant.store.retrieval import Hit, HybridRetriever
from assistant.tokens import count_tokens

if TYPE_CHECKING:
    from assistant.check.schema import CheckReport, ClaimCheck

MAX_CACHED_CHAINS = 8
CLAIM_TEXT_FACTOR = 5  # a paragraph of claims may be this many times a question's token limit


class FactChecker:
    """Answers questions from the indexed articles, citing verified quotes.

    ``FactChecker()`` uses the offline defaults (local embeddings, on-disk Chroma, the offline
    answer model) and builds the index from ``seeds/`` the first time it finds it empty.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        model: str | BaseChatModel | None = None,
        top_k: int | None = None,
        auto_ingest: bool = True,
        progress: Callable[[str], None] | None = None,
        embeddings: tuple[Embeddings, str] | None = None,
    ) -> None:
        """``embeddings``: (model, id naming its collections) instead of the configured one."""
        self.settings = settings or Settings()
        if top_k is not None:
            self.settings = self.settings.model_copy(update={"top_k": _check_top_k(top_k)})
        embeddings, embedding_id = embeddings or make_embeddings(self.settings)
        self.index = ArticleIndex(self.settings, embeddings, embedding_id)
        if auto_ingest and self.index.is_empty():
            if progress is not None:  # the first start embeds every seed: tell the user why
                progress(f"Building the index from {self.settings.seeds_dir} (first start only)…")
            report = store_ingest.ingest(self.index, [self.settings.seeds_dir])
            if not report.added:
                reason = (
                    f"{report.skipped[0][1]}; "
                    if report.skipped
                    else f"no .txt or .md articles in {self.settings.seeds_dir}; "
                )
                raise AssistantError(
                    f"the index is empty and nothing could be built from the seeds: {reason}"
                    "set ASSISTANT_SEEDS_DIR, or run `assistant ingest PATH`"
                )
        self.retriever = HybridRetriever(
            index=self.index,
            top_k=self.settings.top_k,
            candidate_k=max(self.settings.candidate_k, self.settings.top_k),
            rrf_k=self.settings.rrf_k,
        )
        self._chains: dict[str, Any] = {}
        self._chains_lock = threading.RLock()  # the web UI answers several questions at once
        self._models: dict[str, BaseChatModel] = {}
        self._checker: Any = None
        if isinstance(model, BaseChatModel):
            self.model_name = getattr(model, "model_name", None) or type(model).__name__
            self._models[self.model_name] = model
        else:
            self.model_name = model or self.settings.resolved_model()

    # --- answering -------------------------------------------------------------------------

    def ask(
        self,
        question: str,
        history: Iterable[Any] | None = None,
        *,
        top_k: int | None = None,
        model: str | None = None,
    ) -> Answer:
        question = self.check_question(question)
        turns = normalize_history(history)
        chain = self._chain(model or self.model_name)
        return chain.invoke(
            {
                "question": question,
                "history": turns,
                "top_k": _check_top_k(top_k) if top_k is not None else None,
            }
        )

    def stream(
        self,
        question: str,
        history: Iterable[Any] | None = None,
        *,
        top_k: int | None = None,
        model: str | None = None,
    ) -> Iterator[Answer]:
        """Yields the answer as it is generated; the last item is the final answer.

        Each item is a complete ``Answer`` holding one more verified claim than the one before
        (an unverified claim is never shown); the last equals what ``ask`` returns for the same
        arguments. Model failures raise ``ModelError``, as in ``ask``.
        """
        question = self.check_question(question)
        turns = normalize_history(history)
        chain = self._chain(model or self.model_name)
        yield from chain.stream(
            {
                "question": question,
                "history": turns,
                "top_k": _check_top_k(top_k) if top_k is not None else None,
            }
        )

    def check_question(self, question: str) -> str:
        if not isinstance(question, str) or not question.strip():
            raise InputError("the question is empty: ask something about the articles")
        question = question.strip()
        bad = next((i for i, ch in enumerate(question) if "\ud800" <= ch <= "\udfff"), None)
        if bad is not None:  # an undecodable byte on the command line, or a lone surrogate
            raise InputError(
                f"the question is not valid text: character {bad + 1} is an undecodable byte "
                "or a lone surrogate; retype it as UTF-8 text"
            )
        n = count_tokens(question)
        limit = self.settings.max_question_tokens
        if n > limit:
            raise InputError(
                f"the question is {n} tokens long; the limit is {limit} "
                "(set ASSISTANT_MAX_QUESTION_TOKENS to change it)",
                ui_message=f"the question is {n} tokens long; the limit is {limit}. "
                "Shorten it and ask again.",
            )
        return question

    def _chain(self, name: str) -> Any:
        with self._chains_lock:
            if name in self._chains:
                return self._chains[name]
            from assistant.answer.chain import build_chain

            if len(self._chains) >= MAX_CACHED_CHAINS:  # a UI user may try many model names
                self._chains.pop(next(iter(self._chains)))
            model = self._models.get(name) or make_chat_model(self.settings, name)
            chain = build_chain(
                self.settings,
                self.retriever,
                model,
                self.index.article_text,
                model_name=name,
                structured_kwargs=structured_output_kwargs(self.settings, model),
            )
            self._chains[name] = chain
            return chain

    # --- claim checking --------------------------------------------------------------------

    def check(self, claim: str, *, model: str | None = None) -> ClaimCheck:
        """A verdict on one claim (supported, refuted, not_enough_evidence, conflicting) with
        the verified sentences for and against it; see ``assistant.check``."""
        claim = self.check_question(claim)
        return self._claim_checker().check(claim, model or self.model_name)

    def check_text(self, text: str, *, model: str | None = None) -> CheckReport:
        """Every check-worthy claim of ``text`` (a paragraph, a quote), one verdict each."""
        text = self.check_claims_text(text)
        return self._claim_checker().check_text(text, model or self.model_name)

    def check_claims_text(self, text: str) -> str:
        if not isinstance(text, str) or not text.strip():
            raise InputError(
                'the claim is empty: state a fact to check, e.g. "X happened in 2020."'
            )
        text = text.strip()
        limit = self.settings.max_question_tokens * CLAIM_TEXT_FACTOR
        n = count_tokens(text)
        if n > limit:
            raise InputError(
                f"the text is {n} tokens long; the limit for claims to check is {limit} "
                "(split it, or raise ASSISTANT_MAX_QUESTION_TOKENS)"
            )
        return text

    def _claim_checker(self) -> Any:
        with self._chains_lock:  # one checker, however many UI checks start at once
            if self._checker is not None:
                return self._checker
            from assistant.check.engine import ClaimChecker

            self._checker = ClaimChecker(
                self.retriever,
                self.index.article_text,
                self.index.embeddings,
                chat_model=self._chat_model,
                settings=self.settings,
            )
            return self._checker

    def _chat_model(self, name: str) -> BaseChatModel:
        with self._chains_lock:
            if name not in self._models:
                self._models[name] = make_chat_model(self.settings, name)
            return self._models[name]

    # --- corpus ----------------------------------------------------------------------------

    def ingest(
        self,
        paths: Sequence[Path | str] | None = None,
        *,
        progress: Callable[[int, int], None] | None = None,
    ) -> IngestReport:
        """Index files or folders; ``progress(done, total)`` is called as passages are embedded.

        Safe beside other ingests, uploads and questions in this or other processes: each
        article is swapped live on its own, and answers in flight keep what they retrieved.
        """
        targets = [Path(p) for p in paths] if paths else [self.settings.seeds_dir]
        return store_ingest.ingest(self.index, targets, progress=progress)

    def remove(self, article_ids: str | Sequence[str]) -> IngestReport:
        """Remove articles from the index by id (their files are left alone)."""
        ids = [article_ids] if isinstance(article_ids, str) else list(article_ids)
        return store_ingest.remove(self.index, ids)

    def articles(self) -> list[ArticleEntry]:
        return sorted(self.index.manifest().values(), key=lambda e: e.article_id)

    def article_text(self, article_id: str) -> str:
        entry = self.index.entry(article_id)
        text = self.index.article_text(entry.version) if entry else None
        if text is None:
            raise ArticleError(f"no article with id {article_id!r} in the index")
        return text

    def search(self, query: str, k: int | None = None) -> list[Hit]:
        return self.retriever.search(self.check_question(query), k)


def _check_top_k(top_k: int) -> int:
    if not isinstance(top_k, int) or isinstance(top_k, bool) or not 1 <= top_k <= 50:
        raise InputError(f"top-k must be a whole number from 1 to 50, got {top_k!r}")
    return top_k
