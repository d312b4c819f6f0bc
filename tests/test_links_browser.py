"""The link in a real browser: its notices stay on the page, tabs never bounce, and nothing from it is markup.

One Chromium and one server for the module (tests/conftest.py); each test opens its own page, so its own session.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from tests.conftest import wait_for_app

pytestmark = pytest.mark.browser

LOAD_MS = 60_000
NOTICES = ".st-key-link_notices"
EXCEPTION = "[data-testid='stException']"


def open_link(context: Any, query: str) -> Any:
    page = context.new_page()
    page.outside = []  # requests the page made to any host but the app's
    page.on("request", lambda r: page.outside.append(r.url) if "127.0.0.1" not in r.url else None)
    page.goto(f"/{query}")
    wait_for_app(page, LOAD_MS)
    return page


@pytest.mark.parametrize(("query", "said"), [
    ("?k_h=3&c_in=99", ["“k_h” is not a setting; did you mean “kh”?", "“c_in=99” is outside 1–8"]),
    ("?h=99", ["“h=99” is outside 1–32"]),
    ("?view=nope", ["“view=nope” is not one of"]),
    ("?lang=xx", ["“lang=xx” is not one of en, zh"]),
])
def test_the_notice_is_still_on_the_page_five_seconds_after_it_opens(browser_context: Any, query: str,
                                                                     said: list[str]) -> None:
    page = open_link(browser_context, query)
    page.wait_for_selector(".cvp[data-settled='true']", timeout=LOAD_MS)  # the player has reported its room
    page.wait_for_timeout(5000)
    wait_for_app(page, LOAD_MS)
    shown = page.locator(NOTICES).inner_text()
    for sentence in said:
        assert sentence in shown
    page.close()


def test_twenty_tab_clicks_each_land_on_the_tab_clicked(browser_context: Any) -> None:
    page = open_link(browser_context, "?h=8&c_out=3")
    tabs = page.locator("[data-testid='stTab']")
    views = ["1×1 convolution", "Depthwise-separable", "Multi-channel correlation", "1×1 convolution",
             "Multi-channel correlation", "Depthwise-separable"]
    labels = {"1×1 convolution": 1, "Depthwise-separable": 2, "Multi-channel correlation": 0}
    for click in range(20):
        view = views[click % len(views)]
        tabs.nth(labels[view]).click()
        page.wait_for_timeout(150 + 50 * (click % 5))  # short, uneven pauses, as a student clicks
        wait_for_app(page, LOAD_MS)
        page.wait_for_timeout(200)
        selected = tabs.nth(labels[view]).get_attribute("aria-selected")
        assert selected == "true", f"click {click + 1} on {view} bounced back"
        search = page.evaluate("() => new URLSearchParams(location.search).get('view')")
        assert search == (None if view == "Multi-channel correlation" else view), f"click {click + 1}"
        assert page.evaluate("() => new URLSearchParams(location.search).get('h')") == "8", "the main tab's keys stay"
    assert page.locator(EXCEPTION).count() == 0
    page.close()


@pytest.mark.parametrize("query", [
    "?h=" + quote("`![](//e.vil/h.png)`"),
    "?view=" + quote("1×1 convolution") + "&mix_W=" + quote("[LOGIN](//e.vil/x),0,0;0,1,0;0,0,1"),
    "?w=" + quote("`$\\text{HACKED}$"),
    "?" + quote("<img src=//e.vil/k>") + "=1&lang=zh",
])
def test_nothing_from_a_link_becomes_an_image_a_link_or_maths(browser_context: Any, query: str) -> None:
    page = open_link(browser_context, query)
    page.wait_for_selector(NOTICES, timeout=LOAD_MS)
    page.wait_for_timeout(500)
    assert page.locator("img[src*='e.vil']").count() == 0
    assert page.locator("a[href*='e.vil']").count() == 0
    assert page.locator(".katex", has_text="HACKED").count() == 0
    assert page.outside == [] or not any("e.vil" in url for url in page.outside), page.outside
    assert "e.vil" in page.locator(NOTICES).inner_text() or "HACKED" in page.locator(NOTICES).inner_text()
    page.close()
