"""The 1×1 explorer in a real browser: open the view, click a pixel in the chart, and see its numbers change.

Uses the shared server and headless Chromium of tests/conftest.py: without Chromium the test is skipped on a
developer machine but fails under CI=true.
"""

from __future__ import annotations

import re
import time
from urllib.parse import quote

import numpy as np
import pytest

from convviz.model import mixing
from tests.test_screens_tabs_browser import wait_for_layout

IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
PIXEL_LINE = re.compile(r"Pixel \((\d+), (\d+)\): x = X\[:, \d+, \d+\] = \(([^)]*)\), y = W·x = \(([^)]*)\)")

pytestmark = pytest.mark.browser


def _pixel_line(page) -> tuple[int, int, np.ndarray]:
    match = PIXEL_LINE.search(page.locator("text=/Pixel \\(/").first.inner_text())
    assert match, "the pixel's numbers are not on the page"
    row, col, _, y = match.groups()
    return int(row), int(col), np.array([float(v) for v in y.split(",")])


def _click_point(page, chart, trace_name: str, row: int, col: int, label: str) -> None:
    """Click the overlay marker of pixel (row, col) whose hover label starts with `label` (e.g. "X[1,")."""
    x, y = chart.evaluate(
        """(gd, [name, row, col, label]) => {
            const trace = gd._fullData.find(t => t.name === name);
            const k = trace.customdata.findIndex(c => c[0] === row && c[1] === col && c[2].startsWith(label));
            const xa = gd._fullLayout[trace.xaxis.replace('x', 'xaxis')];
            const ya = gd._fullLayout[trace.yaxis.replace('y', 'yaxis')];
            const box = gd.getBoundingClientRect();
            return [box.left + xa._offset + xa.l2p(trace.x[k]), box.top + ya._offset + ya.l2p(trace.y[k])];
        }""",
        [trace_name, row, col, label],
    )
    page.mouse.click(x, y)


def _wait_for_pixel(page, row: int, col: int) -> None:
    deadline = time.monotonic() + 30
    while _pixel_line(page)[:2] != (row, col):
        assert time.monotonic() < deadline, f"the page never showed pixel ({row}, {col})"
        page.wait_for_timeout(200)
    page.wait_for_selector(IDLE, timeout=60_000)


def test_clicking_a_pixel_shows_its_w_times_x(browser_page):
    page = browser_page  # a fresh session of the shared server (tests/conftest.py)
    page.goto(f"/?view={quote('1×1 convolution')}")
    page.wait_for_selector(IDLE, timeout=90_000)
    wait_for_layout(page, ".st-key-mix_pick .js-plotly-plot")  # laid out for the width the page measured
    chart = page.locator(".st-key-mix_pick .js-plotly-plot")
    chart.scroll_into_view_if_needed()
    assert _pixel_line(page)[:2] == (0, 0)

    X = mixing.input_image(3, 4, 4, seed=0)  # the view's defaults: 3 → 3 channels, 4×4, seed 0, random W
    W = mixing.preset_matrix("random", 3, 3, seed=0)
    _click_point(page, chart, "pick-X", 2, 1, "X[1,")  # pixel (2, 1) in input channel 1
    _wait_for_pixel(page, 2, 1)
    assert np.allclose(_pixel_line(page)[2], W @ X[:, 2, 1], atol=1e-3)
    assert page.locator(".st-key-mix_row input").input_value() == "2"  # the click moved the inputs too
    assert page.locator(".st-key-mix_col input").input_value() == "1"
    assert "mix_row=2" in page.url and "mix_col=1" in page.url  # and the link

    chart = page.locator(".st-key-mix_pick .js-plotly-plot")
    _click_point(page, chart, "pick-Y", 3, 3, "Y[0,")  # the output strip picks pixels too
    _wait_for_pixel(page, 3, 3)
    assert np.allclose(_pixel_line(page)[2], W @ X[:, 3, 3], atol=1e-3)
    assert page.locator("[data-testid='stException']").count() == 0
