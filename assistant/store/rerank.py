"""Sizing the context by relevance, read at sentence level.

A passage of eight sentences embedded as one vector blurs the one sentence that answers. Each
passage the hybrid retriever ranked is scored by the cosine of the question with its closest
*sentence*; passages whose best sentence falls far below the best passage's are left out, so a
clear answer comes with fewer, more relevant passages, never more than the caller's k.

The order itself stays the fused (dense + BM25) one: on the dev corpus (eval/corpora/
debian_history) every sentence-based reordering tried (by best sentence, fused with it by
reciprocal rank, or filling the tail by it) showed fewer passages holding the answer than the
fused order. ``KEEP_WITHIN`` and ``MIN_PASSAGES`` were calibrated there.

The index's own sentence vectors (computed at ingest) are used when it offers them; without
them, only the sentences of the passages at hand are embedded, once per text. Both go through
``store/vectors.py``, the cache the offline model shares.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from assistant.store.retrieval import Hit
from assistant.store.vectors import embed_texts, sentence_vectors
from assistant.text import sentence_spans

# A passage stays in the context while its best sentence is this close to the best passage's.
KEEP_WITHIN = 0.35
MIN_PASSAGES = 4


def passage_scores(index: Any, query: str, hits: Sequence[Hit]) -> list[float]:
    """Each passage's best sentence cosine with ``query`` (sentences that start inside it).

    Without vectors from ingest, only the sentences of the passages at hand are embedded (and
    cached), so a first question does not pay for whole articles.
    """
    if not hits:
        return []
    q = embed_texts(index.embeddings, [query])[0]
    scores = []
    for hit in hits:
        p = hit.passage
        stored = sentence_vectors(index, p.version)
        if stored is not None:
            inside = [v for s, _, v in stored if p.start <= s < p.end]
        else:
            texts = [p.text[s:e] for s, e in sentence_spans(p.text) if e - s >= 3]
            inside = list(embed_texts(index.embeddings, texts)) if texts else []
        scores.append(max((float(v @ q) for v in inside), default=0.0))
    return scores


def rerank(index: Any, query: str, hits: Sequence[Hit], k: int) -> list[Hit]:
    """The first k candidates, cut where their best sentence's relevance falls off."""
    if len(hits) <= 1:
        return list(hits)[:k]
    first = list(hits)[:k]
    sentence = passage_scores(index, query, first)
    # The fused order stands (on the dev corpus it found more answer sentences than any sentence
    # ordering tried); the context ends where a passage's best sentence falls far below the best.
    top = max(sentence)
    kept = [i for i in range(len(first)) if i < MIN_PASSAGES or sentence[i] >= top - KEEP_WITHIN]
    return [first[i] for i in kept]
