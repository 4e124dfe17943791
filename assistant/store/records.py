"""How passages and sentence vectors are stored as Chroma records, and read back.

One place for the record formats that the reader (``index.py``) and the writer (``ingest.py``)
must agree on: a passage's metadata, and one article version's sentence offsets and vectors
packed into a single record.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import numpy as np

from assistant.store.lexical import Live
from assistant.store.splitting import Passage


def pack_sentences(spans: list[tuple[int, int]], vectors: list[list[float]]) -> str:
    """One article version's sentence offsets and vectors as one stored string.

    One Chroma record per sentence made ingest cost ~1 ms per sentence in Chroma's log alone;
    one record per article costs almost nothing. Vectors are int8 with a scale per vector
    (cosine error ~1e-3), a quarter of float32: a long manual page has hundreds of sentences.
    """
    offsets = np.asarray(spans, dtype=np.int32).reshape(-1, 2)
    matrix = np.asarray(vectors, dtype=np.float32).reshape(len(spans), -1)
    scales = np.clip(np.abs(matrix).max(axis=1, keepdims=True), 1e-12, None) / 127.0
    quantised = np.round(matrix / scales).astype(np.int8)
    return json.dumps(
        {
            "dims": int(matrix.shape[1]) if len(spans) else 0,
            "spans": base64.b64encode(offsets.tobytes()).decode(),
            "scales": base64.b64encode(scales.astype(np.float32).tobytes()).decode(),
            "vectors": base64.b64encode(quantised.tobytes()).decode(),
        }
    )


def unpack_sentences(packed: str) -> list[tuple[int, int, np.ndarray]]:
    data = json.loads(packed)
    spans = np.frombuffer(base64.b64decode(data["spans"]), dtype=np.int32).reshape(-1, 2)
    if not len(spans):
        return []
    scales = np.frombuffer(base64.b64decode(data["scales"]), dtype=np.float32).reshape(-1, 1)
    matrix = np.frombuffer(base64.b64decode(data["vectors"]), dtype=np.int8)
    matrix = matrix.reshape(len(spans), data["dims"]).astype(np.float32) * scales
    matrix /= np.clip(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12, None)
    return [(int(s), int(e), matrix[i]) for i, (s, e) in enumerate(spans)]


def passage_metadata(p: Passage) -> dict[str, Any]:
    """What Chroma stores beside a passage's text; enough to rebuild the Passage."""
    return {
        "article_id": p.article_id,
        "title": p.title,
        "start": p.start,
        "end": p.end,
        "index": p.index,
        "version": p.version,
    }


def passage_from(text: str, meta: dict[str, Any], live: Live | None = None) -> Passage:
    """A stored passage; its title comes from the manifest, where a catalog change lands."""
    version = str(meta["version"])
    title = live[version][1] if live and version in live else str(meta["title"])
    return Passage(
        article_id=str(meta["article_id"]),
        title=title,
        start=int(meta["start"]),
        end=int(meta["end"]),
        text=text,
        index=int(meta["index"]),
        version=version,
    )
