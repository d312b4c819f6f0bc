"""The main screen in a real browser: the player at a laptop, a projector and a phone size.

Run against `streamlit run app.py` (the `streamlit_server` fixture) in headless Chromium, one browser per module
and one context per screen size. The player (convviz/ui/player) is `.cvp`: its plot div is a plotly.js graph div
(`.cvp-plot`), its step is in `data-step`, and `data-settled` is "true" once the figure laid out for the room the
page measured is drawn.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.conftest import wait_for_app

pytestmark = pytest.mark.browser

EXCEPTION = "[data-testid='stException']"
PLAYER = ".cvp[data-settled='true']"
LOAD_MS = 60_000  # the first page load imports TensorFlow and parses plotly.js on a busy machine
SETTLE_MS = 15_000
SIZES: dict[str, dict[str, Any]] = {
    "laptop": {"viewport": {"width": 1280, "height": 720}},
    "projector": {"viewport": {"width": 1920, "height": 1080}},
    "phone": {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
              "has_touch": True},
}
FOUR_CHANNELS = "?c_in=4&c_out=3&h=8&w=8&padding=1&stride=2"

# The player's state in one call: what it shows, what plotly.js drew, the URL.
READ = """() => {
    const box = document.querySelector('.cvp'), gd = box.querySelector('.cvp-plot');
    const full = gd._fullLayout;
    return {
        step: Number(box.dataset.step), playing: box.dataset.playing === 'true',
        slider: Number(box.querySelector('.cvp-slider').value), label: box.querySelector('.cvp-label').textContent,
        n_steps: gd.layout.meta.n_steps, digit_px: gd.layout.meta.digit_px,
        shapes: gd.layout.shapes.map(s => s.path), window: gd.layout.shapes[1].path,
        ranges: [full.xaxis.range.slice(), full.yaxis.range.slice()], url: location.search,
    };
}"""
# Rectangles of elements, in viewport pixels.
RECTS = """(sel) => [...document.querySelectorAll(sel)].map(e => { const r = e.getBoundingClientRect();
    return {x: r.x, y: r.y, w: r.width, h: r.height, text: e.textContent}; }).filter(r => r.w > 0 && r.h > 0)"""


@pytest.fixture(scope="module")
def open_page(chromium: Any, request: pytest.FixtureRequest) -> Iterator[Callable[..., Any]]:
    """`open_page("phone", "?h=8")`: a fresh page (its own session) at that size, the player drawn and settled.

    `player=False` waits only for the script (for a setting that cannot be drawn).

    Console errors and uncaught exceptions are collected on `page.errors`.
    """
    server = request.getfixturevalue("streamlit_server")  # only once a browser exists
    contexts: dict[str, Any] = {}
    pages: list[Any] = []

    def open_(size: str, query: str = "", player: bool = True) -> Any:
        if size not in contexts:
            contexts[size] = chromium.new_context(base_url=server, **SIZES[size])
        page = contexts[size].new_page()
        pages.append(page)
        page.errors = []
        page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        page.goto(f"/{query}")
        wait_for_app(page, LOAD_MS)
        if player:
            page.wait_for_selector(PLAYER, timeout=LOAD_MS)
            settle(page)
        return page

    yield open_
    for page in pages:
        page.close()
    for context in contexts.values():
        context.close()


def settle(page: Any) -> None:
    """Wait for the script to finish and the player to draw what it was given last."""
    page.wait_for_timeout(300)
    wait_for_app(page, SETTLE_MS)
    page.wait_for_selector(PLAYER, timeout=SETTLE_MS)


def read(page: Any) -> dict:
    return page.evaluate(READ)


def window_at(page: Any, step: int) -> str:
    """The window outline that frame `step` draws (from the figure the player holds)."""
    return page.evaluate("""(s) => { let node = document.querySelector('.cvp');
        while (node && !node.__convvizPlayer) node = node.parentElement;
        return node.__convvizPlayer.figure.frames[s].layout.shapes[1].path; }""", step)


def assert_clean(page: Any) -> None:
    assert page.locator(EXCEPTION).count() == 0, page.locator(EXCEPTION).first.inner_text()
    assert page.errors == [], page.errors


def url_step(page: Any) -> str | None:
    return page.evaluate("() => new URLSearchParams(location.search).get('step')")


# ---- laptop and projector: size, numbers, everything in one screen ----


@pytest.mark.parametrize(("size", "query"), [("laptop", ""), ("laptop", "?values=textbook"), ("projector", "")])
def test_the_diagram_fills_the_column_or_the_screen_and_fits_with_its_controls(
    open_page: Any, size: str, query: str
) -> None:
    page = open_page(size, query)
    column = page.evaluate("() => document.querySelector('.cvp').getBoundingClientRect().width")
    svg = page.evaluate(RECTS, ".cvp-plot .main-svg")[0]
    controls = page.evaluate(RECTS, ".cvp-controls")[0]
    height = SIZES[size]["viewport"]["height"]
    room_h = height - svg["y"] - controls["h"] - 12  # what the window leaves under the diagram's top
    # As large as the window allows: the column's width, or the screen's height, whichever binds first.
    assert svg["w"] >= 0.9 * column or svg["h"] >= 0.85 * room_h, (svg, column, room_h)
    # The diagram, its controls and the written-out sum in one screen, without scrolling.
    assert controls["y"] + controls["h"] <= height
    assert svg["y"] + svg["h"] <= controls["y"] + 1
    total = page.evaluate(RECTS, ".cvp-plot .scatterlayer .textpoint")  # the written-out sum
    assert total and all(r["y"] + r["h"] <= height for r in total)
    assert_clean(page)


def cell_font_sizes(page: Any) -> list[float]:
    """Rendered font sizes (CSS px) of the numbers in the heatmap cells."""
    return page.evaluate("""() => [...document.querySelectorAll('.cvp-plot .heatmaplayer text')]
        .map(t => parseFloat(getComputedStyle(t).fontSize))""")


def test_cell_numbers_are_16px_or_more_on_a_projector(open_page: Any) -> None:
    page = open_page("projector")
    sizes = cell_font_sizes(page)
    assert len(sizes) >= 3 * 36 + 3 * 9  # every input and kernel cell carries its number
    assert min(sizes) >= 16, min(sizes)
    assert_clean(page)


@pytest.mark.parametrize("size", ["laptop", "projector"])
def test_cells_show_numbers_where_they_fit(open_page: Any, size: str) -> None:
    page = open_page(size, FOUR_CHANNELS if size == "projector" else "")
    state = read(page)
    assert state["digit_px"] >= 9
    labels = page.evaluate("""() => [...document.querySelectorAll('.cvp-plot .heatmaplayer text')]
        .map(t => t.textContent)""")
    if size == "projector":  # 4 channels of 10×10 padded, 3×3 kernels and products, 4×4 outputs (3 of them)
        assert len(labels) >= 4 * 100 + 4 * 9 * 2 + 4 + 1 + 16 * 4
    assert all(label.strip() for label in labels)
    assert_clean(page)


# ---- one step, one control ----


def test_play_pause_and_the_url_agree_on_one_step(open_page: Any) -> None:
    page = open_page("laptop", "?step=5")
    start = read(page)
    assert start["step"] == start["slider"] == 5 and "Step 6 of 16" in start["label"]
    assert start["window"] == window_at(page, 5)
    page.locator(".cvp-play").click()  # Play starts from the current step ...
    page.wait_for_function("() => Number(document.querySelector('.cvp').dataset.step) >= 7", timeout=10_000)
    playing = read(page)
    assert playing["playing"] and playing["step"] in (7, 8)  # ... not from 0
    page.locator(".cvp-play").click()  # Pause
    paused = read(page)
    page.wait_for_timeout(1_600)  # two more frames' time: nothing moves
    settle(page)
    still = read(page)
    assert not still["playing"] and still["step"] == paused["step"] == still["slider"]
    assert still["window"] == window_at(page, still["step"])
    assert f"Step {still['step'] + 1} of 16" in still["label"]
    assert url_step(page) == str(still["step"])  # a copied link opens on the paused step
    assert_clean(page)


def test_buttons_and_keys_step_and_the_url_follows(open_page: Any) -> None:
    page = open_page("laptop")
    page.locator(".cvp-next").click()
    page.locator(".cvp-next").click()
    page.locator(".cvp-prev").click()
    assert read(page)["step"] == 1
    page.locator(".cvp-plot").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowLeft")
    state = read(page)
    assert state["step"] == state["slider"] == 2 and state["window"] == window_at(page, 2)
    settle(page)
    # Three reports in quick succession may reach Python out of order; the player repeats its step when Python's
    # answer names another one, so the link comes to rest on the player's step.
    page.wait_for_function("() => new URLSearchParams(location.search).get('step') === '2'", timeout=SETTLE_MS)
    assert read(page)["step"] == 2 and url_step(page) == "2"
    page.keyboard.press(" ")  # space plays ...
    assert read(page)["playing"]
    page.keyboard.press(" ")  # ... and pauses
    assert not read(page)["playing"]
    assert_clean(page)


def test_playback_to_the_end_rests_on_the_last_step(open_page: Any) -> None:
    page = open_page("laptop", "?step=13&speed=fastest")
    page.locator(".cvp-play").click()
    page.wait_for_function("() => document.querySelector('.cvp').dataset.playing === 'false'", timeout=5_000)
    settle(page)
    assert read(page)["step"] == 15 and url_step(page) == "15"
    assert_clean(page)


# ---- no accidental zoom, pan or modebar ----


def test_a_drag_over_the_diagram_changes_no_axis_range(open_page: Any) -> None:
    page = open_page("laptop")
    before = read(page)
    box = page.evaluate(RECTS, ".cvp-plot .main-svg")[0]
    page.mouse.move(box["x"] + 40, box["y"] + 40)
    page.mouse.down()
    page.mouse.move(box["x"] + 90, box["y"] + 80, steps=5)
    page.mouse.up()
    page.wait_for_timeout(300)
    assert read(page)["ranges"] == before["ranges"]
    assert page.locator(".cvp-plot .modebar").count() == 0
    assert_clean(page)


# ---- hover and click an output cell ----


def output_cell_centre(page: Any, row: int, col: int, trace: str = "first") -> tuple[float, float]:
    """The screen position of output cell (row, col) of the map that fills in (or the first finished map)."""
    return tuple(page.evaluate("""([i, j, which]) => {
        const gd = document.querySelector('.cvp-plot'), meta = gd.layout.meta;
        const index = Number(Object.keys(meta.output_traces)[which === 'first' ? 0 : 1]);
        const t = gd._fullData[index], xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
        const r = gd.querySelector('.main-svg').getBoundingClientRect();
        return [r.x + xa._offset + xa.l2p(t.x0 + j * t.dx), r.y + ya._offset + ya.l2p(t.y0 + i * t.dy)];
    }""", [row, col, trace]))


def test_hovering_an_output_cell_outlines_its_receptive_field_and_a_click_goes_there(open_page: Any) -> None:
    page = open_page("projector")
    x, y = output_cell_centre(page, 2, 1, "finished")  # in a finished map: step 2 * 4 + 1 = 9
    page.mouse.move(x, y)
    page.wait_for_function("() => document.querySelector('.cvp-plot').layout.shapes.length === 3", timeout=3_000)
    state = read(page)
    assert state["shapes"][2] == window_at(page, 9)  # every channel's window for that cell, outlined
    assert state["step"] == 0  # hovering only shows
    page.mouse.click(x, y)
    page.wait_for_function("() => document.querySelector('.cvp').dataset.step === '9'", timeout=3_000)
    settle(page)
    assert read(page)["window"] == window_at(page, 9) and url_step(page) == "9"
    page.mouse.move(5, 5)
    page.wait_for_function("() => document.querySelector('.cvp-plot').layout.shapes.length === 2", timeout=3_000)
    assert_clean(page)


# ---- a control change ----


def test_changing_a_control_redraws_once_and_keeps_the_step(open_page: Any) -> None:
    page = open_page("laptop", "?step=3")
    page.evaluate("""() => { window.__paints = 0; const read = HTMLCanvasElement.prototype.toDataURL;
        HTMLCanvasElement.prototype.toDataURL = function (...a) { window.__paints += 1; return read.apply(this, a); };
    }""")  # plotly.js paints each heatmap into a canvas and reads it back: one call per heatmap per draw
    field = page.locator(".st-key-h input")
    field.fill("7")
    field.press("Enter")
    page.wait_for_function("() => document.querySelector('.cvp-plot').layout.meta.n_steps === 20", timeout=8_000)
    settle(page)
    page.wait_for_timeout(800)  # a second draw would come within a few hundred ms
    heatmaps = page.evaluate("() => document.querySelector('.cvp-plot').data.filter(t => t.type === 'heatmap').length")
    assert page.evaluate("() => window.__paints") == heatmaps
    state = read(page)
    assert state["step"] == 3 and state["window"] == window_at(page, 3)  # a new setting keeps the step
    page.wait_for_url("**h=7**", timeout=5_000)
    assert_clean(page)


def test_a_malformed_link_loads_with_a_notice(open_page: Any) -> None:
    page = open_page("laptop", "?h=1e400&c_in=abc&kh=99", player=False)  # a 7×7 kernel does not fit
    notice = page.locator(".st-key-link_notices", has_text="Some values in the link were changed")
    notice.wait_for(timeout=SETTLE_MS)
    said = notice.inner_text()
    for bad in ("h=1e400", "c_in=abc", "kh=99"):
        assert bad in said
    # The values the page kept: h and c_in dropped (defaults 6 and 3), kh clamped to its largest, 7 (read once the
    # run has ended and the box shows a value: on a busy machine a box can be read while the page still draws it).
    wait_for_app(page)
    page.wait_for_function("() => document.querySelector('.st-key-h input')?.value === '6'", timeout=SETTLE_MS)
    assert page.locator(".st-key-h input").input_value() == "6"
    assert page.locator(".st-key-c_in input").input_value() == "3"
    assert page.locator(".st-key-kh input").input_value() == "7"
    assert page.locator(EXCEPTION).count() == 0


# ---- a phone ----


def overlaps(a: dict, b: dict) -> bool:
    return a["x"] < b["x"] + b["w"] - 1 and b["x"] < a["x"] + a["w"] - 1 and \
        a["y"] < b["y"] + b["h"] - 1 and b["y"] < a["y"] + a["h"] - 1


@pytest.mark.parametrize("query", ["", "?values=textbook"])
def test_on_a_phone_no_text_overlaps_and_numbers_show(open_page: Any, query: str) -> None:
    page = open_page("phone", query)
    texts = page.evaluate(RECTS, ".cvp-plot .main-svg text")
    assert len(texts) > 50
    clashes = [(a["text"], b["text"]) for k, a in enumerate(texts) for b in texts[k + 1 :] if overlaps(a, b)]
    assert clashes == []
    assert min(cell_font_sizes(page)) >= 11
    svg = page.evaluate(RECTS, ".cvp-plot .main-svg")[0]
    assert svg["x"] >= 0 and svg["x"] + svg["w"] <= 390  # re-flowed, not squeezed off the screen
    assert_clean(page)


def swipe(page: Any, x: int, y: int, dy: int, moves: int = 10) -> None:
    """A one-finger swipe from (x, y) by dy, as touch events (CDP's synthesized scroll gestures do not scroll)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for k in range(1, moves + 1):
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y + dy * k / moves}]})
        page.wait_for_timeout(16)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


def test_on_a_phone_a_swipe_scrolls_the_page_and_play_stays_in_reach(open_page: Any) -> None:
    page = open_page("phone")
    before = read(page)
    scroll = "() => document.querySelector('[data-testid=stMain]').scrollTop + window.scrollY"
    top = page.evaluate(scroll)
    svg = page.evaluate(RECTS, ".cvp-plot .main-svg")[0]
    start = int(max(svg["y"] + 20, 500))  # a finger down on the diagram, swiping up by 400 px
    assert page.evaluate("([x, y]) => document.elementFromPoint(x, y).closest('.cvp-plot') !== null", [200, start])
    swipe(page, 200, start, -400)
    page.wait_for_timeout(500)
    # A tap while the page still glides only stops the glide (as on a real phone): wait for it to come to rest.
    page.wait_for_function(f"""() => new Promise(done => {{ const at = ({scroll})();
        setTimeout(() => done(({scroll})() === at), 200); }})""", timeout=SETTLE_MS)
    assert page.evaluate(scroll) > top + 100  # the page scrolled ...
    assert read(page)["ranges"] == before["ranges"]  # ... and the diagram neither zoomed nor panned
    play = page.evaluate(RECTS, ".cvp-play")[0]
    assert play["y"] >= 0 and play["y"] + play["h"] <= 844  # Play in reach without scrolling back
    page.locator(".cvp-play").tap()
    page.wait_for_function(f"() => ({READ})().playing", timeout=3_000)  # a tap on a loaded page lands a little later
    assert read(page)["playing"]
    page.locator(".cvp-play").tap()
    assert_clean(page)


def test_on_a_phone_a_tap_on_an_output_cell_inspects_it(open_page: Any) -> None:
    page = open_page("phone")
    x, y = output_cell_centre(page, 1, 2, "finished")  # step 1 * 4 + 2 = 6
    page.evaluate("([x, y]) => document.querySelector('[data-testid=stMain]').scrollBy(0, y - 400)", [x, y])
    x, y = output_cell_centre(page, 1, 2, "finished")
    page.touchscreen.tap(x, y)
    page.wait_for_function("() => document.querySelector('.cvp').dataset.step === '6'", timeout=3_000)
    assert read(page)["window"] == window_at(page, 6)
    assert_clean(page)


# ---- presentation mode ----


def test_presentation_mode_closes_the_sidebar_for_a_larger_diagram_and_leaving_restores_the_page(open_page: Any):
    page = open_page("projector", "?present=1")
    sidebar = "[data-testid='stSidebar']"
    assert not page.locator(sidebar).is_visible()
    big = page.evaluate("() => document.querySelector('.cvp-plot').layout.meta.cell_px")
    page.locator(".st-key-present label").click()  # leave presentation mode
    page.wait_for_function("() => !document.body.classList.contains('convviz-present')", timeout=5_000)
    page.wait_for_timeout(600)  # the column narrows; the player asks for a layout for it
    settle(page)
    assert page.locator(sidebar).is_visible()
    normal = page.evaluate("() => document.querySelector('.cvp-plot').layout.meta.cell_px")
    assert normal < 0.95 * big, (normal, big)  # bigger cells (and numbers) while presenting
    assert "present" not in page.evaluate("() => location.search") or "present=false" in page.url
    assert_clean(page)


def test_on_a_phone_the_sidebar_opens_a_change_redraws_and_it_closes(open_page: Any) -> None:
    page = open_page("phone")
    sidebar = page.locator("[data-testid='stSidebar']")
    page.locator("[data-testid='stExpandSidebarButton']").tap()
    page.wait_for_function("() => document.querySelector('[data-testid=stSidebar]').getBoundingClientRect().x >= 0",
                           timeout=5_000)
    field = page.locator(".st-key-h input")
    field.fill("7")
    field.press("Enter")  # h 6 → 7: 5×4 = 20 steps
    page.wait_for_function("() => document.querySelector('.cvp-plot').layout.meta.n_steps === 20", timeout=8_000)
    sidebar.locator("[data-testid='stSidebarCollapseButton'] button").tap()
    page.wait_for_function("() => document.querySelector('[data-testid=stSidebar]').getBoundingClientRect().right <= 0",
                           timeout=5_000)
    settle(page)
    assert read(page)["n_steps"] == 20
    assert_clean(page)


def test_on_a_phone_where_numbers_do_not_fit_the_page_says_so_and_a_tap_shows_a_value(open_page: Any) -> None:
    page = open_page("phone", "?c_in=1&c_out=1&h=32&w=32")  # 32 cells across 352 px: 11 px cells
    assert not page.evaluate("() => document.querySelector('.cvp-plot').layout.meta.numbers")
    assert "too small for numbers" in page.locator(".cvp-note").inner_text()
    x, y = page.evaluate("""() => { const gd = document.querySelector('.cvp-plot'), t = gd._fullData[0];
        const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
        const r = gd.querySelector('.main-svg').getBoundingClientRect();
        return [r.x + xa._offset + xa.l2p(t.x0 + 5 * t.dx), r.y + ya._offset + ya.l2p(t.y0 + 2 * t.dy)]; }""")
    page.touchscreen.tap(x, y)
    page.wait_for_selector(".cvp-plot .hoverlayer .hovertext", timeout=3_000)
    assert "X[0] = " in page.locator(".cvp-plot .hoverlayer .hovertext").text_content()  # SVG: no innerText
    assert_clean(page)
