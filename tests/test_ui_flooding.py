"""Retrieval flooding through the web UI: many uploads of one line must not crowd out the rest.

Found by uploading the same line six times under different names: the copies filled all six
retrieved passages and an answerable question was refused. Copies (and copies differing only in
case, spacing or punctuation) now take one retrieval slot between them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from gradio_client import Client, handle_file
from ui_fixtures import running_app, writable_checker, write_file

pytestmark = [
    pytest.mark.filterwarnings("ignore:.*no_silent_downcasting"),
    pytest.mark.filterwarnings("ignore:.*copy keyword is deprecated"),
]

QUESTION = "When did North Korea launch the ICBM?"
LINE = "North Korea launched a missile, the ministry said."
COPIES = [
    LINE,
    LINE.upper(),
    LINE.lower().replace(",", ""),
    LINE.replace(" ", "  "),
    LINE.replace(".", "!"),
    LINE.replace(",", " ,"),
]


def test_six_uploads_of_one_line_take_one_passage_slot_and_the_answer_stands(
    seeded_store: Path, tmp_path: Path
) -> None:
    fc = writable_checker(seeded_store, tmp_path)
    with running_app(fc) as url:
        client = Client(url, verbose=False)
        before = client.predict(QUESTION, api_name="/ask")
        for n, line in enumerate(COPIES):
            path = write_file(tmp_path / "in", f"flood {n}.md", line + "\n")
            assert client.predict(handle_file(str(path)), api_name="/add_article")["status"] == (
                "added"
            )
        after = client.predict(QUESTION, api_name="/ask")
    flood = [p for p in after["passages"] if p["article_id"].startswith("flood")]
    assert len(flood) == 1
    assert not after["refused"]
    assert after["citations"][0]["article_id"] == before["citations"][0]["article_id"]
