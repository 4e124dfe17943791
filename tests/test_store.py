"""The store at scale and at its edges: batches, progress, bad articles, copies, removal,
sentence vectors, paging, and questions that write nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import assistant.store.index as index_module
import assistant.store.ingest as ingest_module
import assistant.store.manifest as manifest_module
from assistant.factchecker import FactChecker
from assistant.store.corpus import load_article
from assistant.store.ingest import article_sentences

from conftest import SEED_IDS, make_settings, run_assistant


def _folder(root: Path, count: int, words: int = 60) -> Path:
    folder = root / "docs"
    folder.mkdir(parents=True)
    for i in range(count):
        body = " ".join(f"word{(i * 31 + j) % 97}" for j in range(words))
        (folder / f"doc{i:03d}.md").write_text(
            f"# Document {i}\n\nDocument {i} says the depot holds {1000 + i} crates. {body}.\n",
            "utf-8",
        )
    return folder


def test_large_ingests_are_written_in_batches_within_the_client_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _folder(tmp_path, 12, words=150)
    settings = make_settings(tmp_path / "store", seeds_dir=folder, ingest_batch_passages=5)
    fc = FactChecker(settings, auto_ingest=False)
    sizes: list[int] = []
    original = fc.index._collection.upsert

    def counting_upsert(**columns: list) -> None:
        sizes.append(len(columns["ids"]))
        original(**columns)

    monkeypatch.setattr(fc.index.client, "get_max_batch_size", lambda: 4)
    monkeypatch.setattr(fc.index._collection, "upsert", counting_upsert)
    progress: list[tuple[int, int]] = []
    report = fc.ingest([folder], progress=lambda done, total: progress.append((done, total)))
    assert len(report.added) == 12
    assert max(sizes) <= 4 and sum(sizes) == report.passages_written
    assert progress[-1] == (report.passages_written, report.passages_written)
    assert [d for d, _ in progress] == sorted(d for d, _ in progress)
    assert len(fc.index.passages()) == report.passages_written


def test_an_article_that_cannot_be_split_is_skipped_with_its_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _folder(tmp_path, 3)
    real = ingest_module.split_article

    def fragile(article, *args):  # type: ignore[no-untyped-def]
        if article.article_id == "doc001":
            raise ValueError("odd text")
        return real(article, *args)

    monkeypatch.setattr(ingest_module, "split_article", fragile)
    fc = FactChecker(make_settings(tmp_path / "store", seeds_dir=folder), auto_ingest=False)
    report = fc.ingest([folder])
    assert report.added == ["doc000", "doc002"]
    assert "doc001.md" in report.skipped[0][1] and "odd text" in report.skipped[0][1]


def test_reading_all_passages_is_paged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _folder(tmp_path, 4, words=200)
    fc = FactChecker(make_settings(tmp_path / "store", seeds_dir=folder))
    total = sum(e.passages for e in fc.articles())
    monkeypatch.setattr(index_module, "PAGE", 2)
    monkeypatch.setattr(manifest_module, "PAGE", 2)
    assert len(fc.index.passages()) == total > 4
    assert len(FactChecker(fc.settings).articles()) == 4


def test_copies_of_one_text_take_one_retrieval_slot(
    seeded_copy: tuple[Path, Path], tmp_path: Path
) -> None:
    store, corpus = seeded_copy
    fc = FactChecker(make_settings(store, seeds_dir=corpus))
    line = "The Busan aquarium reopened its shark tunnel after a two-year renovation.\n"
    copies = tmp_path / "copies"
    copies.mkdir()
    for i in range(6):
        (copies / f"copy{i}.md").write_text(line if i % 2 else line.upper(), "utf-8")
    fc.ingest([copies])
    hits = fc.search("Which tunnel did the Busan aquarium reopen?", k=6)
    assert sum("tunnel" in h.passage.text.lower() for h in hits) == 1
    assert len(hits) == 6  # the other five slots go to other passages


def test_removing_an_article_keeps_the_others(
    seeded_copy: tuple[Path, Path], tmp_path: Path
) -> None:
    store, corpus = seeded_copy
    fc = FactChecker(make_settings(store, seeds_dir=corpus))
    gone = "004_17d23c1497de228f"
    result = run_assistant("remove", gone, store=store, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert [a.article_id for a in fc.articles()] == [i for i in SEED_IDS if i != gone]
    assert all(p.article_id != gone for p in fc.index.passages())
    assert fc.ask("Why did Incheon Airport close?").refused
    missing = run_assistant("remove", "no-such-article", store=store, cwd=tmp_path)
    assert missing.returncode == 2 and "no article with id 'no-such-article'" in missing.stderr


def test_listing_an_empty_store_does_not_start_an_ingest(tmp_path: Path) -> None:
    result = run_assistant("articles", store=tmp_path / "store", cwd=tmp_path)
    assert result.returncode == 0
    assert "No articles are indexed yet" in result.stdout
    assert FactChecker(make_settings(tmp_path / "store"), auto_ingest=False).index.is_empty()


def test_an_overlap_as_large_as_the_chunk_is_a_settings_error(tmp_path: Path) -> None:
    env = {**os.environ, "ASSISTANT_VECTORSTORE_DIR": str(tmp_path / "store")}
    env["ASSISTANT_CHUNK_OVERLAP_TOKENS"] = "200"
    bad = subprocess.run(
        [sys.executable, "-m", "assistant", "articles"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2
    assert "chunk_overlap_tokens (200) must be smaller than chunk_tokens (160)" in bad.stderr


def test_sentence_vectors_cover_each_sentence_with_a_unit_vector(
    fact_checker: FactChecker,
) -> None:
    entry = fact_checker.index.manifest()[SEED_IDS[0]]
    article = load_article(Path(entry.path))
    rows = fact_checker.index.sentence_vectors(entry.version)
    assert [(s, e) for s, e, _ in rows] == article_sentences(article)
    for _, _, vector in rows:
        assert vector.shape == (384,) and abs(float(np.linalg.norm(vector)) - 1.0) < 1e-3
    assert fact_checker.index.sentence_vectors(entry.version) is rows  # cached per version
    for start, end, vector in rows[:3]:  # stored compactly, still the model's vector
        exact = np.asarray(fact_checker.index.embeddings.embed_query(article.text[start:end]))
        assert float(exact @ vector) > 0.99


def test_answering_writes_none_of_the_assistants_own_files(
    seeded_store: Path, tmp_path: Path
) -> None:
    # Chroma's PersistentClient rewrites its own segment files whenever it opens; everything the
    # assistant keeps beside them (lexical index, manifest state, locks) is only read.
    def state() -> dict[str, tuple[int, int]]:
        return {
            str(p): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in seeded_store.glob("*")
            # SQLite's -wal/-shm files come and go as connections open and close
            if p.is_file() and p.name != "chroma.sqlite3" and not p.name.endswith(("-wal", "-shm"))
        }

    before = state()
    result = run_assistant("ask", "How far did the missile fly?", store=seeded_store, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert state() == before


def test_what_a_killed_ingest_left_behind_is_reclaimed_by_the_next(
    seeded_copy: tuple[Path, Path], tmp_path: Path
) -> None:
    store, corpus = seeded_copy
    fc = FactChecker(make_settings(store, seeds_dir=corpus))
    path = corpus / f"{SEED_IDS[1]}.txt"
    path.write_text(path.read_text("utf-8") + "\nA paragraph never made live.\n", "utf-8")
    # Killed after writing: the new version's passages are stored but never swapped in.
    job = ingest_module._Ingest(fc.index, None, None)
    article = load_article(path)
    passages = ingest_module.split_article(article, 160, 32)
    job._write([(article, path, passages)])
    leftover = fc.index._collection.get(where={"version": article.version}, include=[])
    assert leftover["ids"]
    path.write_text(path.read_text("utf-8").replace("A paragraph never made live.\n", ""), "utf-8")
    fc.ingest([corpus])
    assert not fc.index._collection.get(where={"version": article.version}, include=[])["ids"]
    assert not fc.index.texts.get(ids=[article.version], include=[])["ids"]
    assert fc.index.entry(SEED_IDS[1]).version != article.version  # type: ignore[union-attr]


def test_a_store_from_before_per_article_records_keeps_its_articles(
    seeded_copy: tuple[Path, Path],
) -> None:
    import json

    store, corpus = seeded_copy
    fc = FactChecker(make_settings(store, seeds_dir=corpus), auto_ingest=False)
    entries = fc.index.manifest()
    # What older versions wrote: the manifest as one JSON document in the collection metadata.
    legacy = json.dumps({k: v.to_json() for k, v in entries.items()})
    fc.index._collection.modify(metadata={"manifest": legacy})
    fc.index.client.delete_collection(f"{fc.index.name}-manifest")
    reopened = FactChecker(make_settings(store, seeds_dir=corpus), auto_ingest=False)
    assert reopened.index.manifest() == entries
    assert not reopened.ask("How far did the missile fly?").refused


def test_a_new_question_is_embedded_once(
    fact_checker: FactChecker, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The dense search, the reranker and the offline engine all need the question's vector.
    from assistant.store.embeddings import LocalMiniLMEmbeddings

    embedded: list[str] = []
    original = LocalMiniLMEmbeddings._embed

    def counting(self: LocalMiniLMEmbeddings, texts: list[str]) -> list[list[float]]:
        embedded.extend(texts)
        return original(self, texts)

    monkeypatch.setattr(LocalMiniLMEmbeddings, "_embed", counting)
    question = "How far did the missile fly before it came down at sea, by the latest count?"
    fact_checker.ask(question)
    assert embedded.count(question) == 1


def test_an_article_another_process_ingests_is_found_by_the_next_question(
    seeded_copy: tuple[Path, Path], tmp_path: Path
) -> None:
    # A question re-reads the manifest only when the database file changed since the last one.
    store, corpus = seeded_copy
    fc = FactChecker(make_settings(store, seeds_dir=corpus))
    assert "ferry" not in {h.passage.article_id for h in fc.search("Mokpo ferry night run", k=3)}
    (tmp_path / "ferry.md").write_text("# Ferry\n\nThe Mokpo ferry timetable added a night run.\n")
    result = run_assistant("ingest", str(tmp_path / "ferry.md"), store=store, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "ferry" in {h.passage.article_id for h in fc.search("Mokpo ferry night run", k=3)}
