"""Past one process: `scripts/serve-class.sh 2` starts two Streamlit processes behind nginx on one port.

What a class needs from it: a page opened through nginx runs (its websocket, `/_stcore/stream`, is proxied) and
re-runs on a change; one browser's requests all reach one process; different browsers spread over the processes.

Skipped only when nginx is not installed and CI is not "true" (on CI, `.ci/run` installs Debian's nginx).
"""

from __future__ import annotations

import asyncio
import urllib.request
from collections.abc import Iterator

import pytest

from bench.stclient import Session, first_cookie
from tests.conftest import serving_class


def _get(url: str, cookie: str | None = None) -> tuple[int, dict[str, str]]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, {name.lower(): value for name, value in response.getheaders()}


@pytest.fixture(scope="module")
def class_url() -> Iterator[str]:
    with serving_class(2) as url:
        yield url


def test_a_page_opened_through_nginx_runs_and_reruns(class_url: str) -> None:
    """The websocket goes through nginx: the first run draws the page for h=8, a change to h=9 re-runs it."""

    async def visit() -> tuple[list[str], list[str], str]:
        cookie = first_cookie(class_url)
        session, opened = await Session.open(class_url, "h=8&w=4", cookie=cookie, timeout=120)
        try:
            assert opened.ok, opened.error
            changed = await session.change("h", 9, timeout=60)
            assert changed.ok, changed.error
            return opened.texts, changed.texts, cookie or ""
        finally:
            await session.close()

    opened, changed, cookie = asyncio.run(visit())
    assert cookie.startswith("convviz_worker=")
    # The counts block: 3 input channels, 3×3 kernel, no padding -> output h - 2 by w - 2.
    assert any("2 × 6 × 2" in text for text in opened)
    assert any("2 × 7 × 2" in text for text in changed)


def test_a_browser_sticks_to_one_process_and_browsers_spread(class_url: str) -> None:
    cookie = first_cookie(class_url)
    assert cookie is not None
    workers = {_get(f"{class_url}/_stcore/health", cookie)[1]["x-convviz-worker"] for _ in range(10)}
    assert len(workers) == 1  # every request of one browser reaches the same process
    _, headers = _get(f"{class_url}/_stcore/health", cookie)
    assert "set-cookie" not in headers or "convviz_worker" not in headers["set-cookie"]  # its id is kept
    fresh = {_get(f"{class_url}/_stcore/health")[1]["x-convviz-worker"] for _ in range(24)}
    assert len(fresh) == 2  # new browsers go to both (all 24 on one: chance 2^-23)
