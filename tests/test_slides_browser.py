"""Slides in Chromium: the lecture kit's button has the page's browser draw every step, and the page offers the GIF
(one frame per step, the slide's size, frames that change where the window moved), the current step's PNG at 2×
and every step's PNG in a zip, on every tab with a player and in both languages."""

from __future__ import annotations

import io
import itertools
import zipfile
from typing import Any

import pytest
from PIL import Image, ImageChops
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from convviz.i18n.strings import text
from tests.conftest import open_tab, wait_for_app

TABS = {  # the link, the kit's expander, the number of steps
    "main": ("/?step=2", "kit_open", 16),
    "pooling": ("/?view=pooling&pool_values=book", "pool_kit_open", 4),
    "transposed": ("/?view=transposed", "tr_kit_open", 4),
    "stack": ("/?view=stack", "st_kit_open", 9),
    "im2col": ("/?view=im2col", "col_kit_open", 4),
    "1x1": ("/?view=1x1&mix_h=2&mix_w=3", "mix_kit_open", 6),  # Plotly's own player, not convviz's
}


def download(page: Any, label: str) -> bytes:
    with page.expect_download(timeout=30_000) as started:
        page.get_by_text(label, exact=True).click()
    return open(started.value.path(), "rb").read()


def make_slides(page: Any, kit: str | None, lang: str) -> None:
    if kit:  # open the lecture kit first, and let that run end (a click during it can be lost in the redraw)
        page.locator(f".st-key-{kit} summary").click()
        page.get_by_role("button", name=text("slides_make", lang)).wait_for(timeout=30_000)
        wait_for_app(page)
    made = page.get_by_text(text("slides_gif", lang), exact=True)
    page.get_by_role("button", name=text("slides_make", lang)).click()
    try:
        made.wait_for(timeout=45_000)
    except PlaywrightTimeout:  # as the page says: press again (each press asks the browser anew)
        page.get_by_role("button", name=text("slides_make", lang)).click()
        made.wait_for(timeout=60_000)
    wait_for_app(page)


@pytest.mark.parametrize("tab", list(TABS))
def test_every_tab_with_a_player_makes_its_slides(chromium: Any, streamlit_server: str, tab: str) -> None:
    path, kit, steps = TABS[tab]
    page = open_tab(chromium, streamlit_server, "1280", path, player=tab != "1x1")
    make_slides(page, kit, "en")
    gif = download(page, text("slides_gif"))
    assert len(gif) <= 5_000_000  # a slide deck's budget at the defaults
    with Image.open(io.BytesIO(gif)) as picture:
        assert picture.format == "GIF" and picture.size == (1280, 720) and picture.n_frames == steps
        frames = []
        for n in range(steps):
            picture.seek(n)
            frames.append(picture.convert("RGB"))
    for before, after in itertools.pairwise(frames):  # every step moves something: the window, a number
        assert ImageChops.difference(before, after).getbbox() is not None
    if tab != "1x1":  # a player's slides carry its step line in the bottom right corner, "… cell (i, j)" last
        corners = [frame.crop((frame.width * 4 // 5, frame.height * 19 // 20, frame.width, frame.height)).convert("L")
                   for frame in frames]
        assert all(corner.getextrema()[0] < 128 for corner in corners), "dark text in every slide's corner"
        assert all(ImageChops.difference(a, b).getbbox() is not None for a, b in itertools.pairwise(corners))
    zipped = download(page, text("slides_zip", n=steps))
    with zipfile.ZipFile(io.BytesIO(zipped)) as archive:
        names = archive.namelist()
        assert len(names) == steps
        with Image.open(io.BytesIO(archive.read(names[0]))) as first:
            assert first.size == (2560, 1440)  # twice the slide's density
    assert page.locator("[data-testid='stException']").count() == 0
    page.context.close()


def test_the_current_steps_png_and_a_chinese_page(chromium: Any, streamlit_server: str) -> None:
    page = open_tab(chromium, streamlit_server, "1280", "/?step=2&lang=zh")
    page.locator(".st-key-kit_open summary").click()
    page.get_by_text("1920x1080").click()  # a bigger slide
    wait_for_app(page)
    make_slides(page, None, "zh")
    png = download(page, text("slides_png", "zh", s=3))
    with Image.open(io.BytesIO(png)) as picture:
        assert picture.format == "PNG" and picture.size == (3840, 2160)
    with Image.open(io.BytesIO(download(page, text("slides_gif", "zh")))) as picture:
        assert picture.size == (1920, 1080) and picture.n_frames == 16
    page.context.close()
