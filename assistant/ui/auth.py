"""Sign-in for the web UI (ASSISTANT_UI_AUTH) with failed attempts throttled.

Gradio's /login checks a password as fast as it is asked, so a script could try hundreds a
second. Gradio accepts an async callable as ``auth``; ``SignInThrottle`` is one: it compares
the password in constant time, and after ``max_failures`` failed sign-ins within ``window_s``
(counted per user name and, at a higher limit, for everyone together, since /login does not
tell the callable who is asking) it refuses further attempts with HTTP 429 and a Retry-After
until the window has passed, without checking the password at all. The correct password still
works once the window has passed, so an attacker can delay a user, never lock them out for good.
"""

from __future__ import annotations

import asyncio
import hmac
import time
from collections import deque

from fastapi import HTTPException

from assistant.errors import InputError

MAX_FAILURES = 5  # per user name within the window
MAX_FAILURES_ALL = 20  # for all user names together within the window
WINDOW_S = 60.0
FAILURE_DELAY_S = 0.5  # each failed attempt also answers this much later


def parse_auth(value: str | None) -> tuple[str, str] | None:
    """``user:password`` (ASSISTANT_UI_AUTH) as a pair."""
    if value is None or not value.strip():
        return None
    user, sep, password = value.partition(":")
    if not sep or not user.strip() or not password:
        raise InputError("ASSISTANT_UI_AUTH must look like user:password (both parts non-empty)")
    return user.strip(), password


class SignInThrottle:
    """One user and password for Gradio's ``auth``, failed attempts rate-limited."""

    def __init__(
        self,
        user: str,
        password: str,
        *,
        max_failures: int = MAX_FAILURES,
        max_failures_all: int = MAX_FAILURES_ALL,
        window_s: float = WINDOW_S,
        failure_delay_s: float = FAILURE_DELAY_S,
    ) -> None:
        self.user, self.password = user, password
        self.max_failures, self.max_failures_all = max_failures, max_failures_all
        self.window_s, self.failure_delay_s = window_s, failure_delay_s
        self._failures: dict[str, deque[float]] = {}
        self._all: deque[float] = deque()

    async def check(self, username: str, password: str) -> bool:
        """Gradio's auth callable (pass the bound method: Gradio awaits coroutine functions only)."""
        now = time.monotonic()
        mine = self._failures.setdefault(username, deque())
        for times in (mine, self._all):
            while times and now - times[0] > self.window_s:
                times.popleft()
        if len(mine) >= self.max_failures or len(self._all) >= self.max_failures_all:
            oldest = mine[0] if len(mine) >= self.max_failures else self._all[0]
            wait = max(1, round(self.window_s - (now - oldest)))
            raise HTTPException(
                status_code=429,
                detail=f"Too many failed sign-ins; wait {wait} seconds and try again.",
                headers={"Retry-After": str(wait)},
            )
        ok = hmac.compare_digest(_raw(username), _raw(self.user)) & hmac.compare_digest(
            _raw(password), _raw(self.password)
        )
        if ok:
            return True
        mine.append(now)
        self._all.append(now)
        if len(self._failures) > 10_000:  # names tried once and forgotten: keep memory bounded
            self._failures = {k: v for k, v in self._failures.items() if v}
        await asyncio.sleep(self.failure_delay_s)
        return False


def _raw(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")
