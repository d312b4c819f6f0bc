"""How many script runs a page open costs (issue 22): one on the classroom screens for a browser new to the page,
on every tab; two on an unusual window, and one once the browser has kept its room or width in a cookie.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from tests.conftest import wait_for_app
from tests.test_screens_tabs_browser import serves

pytestmark = pytest.mark.browser

LOAD_MS = 60_000


def runs_on_open(context: Any, query: str, ready: str = ".cvp[data-settled='true']",
                 drawn: list[list[int]] | None = None, widths: list[list[float]] | None = None) -> int:
    """How many script runs one page open asks the server for: the rerun requests the page sends on its websocket
    (Streamlit's BackMsg `rerun_script`), counted until the player has settled and two more seconds have passed."""
    from streamlit.proto.BackMsg_pb2 import BackMsg

    requests: list[str] = []

    def watch(socket: Any) -> None:
        def sent(payload: Any) -> None:
            message = BackMsg()
            message.ParseFromString(payload if isinstance(payload, bytes) else payload.encode())
            requests.append(message.WhichOneof("type") or "")
        socket.on("framesent", sent)

    page = context.new_page()
    page.on("websocket", watch)
    page.goto(f"/{query}")
    wait_for_app(page, LOAD_MS)
    page.wait_for_selector(ready, timeout=LOAD_MS)
    page.wait_for_timeout(2000)
    wait_for_app(page, LOAD_MS)
    if drawn is not None:
        drawn.append(drawn_room(page))
    if widths is not None:
        widths += page.evaluate(LAYOUT_WIDTHS, ready)
    page.close()
    return requests.count("rerun_script")


PHONE_AGENT = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
               "Chrome/131.0.0.0 Mobile Safari/537.36")
LAYOUT_WIDTHS = """(sel) => [...document.querySelectorAll(sel)].map(gd => {
    const meta = typeof gd.layout.meta === 'string' ? JSON.parse(gd.layout.meta) : gd.layout.meta;
    return [meta ? meta.width : null, gd.getBoundingClientRect().width]; }).filter(([meta]) => meta)"""


def drawn_room(page: Any) -> list[int]:
    """The room the diagram on screen was laid out for (the player writes it on its box)."""
    return [int(v) for v in page.locator(".cvp[data-settled='true']").get_attribute("data-room").split(",")]


@pytest.mark.parametrize(("size", "query"), [
    ((1280, 720), "?c_out=3"), ((1920, 1080), "?lang=zh"), ((1366, 768), "?present=true"),
    ((1024, 768), ""), ((390, 844), "?h=7"),
])
def test_a_browser_new_to_the_page_opens_it_in_one_run_on_a_classroom_screen(chromium: Any, request: Any,
                                                                              size: tuple[int, int],
                                                                              query: str) -> None:
    # Its first run knows nothing of the browser's room: it sends the usual screens' layouts and the player draws
    # the one for its window, without asking for a second run.
    server = request.getfixturevalue("streamlit_server")
    phone = size[0] < 500
    context = chromium.new_context(viewport={"width": size[0], "height": size[1]}, base_url=server,
                                   is_mobile=phone, has_touch=phone)
    drawn: list[list[int]] = []
    try:
        assert runs_on_open(context, query, drawn=drawn) == 1
        cookie = next(c["value"] for c in context.cookies() if c["name"] == "convviz_room")
    finally:
        context.close()
    measured = [int(v) for v in cookie.split(",")]  # the room the player measured, kept for the next open
    assert abs(drawn[0][0] - measured[0]) <= 40, (drawn, measured)  # the layout drawn is the window's
    assert phone or abs(drawn[0][1] - measured[1]) <= 40, (drawn, measured)


def test_an_unusual_window_gets_its_own_layout_in_a_second_run_and_the_next_open_in_one(chromium: Any,
                                                                                      request: Any) -> None:
    # 1600×1000 is none of the usual screens: none of the first run's layouts serves it, so the player reports its
    # room and the second run lays the diagram out for it; the player keeps that room in a cookie, so the next
    # open is laid out for it in its first and only run.
    server = request.getfixturevalue("streamlit_server")
    context = chromium.new_context(viewport={"width": 1600, "height": 1000}, base_url=server)
    try:
        first = runs_on_open(context, "?c_out=3")
        again = runs_on_open(context, "?c_out=3")
        other_setting = runs_on_open(context, "?c_in=2&h=9")
        page = context.new_page()
        page.goto("/?c_out=3")
        wait_for_app(page, LOAD_MS)
        page.wait_for_selector(".cvp[data-settled='true']", timeout=LOAD_MS)
        room = drawn_room(page)
        cookie = next(c["value"] for c in context.cookies() if c["name"] == "convviz_room")
        measured = [int(v) for v in cookie.split(",")]
    finally:
        context.close()
    assert first == 2, "the first open measures the room"
    assert again == 1 and other_setting == 1, (again, other_setting)
    assert abs(room[0] - measured[0]) <= 40 and abs(room[1] - measured[1]) <= 40, (room, measured)


@pytest.mark.parametrize("view", ["1×1 convolution", "Depthwise-separable"])
@pytest.mark.parametrize(("size", "first_runs"), [((1280, 720), 1), ((1366, 768), 1), ((390, 844), 1),
                                                  ((1024, 768), 2)])
def test_the_other_tabs_open_in_one_run_on_usual_screens_and_in_two_then_one_elsewhere(
        chromium: Any, request: Any, view: str, size: tuple[int, int], first_runs: int) -> None:
    # A browser new to the page gets its figures laid out for a 1280×720 laptop's column (or a phone's), which
    # also serves 1366×768's wider one; at 1024×768 the column is narrower, so the page measures it and runs again,
    # and the width it keeps in a cookie opens the next visit in one run.
    server = request.getfixturevalue("streamlit_server")
    phone = size[0] < 500
    agent = {"user_agent": PHONE_AGENT} if phone else {}  # a phone's browser says so; the server guesses by it
    context = chromium.new_context(viewport={"width": size[0], "height": size[1]}, base_url=server,
                                   is_mobile=phone, has_touch=phone, **agent)
    chart, laid_out = ".js-plotly-plot", []
    try:
        first = runs_on_open(context, f"?view={quote(view)}", chart, widths=laid_out)
        again = runs_on_open(context, f"?view={quote(view)}", chart) if first_runs > 1 else 1
    finally:
        context.close()
    assert (first, again) == (first_runs, 1), (first, again)
    assert laid_out and all(serves(meta, width) for meta, width in laid_out), laid_out
