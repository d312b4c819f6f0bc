"""Hostile uploads in a real browser: a decompression bomb, a lying header and half a WebP each end in the app's
sentence, with the page still working; on a Chinese page a TIFF and a file over the limit are refused in Chinese,
not in the uploader's English, and no upload ever adds a notice about the link.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bench import hostile
from convviz.i18n.strings import EN
from convviz.i18n.strings_zh import ZH
from convviz.model import images
from tests.conftest import wait_for_app

pytestmark = pytest.mark.browser

MAPS = ".st-key-img_pick .js-plotly-plot"
UPLOADER = ".st-key-upload"
WAIT_MS = 60_000


def open_upload_page(page: Any, lang: str = "en") -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.goto(f"/?values=image&image=upload&lang={lang}")
    wait_for_app(page)
    page.wait_for_selector(MAPS, timeout=WAIT_MS)
    return errors


def upload(page: Any, path: Path, sentence: str) -> None:
    """Upload `path` and wait until the page shows `sentence`, which must not be on the page already (the upload's
    file name is shown by then too)."""
    assert sentence not in page.locator("body").inner_text(), "a sentence already shown cannot tell this run's"
    page.locator(f"{UPLOADER} input[type='file']").set_input_files(str(path))
    page.wait_for_function("(s) => document.body.innerText.includes(s)", arg=sentence, timeout=WAIT_MS)
    wait_for_app(page)
    assert path.name in page.locator(UPLOADER).inner_text(), "the uploader holds this file, not the one before"


def assert_page_still_works(page: Any, errors: list[str], table: dict[str, str]) -> None:
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator(MAPS).count() == 1, "the feature maps are drawn, on the first picture"
    assert page.locator(f"{UPLOADER} input[type='file']").count() == 1, "another file can be uploaded"
    assert page.locator(".st-key-image").count() == 1, "the picture can be changed"
    # The refusal's sentence comes early in a run and this caption late, so the caption is awaited (up to
    # WAIT_MS), not read at once.
    page.wait_for_function("(s) => document.body.innerText.includes(s)", arg=table["img_upload_refused"],
                           timeout=WAIT_MS)
    assert table["url_notice_title"] not in page.locator("body").inner_text(), "an upload is not about the link"
    assert not errors


def test_a_bomb_a_lying_header_and_half_a_webp_each_get_the_apps_sentence(browser_page: Any, tmp_path: Path):
    page = browser_page
    errors = open_upload_page(page)
    bomb_sentence = EN["img_err_bomb"].format(limit=f"{images.MAX_UPLOAD_PIXELS:,}")
    # Each file's sentence differs from the one before it, so waiting for it waits for that file's own run (two
    # bombs in a row would find the first one's sentence still on the page).
    for name, make, sentence in (
        ("bomb.png", hostile.one_bit_bomb, bomb_sentence),
        ("half.webp", hostile.half_webp, EN["img_err_truncated"]),
        ("lying.png", hostile.lying_png_header, bomb_sentence),
    ):
        path = tmp_path / name
        path.write_bytes(make())
        upload(page, path, sentence)
        assert_page_still_works(page, errors, EN)


def test_on_a_chinese_page_a_tiff_and_a_file_too_large_are_refused_in_chinese(browser_page: Any, tmp_path: Path):
    page = browser_page
    errors = open_upload_page(page, "zh")
    tiff = tmp_path / "scan.tiff"
    tiff.write_bytes(hostile.encoded(hostile.ordinary_picture(32, 32), "TIFF"))
    upload(page, tiff, ZH["img_err_not_image"].format(formats=", ".join(images.UPLOAD_FORMATS)))
    assert "not allowed" not in page.locator("body").inner_text()  # the uploader's own English refusal
    assert_page_still_works(page, errors, ZH)

    # Over the one limit, a little and a lot: stopped in the browser (the server's limit is the same number), and
    # refused in Chinese, never with the uploader's own English "File must be 5.0MB or smaller".
    for size in (images.MAX_UPLOAD_BYTES + 500_000, 12_000_000):
        large = tmp_path / f"large-{size}.png"
        large.write_bytes(hostile.PNG_SIGNATURE + bytes(size - len(hostile.PNG_SIGNATURE)))
        sentence = ZH["img_err_too_large"].format(size=f"{size / 1e6:.1f}", limit=5)
        page.locator(f"{UPLOADER} input[type='file']").set_input_files(str(large))
        page.wait_for_function("(s) => document.body.innerText.includes(s)", arg=sentence, timeout=WAIT_MS)
        wait_for_app(page)
        assert "or smaller" not in page.locator("body").inner_text()
        assert large.name not in page.locator(UPLOADER).inner_text(), "the uploader never took the file"
        assert page.locator("[data-testid='stException']").count() == 0 and not errors
    good = tmp_path / "good.png"  # a good file after a refused one: the refusal goes, the picture comes in
    good.write_bytes(hostile.encoded(hostile.ordinary_picture(40, 30), "PNG"))
    page.locator(f"{UPLOADER} input[type='file']").set_input_files(str(good))
    page.wait_for_function("(s) => !document.body.innerText.includes(s)", arg=sentence, timeout=WAIT_MS)
    page.wait_for_function("([box, name]) => document.querySelector(box).innerText.includes(name)",
                           arg=[UPLOADER, good.name], timeout=WAIT_MS)
    wait_for_app(page)
    page.wait_for_function("() => document.querySelector('.st-key-h input').value === '30'", timeout=WAIT_MS)
    wait_for_app(page)  # the good picture (40×30) is the input
    assert page.locator("[data-testid='stException']").count() == 0 and not errors
