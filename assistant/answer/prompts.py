"""Prompt templates are files in ``prompts/``, loaded at run time so they can be edited freely.

The passages are numbered into the prompt in retrieval order until the tiktoken budget is spent,
and each sentence in them carries an id (``[s12]``, see ``sentences.py``); the same numbering is
what the model cites and what the verifier checks.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from langchain_core.prompts import ChatPromptTemplate

from assistant.answer.sentences import SentenceIndex
from assistant.store.splitting import Passage
from assistant.tokens import count_tokens

PASSAGES_OPEN = "<passages>"
PASSAGES_CLOSE = "</passages>"
QUESTION_PREFIX = "Question: "
CONDENSE_MARKER = "Latest question: "
SENTENCE_ID_TOKENS = 5  # an upper bound for one "[s12] " marker


@lru_cache(maxsize=32)
def _read(path: Path, mtime: float) -> str:
    return path.read_text(encoding="utf-8")


def load_prompt(prompts_dir: Path, name: str) -> str:
    path = prompts_dir / name
    return _read(path, path.stat().st_mtime)


def answer_prompt(prompts_dir: Path) -> ChatPromptTemplate:
    return ChatPromptTemplate.from_messages(
        [
            ("system", load_prompt(prompts_dir, "answer_system.md")),
            ("human", load_prompt(prompts_dir, "answer_user.md")),
        ]
    )


def condense_prompt(prompts_dir: Path) -> ChatPromptTemplate:
    return ChatPromptTemplate.from_messages([("human", load_prompt(prompts_dir, "condense.md"))])


def passage_header(number: int, passage: Passage) -> str:
    return f'[{number}] article {passage.article_id} — "{passage.title}"'


def format_passages(passages: Sequence[Passage], index: SentenceIndex | None = None) -> str:
    """The numbered passages; with ``index``, each sentence marked with its id."""
    return "\n\n".join(
        f"{passage_header(i, p)}\n{index.marked_text(i) if index else p.text}"
        for i, p in enumerate(passages, 1)
    )


def fit_passages(
    passages: Sequence[Passage], budget_tokens: int, model: str | None = None
) -> list[Passage]:
    """Keep passages in rank order while the numbered block stays within ``budget_tokens``."""
    kept: list[Passage] = []
    used = 0
    for number, passage in enumerate(passages, 1):
        cost = count_tokens(f"{passage_header(number, passage)}\n{passage.text}\n\n", model)
        cost += SENTENCE_ID_TOKENS * (1 + passage.text.count(". "))
        if used + cost > budget_tokens:
            break
        kept.append(passage)
        used += cost
    return kept


def format_history(history: Sequence[tuple[str, str]]) -> str:
    return "\n".join(f"{role}: {content}" for role, content in history)
