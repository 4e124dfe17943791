"""Hybrid retrieval: rank fusion, and both retrievers contributing on the real index."""

from __future__ import annotations

from assistant.factchecker import FactChecker
from assistant.store.retrieval import reciprocal_rank_fusion
from assistant.store.splitting import Passage


def _p(name: str) -> Passage:
    return Passage(name, name, 0, 1, name, 0, f"{name}@v")


def test_rank_fusion_rewards_agreement_between_rankings() -> None:
    a, b, c = _p("a"), _p("b"), _p("c")
    fused = reciprocal_rank_fusion([[a, b, c], [b, c, a]])
    assert [p.article_id for p, _, _ in fused] == ["b", "a", "c"]
    assert fused[0][2] == [2, 1]


def test_passages_found_by_only_one_ranking_are_kept() -> None:
    fused = reciprocal_rank_fusion([[_p("a")], [_p("z")]])
    assert {p.article_id for p, _, _ in fused} == {"a", "z"}


def test_exact_names_are_found_lexically(fact_checker: FactChecker) -> None:
    hits = fact_checker.search("Hwasong-19", k=3)
    lexical = [h for h in hits if h.lexical_rank is not None]
    assert lexical and all("Hwasong-19" in h.passage.text for h in lexical)


def test_paraphrases_are_found_by_the_dense_retriever(fact_checker: FactChecker) -> None:
    hits = fact_checker.search("garbage-filled balloons sent over the border", k=3)
    assert hits[0].dense_rank is not None
    assert hits[0].passage.article_id == "004_17d23c1497de228f"


def test_results_keep_article_ids_and_offsets(fact_checker: FactChecker) -> None:
    for hit in fact_checker.search("troops in Kursk", k=5):
        text = fact_checker.article_text(hit.passage.article_id)
        assert text[hit.passage.start : hit.passage.end] == hit.passage.text
