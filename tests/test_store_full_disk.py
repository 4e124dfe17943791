"""A full disk: questions are still answered, and writers say why they cannot write.

Chroma writes to its database whenever it opens one, so the store under a full disk is opened
from a private read-only copy. The disk is a real, small tmpfs filled to the last byte.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import SEED_IDS, run_assistant


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "disk"
    mount.mkdir()
    if (
        os.geteuid() != 0
        or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)], capture_output=True
        ).returncode
    ):
        pytest.skip("mounting a small tmpfs needs root (CI runs as root)")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path) -> None:
    # Unbuffered: a buffered file keeps the bytes that did not fit and fails again on close.
    with open(disk / "filler", "wb", buffering=0) as out:
        try:
            while True:
                out.write(b"\0" * 65536)
        except OSError:
            pass
    assert shutil.disk_usage(disk).free < 65536


def test_questions_are_answered_when_the_disk_is_full(
    full_disk: Path, seeded_store: Path, tmp_path: Path
) -> None:
    store = full_disk / "store"
    shutil.copytree(seeded_store, store, ignore=shutil.ignore_patterns("*.lock"))
    fill(full_disk)
    result = run_assistant("ask", "Who met Putin in Moscow?", "--json", store=store, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert '"refused": false' in result.stdout and SEED_IDS[0] in result.stdout


def test_an_ingest_on_a_full_disk_says_why_and_keeps_the_store(
    full_disk: Path, seeded_store: Path, tmp_path: Path
) -> None:
    store = full_disk / "store"
    shutil.copytree(seeded_store, store, ignore=shutil.ignore_patterns("*.lock"))
    fill(full_disk)
    article = tmp_path / "new.txt"
    article.write_text("A new article.\n\nIt says one thing about a harbour.\n", "utf-8")
    result = run_assistant("ingest", str(article), store=store, cwd=tmp_path)
    assert result.returncode != 0
    assert "is full" in result.stderr and "Traceback" not in result.stderr
    (full_disk / "filler").unlink()
    listed = run_assistant("articles", store=store, cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert all(i in listed.stdout for i in SEED_IDS) and "new" not in listed.stdout.split()
