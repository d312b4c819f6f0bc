"""The width a view's charts get, measured in the browser: a tiny component (components v2, in the page, no iframe).

Its script reports the column's width, in steps of WIDTH_STEP pixels, whenever the figures' layout does not serve it:
the column is narrower than the width Python last laid them out for, or more than SLACK times wider (the first run,
a turned phone, the sidebar opened or closed); the report re-runs the page. Until the first report arrives the
figures are laid out for the width the probe kept in a cookie on an earlier visit, else for a usual screen's column
(FIRST_WIDTHS: a phone's, or a 1280×720 laptop's), so a browser new to the page opens it in one run on a 1280×720 or
1366×768 screen and on phones, and in two on the others.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from convviz.figures.fit import DEFAULT_WIDTH, NARROW_WIDTH
from convviz.model.link import read_number
from convviz.ui.player import browser_is_phone

WIDTH_STEP = 20  # widths are reported rounded down to this many pixels
WIDEST = 4000
SLACK = 1.12  # a layout serves columns from its own width up to this many times wider (its texts only grow roomier)
# The column a browser new to the page is guessed to have, by whether it says it is a phone: a 360 px phone's and a
# 1280×720 laptop's (measured in Chromium with the sidebar open); 390 px phones (340) and 1366×768 (900) are in slack.
FIRST_WIDTHS = {True: 320, False: 820}
_JS = """
const STEP = {STEP}, SLACK = {SLACK};
export default function (component) {
  const { data, parentElement, setStateValue } = component;
  const box = parentElement instanceof Element ? parentElement : parentElement.host;  // a shadow root's host
  box.__convvizLaidOut = data.width;  // the width Python laid the figures out for
  const report = () => {
    const width = Math.floor(box.getBoundingClientRect().width / STEP) * STEP;
    // Kept for the next page open on this browser: its first run lays the figures out for it, with no second run.
    if (width > 0) document.cookie = `${data.cookie}=${width}; path=/; max-age=31536000; SameSite=Lax`;
    const laidOut = box.__convvizLaidOut, serves = width >= laidOut && width <= laidOut * SLACK;
    if (width > 0 && !serves && width !== box.__convvizAsked) {
      box.__convvizAsked = width;
      setStateValue("width", width);
    }
  };
  if (!box.__convvizObserver) {
    let pending;
    box.__convvizObserver = new ResizeObserver(() => { clearTimeout(pending); pending = setTimeout(report, 150); });
    box.__convvizObserver.observe(box);
  }
  report();
}
""".replace("{STEP}", str(WIDTH_STEP)).replace("{SLACK}", str(SLACK))


def checked_width(state: Any) -> int:
    """The width a probe's state reports, kept within NARROW_WIDTH..WIDEST; DEFAULT_WIDTH when it reports none."""
    width = state.get("width") if isinstance(state, dict) else None
    if not isinstance(width, int | float) or isinstance(width, bool) or width != width:  # NaN is no width
        return DEFAULT_WIDTH
    return int(min(max(width, NARROW_WIDTH), WIDEST))


def _rerun() -> None:
    """The width arrives with the re-run; nothing to do in the callback."""


def laid_out_width(key: str) -> int:
    """The width the figures of probe `key`'s column are laid out for: its last report, else its cookie's, else the
    guess for a browser new to the page (FIRST_WIDTHS)."""
    state = st.session_state.get(key)
    if isinstance(state, dict) and state.get("width") is not None:
        return checked_width(state)
    return width_from_cookie(st.context.cookies.get(_cookie(key)), FIRST_WIDTHS[browser_is_phone()])


def chart_width(key: str) -> int:
    """The width to lay out the figures of the column this is called in for (`laid_out_width`); mounts the probe
    there, which asks for a re-run when the column's real width is not served by it."""
    width = laid_out_width(key)
    probe = st.components.v2.component("convviz.width_probe", js=_JS, isolate_styles=False)
    probe(data={"width": width, "cookie": _cookie(key)}, key=key, default={"width": None}, on_width_change=_rerun,
          width="stretch", height=0)
    return width


def _cookie(key: str) -> str:
    """The cookie in which probe `key`'s script keeps the width it measured, for the next visit."""
    return f"convviz_{key}"


def width_from_cookie(raw: object, missing: int = DEFAULT_WIDTH) -> int:
    """The width the probe kept in its cookie on an earlier visit, checked like a report; `missing` if none."""
    number = read_number(raw[:16]) if isinstance(raw, str) else None
    return missing if number is None else checked_width({"width": number})
