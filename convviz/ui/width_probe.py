"""The width a view's charts get, measured in the browser: a tiny component (components v2, in the page, no iframe).

Its script reports the column's width, in steps of WIDTH_STEP pixels, whenever it differs from the width Python last
laid the figures out for (the first run, a turned phone, the sidebar opened or closed); the report re-runs the page.
Until the first report arrives the figures are laid out for the width the probe kept in a cookie on an earlier visit
(so a browser that has seen the page opens it in one run), else for `convviz.figures.fit.DEFAULT_WIDTH`.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from convviz.figures.fit import DEFAULT_WIDTH, NARROW_WIDTH
from convviz.model.link import read_number

WIDTH_STEP = 20  # widths are reported rounded down to this many pixels
WIDEST = 4000
_JS = """
const STEP = {STEP};
export default function (component) {
  const { data, parentElement, setStateValue } = component;
  const box = parentElement instanceof Element ? parentElement : parentElement.host;  // a shadow root's host
  box.__convvizLaidOut = data.width;  // the width Python laid the figures out for
  const report = () => {
    const width = Math.floor(box.getBoundingClientRect().width / STEP) * STEP;
    // Kept for the next page open on this browser: its first run lays the figures out for it, with no second run.
    if (width > 0) document.cookie = `${data.cookie}=${width}; path=/; max-age=31536000; SameSite=Lax`;
    if (width > 0 && width !== box.__convvizLaidOut && width !== box.__convvizAsked) {
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
""".replace("{STEP}", str(WIDTH_STEP))


def checked_width(state: Any) -> int:
    """The width a probe's state reports, kept within NARROW_WIDTH..WIDEST; DEFAULT_WIDTH when it reports none."""
    width = state.get("width") if isinstance(state, dict) else None
    if not isinstance(width, int | float) or isinstance(width, bool) or width != width:  # NaN is no width
        return DEFAULT_WIDTH
    return int(min(max(width, NARROW_WIDTH), WIDEST))


def _rerun() -> None:
    """The width arrives with the re-run; nothing to do in the callback."""


def chart_width(key: str) -> int:
    """The width of the column this is called in, as last reported by the browser (mounts the probe there)."""
    state, cookie = st.session_state.get(key), f"convviz_{key}"
    reported = isinstance(state, dict) and state.get("width") is not None
    width = checked_width(state) if reported else width_from_cookie(st.context.cookies.get(cookie))
    probe = st.components.v2.component("convviz.width_probe", js=_JS, isolate_styles=False)
    probe(data={"width": width, "cookie": cookie}, key=key, default={"width": None}, on_width_change=_rerun,
          width="stretch", height=0)
    return width


def width_from_cookie(raw: object) -> int:
    """The width the probe kept in its cookie on an earlier visit, checked like a report; DEFAULT_WIDTH if none."""
    number = read_number(raw[:16]) if isinstance(raw, str) else None
    return checked_width({"width": number})
