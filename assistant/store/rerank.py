"""Sizing the context by relevance, read at sentence level.

A passage of eight sentences embedded as one vector blurs the one sentence that answers. Each
passage the hybrid retriever ranked is scored by the cosine of the question with its closest
*sentence*; passages whose best sentence falls far below the best passage's are left out, so a
clear answer comes with fewer, more relevant passages, never more than the caller's k.

The order itself stays the fused (dense + BM25) one: on the dev corpus (eval/corpora/
debian_history) every sentence-based reordering tried (by best sentence, fused with it by
reciprocal rank, or filling the tail by it) showed fewer passages holding the answer than the
fused order. ``KEEP_WITHIN`` and ``MIN_PASSAGES`` were calibrated there.

``sentence_vectors`` is the one place that reads the index's own sentence vectors (computed at
ingest) when it offers them; without them, only the sentences of the passages at hand are
embedded, once per text (``embed_texts``, shared with the offline model).
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
KEEP_WITHIN = 0.35
MIN_PASSAGES = 4

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


def sentence_vectors(index: Any, version: str) -> list[tuple[int, int, np.ndarray]] | None:
    """(start, end, unit vector) of every sentence of one article version, when the index
    computed them at ingest; their texts then need no embedding here or in the offline model."""
    own = getattr(index, "sentence_vectors", None)
    if not callable(own):
        return None
    key = (id(index.embeddings), version)
    if key not in _VERSION_VECTORS:
        text = index.article_text(version) or ""
        rows = [(s, e, np.asarray(v, dtype=np.float32)) for s, e, v in own(version)]
        for s, e, v in rows:  # the offline model looks sentences up by their text
            _TEXT_VECTORS[(id(index.embeddings), text[s:e])] = v / max(
                float(np.linalg.norm(v)), 1e-12
            )
        _VERSION_VECTORS[key] = rows
    return _VERSION_VECTORS[key]


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
