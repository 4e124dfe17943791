"""Incremental ingest: hashes skip unchanged files, changes replace, deletions remove,
bad files are skipped by name, and an interrupted ingest leaves the old index answering."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from langchain_core.embeddings import Embeddings

from assistant.factchecker import FactChecker
from assistant.store.embeddings import LocalMiniLMEmbeddings
from assistant.store.index import ArticleIndex
from assistant.store.ingest import ingest

from conftest import SEED_IDS, SEEDS, make_settings, seed_text


@pytest.fixture
def corpus(seeded_copy: tuple[Path, Path]) -> Path:
    return seeded_copy[1]


def _checker(tmp_path: Path, corpus: Path, **overrides: object) -> FactChecker:
    """The offline FactChecker over this test's copy of the seeded store."""
    return FactChecker(make_settings(tmp_path / "store", seeds_dir=corpus, **overrides))


def test_first_use_builds_the_index_from_the_seeds(seeded_store: Path) -> None:
    fc = FactChecker(make_settings(seeded_store), auto_ingest=False)
    assert [a.article_id for a in fc.articles()] == SEED_IDS
    assert all(a.passages > 0 for a in fc.articles())


def test_reingesting_unchanged_files_embeds_nothing(tmp_path: Path, corpus: Path) -> None:
    fc = _checker(tmp_path, corpus)
    report = fc.ingest([corpus])
    assert report.unchanged == SEED_IDS
    assert report.passages_written == 0 and not report.changed


def test_changed_file_replaces_its_passages(tmp_path: Path, corpus: Path) -> None:
    fc = _checker(tmp_path, corpus, gc_grace_s=0)
    path = corpus / "002_3a88e4685ba7a7dd.txt"
    path.write_text(
        path.read_text("utf-8") + "\nThe zeppelin fleet of Atlantis was grounded on Friday.\n",
        "utf-8",
    )
    report = fc.ingest([corpus])
    assert report.updated == ["002_3a88e4685ba7a7dd"]
    answer = fc.ask("Why was the zeppelin fleet of Atlantis grounded?")
    assert not answer.refused
    assert answer.citations[0].article_id == "002_3a88e4685ba7a7dd"
    versions = {p.version for p in fc.index.passages() if p.article_id == "002_3a88e4685ba7a7dd"}
    assert len(versions) == 1
    stored = fc.index._collection.get(where={"article_id": "002_3a88e4685ba7a7dd"}, include=[])
    assert {i.split("#")[0] for i in stored["ids"]} == versions  # the old version is deleted


def test_a_replaced_version_stays_readable_for_answers_in_flight(
    tmp_path: Path, corpus: Path
) -> None:
    fc = _checker(tmp_path, corpus)
    old = fc.index.entry("002_3a88e4685ba7a7dd")
    assert old is not None
    path = corpus / "002_3a88e4685ba7a7dd.txt"
    path.write_text(path.read_text("utf-8") + "\nA new closing paragraph.\n", "utf-8")
    fc.ingest([corpus])
    reader = FactChecker(fc.settings)  # another process's cache would not hold it either
    assert reader.index.article_text(old.version) == seed_text("002_3a88e4685ba7a7dd")
    assert old.version not in reader.index.live_versions()


def test_deleted_file_is_removed_from_the_index(tmp_path: Path, corpus: Path) -> None:
    fc = _checker(tmp_path, corpus)
    (corpus / "004_17d23c1497de228f.txt").unlink()
    report = fc.ingest([corpus])
    assert report.removed == ["004_17d23c1497de228f"]
    assert "004_17d23c1497de228f" not in {p.article_id for p in fc.index.passages()}
    assert fc.ask("Why did Incheon Airport close?").refused


def test_ingesting_one_file_does_not_remove_the_others(tmp_path: Path, corpus: Path) -> None:
    fc = _checker(tmp_path, corpus)
    extra = tmp_path / "extra.md"
    extra.write_text("# Extra\n\nA brand new article about lighthouse keepers in Busan.\n", "utf-8")
    report = fc.ingest([extra])
    assert report.added == ["extra"] and not report.removed
    assert len(fc.articles()) == len(SEED_IDS) + 1


def test_bad_files_are_skipped_by_name_and_the_rest_ingested(tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(SEEDS / "001_55bce36a464c4aa4.txt", folder)
    (folder / "empty.txt").write_text("", "utf-8")
    (folder / "latin1.txt").write_bytes("Caf\xe9".encode("latin-1"))
    fc = FactChecker(make_settings(tmp_path / "store", seeds_dir=folder), auto_ingest=False)
    report = fc.ingest([folder, tmp_path / "missing.txt"])
    assert report.added == ["001_55bce36a464c4aa4"]
    skipped = " ".join(reason for _, reason in report.skipped)
    assert "empty.txt" in skipped and "latin1.txt" in skipped and "missing.txt" in skipped


class _FailingEmbeddings(Embeddings):
    """Embeds the first call, then fails: an ingest that dies half-way."""

    def __init__(self) -> None:
        self.inner = LocalMiniLMEmbeddings()
        self.calls = 0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.calls += 1
        if self.calls > 1:
            raise RuntimeError("power cut")
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


def test_an_ingest_that_dies_keeps_the_groups_written_before_and_the_old_rest(
    tmp_path: Path, corpus: Path
) -> None:
    fc = _checker(tmp_path, corpus)
    question = "How far did the missile fly?"
    before = fc.ask(question)
    before_manifest = fc.index.manifest()

    for path in corpus.glob("00[12]*.txt"):
        path.write_text(path.read_text("utf-8") + "\nAn appended paragraph.\n", "utf-8")
    # One article per group, and the embedding model fails on the second group.
    settings = fc.settings.model_copy(
        update={"ingest_batch_passages": 1, "sentence_vectors": False}
    )
    broken = ArticleIndex(settings, _FailingEmbeddings(), fc.index.embeddings.model_id)  # type: ignore[attr-defined]
    with pytest.raises(RuntimeError, match="power cut"):
        ingest(broken, [corpus])

    reopened = FactChecker(fc.settings)
    after = reopened.index.manifest()
    assert after["001_55bce36a464c4aa4"] != before_manifest["001_55bce36a464c4aa4"]  # kept
    assert after["002_3a88e4685ba7a7dd"] == before_manifest["002_3a88e4685ba7a7dd"]  # old one
    # 001 changed (its new version was kept), so the engine may pick another sentence; the
    # index must still answer from the same article, with quotes that are the article's text.
    answer = reopened.ask(question)
    assert not answer.refused
    assert {c.article_id for c in answer.citations} == {c.article_id for c in before.citations}
    for c in answer.citations:
        assert reopened.article_text(c.article_id)[c.start : c.end] == c.quote
    report = reopened.ingest([corpus])
    assert report.updated == ["002_3a88e4685ba7a7dd"]
    live = set(reopened.index.live_versions())
    assert {p.version for p in reopened.index.passages()} == live


def test_an_unreadable_replacement_keeps_the_indexed_article(tmp_path: Path, corpus: Path) -> None:
    fc = _checker(tmp_path, corpus)
    before = fc.index.manifest()["004_17d23c1497de228f"]
    (corpus / "004_17d23c1497de228f.txt").write_bytes("Caf\xe9 au lait".encode("latin-1"))
    report = fc.ingest([corpus])
    assert not report.removed
    assert "004_17d23c1497de228f.txt" in report.skipped[0][0]
    assert fc.index.manifest()["004_17d23c1497de228f"] == before
    assert not fc.ask("Why did Incheon Airport close?").refused


def test_a_file_from_elsewhere_cannot_take_over_an_indexed_article_id(
    tmp_path: Path, corpus: Path
) -> None:
    fc = _checker(tmp_path, corpus)
    impostor = tmp_path / "elsewhere" / "003_933040b281bedf99.txt"
    impostor.parent.mkdir()
    impostor.write_text("A fake article claiming 90,000 troops went to Kursk.\n", "utf-8")
    report = fc.ingest([impostor])
    assert not report.updated and "already indexed from" in report.skipped[0][1]
    assert "90,000" not in fc.article_text("003_933040b281bedf99")


def test_two_files_with_one_stem_are_not_both_added(tmp_path: Path) -> None:
    folder = tmp_path / "twins"
    folder.mkdir()
    (folder / "story.txt").write_text(
        "Fishing boats returned to Busan harbour on Monday.\n", "utf-8"
    )
    (folder / "story.md").write_text(
        "# Other\n\nA different story about Incheon ferries.\n", "utf-8"
    )
    fc = FactChecker(make_settings(tmp_path / "store", seeds_dir=folder))
    assert [a.article_id for a in fc.articles()] == ["story"]
    report = fc.ingest([folder])
    assert "already taken" in report.skipped[0][1]


def test_a_new_catalog_title_reaches_the_citations(tmp_path: Path, corpus: Path) -> None:
    fc = _checker(tmp_path, corpus)
    catalog = corpus / "catalog.toml"
    catalog.write_text(
        catalog.read_text("utf-8").replace(
            'title = "North Korean Troops to Support Russia in Ukraine: A New Phase in the Conflict?"',
            'title = "Balloons, warheads and a new phase"',
        ),
        "utf-8",
    )
    report = fc.ingest([corpus])
    assert report.passages_written == 0
    answer = fc.ask("Why did Incheon Airport close?")
    assert answer.citations[0].title == "Balloons, warheads and a new phase"
