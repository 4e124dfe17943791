"""The web UI probed as an attacker would: malformed API calls, password guessing, odd uploads.

Each malformed call must come back as one clear error (gradio_client's AppError) and leave no
traceback in the server's output; sign-in guesses through /login are throttled.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError
from ui_fixtures import GOOD_ARTICLE, running_app, writable_checker, write_file

from assistant.factchecker import FactChecker
from assistant.ui.auth import SignInThrottle

pytestmark = [
    pytest.mark.filterwarnings("ignore:.*no_silent_downcasting"),
    pytest.mark.filterwarnings("ignore:.*copy keyword is deprecated"),
]


def raw_call(url: str, api_name: str, body: str) -> str:
    """Gradio's HTTP API called with a JSON body as written (which a client library may refuse
    to send); returns the event stream of the result."""
    posted = httpx.post(
        f"{url}gradio_api/call/{api_name}",
        content=body.encode("ascii"),
        headers={"content-type": "application/json"},
    )
    posted.raise_for_status()
    event_id = posted.json()["event_id"]
    return httpx.get(f"{url}gradio_api/call/{api_name}/{event_id}", timeout=60).text


def test_a_lone_surrogate_in_the_question_is_a_clear_error(
    url: str, capfd: pytest.CaptureFixture[str]
) -> None:
    stream = raw_call(url, "ask", '{"data": ["How far did it fly? \\ud800", null, null, null]}')
    assert "event: error" in stream and "not valid text" in stream
    assert "Traceback" not in capfd.readouterr().err


def nested(depth: int) -> list[object]:
    value: list[object] = []
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(
    ("args", "kwargs", "api_name", "reason"),
    [
        ((), {"question": "How far did it fly?", "history": 5}, "/ask", "history must be a list"),
        ((), {"question": "How far?", "history": nested(500)}, "/ask", "history must be a list"),
        ((), {"question": "How far?", "history": [["user", nested(50)]]}, "/ask", "turn 1"),
        ((), {"question": "How far?", "top_k": "many"}, "/ask", "top_k must be a whole number"),
        (({"id": "x"},), {}, "/article", "article_id must be an article's id"),
        ((), {}, "/ask", "no question was sent"),
    ],
    ids=["history-5", "history-500-deep", "content-nested", "top-k-text",
         "article-dict", "ask-no-arguments"],
)  # fmt: skip
def test_malformed_api_calls_get_a_clear_error_and_no_traceback(
    client: Client,
    capfd: pytest.CaptureFixture[str],
    args: tuple[object, ...],
    kwargs: dict[str, object],
    api_name: str,
    reason: str,
) -> None:
    with pytest.raises(AppError, match=reason):
        client.predict(*args, api_name=api_name, **kwargs)
    assert "Traceback" not in capfd.readouterr().err


def test_failed_sign_ins_through_login_are_throttled(fact_checker: FactChecker) -> None:
    with running_app(fact_checker, auth=("reader", "s3cret")) as url:
        statuses = [
            httpx.post(
                url + "login", data={"username": "reader", "password": f"guess{i}"}
            ).status_code
            for i in range(8)
        ]
        assert statuses[:5] == [400] * 5
        assert statuses[5:] == [429] * 3
        refused = httpx.post(url + "login", data={"username": "reader", "password": "s3cret"})
        assert refused.status_code == 429 and "wait" in refused.json()["detail"]
        assert int(refused.headers["retry-after"]) > 0


def test_sign_in_works_again_once_the_window_has_passed() -> None:
    throttle = SignInThrottle("reader", "s3cret", max_failures=2, window_s=0.3, failure_delay_s=0)
    assert asyncio.run(throttle.check("reader", "a")) is False
    assert asyncio.run(throttle.check("reader", "b")) is False
    with pytest.raises(Exception, match="Too many failed sign-ins"):
        asyncio.run(throttle.check("reader", "s3cret"))
    time.sleep(0.35)
    assert asyncio.run(throttle.check("reader", "s3cret")) is True


def test_a_rejected_upload_says_adding_not_answering(seeded_store: Path, tmp_path: Path) -> None:
    fc = writable_checker(seeded_store, tmp_path, max_upload_bytes=1_000_000)
    path = write_file(tmp_path / "in", "big.md", b"a" * 1_006_071)
    with running_app(fc) as url, pytest.raises(AppError) as caught:
        Client(url, verbose=False).predict(handle_file(str(path)), api_name="/add_article")
    message = str(caught.value)
    assert "1,006,071 bytes; the limit is 1,000,000 bytes" in message
    assert "answering" not in message


def test_an_upload_with_terminal_control_characters_is_refused(
    seeded_store: Path, tmp_path: Path
) -> None:
    fc = writable_checker(seeded_store, tmp_path)
    before = [e.article_id for e in fc.articles()]
    path = write_file(tmp_path / "in", "title.md", GOOD_ARTICLE + "\x1b]0;owned\x07\n")
    with running_app(fc) as url, pytest.raises(AppError, match="control character"):
        Client(url, verbose=False).predict(handle_file(str(path)), api_name="/add_article")
    assert [e.article_id for e in fc.articles()] == before
