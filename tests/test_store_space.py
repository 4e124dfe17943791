"""Disk space comes back: removed articles, a killed ingest's leftovers and deleted collections
shrink the on-disk store instead of staying in it for good.

The embedding is the bench's token-hashing stand-in: these tests are about bytes on disk, and
the real model would only make them slower.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from assistant.bench_corpus import HashEmbeddings
from assistant.factchecker import FactChecker
from assistant.settings import PROJECT_ROOT
from assistant.store import ingest as ingest_module
from assistant.store.corpus import load_article

from conftest import SEED_IDS, SEEDS, make_settings

OTHER = PROJECT_ROOT / "eval" / "corpora" / "python_whatsnew" / "articles"


def _checker(store: Path, corpus: Path) -> FactChecker:
    settings = make_settings(store, seeds_dir=corpus, gc_grace_s=0)
    return FactChecker(
        settings, auto_ingest=False, embeddings=(HashEmbeddings(), HashEmbeddings.model_id)
    )


def _store_bytes(store: Path) -> int:
    return sum(f.stat().st_size for f in store.rglob("*") if f.is_file())


def _corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "articles"
    shutil.copytree(SEEDS, corpus)
    for path in OTHER.glob("*.txt"):
        shutil.copyfile(path, corpus / path.name)
    return corpus


def test_removing_articles_shrinks_the_store_on_disk(tmp_path: Path) -> None:
    store, corpus = tmp_path / "store", _corpus(tmp_path)
    fc = _checker(store, corpus)
    fc.ingest([SEEDS])
    seeds_only = _store_bytes(store)
    fc.ingest([corpus])
    full = _store_bytes(store)
    assert full - seeds_only > 1_000_000  # the other corpus took megabytes

    report = fc.remove([p.stem for p in OTHER.glob("*.txt")])

    assert len(report.removed) == len(list(OTHER.glob("*.txt")))
    after = _store_bytes(store)
    # Chroma keeps its log of recent writes (at most ~1,000 records a collection) until its
    # vector index is next saved; `chroma vacuum` leaves the same. The rest comes back.
    assert full - after > 0.25 * (full - seeds_only), (seeds_only, full, after)
    assert [a.article_id for a in fc.articles()] == SEED_IDS
    assert {h.passage.article_id for h in fc.search("What did Python 3.0 change?")} <= set(SEED_IDS)


def test_what_a_killed_ingest_wrote_is_given_back_to_the_disk(tmp_path: Path) -> None:
    store, corpus = tmp_path / "store", _corpus(tmp_path)
    fc = _checker(store, corpus)
    fc.ingest([SEEDS])
    before = _store_bytes(store)
    # Killed after writing: the passages, texts and sentence vectors are stored, never swapped in.
    job = ingest_module._Ingest(fc.index, None, None)
    for path in OTHER.glob("*.txt"):
        article = load_article(path)
        job._write([(article, path, ingest_module.split_article(article, 160, 32))])
    leftover = _store_bytes(store)
    assert leftover - before > 1_000_000

    fc.ingest([SEEDS])

    assert leftover - _store_bytes(store) > 0.25 * (leftover - before), (before, leftover)
    assert fc.index.passages() and all(
        p.article_id in fc.index.manifest() for p in fc.index.passages()
    )


def test_a_deleted_collections_vector_index_folder_is_removed(tmp_path: Path) -> None:
    store, corpus = tmp_path / "store", _corpus(tmp_path)
    fc = _checker(store, corpus)
    fc.ingest([SEEDS])
    scratch = fc.index.client.create_collection("scratch-collection")
    scratch.add(ids=[str(i) for i in range(300)], embeddings=[[float(i), 1.0] for i in range(300)])
    folders = {p.name for p in store.iterdir() if p.is_dir()}
    fc.index.client.delete_collection("scratch-collection")
    assert {p.name for p in store.iterdir() if p.is_dir()} == folders  # Chroma leaves it

    fc.ingest([SEEDS])

    remaining = {p.name for p in store.iterdir() if p.is_dir()}
    assert len(remaining) == len(folders) - 1
    assert fc.search("How far did the missile fly?")
