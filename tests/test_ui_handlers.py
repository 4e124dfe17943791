"""The web UI's behaviour without Gradio: the handlers driven directly with a FactChecker."""

from __future__ import annotations

from pathlib import Path

import pytest
from ui_fixtures import GOOD_ARTICLE, writable_checker, write_file

from assistant.factchecker import FactChecker
from assistant.ui import render
from assistant.ui.handlers import ECHO_CHARS, SKIP, Handlers

from conftest import SEED_IDS


@pytest.fixture(scope="module")
def handlers(fact_checker: FactChecker) -> Handlers:
    return Handlers(fact_checker)


def test_an_empty_question_says_why_nothing_was_asked(handlers: Handlers) -> None:
    (update,) = list(handlers.respond("   ", [], "offline", 6))
    assert update.box == "" and update.turns is SKIP
    assert "The question is empty" in update.messages[-1]["content"]


def test_an_over_long_question_is_not_echoed_in_full(handlers: Handlers) -> None:
    question = "missile " * 400
    *_, last = handlers.respond(question, [], "offline", 6)
    bubble = last.messages[0]["content"]
    assert len(bubble) < ECHO_CHARS + 200 and "3,199 characters" in bubble
    assert last.box == question.strip()  # kept in the box to shorten


def test_errors_give_advice_for_the_browser_not_the_command_line(handlers: Handlers) -> None:
    *_, long_q = handlers.respond("missile " * 400, [], "offline", 6)
    *_, no_key = handlers.respond("How far did it fly?", [], "gpt-4o-mini", 6)
    for update in (long_q, no_key):
        reply = update.messages[-1]["content"]
        assert "ASSISTANT_" not in reply and "--model" not in reply
    assert "Shorten it" in long_q.messages[-1]["content"]
    assert "under Settings" in no_key.messages[-1]["content"]


def test_the_header_counts_the_articles_after_an_upload(seeded_store: Path, tmp_path: Path) -> None:
    handlers = Handlers(writable_checker(seeded_store, tmp_path))
    assert f"the {len(SEED_IDS)} indexed" in handlers.header()
    update = handlers.upload(str(write_file(tmp_path / "in", "keepers.md", GOOD_ARTICLE)))
    assert update is not None and "fc-ok" in update.notice
    assert f"the {len(SEED_IDS) + 1} indexed" in update.header


def test_an_uploaded_markdown_article_reads_without_markup(
    seeded_store: Path, tmp_path: Path
) -> None:
    handlers = Handlers(writable_checker(seeded_store, tmp_path))
    text = GOOD_ARTICLE + "\nThe board called it **good news** for *sailors*.\n"
    handlers.upload(str(write_file(tmp_path / "in", "keepers.md", text)))
    reader = handlers.show_article("keepers")
    assert "<h1>Lighthouse keepers return to Skerry Point</h1>" in reader
    assert "<strong>good news</strong>" in reader and "<em>sailors</em>" in reader
    assert "#" not in reader.split("</h3>", 1)[1] and "**" not in reader


def test_markdown_markup_is_left_out_of_the_evidence_context() -> None:
    from assistant.ui.markdown import markdown_plain

    assert markdown_plain("# Head\n\n**Bold** words, *em*, a [link](http://x).") == (
        "Head\n\nBold words, em, a link."
    )
    assert markdown_plain("snake_case and 2*3*4 stay") == "snake_case and 2*3*4 stay"


def test_a_described_title_is_shown_in_italics_as_untitled() -> None:
    html = render.corpus_table_html(
        [
            render.ArticleEntry(
                "a", "a@v", "[Officials confirm the ferry schedule]", None, None, "/x/a.txt", 2
            )
        ],
        lambda _e: "seed",
    )
    assert '<em class="fc-untitled"' in html
    assert "untitled article: Officials confirm the ferry schedule</em>" in html
    assert "[Officials" not in html


def test_an_upload_stating_its_outlet_and_date_shows_them(
    seeded_store: Path, tmp_path: Path
) -> None:
    handlers = Handlers(writable_checker(seeded_store, tmp_path))
    text = (
        "# Ferry timetable changes\n\nBy Ana Ruiz, The Harbour Gazette\n"
        "Published: 5 November 2024\n\nThe morning ferry now leaves at seven.\n"
    )
    handlers.upload(str(write_file(tmp_path / "in", "ferry.md", text)))
    entry = handlers.corpus().get("ferry")
    assert entry is not None
    assert (entry.outlet, entry.date) == ("The Harbour Gazette", "5 November 2024")
    assert "The Harbour Gazette" in handlers.corpus_table()


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ("SEOUL, Nov. 5 (Reuters) - The ferry left.", ("Reuters", None)),
        ("WASHINGTON (AP) — Officials said.", ("AP", None)),
        ("Headline\n2024-11-05\nSource: Yonhap\n\nBody.", ("Yonhap", "2024-11-05")),
        ("Headline\n\nThe ferry left on November 5, 2024 at noon.", (None, None)),
    ],
)
def test_datelines_and_bylines_are_read_from_the_head_only(
    head: str, expected: tuple[str | None, str | None]
) -> None:
    from assistant.store.byline import stated_outlet_and_date

    assert stated_outlet_and_date(head) == expected
