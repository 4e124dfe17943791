"""Hybrid retrieval: dense (Chroma) and lexical (BM25) rankings fused by reciprocal rank.

Dense vectors find paraphrases ("how high" ~ "altitude"); BM25 (SQLite FTS5, ``lexical.py``)
finds exact names and figures ("COVID-19", "1,001") that small embedding models blur.
Reciprocal rank fusion needs no score calibration between the two, which is why it is the usual
choice for this pairing. Both rankings read one snapshot of the live articles, and a passage
whose words repeat one ranked higher (the same text uploaded twice, a syndicated copy) is
dropped, so copies cannot crowd the other articles out of the answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.store.index import ArticleIndex
from assistant.store.records import passage_metadata
from assistant.store.splitting import Passage


@dataclass(frozen=True)
class Hit:
    passage: Passage
    score: float
    dense_rank: int | None
    lexical_rank: int | None


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[Passage]], k: int = 60
) -> list[tuple[Passage, float, list[int | None]]]:
    """Fuse ranked lists; each passage scores sum(1 / (k + rank)). Ties keep first-list order."""
    scores: dict[str, float] = {}
    ranks: dict[str, list[int | None]] = {}
    by_id: dict[str, Passage] = {}
    for list_no, ranking in enumerate(rankings):
        for rank, passage in enumerate(ranking, start=1):
            pid = passage.passage_id
            by_id.setdefault(pid, passage)
            scores[pid] = scores.get(pid, 0.0) + 1.0 / (k + rank)
            ranks.setdefault(pid, [None] * len(rankings))[list_no] = rank
    order = sorted(scores, key=lambda pid: (-scores[pid], min(r for r in ranks[pid] if r)))
    return [(by_id[pid], scores[pid], ranks[pid]) for pid in order]


class HybridRetriever(BaseRetriever):
    """A LangChain retriever, so it composes into the answer chain with ``|``."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: ArticleIndex
    top_k: int = 6
    candidate_k: int = 20
    rrf_k: int = 60

    def search(self, query: str, k: int | None = None) -> list[Hit]:
        k = k or self.top_k
        snapshot = self.index.snapshot()
        dense = [p for p, _ in self.index.dense_search(query, self.candidate_k, snapshot)]
        lexical = [p for p, _ in self.index.lexical_search(query, self.candidate_k, snapshot)]
        fused = reciprocal_rank_fusion([dense, lexical], self.rrf_k)
        hits: list[Hit] = []
        seen: set[tuple[str, ...]] = set()
        for p, s, r in fused:
            key = tuple(self.index.lexical.terms(p)) or (p.text.strip(),)
            if key in seen:
                continue
            seen.add(key)
            hits.append(Hit(p, s, r[0], r[1]))
            if len(hits) == k:
                break
        return hits

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        return [hit_to_document(hit) for hit in self.search(query)]


def hit_to_document(hit: Hit) -> Document:
    p = hit.passage
    return Document(
        page_content=p.text,
        id=p.passage_id,
        metadata={
            **passage_metadata(p),
            "score": hit.score,
            "dense_rank": hit.dense_rank,
            "lexical_rank": hit.lexical_rank,
        },
    )


__all__ = ["HybridRetriever", "reciprocal_rank_fusion"]
