"""The pooling tab in Chromium: it plays to the end, and its diagram fits every classroom screen in both languages
with its numbers legible."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import PLAYER, SCREENS, open_tab, wait_for_app, wait_for_link

# The diagram's box, the column's, and every number written into a cell, with its font size.
MEASURE = """() => {
  const box = document.querySelector("[data-testid='convviz-player']");
  const svg = box.querySelector('.cvp-plot .main-svg').getBoundingClientRect();
  const cells = [...box.querySelectorAll('.heatmaplayer text')].filter(t => t.textContent.trim())
      .map(t => parseFloat(getComputedStyle(t).fontSize));
  return {column: box.clientWidth, svg: svg.width, cells};
}"""


def open_pooling(chromium: Any, server: str, screen: str, query: str) -> Any:
    return open_tab(chromium, server, screen, f"/?view=Pooling&{query}")


def test_pooling_plays_to_the_end(chromium: Any, streamlit_server: str) -> None:
    page = open_pooling(chromium, streamlit_server, "1280", "speed=fastest&pool_mode=avg&pool_padding=1")
    last = int(page.get_attribute(".cvp-slider", "max") or "0")
    assert last == 8  # 4×4 padded by 1, 2×2 windows, stride 2: 3×3 outputs
    page.click(".cvp-play")
    page.wait_for_selector(f"{PLAYER}[data-step='{last}'][data-playing='false']", timeout=20_000)
    wait_for_link(page, "pool_step=8")  # the player came to rest on the last step and said so
    assert page.locator("[data-testid='stException']").count() == 0
    page.context.close()


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("screen", list(SCREENS))
def test_the_diagram_fits_its_column_with_legible_numbers(chromium: Any, streamlit_server: str, screen: str,
                                                          lang: str) -> None:
    page = open_pooling(chromium, streamlit_server, screen, f"lang={lang}&pool_c=3&pool_h=6&pool_w=6&pool_k=3")
    seen = page.evaluate(MEASURE)
    assert seen["svg"] <= seen["column"] + 1, seen  # nothing of it hides past the column's edge
    assert seen["cells"] and min(seen["cells"]) >= 9, seen  # numbers in the cells, large enough to read
    assert page.locator("[data-testid='stException']").count() == 0
    page.context.close()


PICTURES = ".st-key-pool_pick .js-plotly-plot"
NUMBERS_SHOWN = set(SCREENS) - {"1280", "1366"}  # as on the main tab: a region's numbers need more height


@pytest.mark.parametrize(("screen", "lang"), [(screen, "en") for screen in SCREENS] + [("phone-390", "zh"),
                                                                                     ("1280", "zh")])
def test_a_picture_and_its_pooled_maps_fit_every_screen(chromium: Any, streamlit_server: str, screen: str,
                                                        lang: str) -> None:
    page = open_pooling(chromium, streamlit_server, screen,
                        f"lang={lang}&pool_values=image&pool_image=shapes&pool_mode=avg")
    page.wait_for_selector(PICTURES, timeout=60_000)
    wait_for_app(page)  # a run still laying the maps out for the page's width replaces them
    seen = page.evaluate(MEASURE)
    assert seen["svg"] <= seen["column"] + 1, seen  # the region's diagram fits its column
    if screen in NUMBERS_SHOWN:
        assert seen["cells"] and min(seen["cells"]) >= 9, seen  # with its numbers legible
        texts = page.evaluate(CELL_TEXTS)
        assert texts and all(len(t.split(".")[-1]) == 2 for t in texts), texts  # two decimals
    else:  # too low for three channels' numbers beside the open sidebar: the player says to hover or tap a cell
        assert page.locator(PLAYER + " .cvp-note").is_visible()
    maps = page.evaluate(PICTURE_BOX)
    assert maps["images"] == 2 and maps["heatmaps"] == 6, maps  # the picture, its pooled colours, 3 + 3 maps
    assert maps["right"] <= maps["column"] + 1, maps  # nothing past the column's edge
    assert page.locator("[data-testid='stException']").count() == 0
    page.context.close()


def test_a_click_on_the_picture_moves_the_region(chromium: Any, streamlit_server: str) -> None:
    page = open_pooling(chromium, streamlit_server, "1280", "pool_values=image&pool_image=stripes&pool_region=0,0")
    page.wait_for_selector(PICTURES, timeout=60_000)
    box = page.locator(PICTURES + " .nsewdrag").first.bounding_box()
    assert box is not None
    # The picture fills the first panel's left part: click a third of the way down its first panel.
    page.mouse.click(box["x"] + box["width"] * 0.2, box["y"] + box["height"] * 0.12)
    page.wait_for_function("() => !location.search.includes('pool_region=0%2C0')"
                           " && !location.search.includes('pool_region=0,0')", timeout=30_000)
    wait_for_app(page)
    assert "pool_region=" in page.url
    assert page.locator("[data-testid='stException']").count() == 0
    page.context.close()


CELL_TEXTS = """() => [...document.querySelectorAll("[data-testid='convviz-player'] .heatmaplayer text")]
  .map(t => t.textContent.trim()).filter(Boolean)"""
PICTURE_BOX = """() => {
  const chart = document.querySelector(".st-key-pool_pick .js-plotly-plot");
  const column = chart.closest("[data-testid='stVerticalBlock']").getBoundingClientRect();
  const svg = chart.querySelector('.main-svg').getBoundingClientRect();
  return {images: chart.querySelectorAll('.layer-below image, .imagelayer image, g.image image').length,
          heatmaps: chart.querySelectorAll('.heatmaplayer .hm').length, right: svg.right, column: column.right};
}"""
