"""The web UI in a real browser: Debian's chromium driven by Playwright (never `playwright install`).

`make browser-deps` installs chromium. Set ASSISTANT_UI_SCREENSHOT=docs/ui.png to also write the
chat screenshot there (that is how the README's picture is made).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from ui_fixtures import (
    EVIL_ARTICLE,
    ZEBRA_QUESTION,
    running_app,
    writable_checker,
    write_file,
)

from assistant.factchecker import FactChecker
from assistant.store.corpus import described_title
from assistant.ui.app import EXAMPLES

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
ICBM = "When did North Korea launch the ICBM?"
FOLLOW_UP = "And how far did it fly?"
TIMEOUT_MS = 60_000

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian's chromium is not installed at /usr/bin/chromium (run `make browser-deps`)",
    ),
    pytest.mark.filterwarnings("ignore:.*no_silent_downcasting"),
    pytest.mark.filterwarnings("ignore:.*copy keyword is deprecated"),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def errors() -> list[str]:
    """Uncaught page errors and dialogs (an alert() from injected script would land here)."""
    return []


@pytest.fixture
def page(browser: Browser, errors: list[str]) -> Iterator[Page]:
    page = browser.new_page(viewport={"width": 1400, "height": 960})
    page.set_default_timeout(TIMEOUT_MS)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("dialog", lambda dialog: (errors.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    yield page
    page.close()


@pytest.fixture(scope="module")
def seeds_url(fact_checker: FactChecker) -> Iterator[str]:
    with running_app(fact_checker) as url:
        yield url


@pytest.fixture(scope="module")
def writable(seeded_store: Path, tmp_path_factory: pytest.TempPathFactory) -> FactChecker:
    return writable_checker(seeded_store, tmp_path_factory.mktemp("browser-store"))


@pytest.fixture(scope="module")
def writable_url(writable: FactChecker) -> Iterator[str]:
    with running_app(writable) as url:
        yield url


def ask(page: Page, question: str, answers_before: int) -> None:
    """Type a question, press Enter, and wait until its answer is final (not streaming)."""
    page.fill("#fc-question textarea", question)
    page.keyboard.press("Enter")
    page.wait_for_function(
        "n => document.querySelectorAll('#fc-chat .fc-msg:not(.fc-pending):not(.fc-streaming)')"
        ".length > n",
        arg=answers_before,
    )


def test_chat_shows_cited_answer_with_highlighted_quote_and_follows_up(
    page: Page, errors: list[str], seeds_url: str, fact_checker: FactChecker, tmp_path: Path
) -> None:
    expected = fact_checker.ask(ICBM)
    page.goto(seeds_url)
    ask(page, ICBM, 0)

    answer = page.locator("#fc-chat .fc-answered").first
    assert answer.locator("sup.fc-cite").first.inner_text() == "[1]"
    first_source = answer.locator("li.fc-src").first.inner_text()
    assert described_title(expected.citations[0].title)[1] in first_source
    assert expected.citations[0].quote in first_source
    marks = page.locator("#fc-evidence mark.fc-mark")
    assert marks.count() == len(expected.citations)
    assert marks.first.inner_text() == expected.citations[0].quote
    assert marks.first.evaluate("m => getComputedStyle(m).backgroundColor") != "rgba(0, 0, 0, 0)"

    ask(page, FOLLOW_UP, 1)
    follow_up = page.locator("#fc-chat .fc-answered").nth(1)
    assert "kilometers" in follow_up.locator(".fc-answer").inner_text()
    panel = page.locator("#fc-evidence")
    assert FOLLOW_UP in panel.locator(".fc-panel-q").inner_text()
    assert "kilometers" in panel.locator("mark.fc-mark").first.inner_text()

    shot = tmp_path / "ui.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 20_000
    if target := os.environ.get("ASSISTANT_UI_SCREENSHOT"):
        shutil.copyfile(shot, target)

    answer.click()  # selecting an earlier answer shows its evidence again
    page.wait_for_function(
        "q => document.querySelector('#fc-evidence .fc-panel-q').textContent === q", arg=ICBM
    )
    assert errors == []


def test_clicking_an_example_question_asks_it(page: Page, seeds_url: str) -> None:
    page.goto(seeds_url)
    page.locator("#fc-chat").get_by_text(EXAMPLES[1], exact=True).click()
    # Answered or refused, the reply to the clicked example is a finished assistant message.
    finished = "#fc-chat .fc-answered:not(.fc-streaming), #fc-chat .fc-refused:not(.fc-streaming)"
    page.wait_for_selector(finished)
    assert page.locator("#fc-chat .fc-q").first.inner_text() == EXAMPLES[1]
    assert page.locator(finished).count() == 1


def test_uploaded_malicious_article_renders_as_inert_text(
    page: Page, errors: list[str], writable: FactChecker, writable_url: str, tmp_path: Path
) -> None:
    evil = write_file(tmp_path, "testville.md", EVIL_ARTICLE)
    writable_ids_after = {e.article_id for e in writable.articles()} | {"testville"}
    page.goto(writable_url)
    page.get_by_role("tab", name="Corpus").click()
    page.set_input_files("#fc-upload input[type=file]", str(evil))
    notice = page.locator("#fc-upload-notice .fc-ok")
    notice.wait_for()
    assert "Zebra crossing trial in Testville" in notice.inner_text()
    assert "Zebra crossing trial in Testville" in page.locator("#fc-corpus").inner_text()
    header = page.locator("#fc-header").inner_text()
    assert f"the {len(writable_ids_after)} indexed" in header  # counted again after the upload

    page.get_by_role("tab", name="Chat").click()
    ask(page, ZEBRA_QUESTION, 0)
    answer = page.locator("#fc-chat .fc-answered").first
    evidence = page.locator("#fc-evidence .fc-context").first
    for shown in (answer.inner_text(), evidence.inner_text()):
        assert "<script>window.__pwned = 1</script>" in shown
        assert "${7*7} {{constructor}}" in shown
    assert page.evaluate("window.__pwned") is None
    for where in ("#fc-chat", "#fc-evidence"):
        assert page.locator(f"{where} .fc-msg img, {where} .fc-evidence img").count() == 0
        assert page.locator(f"{where} script").count() == 0
    assert errors == []


def test_rejected_upload_shows_a_visible_reason(
    page: Page, writable: FactChecker, writable_url: str, tmp_path: Path
) -> None:
    bad = write_file(
        tmp_path, "menu.txt", "Caf\u00e9 cr\u00e8me br\u00fbl\u00e9e".encode("latin-1")
    )
    before = [e.article_id for e in writable.articles()]
    page.goto(writable_url)
    page.get_by_role("tab", name="Corpus").click()
    page.set_input_files("#fc-upload input[type=file]", str(bad))
    notice = page.locator("#fc-upload-notice .fc-bad")
    notice.wait_for()
    assert notice.is_visible()
    assert "not UTF-8 text" in notice.inner_text() and "menu.txt" in notice.inner_text()
    assert [e.article_id for e in writable.articles()] == before
    assert page.locator("#fc-corpus tbody tr").count() == len(before)  # refreshed, unchanged


def test_an_empty_question_says_why_nothing_happened(page: Page, seeds_url: str) -> None:
    page.goto(seeds_url)
    page.fill("#fc-question textarea", "   ")
    page.keyboard.press("Enter")
    notice = page.locator("#fc-chat .fc-error")
    notice.wait_for()
    assert "The question is empty" in notice.inner_text()
