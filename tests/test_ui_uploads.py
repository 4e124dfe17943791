"""Adding articles through the UI: full validation first, then an all-or-nothing ingest."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from ui_fixtures import (
    GOOD_ARTICLE,
    LIGHTHOUSE_QUESTION,
    writable_checker,
    write_file,
)

from assistant.errors import IndexError_
from assistant.factchecker import FactChecker
from assistant.ui.uploads import UploadRejected, add_upload, safe_stem

SEED_ID = "001_55bce36a464c4aa4"


@pytest.fixture
def fc(seeded_store: Path, tmp_path: Path) -> FactChecker:
    return writable_checker(seeded_store, tmp_path, max_upload_bytes=2_000)


def uploads(fc: FactChecker) -> list[str]:
    folder = fc.settings.resolved_uploads_dir()
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def ids(fc: FactChecker) -> list[str]:
    return [e.article_id for e in fc.articles()]


def test_valid_upload_is_copied_and_searchable_at_once(fc: FactChecker, tmp_path: Path) -> None:
    path = write_file(tmp_path / "in", "Skerry Point news.md", GOOD_ARTICLE)
    result = add_upload(fc, path)
    assert result.status == "added"
    assert result.entry.article_id == safe_stem("Skerry Point news.md")
    assert result.entry.article_id.startswith("Skerry_Point_news-")
    assert result.entry.title == "Lighthouse keepers return to Skerry Point"
    assert uploads(fc) == [f"{result.entry.article_id}.md"]
    answer = fc.ask(LIGHTHOUSE_QUESTION)
    assert not answer.refused
    assert {c.article_id for c in answer.citations} == {result.entry.article_id}


def test_uploading_the_same_name_again_updates_the_article(fc: FactChecker, tmp_path: Path) -> None:
    add_upload(fc, write_file(tmp_path / "a", "keepers.txt", GOOD_ARTICLE))
    changed = GOOD_ARTICLE.replace("two lighthouse keepers", "three lighthouse keepers")
    result = add_upload(fc, write_file(tmp_path / "b", "keepers.txt", changed))
    assert result.status == "updated"
    assert "three lighthouse keepers" in fc.article_text("keepers")
    assert uploads(fc) == ["keepers.txt"]


def test_the_same_name_with_the_other_suffix_is_refused_not_replaced(
    fc: FactChecker, tmp_path: Path
) -> None:
    add_upload(fc, write_file(tmp_path / "a", "keepers.txt", GOOD_ARTICLE))
    changed = GOOD_ARTICLE.replace("two lighthouse keepers", "three lighthouse keepers")
    with pytest.raises(UploadRejected, match=re.escape("came from “keepers.txt”")):
        add_upload(fc, write_file(tmp_path / "b", "keepers.md", changed))
    assert fc.article_text("keepers") == GOOD_ARTICLE
    assert uploads(fc) == ["keepers.txt"]


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("report.pdf", b"%PDF-1.4 text", "only plain-text articles (.txt or .md)"),
        ("notes", b"plain words", "a file without an extension"),
        ("big.txt", b"word " * 500, "is 2,500 bytes; the limit is 2,000 bytes"),
        (
            "escape.md",
            b"# News\n\nText \x1b]52;c;ZXZpbA==\x07 here.\n",
            "control character (U+001B on line 3)",
        ),
        ("latin1.txt", "Caf\u00e9 au lait".encode("latin-1"), "not UTF-8 text"),
        ("binary.txt", b"abc\x00def", "binary file"),
        ("blank.md", b" \n\t\n", "is empty"),
        (f"{SEED_ID}.txt", GOOD_ARTICLE.encode(), "rename the file"),
    ],
    ids=[
        "wrong-type",
        "no-extension",
        "oversize",
        "control",
        "not-utf8",
        "binary",
        "empty",
        "seed-id",
    ],
)
def test_bad_upload_is_rejected_with_its_reason_and_nothing_is_added(
    fc: FactChecker, tmp_path: Path, name: str, data: bytes, reason: str
) -> None:
    before = ids(fc)
    path = write_file(tmp_path / "in", name, data)
    with pytest.raises(UploadRejected, match=re.escape(reason)):
        add_upload(fc, path)
    assert ids(fc) == before
    assert uploads(fc) == []


def test_failed_ingest_leaves_no_file_and_no_article(
    fc: FactChecker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_ingest(paths: object) -> None:
        raise IndexError_("the vector store is unreachable")

    before = ids(fc)
    monkeypatch.setattr(fc, "ingest", broken_ingest)
    with pytest.raises(IndexError_):
        add_upload(fc, write_file(tmp_path / "in", "keepers.txt", GOOD_ARTICLE))
    assert uploads(fc) == []
    assert ids(fc) == before


def test_failed_update_restores_the_previous_upload(
    fc: FactChecker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_upload(fc, write_file(tmp_path / "a", "keepers.txt", GOOD_ARTICLE))
    monkeypatch.setattr(fc, "ingest", lambda paths: (_ for _ in ()).throw(OSError("disk full")))
    with pytest.raises(OSError):
        add_upload(fc, write_file(tmp_path / "b", "keepers.txt", GOOD_ARTICLE + "More.\n"))
    stored = fc.settings.resolved_uploads_dir() / "keepers.txt"
    assert stored.read_text(encoding="utf-8") == GOOD_ARTICLE
    assert fc.article_text("keepers") == GOOD_ARTICLE


@pytest.mark.parametrize(
    ("name", "stem"),
    [("../../etc/passwd.txt", "passwd"), ("keepers.md", "keepers"), ("Report.txt", "Report")],
)
def test_safe_names_are_their_own_article_ids(name: str, stem: str) -> None:
    assert safe_stem(name) == stem


@pytest.mark.parametrize(
    ("name", "readable"),
    [
        ("My report (final).md", "My_report_final"),
        ("статья.md", "stat_ya"),
        ("新闻.md", "XinWen"),
        ("###.md", "upload"),
    ],
)
def test_other_names_are_transliterated_and_marked_with_a_hash(name: str, readable: str) -> None:
    assert re.fullmatch(rf"{re.escape(readable)}-[0-9a-f]{{8}}", safe_stem(name))


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("статья.md", "新闻.md"),
        ("report one.md", "report+one.md"),
        ("notes.md", "notes!.md"),
        ("Report.md", "report.md"),
    ],
)
def test_different_upload_names_get_different_stable_ids(first: str, second: str) -> None:
    assert safe_stem(first) != safe_stem(second)
    assert safe_stem(first) == safe_stem(first)


def test_an_upload_never_replaces_an_article_from_another_name(
    fc: FactChecker, tmp_path: Path
) -> None:
    one = add_upload(fc, write_file(tmp_path / "a", "статья.md", GOOD_ARTICLE))
    other = GOOD_ARTICLE.replace("two lighthouse keepers", "three lighthouse keepers")
    two = add_upload(fc, write_file(tmp_path / "b", "新闻.md", other))
    assert one.entry.article_id != two.entry.article_id
    assert fc.article_text(one.entry.article_id) == GOOD_ARTICLE
    assert fc.article_text(two.entry.article_id) == other
