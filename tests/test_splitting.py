"""Passages are token-sized and their offsets round-trip into the article file."""

from __future__ import annotations

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from assistant.store.corpus import Article, content_hash, load_article, load_catalog
from assistant.store.splitting import split_article
from assistant.tokens import count_tokens

from conftest import SEEDS


def _seed_articles() -> list[Article]:
    catalog = load_catalog(SEEDS / "catalog.toml")
    return [load_article(p, catalog) for p in sorted(SEEDS.glob("*.txt"))]


def test_passage_offsets_round_trip_on_every_seed() -> None:
    for article in _seed_articles():
        passages = split_article(article)
        assert passages
        for p in passages:
            assert article.text[p.start : p.end] == p.text


def test_passages_stay_within_the_token_size() -> None:
    for article in _seed_articles():
        for p in split_article(article, chunk_tokens=120, overlap_tokens=20):
            assert count_tokens(p.text) <= 120


def test_passages_never_contain_boilerplate() -> None:
    for article in _seed_articles():
        for p in split_article(article):
            assert "pic.twitter.com" not in p.text
            assert "© " not in p.text
            assert p.text != "NEWS"


def test_passage_ids_are_unique_and_carry_the_version() -> None:
    ids = [p.passage_id for a in _seed_articles() for p in split_article(a)]
    assert len(ids) == len(set(ids))
    assert all("@" in i and "#" in i for i in ids)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1),
        min_size=1,
        max_size=12,
    )
)
def test_offsets_round_trip_on_arbitrary_text(paragraphs: list[str]) -> None:
    text = "\n\n".join(paragraphs)
    assume(text.strip())
    article = Article("x", text, "t", sha=content_hash(text))
    for p in split_article(article, chunk_tokens=40, overlap_tokens=8):
        assert text[p.start : p.end] == p.text


def test_repeated_paragraphs_are_placed_where_each_copy_occurs() -> None:
    # A paragraph longer than a passage, twice: LangChain's start_index points the second copy's
    # pieces at the first, which used to abort the whole ingest.
    words = "harbour bell rang twice at noon while quay nets dried under grey skies".split()
    paragraph = " ".join(words[(i * 7) % len(words)] for i in range(70)).capitalize() + "."
    text = f"{paragraph}\n\n{paragraph}"
    article = Article("song", text, "t", sha=content_hash(text))
    passages = split_article(article, chunk_tokens=40, overlap_tokens=8)
    starts = [p.start for p in passages]
    assert starts == sorted(set(starts))  # in text order, no piece placed twice
    for p in passages:
        assert text[p.start : p.end] == p.text
    covered = set().union(*(range(p.start, p.end) for p in passages))
    assert all(i in covered for i, ch in enumerate(text) if not ch.isspace())
