"""The main screen in a real browser: it loads, Play moves the window, a control redraws, a bad link is survived.

Run against `streamlit run app.py` (the `streamlit_server` fixture) in headless Chromium (`browser_page`). The
animated chart is the plotly graph div inside the element keyed "animation"; plotly.js exposes its `layout` and
`_transitionData._frames` on that div.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import wait_for_app

pytestmark = pytest.mark.browser

CHART = ".st-key-animation [data-testid='stPlotlyChart'] .js-plotly-plot"
EXCEPTION = "[data-testid='stException']"
CHART_MS = 30_000  # script done → chart drawn: plotly.js is parsed on a page's first chart, slow on a busy machine
SETTLE_MS = 15_000  # after the first load, waits are short: cached work, warm interpreter

# Read the chart's state in one call; the graph div may be replaced when the figure changes.
READ_CHART = """(sel) => {
    const gd = document.querySelector(sel);
    if (!gd || !gd.layout || !gd.layout.meta) return null;
    const shapes = gd.querySelectorAll('.shapelayer path');
    const meta = JSON.parse(gd.layout.meta);  // sent as a string: see convviz.ui.common.drawn_once
    return {
        n_steps: meta.n_steps,
        frame_ms: meta.frame_ms,
        frames: gd._transitionData ? gd._transitionData._frames.length : null,
        slider_steps: gd.layout.sliders[0].steps.length,
        active: gd.layout.sliders[0].active,
        window: gd.layout.shapes[1].path,
        drawn_window: shapes.length > 1 ? shapes[1].getAttribute('d') : null,
    };
}"""


def open_app(page: Any, query: str = "") -> dict:
    """Open the app (optionally with a link's query string) and wait for the animated chart; return its state."""
    page.goto(f"/{query}")
    wait_for_app(page)
    page.wait_for_selector(CHART, timeout=CHART_MS)
    return chart_state(page)


def chart_state(page: Any) -> dict:
    return page.evaluate(READ_CHART, CHART)


def assert_no_exception(page: Any) -> None:
    count = page.locator(EXCEPTION).count()
    assert count == 0, page.locator(EXCEPTION).first.inner_text()


def test_page_loads_with_the_animated_chart(browser_page: Any) -> None:
    page = browser_page
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    state = open_app(page)
    assert_no_exception(page)
    assert page.locator("[data-testid='stPlotlyChart']").count() == 1  # one figure: one chart to draw per change
    # Defaults: 6×6 input, 3×3 kernel, no padding, stride 1 → 4×4 = 16 steps, one frame per step.
    assert state["n_steps"] == state["frames"] == state["slider_steps"] == 16
    assert state["window"] and state["drawn_window"]
    buttons = page.locator(f"{CHART} .updatemenu-button").all_text_contents()  # SVG: no innerText
    assert any("Play" in b for b in buttons) and any("Pause" in b for b in buttons)
    assert errors == []


def test_play_moves_the_window_and_pause_stops_it(browser_page: Any) -> None:
    page = browser_page
    start = open_app(page)
    page.locator(f"{CHART} .updatemenu-button", has_text="Play").click()
    # Two steps of frame_ms each (700 ms at the default speed), with room for a loaded machine.
    page.wait_for_function("(sel) => document.querySelector(sel).layout.sliders[0].active >= 2", arg=CHART,
                           timeout=start["frame_ms"] * 2 + 5_000)
    playing = chart_state(page)
    assert playing["window"] != start["window"]  # the layout moved on ...
    assert playing["drawn_window"] != start["drawn_window"]  # ... and so did the outline on screen
    page.locator(f"{CHART} .updatemenu-button", has_text="Pause").click()
    page.wait_for_timeout(200)  # a frame already queued may still land
    paused = chart_state(page)
    page.wait_for_timeout(start["frame_ms"] * 2)
    still = chart_state(page)
    assert still["active"] == paused["active"] < still["n_steps"] - 1
    assert still["window"] == paused["window"]
    assert_no_exception(page)


def test_changing_a_control_redraws_the_chart(browser_page: Any) -> None:
    page = browser_page
    before = open_app(page)
    assert before["n_steps"] == 16
    field = page.locator(".st-key-h input")  # widgets are found by their key, which is also the URL parameter
    field.fill("7")
    field.press("Enter")
    # h 6 → 7: the output grows from 4×4 to 5×4, so the new figure has 20 steps and 20 frames.
    page.wait_for_function(
        """(sel) => { const gd = document.querySelector(sel);
                      return gd && gd.layout && gd.layout.meta && JSON.parse(gd.layout.meta).n_steps === 20
                             && gd._transitionData && gd._transitionData._frames.length === 20; }""",
        arg=CHART, timeout=8_000,  # bench/bench_app.py measures the real latency against its 500 ms budget
    )
    after = chart_state(page)
    assert after["slider_steps"] == 20 and after["active"] == 0
    page.wait_for_url("**h=7**", timeout=5_000)  # the control is bound to the link
    wait_for_app(page, SETTLE_MS)
    assert_no_exception(page)


# plotly.js paints each heatmap into a canvas and reads it back with toDataURL: one call per heatmap per draw.
COUNT_HEATMAP_PAINTS = """() => {
    window.__paints = 0;
    const read = HTMLCanvasElement.prototype.toDataURL;
    HTMLCanvasElement.prototype.toDataURL = function (...args) { window.__paints += 1; return read.apply(this, args); };
}"""
HEATMAPS_ON_PAGE = """() => [...document.querySelectorAll('.js-plotly-plot')]
    .reduce((n, gd) => n + gd.data.filter(t => t.type === 'heatmap').length, 0)"""


def test_a_control_change_paints_each_heatmap_once(browser_page: Any) -> None:
    # Streamlit hands plotly.js a copy of the figure right after the chart mounts; unless the figure says its data
    # is unchanged (convviz.ui.common.drawn_once), everything is drawn a second time, ~150 ms on this machine.
    page = browser_page
    open_app(page)
    wait_for_app(page, SETTLE_MS)
    page.evaluate(COUNT_HEATMAP_PAINTS)
    field = page.locator(".st-key-c_in input")
    field.fill("2")
    field.press("Enter")
    page.wait_for_function("(sel) => { const gd = document.querySelector(sel); "
                           "return gd && gd.data && gd.data.filter(t => t.hovertemplate && "
                           "t.hovertemplate.startsWith('X[')).length === 2; }", arg=CHART, timeout=8_000)
    wait_for_app(page, SETTLE_MS)
    page.wait_for_timeout(1_000)  # a second draw would come within a few hundred ms
    heatmaps = page.evaluate(HEATMAPS_ON_PAGE)
    assert heatmaps >= 10  # 2 inputs, 2 kernels, 2 products, sums, total, output, 2 finished output maps
    assert page.evaluate("() => window.__paints") == heatmaps
    assert_no_exception(page)


def test_a_malformed_link_loads_with_a_notice(browser_page: Any) -> None:
    page = browser_page
    page.goto("/?h=1e400&c_in=abc&kh=99")
    wait_for_app(page)
    notice = page.locator("[data-testid='stAlert']", has_text="Some values in the link were changed")
    notice.wait_for(timeout=SETTLE_MS)
    assert_no_exception(page)
    said = notice.inner_text()
    for bad in ("h=1e400", "c_in=abc", "kh=99"):
        assert bad in said
    # The values the page kept: h and c_in dropped (defaults 6 and 3), kh clamped to its largest, 7.
    assert page.locator(".st-key-h input").input_value() == "6"
    assert page.locator(".st-key-c_in input").input_value() == "3"
    assert page.locator(".st-key-kh input").input_value() == "7"
