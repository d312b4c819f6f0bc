"""The lecture kit's offline animation: downloaded from the page, opened from disk with the network off, it plays."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import wait_for_app

pytestmark = pytest.mark.browser

LABEL = "[data-testid='convviz-player'] .cvp-label"


def test_the_downloaded_animation_plays_from_disk_with_no_network(browser_page: Any, chromium: Any,
                                                                   tmp_path: Path):
    page = browser_page
    page.goto("/?values=textbook")
    wait_for_app(page)
    page.get_by_text("Take it to a notebook").click()
    wait_for_app(page)
    with page.expect_download(timeout=60_000) as download_info:
        page.get_by_role("button", name="Download the animation as one HTML file").click()
    path = tmp_path / "animation.html"
    download_info.value.save_as(path)
    assert path.stat().st_size <= 6 * 2**20  # the budget at the defaults: 6 MB, plotly.js included

    context = chromium.new_context(viewport={"width": 1280, "height": 720})
    try:
        requests: list[str] = []
        context.route("**/*", lambda route: (requests.append(route.request.url), route.continue_()
                                             if route.request.url.startswith("file://") else route.abort()))
        context.set_offline(True)
        offline = context.new_page()
        errors: list[str] = []
        offline.on("pageerror", lambda err: errors.append(str(err)))
        offline.goto(path.as_uri())
        offline.wait_for_selector(f"{LABEL}:has-text('1')", timeout=30_000)
        first = offline.inner_text(LABEL)
        assert first.startswith("Step 1 of 4")  # the textbook: 2 × 2 output cells
        offline.locator("[data-testid='convviz-player'] .cvp-play").click()
        offline.wait_for_function(f"() => document.querySelector(\"{LABEL}\").textContent.startsWith('Step 4 of 4')",
                                  timeout=20_000)
        assert offline.locator(".js-plotly-plot").count() == 1
        assert offline.title() == "convviz — output channel 0 of 2 input channels, 3×3, 2×2 kernel"  # in words
        # Laid out for the window it is opened in: at 1280×720 the controls sit under the diagram, and a larger
        # window gets the larger layout the file carries.
        fits = """() => {
            const plot = document.querySelector('.cvp-plot').getBoundingClientRect();
            const controls = document.querySelector('.cvp-controls').getBoundingClientRect();
            return [document.querySelector('.js-plotly-plot').layout.width, plot.bottom <= controls.top + 1,
                    controls.bottom <= window.innerHeight + 1];
        }"""
        small_width, below, on_screen = offline.evaluate(fits)
        assert below and on_screen
        offline.set_viewport_size({"width": 1920, "height": 1080})
        offline.wait_for_function("(w) => document.querySelector('.js-plotly-plot').layout.width > w",
                                  arg=small_width, timeout=10_000)
        assert offline.evaluate(fits)[1:] == [True, True]
        assert not errors
        assert all(url.startswith("file://") for url in requests), "nothing but the file itself was asked for"
    finally:
        context.close()
