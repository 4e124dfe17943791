"""Reading articles: validation errors, titles, and boilerplate that keeps offsets intact."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import ArticleError
from assistant.store.corpus import (
    boilerplate_spans,
    content_blocks,
    derive_title,
    load_article,
    load_catalog,
    read_article_text,
)

from conftest import SEEDS, seed_text


def test_seed_files_are_the_shared_corpus_unchanged() -> None:
    shared = Path(__file__).resolve().parents[2] / "shared" / "seeds"
    if not shared.is_dir():
        pytest.skip("../shared/seeds is not beside this checkout")
    for path in shared.glob("*.txt"):
        assert (SEEDS / path.name).read_bytes() == path.read_bytes()


def test_catalog_titles_every_seed() -> None:
    catalog = load_catalog(SEEDS / "catalog.toml")
    assert set(catalog) == {p.stem for p in SEEDS.glob("*.txt")}
    assert catalog["001_55bce36a464c4aa4"]["outlet"] == "AFP"


def test_article_without_catalog_entry_gets_title_from_its_text(tmp_path: Path) -> None:
    path = tmp_path / "new_article.md"
    path.write_text("NEWS\n\n# Balloons over Seoul\n\nTrash-filled balloons landed.\n", "utf-8")
    assert load_article(path, {}).title == "Balloons over Seoul"


def test_derive_title_shortens_long_first_lines() -> None:
    title = derive_title("word " * 60)
    assert len(title) <= 91 and title.endswith("…")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"   \n", "is empty"),
        ("latin1.txt", "Caf\xe9 news".encode("latin-1"), "not UTF-8"),
        ("binary.txt", b"\x00\x01\x02", "binary"),
        ("notes.pdf", b"%PDF-1.4", "only .txt and .md"),
    ],
)
def test_unusable_files_raise_a_clear_error(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ArticleError, match=message) as info:
        read_article_text(path)
    assert name in str(info.value)


def test_missing_file_is_reported_by_name(tmp_path: Path) -> None:
    with pytest.raises(ArticleError, match="no such file"):
        read_article_text(tmp_path / "gone.txt")


def test_repeated_header_words_and_photo_credits_are_boilerplate() -> None:
    text = seed_text("000_10ab2ce775a9e3f9")
    dropped = [text[s:e] for s, e in boilerplate_spans(text)]
    assert dropped.count("NEWS") == 2
    assert any(d.endswith("(KCNA).AFP") for d in dropped)
    assert all("Pyongyang" not in d for d in dropped)


def test_tweet_links_are_cut_but_the_tweet_words_kept() -> None:
    text = seed_text("003_933040b281bedf99")
    dropped = " ".join(text[s:e] for s, e in boilerplate_spans(text))
    assert "pic.twitter.com/b1YZnmMh3W" in dropped
    assert "(@clashreport)" in dropped
    kept = " ".join(text[s:e] for s, e in content_blocks(text))
    assert "The missile reached a 7,687.5 km altitude" in kept
    assert "pic.twitter.com" not in kept


def test_content_blocks_index_the_original_text() -> None:
    for path in SEEDS.glob("*.txt"):
        text = path.read_text("utf-8")
        for start, end in content_blocks(text):
            block = text[start:end]
            assert block == block.strip() and block
