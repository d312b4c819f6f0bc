"""The transposed convolution tab in Chromium: it plays to the end, a click on an input cell goes to its step, and
its three diagrams fit every classroom screen in both languages with their numbers legible."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import MEASURE_TAB, PLAYER, SCREENS, click_step_cell, open_tab, wait_for_link

SETTING = "tr_values=integers&tr_c_in=2&tr_c_out=2&tr_h=3&tr_w=3&tr_k=3&tr_stride=2&tr_padding=1"



def open_transposed(chromium: Any, server: str, screen: str, query: str) -> Any:
    return open_tab(chromium, server, screen, f"/?view=transposed&{query}")


def test_the_scatter_plays_to_the_end_and_a_click_on_an_input_cell_goes_to_its_step(chromium: Any,
                                                                                    streamlit_server: str) -> None:
    page = open_transposed(chromium, streamlit_server, "1280", "speed=fastest&" + SETTING)
    last = int(page.get_attribute(".cvp-slider", "max") or "0")
    assert last == 8  # a 3×3 input: one step per input cell
    assert "input cell (0, 0)" in page.inner_text(".cvp-label")
    page.click(".cvp-play")
    page.wait_for_selector(f"{PLAYER}[data-step='{last}'][data-playing='false']", timeout=20_000)
    wait_for_link(page, "tr_step=8")  # the player came to rest on the last step and said so
    # input cell (1, 2) of X[0]: the first input panel's cell in row 1, column 2
    click_step_cell(page, 1, 2)
    page.wait_for_selector(f"{PLAYER}[data-step='5']", timeout=5_000)
    assert "input cell (1, 2)" in page.inner_text(".cvp-label")
    assert page.locator("[data-testid='stException']").count() == 0
    page.context.close()


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("screen", list(SCREENS))
def test_the_diagrams_fit_their_column_with_legible_numbers(chromium: Any, streamlit_server: str, screen: str,
                                                            lang: str) -> None:
    page = open_transposed(chromium, streamlit_server, screen, f"lang={lang}&{SETTING}")
    page.wait_for_selector(".stPlotlyChart .main-svg", timeout=30_000)
    seen = page.evaluate(MEASURE_TAB)
    assert seen["plots"] == 3, seen  # the scatter, the correlation, the matrix
    assert all(width <= seen["column"] + 1 for width in seen["widths"]), seen  # nothing hides past the column
    assert seen["overflow"] <= 1, seen  # and the page never scrolls sideways
    assert seen["player"] and min(seen["player"]) >= 9, seen  # numbers in the cells, large enough to read
    for numbers, cell_px in zip(seen["others"], seen["cellPx"], strict=True):  # numbers inside their cells
        assert not numbers or max(numbers) <= 0.5 * cell_px, seen
    as_correlation, matrix = seen["others"]
    assert as_correlation and min(as_correlation) >= 9, seen
    if not SCREENS[screen][2]:  # Cᵀ's 18 columns leave a phone's cells too small for numbers (they show on hover)
        assert matrix and min(matrix) >= 9, seen
    assert page.locator("[data-testid='stException']").count() == 0
    page.context.close()
