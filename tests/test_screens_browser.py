"""Legible on every classroom screen (issue 21), the main diagram in presentation mode, in a real browser.

For each screen and setting the rendered SVG text of the diagram is measured: every cell's number drawn (as many
as the figure has numbered cells), none under the screen's floor (12 px at 1024×768 and on phones, 14 px from
1280×720, 16 px from 1920×1080), the written sum at 20 px or more, no two texts overlapping, no title cut off at
the diagram's edge, no modebar, and the player's controls never over the diagram (on phones: opaque).

One server and one browser for the module; screens change with `set_viewport_size`, settings with the URL.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import wait_for_app

pytestmark = pytest.mark.browser

DESKTOPS = ((1024, 768), (1280, 720), (1280, 800), (1366, 768), (1920, 1080), (3840, 2160))
PHONES = ((390, 844), (360, 740))
SETTINGS = {
    "defaults": "",
    "textbook": "values=textbook",
    "four channels": "c_in=4&c_out=3&h=8&w=8&padding=1&stride=2",
    "groups": "groups=2&c_in=4&c_out=2&out=1",
    "picture": "values=image",
}
PRODUCTS_TITLE = {"en": "window × K", "zh": "窗口 × K"}
WAIT_MS = 60_000


def floor_px(width: int) -> int:
    """The smallest digits the issue allows on a screen `width` pixels wide."""
    return 16 if width >= 1920 else 14 if width >= 1280 else 12


# Every text of the diagram with its box and font size; the numbered cells the figure has; the controls' place.
MEASURE = """() => {
  const box = document.querySelector(".cvp[data-testid='convviz-player']");
  box.scrollIntoView({block: "start"});  // a picture's player sits under the maps: look at it as a teacher would
  const gd = box.querySelector(".js-plotly-plot");
  const svg = gd.querySelector(".main-svg").getBoundingClientRect();
  const texts = [...gd.querySelectorAll("svg text")].filter((t) => t.textContent.trim()).map((t) => {
    const r = t.getBoundingClientRect();
    return {s: t.textContent.trim(), px: parseFloat(getComputedStyle(t).fontSize),
            x0: r.left, y0: r.top, x1: r.right, y1: r.bottom};
  }).filter((t) => t.x1 > t.x0);
  let cells = 0;
  gd.data.forEach((trace) => {
    if (trace.type === "heatmap" && trace.texttemplate && Array.isArray(trace.z)) {
      trace.z.forEach((row) => row.forEach((v) => { if (v !== null) cells += 1; }));
    }
  });
  const plot = box.querySelector(".cvp-plot").getBoundingClientRect();
  const controls = box.querySelector(".cvp-controls");
  const c = controls.getBoundingClientRect();
  return {texts, cells, svg: [svg.left, svg.right], plot: [plot.top, plot.bottom], controls: [c.top, c.bottom],
          background: getComputedStyle(controls).backgroundColor, modebars: box.querySelectorAll(".modebar").length,
          label: box.querySelector(".cvp-label").textContent};
}"""
SETTLED = """() => {
  const app = document.querySelector("[data-testid='stApp']");
  const box = document.querySelector(".cvp[data-testid='convviz-player']");
  return app && app.dataset.testScriptState === "notRunning" && box && box.dataset.settled === "true";
}"""


@pytest.fixture(scope="module")
def pages(chromium: Any, request: pytest.FixtureRequest) -> Iterator[dict[str, Any]]:
    """One desktop page and one touch page (phones), reused for every screen and setting."""
    server = request.getfixturevalue("streamlit_server")
    desktop = chromium.new_context(viewport={"width": 1280, "height": 720}, base_url=server)
    touch = chromium.new_context(viewport={"width": 390, "height": 844}, base_url=server, has_touch=True)
    yield {"desktop": desktop.new_page(), "touch": touch.new_page()}
    desktop.close()
    touch.close()


def settle(page: Any) -> None:
    """Wait until the player has drawn the figure laid out for the room it measured (and no new one is coming)."""
    for pause in (0, 300):  # the first drawing reports the room, and the page answers with its layout
        page.wait_for_timeout(pause)
        wait_for_app(page, WAIT_MS)
        page.wait_for_function(SETTLED, timeout=WAIT_MS)


def open_screen(page: Any, size: tuple[int, int], query: str) -> dict[str, Any]:
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(f"/?present=1&{query}")
    settle(page)
    return page.evaluate(MEASURE)


def overlaps(texts: list[dict]) -> list[tuple[str, str]]:
    """Pairs of texts whose boxes overlap by more than a pixel each way."""
    found = []
    for i, a in enumerate(texts):
        for b in texts[i + 1 :]:
            if (min(a["x1"], b["x1"]) - max(a["x0"], b["x0"]) > 1
                    and min(a["y1"], b["y1"]) - max(a["y0"], b["y0"]) > 1):
                found.append((a["s"], b["s"]))
    return found


def is_number(s: str) -> bool:
    return s.replace("−", "-").lstrip("-").replace(".", "", 1).isdigit()


def check_screen(m: dict[str, Any], size: tuple[int, int], language: str, grouped: bool = False) -> list[int]:
    """Assert what the issue asks of one screen; return the digit sizes drawn."""
    digits = [t for t in m["texts"] if is_number(t["s"])]
    sizes = sorted({round(t["px"]) for t in digits})
    assert len(digits) == m["cells"] > 0, "every numbered cell draws its number"
    assert sizes[0] >= floor_px(size[0]), (size, sizes)
    written = [t for t in m["texts"] if t["s"].startswith("=")]
    assert written and written[0]["px"] >= 20, written
    assert not overlaps(m["texts"]), overlaps(m["texts"])[:5]
    left, right = m["svg"]
    cut = [t["s"] for t in m["texts"] if t["x0"] < left - 1 or t["x1"] > right + 1]
    assert not cut, cut
    titles = {t["s"] for t in m["texts"]}
    assert PRODUCTS_TITLE[language] in titles and "Σ" in titles, titles
    if grouped:  # output 1 of 2 groups sees X[2] and X[3] through the layer's slices K[1,0] and K[1,1]
        assert {"K[1,0]", "K[1,1]"} <= titles and not {"K[1,2]", "K[1,3]"} & titles, titles
    assert m["modebars"] == 0
    if size[0] >= 600:  # the controls sit under the diagram's box, which scrolls when the diagram is taller
        assert m["controls"][0] >= m["plot"][1] - 1, (m["controls"], m["plot"])
        assert m["controls"][1] <= size[1] + 1, "the controls are on screen"
    else:  # on a phone they stay at the bottom of the screen over the scrolling page: opaque
        assert m["background"] == "rgb(255, 255, 255)", m["background"]
    return sizes


# Every screen with the defaults in English; four channels in Chinese on all but two; the other settings on the
# smallest, the projector's 720p and the 1080p screen.
CASES = [(size, "defaults", "en") for size in (*DESKTOPS, *PHONES)]
CASES += [(size, "four channels", "zh") for size in (*DESKTOPS, *PHONES) if size not in ((1280, 800), (390, 844))]
CASES += [((1280, 720), "textbook", "zh"), ((1024, 768), "groups", "en"), ((1920, 1080), "groups", "zh"),
          ((1280, 720), "picture", "zh"), ((1920, 1080), "picture", "en")]


@pytest.mark.parametrize(("size", "setting", "language"), CASES,
                         ids=[f"{w}x{h}-{s}-{lang}" for (w, h), s, lang in CASES])
def test_numbers_stay_legible_and_nothing_overlaps(pages: dict[str, Any], size: tuple[int, int], setting: str,
                                                   language: str):
    page = pages["touch" if size[0] < 600 else "desktop"]
    m = open_screen(page, size, f"lang={language}&{SETTINGS[setting]}")
    check_screen(m, size, language, grouped=setting == "groups")
    if setting == "picture":  # the step line names the cell in the whole map, as the region's heading does
        heading = page.locator("h3", has_text="4×4").first.inner_text() if language == "en" else ""
        assert "(0, 0)" not in m["label"], m["label"]
        if heading:
            assert all(part in heading for part in m["label"].split("(")[1].rstrip(")").split(", "))


def test_a_larger_text_size_trades_fitting_for_larger_numbers(pages: dict[str, Any]):
    page = pages["desktop"]
    normal = open_screen(page, (1280, 720), "")
    larger = open_screen(page, (1280, 720), "zoom=1.5")
    size = lambda m: min(t["px"] for t in m["texts"] if is_number(t["s"]))  # noqa: E731
    assert size(larger) >= 1.4 * size(normal)
    check_screen(larger, (1280, 720), "en")
    assert "zoom=1.5" in page.url
