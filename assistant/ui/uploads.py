"""Adding an article through the web UI: validate everything first, then copy, then ingest.

An upload is checked completely (type, size, UTF-8, non-empty, a usable name that does not
shadow an existing article) before a single byte lands in the uploads folder. The file is then
written under a temporary name and renamed into place, and ingested. If the ingest fails or
skips it, the previous state of the uploads folder is restored, and the index (which swaps its
manifest only at the end of an ingest) still serves the old corpus: nothing is half-added.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from anyascii import anyascii

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
    """A distinct, stable article id for an uploaded file's name, safe on disk.

    Letters from any script are transliterated (anyascii: "статья" → "stat_ya", "新闻" →
    "XinWen"); whenever that or the removal of unsafe characters changed the name, a short hash
    of the original name is appended, so "report one" and "report+one", or "notes" and
    "notes!", stay distinct articles while the same name always gives the same id.
    """
    original = unicodedata.normalize("NFC", Path(name).stem)
    slug = _NAME_OK.sub("_", anyascii(original)).strip("._-")[:_MAX_STEM].strip("._-")
    if slug == original:
        return slug
    digest = hashlib.sha256(original.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{slug or 'upload'}-{digest}"


def _control_characters(text: str) -> str | None:
    """A description of the first terminal control character in ``text``, or None.

    Tabs and line breaks are text; ESC, other C0/C1 controls and DEL are not, and in an article
    they could rewrite a reader's terminal (clear it, set its title, write its clipboard).
    """
    for line_no, line in enumerate(text.splitlines(), 1):
        for ch in line:
            if ch not in "\t\f\v" and unicodedata.category(ch) == "Cc":
                return f"U+{ord(ch):04X} on line {line_no}"
    return None


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
            f"“{name}” is {size:,} bytes; the limit is {limit:,} bytes ({human_bytes(limit)}). "
            "Split the article or raise ASSISTANT_MAX_UPLOAD_BYTES.",
            ui_message=f"“{name}” is {size:,} bytes; the limit is {limit:,} bytes "
            f"({human_bytes(limit)}). Split the article into smaller files.",
        )
    data = path.read_bytes()
    if len(data) > limit:  # the file grew after stat
        raise UploadRejected(f"“{name}” is larger than {limit:,} bytes.")
    try:
        text = decode_article(data)
    except ArticleError as exc:
        raise UploadRejected(f"“{name}” {exc}.") from None
    control = _control_characters(text)
    if control is not None:
        raise UploadRejected(
            f"“{name}” contains a control character ({control}) that is not article text; "
            "remove it and upload the file again."
        )
    article_id = safe_stem(name)
    current = existing.get(article_id)
    if current is not None and not _inside(Path(current.path), uploads_dir):
        raise UploadRejected(
            f"an article with the id “{article_id}” is already in the corpus "
            f"(“{current.title}”); rename the file to add it as a new article."
        )
    if current is not None and Path(current.path).suffix.lower() != suffix:
        raise UploadRejected(
            f"an uploaded article with the id “{article_id}” came from “{Path(current.path).name}”; "
            f"upload that file name to update it, or rename this file to add a new article."
        )
    return ValidUpload(filename=f"{article_id}{suffix}", article_id=article_id, data=data)


def uploaded_file(value: Any) -> tuple[Path, str | None] | None:
    """The received file and the name its sender gave it, or None when no file came.

    Gradio's upload route stores a file under a cleaned-up name ("notes!.md" becomes
    "notes.md"), so ids made from that name would collide. The UI's upload events therefore
    take Gradio's ``FileData`` unprocessed (``preprocess=False``; Gradio still checks the file
    is one it received), whose ``orig_name`` is the name as sent. A plain path is accepted too.
    """
    if not value:
        return None
    if isinstance(value, dict):
        path, name = value.get("path"), value.get("orig_name")
        if not isinstance(path, str) or not path:
            return None
        return Path(path), name if isinstance(name, str) and name.strip() else None
    return Path(str(value)), None


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
        _write_atomically(target, valid.data)
        try:
            report = fact_checker.ingest([target])
            if report.skipped:
                raise UploadRejected(report.skipped[0][1].replace(str(target), valid.filename))
        except BaseException:
            _restore(target, previous)
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
