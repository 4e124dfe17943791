"""Sentence-level reranking: a passage is as relevant as its best sentence.

A passage of eight sentences embedded as one vector blurs the one sentence that answers; BM25
favours passages that repeat the question's words. Scoring each candidate passage by the
cosine of the question with its closest *sentence* puts the passage holding the answer among
those shown, and the gap between scores tells how many passages are worth showing: the
context is sized by relevance (a clear winner needs few passages, a spread question more),
never beyond the caller's k.

Sentence vectors are computed once per article version and cached. ``sentence_vectors`` is the
one place that gets them: the index's own (computed at ingest) when it offers them, else
embedded here on first use.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.store.retrieval import Hit
from assistant.text import sentence_spans

MAX_CACHED_TEXTS = 50_000
# A passage stays in the context while its best sentence is this close to the best passage's.
KEEP_WITHIN = 0.12
MIN_PASSAGES = 3
# How much the fused (dense + BM25) rank still counts beside the sentence score.
FUSION_WEIGHT = 0.5

_TEXT_VECTORS: OrderedDict[tuple[int, str], np.ndarray] = OrderedDict()
_VERSION_VECTORS: dict[tuple[int, str], list[tuple[int, int, np.ndarray]]] = {}


def embed_texts(embeddings: Embeddings, texts: Sequence[str]) -> np.ndarray:
    """Unit vectors for ``texts`` (rows), each text embedded once per process and model."""
    key = id(embeddings)
    missing = list(dict.fromkeys(t for t in texts if (key, t) not in _TEXT_VECTORS))
    if missing:
        for text, vector in zip(missing, embeddings.embed_documents(missing), strict=True):
            array = np.asarray(vector, dtype=np.float32)
            _TEXT_VECTORS[(key, text)] = array / max(float(np.linalg.norm(array)), 1e-12)
        while len(_TEXT_VECTORS) > MAX_CACHED_TEXTS:
            _TEXT_VECTORS.popitem(last=False)
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    return np.stack([_TEXT_VECTORS[(key, t)] for t in texts])


def sentence_vectors(index: Any, version: str) -> list[tuple[int, int, np.ndarray]]:
    """(start, end, unit vector) of every sentence of one article version."""
    own = getattr(index, "sentence_vectors", None)
    if callable(own):
        return [(s, e, np.asarray(v, dtype=np.float32)) for s, e, v in own(version)]
    key = (id(index.embeddings), version)
    if key not in _VERSION_VECTORS:
        text = index.article_text(version) or ""
        spans = [(s, e) for s, e in sentence_spans(text) if e - s >= 3]
        vectors = embed_texts(index.embeddings, [text[s:e] for s, e in spans])
        _VERSION_VECTORS[key] = [(s, e, vectors[i]) for i, (s, e) in enumerate(spans)]
    return _VERSION_VECTORS[key]


def passage_scores(index: Any, query: str, hits: Sequence[Hit]) -> list[float]:
    """Each passage's best sentence cosine with ``query`` (sentences that start inside it)."""
    if not hits:
        return []
    q = embed_texts(index.embeddings, [query])[0]
    scores = []
    for hit in hits:
        p = hit.passage
        inside = [v for s, e, v in sentence_vectors(index, p.version) if p.start <= s < p.end]
        scores.append(max((float(v @ q) for v in inside), default=0.0))
    return scores


def rerank(index: Any, query: str, hits: Sequence[Hit], k: int) -> list[Hit]:
    """The candidates reordered by their best sentence, cut where relevance falls off, <= k."""
    if len(hits) <= 1:
        return list(hits)[:k]
    sentence = passage_scores(index, query, hits)
    best_fused = max(h.score for h in hits) or 1.0
    combined = [
        s + FUSION_WEIGHT * 0.1 * (h.score / best_fused)
        for s, h in zip(sentence, hits, strict=True)
    ]
    order = sorted(range(len(hits)), key=lambda i: -combined[i])
    top = combined[order[0]]
    kept = [i for n, i in enumerate(order) if n < MIN_PASSAGES or combined[i] >= top - KEEP_WITHIN]
    return [hits[i] for i in kept[:k]]
