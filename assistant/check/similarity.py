"""Whether a claim's word is said in other words by a sentence: the nearest word embedding.

The shipped sentence-embedding model embeds single words well enough to tell paraphrase
("yearly"/"annual") from a word the sentence does not say.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.text import STOPWORDS, WORD

SYNONYM = 0.6  # word-embedding cosine above which a sentence word says the claim's word


class WordSimilarity:
    """Whether a claim's word is said in other words by a sentence: nearest word embedding.

    "yearly" for "annual", "beating" for "defeating" are paraphrase; a word with no near
    neighbour in the sentence ("delayed", "surrendered") is something the sentence does not say.
    """

    def __init__(self, embeddings: Embeddings) -> None:
        self.embeddings = embeddings
        self._vectors: dict[str, np.ndarray] = {}

    def uncovered(self, words: Sequence[str], sentence: str) -> list[str]:
        if not words:
            return []
        theirs = sorted({w.lower() for w in WORD.findall(sentence) if w.lower() not in STOPWORDS})
        if not theirs:
            return list(words)
        # A hyphenated word is said when each of its parts is ("single-architecture" is not
        # said by "architectures").
        parts = {w: [p for p in w.lower().split("-") if len(p) > 1] or [w.lower()] for w in words}
        self._embed([p for ps in parts.values() for p in ps] + theirs)
        matrix = np.stack([self._vectors[w] for w in theirs])
        return [
            w
            for w in words
            if any(float((matrix @ self._vectors[p]).max()) < SYNONYM for p in parts[w])
        ]

    def _embed(self, words: Sequence[str]) -> None:
        missing = [w for w in dict.fromkeys(words) if w not in self._vectors]
        if len(self._vectors) > 50_000:
            self._vectors.clear()
            missing = list(dict.fromkeys(words))
        if missing:
            for w, v in zip(missing, self.embeddings.embed_documents(missing), strict=True):
                vec = np.asarray(v, dtype=np.float32)
                self._vectors[w] = vec / (float(np.linalg.norm(vec)) or 1.0)
