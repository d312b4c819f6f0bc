"""The 1×1 tab and the separable tab on every classroom screen, in English and Chinese (issue 21); picture mode's
twin is tests/test_screens_pictures_browser.py (a module of its own, so that the two run on both workers).

On each screen, in every chart the page draws with `st.plotly_chart`: no two texts overlap, no text is cut off by
its chart's edges, numbers written into cells are 12 px or more, and no modebar shows. One server and one browser
for the whole module: a page per view and language, whose viewport is then set to each screen in turn (the page
measures its new width and lays its figures out again when their layout does not serve it; each figure's
`layout.meta.width` says for which width).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

from convviz.ui.width_probe import SLACK, WIDTH_STEP  # widths to the probe's step; a layout's slack
from tests.conftest import wait_for_app

pytestmark = pytest.mark.browser

LOAD_MS = 90_000
SETTLE_MS = 20_000
DESKTOPS = [(1024, 768), (1280, 720), (1280, 800), (1366, 768), (1920, 1080), (3840, 2160)]
PHONES = [(390, 844), (360, 740)]  # touch screens
VIEWS = {
    "1x1": f"?view={quote('1×1 convolution')}",
    "separable": f"?view={quote('Depthwise-separable')}",
    "pictures": "?values=image",
}
SWEPT = ("1x1", "separable")  # the views this module's `sweep` lays out (a module that imports it names its own)
CHARTS = "[data-testid='stPlotlyChart'] .js-plotly-plot"  # the player (main screen) is tested in test_browser.py

# Every visible text of every chart, with its box, its font size and whether it is a number written into a cell.
TEXTS = """(sel) => [...document.querySelectorAll(sel)].map((gd, n) => {
    const svg = gd.querySelector('.main-svg').getBoundingClientRect();
    const texts = [...gd.querySelectorAll('svg text')].filter(t => {
        const r = t.getBoundingClientRect(), s = getComputedStyle(t);
        return r.width > 0 && r.height > 0 && t.textContent.trim() && s.display !== 'none' && s.visibility !== 'hidden'
            && s.fill !== 'rgba(0, 0, 0, 0)' && !t.closest('.hoverlayer') && !t.closest('.modebar');
    }).map(t => { const r = t.getBoundingClientRect();
        return {x: r.x, y: r.y, w: r.width, h: r.height, text: t.textContent,
                px: parseFloat(getComputedStyle(t).fontSize), cell: !!t.closest('.heatmaplayer')}; });
    const meta = typeof gd.layout.meta === 'string' ? JSON.parse(gd.layout.meta) : gd.layout.meta;
    return {chart: n, key: (gd.closest('[class*="st-key-"]') || {className: ''}).className.match(/st-key-(\\S+)/)?.[1],
            box: {x: svg.x, y: svg.y, w: svg.width, h: svg.height}, laid_out: meta ? meta.width : null,
            width: gd.getBoundingClientRect().width, texts,
            modebar: [...gd.querySelectorAll('.modebar-btn')].length};
})"""


def overlaps(a: dict, b: dict) -> bool:
    return a["x"] < b["x"] + b["w"] - 1 and b["x"] < a["x"] + a["w"] - 1 and \
        a["y"] < b["y"] + b["h"] - 1 and b["y"] < a["y"] + a["h"] - 1


def cut_off(text: dict, box: dict) -> bool:
    return text["x"] < box["x"] - 1 or text["y"] < box["y"] - 1 or \
        text["x"] + text["w"] > box["x"] + box["w"] + 1 or text["y"] + text["h"] > box["y"] + box["h"] + 1


def problems(charts: list[dict]) -> dict[str, list[str]]:
    """What a screen shows wrong: overlapping texts, texts cut off, numbers under 12 px."""
    found: dict[str, list[str]] = {"overlaps": [], "cut off": [], "small numbers": []}
    for chart in charts:
        texts, name = chart["texts"], chart["key"]
        found["overlaps"] += [f"{name}: {a['text']!r} × {b['text']!r}" for k, a in enumerate(texts)
                              for b in texts[k + 1 :] if overlaps(a, b)]
        found["cut off"] += [f"{name}: {t['text']!r}" for t in texts if cut_off(t, chart["box"])]
        found["small numbers"] += [f"{name}: {t['text']}@{t['px']}px" for t in texts
                                   if t["cell"] and any(c.isdigit() for c in t["text"]) and t["px"] < 12]
    return {kind: items for kind, items in found.items() if items}


def serves(laid_out: float, width: float) -> bool:
    """A layout serves a chart `width` wide (to the probe's step) from its own width up to SLACK times wider."""
    measured = width // WIDTH_STEP * WIDTH_STEP
    return laid_out <= measured <= laid_out * SLACK


def laid_out_for_its_width(charts: list[dict]) -> bool:
    """Every width-aware chart is drawn with a layout that serves the width it has."""
    return all(c["laid_out"] is None or serves(c["laid_out"], c["width"]) for c in charts)


LAID_OUT = """([sel, step, slack]) => {
    const charts = [...document.querySelectorAll(sel)];
    return charts.length === 1 && charts.every(gd => {
        const meta = typeof gd.layout.meta === 'string' ? JSON.parse(gd.layout.meta) : gd.layout.meta;
        const measured = Math.floor(gd.getBoundingClientRect().width / step) * step;
        return meta && meta.width <= measured && measured <= meta.width * slack; });
}"""


def wait_for_layout(page: Any, chart: str, timeout_ms: float = LOAD_MS) -> None:
    """Wait until the one chart `chart` is drawn for the width it has: a page lays its figures out again once it has
    measured its width (a second run after opening), and clicks must land on the figure that stays."""
    page.wait_for_function(LAID_OUT, arg=[chart, WIDTH_STEP, SLACK], timeout=timeout_ms)
    wait_for_app(page, timeout_ms)


def measure(page: Any, size: tuple[int, int]) -> list[dict]:
    """Wait until every chart is laid out for the page's new width, and read its texts."""
    for _ in range(60):
        wait_for_app(page, SETTLE_MS)
        charts = page.evaluate(TEXTS, CHARTS)
        if charts and laid_out_for_its_width(charts):
            return charts
        page.wait_for_timeout(250)
    drawn = [(c["key"], c["laid_out"], c["width"]) for c in charts]
    raise AssertionError(f"the charts never were laid out for {size}: {drawn}")


@pytest.fixture(scope="module")
def sweep(chromium: Any, request: pytest.FixtureRequest) -> Iterator[dict[tuple[str, str], dict]]:
    """This module's views in both languages on every screen (`swept`)."""
    yield from swept(chromium, request.getfixturevalue("streamlit_server"), SWEPT)


def swept(chromium: Any, server: str, views: tuple[str, ...]) -> Iterator[dict[tuple[str, str], dict]]:
    """Every view of `views` in both languages on every screen: {(view, lang): {size: charts}}, and the pages'
    exceptions.

    A page per view and language and kind of screen (touch or not) stays open; for each screen size every page of
    its kind is resized first, so that the server lays them out again side by side, and then each is read.
    """
    results: dict[tuple[str, str], dict] = {}
    contexts = []
    for touch, sizes in ((True, PHONES), (False, DESKTOPS)):
        context = chromium.new_context(base_url=server, viewport={"width": sizes[0][0], "height": sizes[0][1]},
                                       is_mobile=touch, has_touch=touch)
        contexts.append(context)
        pages = {(view, lang): context.new_page() for view in views for lang in ("en", "zh")}
        for (view, lang), page in pages.items():
            page.goto(f"/{VIEWS[view]}&lang={lang}", wait_until="commit")
        for page in pages.values():
            wait_for_app(page, LOAD_MS)
            page.wait_for_selector(CHARTS, timeout=LOAD_MS)
        for size in sizes:
            for page in pages.values():
                page.set_viewport_size({"width": size[0], "height": size[1]})
            for key, page in pages.items():
                results.setdefault(key, {})[size] = measure(page, size)
        for key, page in pages.items():
            results[key]["exceptions"] = page.locator("[data-testid='stException']").count()
    yield results
    for context in contexts:
        context.close()


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("view", SWEPT)
def test_on_every_screen_no_text_overlaps_or_is_cut_off_and_numbers_are_12px(sweep: dict, view: str, lang: str):
    check_screens(sweep, view, lang)


def test_no_chart_shows_a_modebar(sweep: dict):
    check_no_modebar(sweep)


def check_screens(sweep: dict, view: str, lang: str) -> None:
    """On every screen: no exception, the view's charts, no text overlapping or cut off, numbers 12 px or more."""
    screens = sweep[(view, lang)]
    assert screens.pop("exceptions") == 0
    for size, charts in screens.items():
        assert len(charts) >= (1 if view == "pictures" else 3), size
    found = {size: problems(charts) for size, charts in screens.items()}
    assert {size: problem for size, problem in found.items() if problem} == {}
    if view != "pictures":  # a projector shows the numbers (the pictures' maps have none)
        assert any(t["cell"] for chart in screens[(1920, 1080)] for t in chart["texts"]), "no numbers at 1920×1080"


def check_no_modebar(sweep: dict) -> None:
    shown = [chart["key"] for screens in sweep.values() for charts in screens.values() if isinstance(charts, list)
             for chart in charts if chart["modebar"]]
    assert shown == []
