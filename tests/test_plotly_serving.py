"""plotly.js reaches the player with no folder in the checkout: a fresh start prints no warning about a static folder,
the file comes from the plotly package itself, and nothing under ./static is served.
"""

from __future__ import annotations

import asyncio
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.stclient import Session
from convviz.ui.player import PLOTLY_JS, PLOTLY_SRC
from tests.conftest import running_streamlit


def _get(url: str) -> tuple[int, bytes, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read(), response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as err:
        return err.code, b"", ""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    log = tmp_path_factory.mktemp("plotly") / "server.log"
    with running_streamlit("app.py", log_path=log) as base_url:
        yield base_url, log


def test_the_server_starts_without_a_word_about_a_static_folder(server: tuple[str, Path]):
    _, log = server
    written = log.read_text(errors="replace")
    assert "You can now view your Streamlit app" in written  # the log is the server's, and it started
    assert "static" not in written.lower()


def test_the_page_gets_plotly_js_from_the_plotly_package(server: tuple[str, Path]):
    base_url, _ = server

    async def open_page() -> bool:
        session, result = await Session.open(base_url)  # a tab's first run declares the route
        await session.close()
        return result.ok

    assert asyncio.run(open_page())
    status, body, kind = _get(f"{base_url}/{PLOTLY_SRC}?v=1")
    assert status == 200 and "javascript" in kind
    assert body == PLOTLY_JS.read_bytes()


def test_nothing_under_static_is_served(server: tuple[str, Path]):
    base_url, _ = server
    for path in ("app/static/plotly.min.js", "app/static/.env", "app/static/"):
        status, body, _ = _get(f"{base_url}/{path}")
        assert status == 404 or b"Plotly" not in body, path
