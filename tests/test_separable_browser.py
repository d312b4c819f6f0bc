"""The separable tab in a real browser: opening `?view=Depthwise-separable` loads the page with its charts drawn,
no Streamlit exception and no console error. Uses the shared server and headless Chromium of tests/conftest.py."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from convviz.i18n.strings import text
from tests.test_screens_tabs_browser import wait_for_layout

IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"

pytestmark = pytest.mark.browser


def test_opening_the_separable_link_loads_without_errors(browser_page):
    page = browser_page  # a fresh session of the shared server (tests/conftest.py)
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"/?view={quote(text('tab_separable'))}&sep_c_in=4&sep_c_out=4")
    page.wait_for_selector(IDLE, timeout=90_000)
    # One chart, laid out for a width that serves the column (while a second run replaces the chart, the page
    # briefly holds two).
    wait_for_layout(page, ".st-key-sep_maps_chart .js-plotly-plot", 60_000)
    maps = page.locator(".st-key-sep_maps_chart .js-plotly-plot")
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.get_by_text(text("sep_title")).is_visible()
    # The ratio worked out for c_i = c_o = 4, k = 3 is on the page, and both outputs are drawn (4 heatmaps).
    assert page.get_by_text("1/4 + 1/9 = 13/36", exact=False).count() == 1
    assert maps.evaluate("gd => gd._fullData.filter(t => t.type === 'heatmap' && t.visible).length") == 4
    assert page.locator(".st-key-sep_kernels_chart .js-plotly-plot").count() == 1
    assert "view=Depthwise-separable" in page.url
    assert errors == [], errors
