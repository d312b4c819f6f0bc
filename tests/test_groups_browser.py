"""Groups on the main screen in a real browser: the channels outside the followed output's group are faded."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import wait_for_app

pytestmark = pytest.mark.browser

PLOT = "[data-testid='convviz-player'] .js-plotly-plot"


def test_a_grouped_layer_fades_the_unseen_channels_and_plays(browser_page: Any):
    page = browser_page
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto("/?c_in=4&c_out=2&groups=2&out=1")
    wait_for_app(page)
    page.wait_for_selector(PLOT, timeout=60_000)
    drawn = page.evaluate("""(sel) => {
        const gd = document.querySelector(sel);
        const wash = gd.data.findIndex((t) => t.name === 'unseen');
        const fills = [...gd.querySelectorAll('.scatterlayer .trace .fills path')];
        return {wash, fills: fills.map((p) => (p.getAttribute('d') || '').split('M').length - 1)
                                  .reduce((a, b) => Math.max(a, b), 0),
                terms: (gd.data[gd.data.length - 2].text || [''])[0]};
    }""", PLOT)
    # One fade (a closed shape in the fill's path) over the input of channels 0 and 1, which have no kernel slice.
    assert drawn["wash"] >= 0 and drawn["fills"] >= 2
    assert page.locator("text=Groups g").count() >= 1
    page.locator("[data-testid='convviz-player'] .cvp-next").click()
    page.wait_for_function("() => document.querySelector(\"[data-testid='convviz-player'] .cvp-label\")"
                           ".textContent.startsWith('Step 2 of 16')", timeout=10_000)
    assert page.locator("[data-testid='stException']").count() == 0
    assert not errors
