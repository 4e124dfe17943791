"""Evidence for a claim: the article sentences most likely to confirm or contradict it.

Retrieval is the project's hybrid retriever (dense + BM25 over passages); each retrieved passage
is widened to the whole sentences it touches, read from the article text so that every sentence
has exact offsets. Sentences are then ranked by two signals that fail differently: embedding
similarity (the claim in other words) and lexical overlap of content words (names and terms the
embedding blurs). Figures are left out of the overlap on purpose: a sentence giving a different
figure for the same thing is exactly the evidence that refutes a claim.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.store.retrieval import HybridRetriever
from assistant.text import sentence_spans, tokens

# Weight of embedding similarity against word overlap in a sentence's relevance.
SIMILARITY_WEIGHT = 0.5
MAX_SENTENCE_CHARS = 1_200  # a "sentence" longer than this is a list or table, not a statement
_CACHE_LIMIT = 20_000


@dataclass(frozen=True)
class Sentence:
    article_id: str
    title: str
    version: str
    start: int
    end: int
    text: str  # exactly article_text[start:end]


@dataclass(frozen=True)
class Candidate:
    sentence: Sentence
    similarity: float  # cosine of claim and sentence embeddings
    overlap: float  # share of the claim's content words (not figures) in the sentence
    rank: int = 0

    @property
    def relevance(self) -> float:
        return SIMILARITY_WEIGHT * self.similarity + (1 - SIMILARITY_WEIGHT) * self.overlap


def content_words(text: str) -> set[str]:
    """Stemmed content words without figures (see the module note)."""
    return {t for t in tokens(text) if not t[:1].isdigit()}


def overlap(claim: str, sentence: str) -> float:
    words = content_words(claim)
    if not words:
        return 0.0
    return len(words & content_words(sentence)) / len(words)


class EvidenceFinder:
    """Retrieves and ranks candidate evidence sentences; caches sentence embeddings."""

    def __init__(
        self,
        retriever: HybridRetriever,
        article_text: Callable[[str], str | None],
        embeddings: Embeddings,
    ) -> None:
        self.retriever = retriever
        self.article_text = article_text
        self.embeddings = embeddings
        self._vectors: dict[str, np.ndarray] = {}
        self._spans: dict[str, list[tuple[int, int]]] = {}

    def sentences(self, claim: str, k: int) -> list[Sentence]:
        """Whole sentences of the ``k`` best passages, deduplicated, in retrieval order."""
        seen: set[tuple[str, int]] = set()
        out: list[Sentence] = []
        for hit in self.retriever.search(claim, k):
            p = hit.passage
            text = self.article_text(p.version)
            if not text:
                continue
            if p.version not in self._spans:
                self._spans[p.version] = sentence_spans(text)
            for start, end in self._spans[p.version]:
                if end <= p.start or start >= p.end or (p.version, start) in seen:
                    continue
                if end - start > MAX_SENTENCE_CHARS:
                    continue
                seen.add((p.version, start))
                out.append(Sentence(p.article_id, p.title, p.version, start, end, text[start:end]))
        return out

    def rank(self, claim: str, sentences: Sequence[Sentence]) -> list[Candidate]:
        """Candidates by relevance, best first."""
        if not sentences:
            return []
        sims = self._similarities(claim, [s.text for s in sentences])
        scored = [
            Candidate(s, float(sim), overlap(claim, s.text))
            for s, sim in zip(sentences, sims, strict=True)
        ]
        scored.sort(key=lambda c: -c.relevance)
        return [
            Candidate(c.sentence, c.similarity, c.overlap, rank=i) for i, c in enumerate(scored)
        ]

    def find(self, claim: str, k: int) -> list[Candidate]:
        return self.rank(claim, self.sentences(claim, k))

    def _similarities(self, claim: str, texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        if missing:
            if len(self._vectors) + len(missing) > _CACHE_LIMIT:
                self._vectors.clear()
            for text, vec in zip(missing, self.embeddings.embed_documents(missing), strict=True):
                self._vectors[text] = _unit(vec)
        query = _unit(self.embeddings.embed_query(claim))
        matrix = np.stack([self._vectors[t] for t in texts])
        return matrix @ query


def _unit(vector: Sequence[float]) -> np.ndarray:
    v = np.asarray(vector, dtype=np.float32)
    norm = float(np.linalg.norm(v))
    return v / norm if norm else v
