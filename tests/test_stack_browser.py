"""The stacked layers tab in Chromium: it plays to the end, a click on a cell of the last map outlines its field,
and the diagrams fit every classroom screen in both languages with their numbers legible."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import MEASURE_TAB, PLAYER, SCREENS, click_step_cell, open_tab, wait_for_link

SETTING = "st_c0=2&st_h=9&st_w=9&st_s1=2&st_p1=1&st_c2=2"



def open_stack(chromium: Any, server: str, screen: str, query: str) -> Any:
    return open_tab(chromium, server, screen, f"/?view=stack&{query}")


def test_the_row_plays_to_the_end_and_a_click_on_the_last_map_goes_to_that_cell(chromium: Any,
                                                                              streamlit_server: str) -> None:
    page = open_stack(chromium, streamlit_server, "1280", "speed=fastest&" + SETTING)
    last = int(page.get_attribute(".cvp-slider", "max") or "0")
    assert last == 8  # 9×9 → (stride 2, padding 1) 5×5 → 3×3
    page.click(".cvp-play")
    page.wait_for_selector(f"{PLAYER}[data-step='{last}'][data-playing='false']", timeout=20_000)
    wait_for_link(page, "st_step=8")
    click_step_cell(page, 0, 1)  # the last map's first channel
    page.wait_for_selector(f"{PLAYER}[data-step='1']", timeout=5_000)
    assert "(0, 1)" in page.inner_text(".cvp-label")
    assert page.locator("[data-testid='stException']").count() == 0
    page.context.close()


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("screen", list(SCREENS))
def test_the_diagrams_fit_their_column_with_legible_numbers(chromium: Any, streamlit_server: str, screen: str,
                                                            lang: str) -> None:
    page = open_stack(chromium, streamlit_server, screen, f"lang={lang}&{SETTING}")
    page.wait_for_selector(".stPlotlyChart .main-svg", timeout=30_000)
    seen = page.evaluate(MEASURE_TAB)
    assert seen["plots"] == 2, seen  # the row of layers, the one layer's kernels
    assert all(width <= seen["column"] + 1 for width in seen["widths"]), seen
    assert seen["overflow"] <= 1, seen
    assert seen["player"] and min(seen["player"]) >= 9, seen
    assert page.locator("[data-testid='stException']").count() == 0
    page.context.close()
