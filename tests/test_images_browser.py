"""Pictures in a real browser: a student uploads a PNG (and, by mistake, a text file), and clicks the picture."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from tests.conftest import wait_for_app
from tests.test_screens_tabs_browser import wait_for_layout

pytestmark = pytest.mark.browser

MAPS = ".st-key-img_pick .js-plotly-plot"
UPLOAD_INPUT = ".st-key-upload input[type='file']"
WAIT_MS = 60_000


def open_pictures(page: Any, query: str) -> None:
    page.goto(f"/?values=image&{query}")
    wait_for_app(page)
    page.wait_for_selector(MAPS, timeout=WAIT_MS)
    wait_for_layout(page, MAPS, WAIT_MS)  # laid out for the width the page measured


def upload(page: Any, path: Path) -> None:
    page.locator(UPLOAD_INPUT).set_input_files(str(path))
    page.wait_for_timeout(500)
    wait_for_app(page)


def test_an_uploaded_png_becomes_the_input_and_a_text_file_gets_a_sentence(browser_page: Any, tmp_path: Path):
    page = browser_page
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    open_pictures(page, "image=upload")
    rgb = np.zeros((200, 300, 3), np.uint8)
    rgb[:, 150:] = (250, 250, 250)  # a vertical edge down the middle
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="PNG")
    png = tmp_path / "edge.png"
    png.write_bytes(buffer.getvalue())
    upload(page, png)
    page.wait_for_function("() => document.body.innerText.includes('Scaled down from 300×200 to 128×85')",
                           timeout=WAIT_MS)
    # The shapes follow the picture: 85 × 128 after scaling.
    assert page.locator(".st-key-h input").input_value() == "85"
    assert page.locator(".st-key-w input").input_value() == "128"
    page.locator(".st-key-grey label").click()  # another control: the upload stays the input, now in grey
    page.wait_for_timeout(500)
    wait_for_app(page)
    assert page.locator(".st-key-c_in input").input_value() == "1"
    assert page.locator(".st-key-w input").input_value() == "128", "still the uploaded picture, not the cat"

    text_file = tmp_path / "notes.png"  # a text file with a picture's name
    text_file.write_text("these are my notes, not a picture")
    upload(page, text_file)
    page.wait_for_function("() => document.body.innerText.includes('This file is not a picture that can be read')",
                           timeout=WAIT_MS)
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator(MAPS).count() == 1, "the page keeps working, on the first picture"
    assert not errors


def test_a_click_on_the_picture_moves_the_region_there(browser_page: Any):
    page = browser_page
    open_pictures(page, "image=shapes&region=0,0")
    assert "region=0%2C0" in page.url or "region=0,0" in page.url
    chart = page.locator(MAPS)
    # The picture's pixel (row 60, col 66) has its centre 60 and 66 pixels from the picture's first pixel's centre
    # (x0, y0 of the figure's first trace, the picture): ask plotly where that is on the screen.
    point = page.evaluate("""(sel) => {
        const gd = document.querySelector(sel);
        const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis, picture = gd.data[0];
        const box = gd.getBoundingClientRect();
        return [box.left + xa._offset + xa.d2p(picture.x0 + 66), box.top + ya._offset + ya.d2p(picture.y0 + 60)];
    }""", MAPS)
    assert chart.count() == 1
    page.mouse.click(point[0], point[1])
    page.wait_for_function("() => !/region=0(%2C|,)0/.test(window.location.search)", timeout=WAIT_MS)
    wait_for_app(page)
    row, col = (int(v) for v in re.search(r"region=(\d+)(?:%2C|,)(\d+)", page.url).groups())
    # A 4×4 region centred on the output cell whose window is centred on the clicked pixel (±the click grid).
    assert abs(row + 2 - 59) <= 4 and abs(col + 2 - 65) <= 4
    # A double-click clears the chart's selection: the region stays where the click put it, and nothing breaks.
    page.mouse.dblclick(point[0] + 300, point[1])
    page.wait_for_timeout(1500)
    wait_for_app(page)
    assert f"region={row}%2C{col}" in page.url or f"region={row},{col}" in page.url
    assert page.locator("[data-testid='stException']").count() == 0
