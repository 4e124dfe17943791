"""The process's one cache of unit sentence vectors, shared by the dense search, the
reranker, the offline engine and the disagreement step: a text is embedded once per process
and model, and an article's sentence vectors computed at ingest are read from the index once.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

MAX_CACHED_TEXTS = 50_000

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
