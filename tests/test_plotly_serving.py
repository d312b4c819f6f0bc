"""plotly.js reaches the player with no static folder: a fresh start prints no warning about one, the file is
plotly's own cartesian bundle of the version the plotly package bundles, its folder holds nothing else, and
nothing under ./static is served.
"""

from __future__ import annotations

import asyncio
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.stclient import Session
from convviz.ui.player import PLOTLY_JS, PLOTLY_SRC, PLOTLY_VERSION
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


def test_the_page_gets_plotlys_cartesian_bundle(server: tuple[str, Path]):
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


# The file as published on the npm registry: package/plotly-cartesian.min.js in plotly.js-cartesian-dist-min 4.1.1
# (whose tarball's `dist.integrity` is sha512-o8GrFeusncwBIxbBynRJpY4pkgVB6caM+JLpwrLYbbsO7dZ8FJ+SVN2Fr+L7kiG/Z6w4P5O0
# Jus/Qr5EefHVeg==), unchanged.
PUBLISHED_SHA512 = "sha512-Ej2DOLypRPZLZrZnvDD2TiFsAfCaUzFXQBCaINnpQz673FO+IoX8elbQ47iQH1KMaFdLZodTpIRHf6RvttXQxQ=="


def test_the_bundle_is_plotlys_own_of_the_version_the_plotly_package_draws_with():
    import importlib.util
    import re

    package = Path(str(importlib.util.find_spec("plotly").origin)).parent / "package_data" / "plotly.min.js"
    full = re.search(rb"plotly\.js v(\d+\.\d+\.\d+)", package.read_bytes()[:400])
    ours = re.search(rb"plotly\.js \(cartesian - minified\) v(\d+\.\d+\.\d+)", PLOTLY_JS.read_bytes()[:400])
    assert full and ours and ours.group(1) == full.group(1), "the same plotly.js as the plotly package's figures"
    assert f"cartesian-{ours.group(1).decode()}" == PLOTLY_VERSION, "the browser's cached copy is named by version"
    assert sorted(p.name for p in PLOTLY_JS.parent.iterdir()) == ["LICENSE", PLOTLY_JS.name], "nothing else served"
    assert "MIT" in (PLOTLY_JS.parent / "LICENSE").read_text()


def test_the_bundle_is_the_one_published():
    import base64
    import hashlib

    digest = base64.b64encode(hashlib.sha512(PLOTLY_JS.read_bytes()).digest()).decode()
    assert f"sha512-{digest}" == PUBLISHED_SHA512
