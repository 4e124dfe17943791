"""The corpus tab's Remove control in a real browser (Debian's chromium, Playwright).

Cancel leaves the article; Remove, pressed in the confirmation, removes it and refreshes the
list, the reader's choices and the header without a reload.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright
from ui_fixtures import GOOD_ARTICLE, running_app, writable_checker, write_file

from assistant.ui.uploads import add_upload

from conftest import SEED_IDS

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
TITLE = "Lighthouse keepers return to Skerry Point"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no chromium at /usr/bin/chromium"),
    pytest.mark.filterwarnings("ignore:.*no_silent_downcasting"),
    pytest.mark.filterwarnings("ignore:.*copy keyword is deprecated"),
]


@pytest.fixture
def page() -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 960})
        page.set_default_timeout(60_000)
        yield page
        browser.close()


def test_remove_asks_first_then_removes_the_article_and_refreshes_the_corpus(
    page: Page, seeded_store: Path, tmp_path: Path
) -> None:
    fc = writable_checker(seeded_store, tmp_path)
    add_upload(fc, write_file(tmp_path / "in", "lighthouse.md", GOOD_ARTICLE))
    with running_app(fc) as url:
        page.goto(url)
        page.get_by_role("tab", name="Corpus").click()
        page.locator("#fc-article-picker input").fill("lighthouse")
        page.get_by_role("option", name=f"{TITLE} (lighthouse)").click()
        page.locator("#fc-article").get_by_text(TITLE).first.wait_for()

        page.locator("#fc-remove").click()
        question = page.locator("#fc-remove-question")
        question.get_by_text("Remove “Lighthouse keepers").wait_for()
        page.locator("#fc-remove-no").click()
        question.wait_for(state="hidden")
        assert "lighthouse" in [e.article_id for e in fc.articles()]

        page.locator("#fc-remove").click()
        page.locator("#fc-remove-yes").click()
        page.locator("#fc-remove-notice").get_by_text(f"Removed “{TITLE}”").wait_for()
        assert [e.article_id for e in fc.articles()] == SEED_IDS
        assert TITLE not in page.locator("#fc-corpus").inner_text()
        assert f"the {len(SEED_IDS)} indexed" in page.locator("#fc-header").inner_text()
        assert page.locator("#fc-remove-question").is_hidden()


def test_files_whose_names_gradio_stores_alike_become_two_articles(
    page: Page, seeded_store: Path, tmp_path: Path
) -> None:
    fc = writable_checker(seeded_store, tmp_path)
    other = GOOD_ARTICLE.replace("two lighthouse", "nine lighthouse")
    with running_app(fc) as url:
        page.goto(url)
        page.get_by_role("tab", name="Corpus").click()
        files = [("notes.md", GOOD_ARTICLE, "(notes, "), ("notes!.md", other, "(notes-")]
        for n, (name, text, shown) in enumerate(files):
            path = write_file(tmp_path / str(n), name, text)
            page.set_input_files("#fc-upload input[type=file]", str(path))
            page.locator("#fc-upload-notice .fc-ok").get_by_text(shown).wait_for()
    uploaded = [e.article_id for e in fc.articles() if e.article_id.startswith("notes")]
    assert len(uploaded) == 2 and "notes" in uploaded
    assert sorted(fc.article_text(i) for i in uploaded) == sorted([GOOD_ARTICLE, other])
