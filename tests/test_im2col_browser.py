"""The im2col tab in Chromium: it plays to the end, a click on a cell of Y_flat goes to its step, and the product
fits every classroom screen in both languages with its numbers legible."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import PLAYER, SCREENS, click_step_cell, open_tab, wait_for_link

SETTING = "col_values=integers&col_c_in=2&col_c_out=2&col_h=4&col_w=4&col_k=2&col_stride=2&col_padding=1"

# The diagram's box against the column's, and every number written into a cell, with its font size.
MEASURE = """() => {
  const column = document.querySelector("[data-testid='convviz-player']").clientWidth;
  const plot = document.querySelector('.cvp-plot');
  const numbers = [...plot.querySelectorAll('.heatmaplayer text')].filter(t => t.textContent.trim())
      .map(t => parseFloat(getComputedStyle(t).fontSize));
  return {column, width: plot.querySelector('.main-svg').getBoundingClientRect().width, numbers,
          cell: plot.layout.meta.cell_px,
          overflow: document.querySelector('[data-testid=stMain]').scrollWidth - window.innerWidth};
}"""


def open_im2col(chromium: Any, server: str, screen: str, query: str) -> Any:
    return open_tab(chromium, server, screen, f"/?view=im2col&{query}")


def test_the_product_plays_to_the_end_and_a_click_on_y_flat_goes_to_its_step(chromium: Any,
                                                                             streamlit_server: str) -> None:
    page = open_im2col(chromium, streamlit_server, "1280", "speed=fastest&" + SETTING)
    last = int(page.get_attribute(".cvp-slider", "max") or "0")
    assert last == 8  # padded 6×6, a 2×2 window at stride 2: 3×3 output positions, one column each
    assert "(0, 0)" in page.inner_text(".cvp-label")
    page.click(".cvp-play")
    page.wait_for_selector(f"{PLAYER}[data-step='{last}'][data-playing='false']", timeout=20_000)
    wait_for_link(page, "col_step=8")  # the player came to rest on the last step and said so
    click_step_cell(page, 0, 5, rows=1)  # Y_flat (one row): row 0, column 5
    page.wait_for_selector(f"{PLAYER}[data-step='5']", timeout=5_000)
    assert "(1, 2)" in page.inner_text(".cvp-label")  # step 5 of a 3-wide output: row 1, column 2
    assert page.locator("[data-testid='stException']").count() == 0
    page.context.close()


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("screen", list(SCREENS))
def test_the_product_fits_its_column_with_legible_numbers(chromium: Any, streamlit_server: str, screen: str,
                                                          lang: str) -> None:
    page = open_im2col(chromium, streamlit_server, screen, f"lang={lang}&{SETTING}")
    seen = page.evaluate(MEASURE)
    assert seen["width"] <= seen["column"] + 1, seen  # nothing hides past the column
    assert seen["overflow"] <= 1, seen  # and the page never scrolls sideways
    assert seen["numbers"] and min(seen["numbers"]) >= 9, seen  # numbers in the cells, large enough to read
    assert max(seen["numbers"]) <= 0.5 * seen["cell"], seen  # and inside their cells
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator("[data-testid='stAlertContentSuccess']").count() == 1  # the check against the core
    page.context.close()
