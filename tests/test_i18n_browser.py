"""Chinese in a real browser: a zh browser gets the Chinese page, and its glyphs are drawn, not empty boxes."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import VIEWPORT, wait_for_app

pytestmark = pytest.mark.browser

# Width of a string in the page's font, and of a private-use character that no font draws (an empty box).
GLYPH_WIDTHS = """() => {
    const font = getComputedStyle(document.querySelector('[data-testid="stMarkdownContainer"]')).font;
    const ctx = document.createElement('canvas').getContext('2d');
    ctx.font = font;
    const width = (s) => ctx.measureText(s).width;
    return {han: [width('通'), width('道'), width('核')], box: width('\\uE000'), font: font};
}"""


def test_a_chinese_browser_gets_the_chinese_page_with_real_glyphs(chromium: Any, request: pytest.FixtureRequest):
    server = request.getfixturevalue("streamlit_server")
    context = chromium.new_context(viewport=VIEWPORT, base_url=server, locale="zh-CN")
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda err: errors.append(str(err)))
        page.goto("/")  # no `lang` in the link: the browser's language decides
        wait_for_app(page)
        page.wait_for_selector("text=多通道互相关运算", timeout=30_000)
        assert "每个输入通道" in page.inner_text("body")
        widths = page.evaluate(GLYPH_WIDTHS)
        # Drawn glyphs: each character its own shape, none the width of the empty box a missing font leaves.
        assert all(abs(w - widths["box"]) > 0.5 for w in widths["han"]), widths
        assert page.locator("[data-testid='stException']").count() == 0 and not errors
    finally:
        context.close()
