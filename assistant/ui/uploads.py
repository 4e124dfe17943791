"""Adding an article through the web UI: validate everything first, then copy, then ingest.

An upload is checked completely (type, size, UTF-8, non-empty, a usable name that does not
shadow an existing article) before a single byte lands in the uploads folder. The file is then
written under a temporary name and renamed into place, and ingested. If the ingest fails or
skips it, the previous state of the uploads folder is restored, and the index (which swaps its
manifest only at the end of an ingest) still serves the old corpus: nothing is half-added.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from assistant.errors import ArticleError
from assistant.store.corpus import ARTICLE_SUFFIXES, MAX_ARTICLE_BYTES, decode_article
from assistant.store.index import ArticleEntry

log = logging.getLogger(__name__)

_NAME_OK = re.compile(r"[^A-Za-z0-9._-]+")
_MAX_STEM = 80
_lock = threading.Lock()  # one upload at a time per process: two files may share a name


class UploadRejected(ArticleError):
    """An uploaded file cannot become an article; the message says why and what to do."""


@dataclass(frozen=True)
class ValidUpload:
    filename: str  # the safe name it is stored under
    article_id: str
    data: bytes


@dataclass(frozen=True)
class UploadResult:
    entry: ArticleEntry
    status: Literal["added", "updated", "unchanged"]

    def message(self) -> str:
        e = self.entry
        what = {
            "added": "Added",
            "updated": "Updated",
            "unchanged": "Already in the corpus, unchanged:",
        }[self.status]
        return (
            f"{what} “{e.title}” ({e.article_id}, {e.passages} passage"
            f"{'s' if e.passages != 1 else ''}); it is searchable now."
        )


def human_bytes(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f}".removesuffix(".0") + " MB"
    if n >= 1_000:
        return f"{n / 1_000:.0f} kB"
    return f"{n} bytes"


def safe_stem(name: str) -> str:
    """A file stem that is safe on disk and readable as an article id."""
    stem = _NAME_OK.sub("_", Path(name).stem).strip("._-")[:_MAX_STEM].strip("._-")
    return stem or "upload"


def validate_upload(
    path: Path,
    *,
    original_name: str | None = None,
    max_bytes: int,
    existing: dict[str, ArticleEntry],
    uploads_dir: Path,
) -> ValidUpload:
    """Everything that can be known before writing: raises UploadRejected with the reason."""
    name = original_name or path.name
    suffix = Path(name).suffix.lower()
    if suffix not in ARTICLE_SUFFIXES:
        kind = f"a {suffix} file" if suffix else "a file without an extension"
        raise UploadRejected(
            f"“{name}” is {kind}; only plain-text articles (.txt or .md) can be added."
        )
    limit = min(max_bytes, MAX_ARTICLE_BYTES)
    try:
        size = path.stat().st_size
    except OSError:
        raise UploadRejected(f"“{name}” could not be read; upload it again.") from None
    if size > limit:
        raise UploadRejected(
            f"“{name}” is {human_bytes(size)}; the limit is {human_bytes(limit)}. "
            "Split the article or raise ASSISTANT_MAX_UPLOAD_BYTES."
        )
    data = path.read_bytes()
    if len(data) > limit:  # the file grew after stat
        raise UploadRejected(f"“{name}” is larger than {human_bytes(limit)}.")
    try:
        decode_article(data)
    except ArticleError as exc:
        raise UploadRejected(f"“{name}” {exc}.") from None
    article_id = safe_stem(name)
    current = existing.get(article_id)
    if current is not None and not _inside(Path(current.path), uploads_dir):
        raise UploadRejected(
            f"an article with the id “{article_id}” is already in the corpus "
            f"(“{current.title}”); rename the file to add it as a new article."
        )
    return ValidUpload(filename=f"{article_id}{suffix}", article_id=article_id, data=data)


def add_upload(fact_checker: Any, path: Path, *, original_name: str | None = None) -> UploadResult:
    """Validate, store in the uploads folder and ingest one uploaded article."""
    settings = fact_checker.settings
    uploads_dir: Path = settings.resolved_uploads_dir()
    with _lock:
        existing = {e.article_id: e for e in fact_checker.articles()}
        valid = validate_upload(
            path,
            original_name=original_name,
            max_bytes=settings.max_upload_bytes,
            existing=existing,
            uploads_dir=uploads_dir,
        )
        uploads_dir.mkdir(parents=True, exist_ok=True)
        target = uploads_dir / valid.filename
        previous = target.read_bytes() if target.exists() else None
        # The same id uploaded earlier under the other suffix is being replaced: set it aside so
        # the index accepts the new file for the id, and put it back if anything fails.
        old = existing.get(valid.article_id)
        replaced = (
            Path(old.path) if old is not None and Path(old.path) != target.resolve() else None
        )
        replaced_bytes = replaced.read_bytes() if replaced and replaced.exists() else None
        _write_atomically(target, valid.data)
        try:
            if replaced is not None:
                replaced.unlink(missing_ok=True)
            report = fact_checker.ingest([target])
            if report.skipped:
                raise UploadRejected(report.skipped[0][1].replace(str(target), valid.filename))
        except BaseException:
            _restore(target, previous)
            if replaced is not None and replaced_bytes is not None:
                _write_atomically(replaced, replaced_bytes)
            raise
        entry = next(e for e in fact_checker.articles() if e.article_id == valid.article_id)
    if valid.article_id in report.added:
        status: Literal["added", "updated", "unchanged"] = "added"
    elif valid.article_id in report.updated:
        status = "updated"
    else:
        status = "unchanged"
    log.info("upload %s: %s", status, entry.article_id)
    return UploadResult(entry=entry, status=status)


def _inside(path: Path, folder: Path) -> bool:
    try:
        return path.resolve().parent == folder.resolve()
    except OSError:
        return False


def _write_atomically(target: Path, data: bytes) -> None:
    # The temporary name has no article suffix, so a concurrent folder ingest never sees it.
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.part")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _restore(target: Path, previous: bytes | None) -> None:
    if previous is None:
        target.unlink(missing_ok=True)
    else:
        _write_atomically(target, previous)
