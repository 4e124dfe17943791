"""Sentence ids for the passages a model is shown, so a claim can cite sentences, not quote them.

This is the design of Anthropic's citations API: the model names what it relies on and the system
extracts the cited text itself, so every citation is the article's own text by construction.
Ids are whole article sentences (``text.sentence_spans``) that overlap a shown passage, numbered
in prompt order; a sentence shown in two overlapping passages keeps one id. The prompt, the
verifier and the offline engine all derive the same ids from the same passages.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from assistant.store.splitting import Passage
from assistant.text import sentence_spans

MARKER = re.compile(r"\[s(\d+)\] ?")


@dataclass(frozen=True)
class Sentence:
    id: int
    passage_number: int  # the first shown passage holding it (1-based, as in the prompt)
    passage: Passage
    start: int  # offsets in the article text
    end: int
    text: str  # exactly article_text[start:end]


@lru_cache(maxsize=256)
def article_sentences(text: str) -> tuple[tuple[int, int], ...]:
    return tuple(sentence_spans(text))


class SentenceIndex:
    """The id of every sentence in the shown passages, and the passages marked with them."""

    def __init__(self, passages: Sequence[Passage], article_texts: Mapping[str, str]) -> None:
        self.passages = list(passages)
        self.texts = dict(article_texts)
        self.by_id: dict[int, Sentence] = {}
        self._marks: dict[int, list[tuple[int, int]]] = {}
        ids: dict[tuple[str, int, int], int] = {}
        for number, passage in enumerate(self.passages, 1):
            text = self.texts.get(passage.version)
            if text is None:
                continue
            for start, end in article_sentences(text):
                if end <= passage.start or start >= passage.end:
                    continue
                key = (passage.version, start, end)
                if key not in ids:
                    ids[key] = len(self.by_id) + 1
                    self.by_id[ids[key]] = Sentence(
                        ids[key], number, passage, start, end, text[start:end]
                    )
                offset = max(start, passage.start) - passage.start
                self._marks.setdefault(number, []).append((offset, ids[key]))

    def marked_text(self, number: int) -> str:
        """Passage ``number``'s text with ``[sN]`` before each sentence it shows."""
        passage = self.passages[number - 1]
        text = passage.text
        for offset, sid in sorted(self._marks.get(number, []), reverse=True):
            text = f"{text[:offset]}[s{sid}] {text[offset:]}"
        return text

    def covering(self, passage: Passage, start: int, end: int) -> list[Sentence]:
        """The sentences of ``passage``'s article that overlap ``[start, end)``, in order.

        A span outside the shown sentences (a quote found elsewhere in the article) gets
        sentences with id 0: citable, but not ids the model was shown.
        """
        text = self.texts.get(passage.version, "")
        known = {(s.passage.version, s.start): s for s in self.by_id.values()}
        out = []
        for s_start, s_end in article_sentences(text):
            if s_end <= start or s_start >= end:
                continue
            found = known.get((passage.version, s_start))
            out.append(found or Sentence(0, 0, passage, s_start, s_end, text[s_start:s_end]))
        return out

    def in_passage(self, number: int) -> list[Sentence]:
        return [self.by_id[sid] for _, sid in sorted(self._marks.get(number, []))]


def strip_sentence_ids(text: str) -> str:
    """Passage text as the article has it, for readers of a prompt that carries ids."""
    return MARKER.sub("", text)
