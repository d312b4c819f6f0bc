"""Streamlit plumbing shared by the views: URL settings that cannot crash the page, and cheap figure hand-off.

This is the only package besides `app.py` that calls `st.*`; the maths and the figures below it never do.
"""

from __future__ import annotations

import gc
import hashlib
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import orjson
import plotly.graph_objects as go
import streamlit as st


@dataclass(frozen=True)
class IntSetting:
    """A whole-number control: its key is also its URL parameter."""

    key: str
    default: int
    low: int
    high: int


@dataclass(frozen=True)
class ChoiceSetting:
    """A control with fixed options; the URL carries the option string itself."""

    key: str
    default: str
    options: tuple[str, ...]


@dataclass(frozen=True)
class BoolSetting:
    key: str
    default: bool


Setting = IntSetting | ChoiceSetting | BoolSetting

_TRUE, _FALSE = {"true", "1", "on", "yes"}, {"false", "0", "off", "no"}


def clean_url_value(setting: Setting, raw: str) -> tuple[str | None, str | None]:
    """Return (value to keep in the URL or None to drop it, notice for the user or None)."""
    if isinstance(setting, IntSetting):
        try:
            number = float(raw.strip())
        except ValueError:
            return None, f"`{setting.key}={raw[:20]}` is not a number, so it was ignored."
        if not math.isfinite(number):
            return None, f"`{setting.key}={raw[:20]}` is not a finite number, so it was ignored."
        clamped = min(max(round(number), setting.low), setting.high)
        if clamped != number:
            return str(clamped), (
                f"`{setting.key}={raw[:20]}` is outside {setting.low}–{setting.high} "
                f"or not whole, so {clamped} is used."
            )
        return str(clamped), None
    if isinstance(setting, BoolSetting):
        word = raw.strip().lower()
        if word in _TRUE | _FALSE:
            return ("true" if word in _TRUE else "false"), None
        return None, f"`{setting.key}={raw[:20]}` is not true or false, so it was ignored."
    if raw in setting.options:
        return raw, None
    choices = ", ".join(setting.options)
    return None, f"`{setting.key}={raw[:20]}` is not one of {choices}, so it was ignored."


def adopt_url(settings: Iterable[Setting]) -> list[str]:
    """Clean the URL's values for `settings` before the bound widgets read them; return notices to show.

    Streamlit seeds a bound widget from the URL as it was when the page opened, and a hand-edited value such as
    `1e400` raises inside Streamlit. So the cleaned values are written back and made the seeding values.
    """
    notices = []
    changed = False
    for setting in settings:
        if setting.key not in st.query_params:
            continue
        raw = st.query_params[setting.key]
        value, notice = clean_url_value(setting, raw)
        if notice:
            notices.append(notice)
        if value is None:
            del st.query_params[setting.key]
            changed = True
        elif value != raw:
            st.query_params[setting.key] = value
            changed = True
    if changed:
        _reseed_bound_widgets_from_current_url()
    return notices


def _reseed_bound_widgets_from_current_url() -> None:
    # Streamlit (1.67) keeps the opening URL for seeding bound widgets and offers no public way to replace it;
    # its own page switch calls this method. tests/test_app.py opens hostile URLs, so a change here shows up.
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None:
        return
    with ctx.session_state.query_params() as query_params:
        query_params.set_initial_query_params_from_current()


class PrebuiltFigure(go.Figure):
    """Hand a finished figure dict to `st.plotly_chart` without Plotly re-validating it.

    `st.plotly_chart` turns a dict into a `go.Figure` to validate it, which costs about 0.7 s for a few hundred
    animation frames; a `go.Figure` it only asks for `to_dict()`. The figure builders' dicts are checked against
    Plotly's schema in the tests instead.
    """

    def __init__(self, spec: dict[str, Any]):
        layout = spec.get("layout", {})
        super().__init__(layout={key: layout[key] for key in ("height", "width") if key in layout})
        self._spec = spec

    def to_dict(self) -> dict[str, Any]:
        return self._spec


@st.cache_resource(max_entries=1, show_spinner=False)  # every cache has a limit (tests/test_soak.py checks)
def freeze_startup_heap() -> int:
    """Exempt what the imports built from Python's full garbage collections; return how many objects that is.

    TensorFlow, Streamlit and Plotly leave ~370,000 tracked objects behind. Every full collection walked all of
    them, 250–400 ms with the server doing nothing else, and one came every few re-runs: measured in Chromium at
    the defaults, half the control changes waited for one. Runs once per server process; objects made later are
    collected as usual.
    """
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def show_figure(spec: dict[str, Any], **kwargs: Any) -> Any:
    """Draw a figure dict with the colours it was built with (not Streamlit's theme)."""
    config = {"displaylogo": False, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}
    return st.plotly_chart(PrebuiltFigure(drawn_once(spec)), theme=None, config=config, **kwargs)


def drawn_once(spec: dict[str, Any]) -> dict[str, Any]:
    """The figure, marked so that the browser draws it once, not twice.

    Right after a chart mounts, Streamlit (1.67) hands plotly.js a deep copy of the figure, and `Plotly.react`
    redraws everything when it finds new array objects (unless `layout.datarevision` is unchanged) or a new
    `layout.meta` object. So the layout gets a datarevision that follows the data, and `meta` goes as a JSON
    string. Measured in Chromium at the defaults: ~150 ms less per control change.
    """
    layout = dict(spec.get("layout", {}))
    revision = hashlib.blake2b(orjson.dumps(spec.get("data", []), option=orjson.OPT_SERIALIZE_NUMPY), digest_size=8)
    layout["datarevision"] = revision.hexdigest()
    if isinstance(layout.get("meta"), dict):
        layout["meta"] = json.dumps(layout["meta"], separators=(",", ":"))
    return {**spec, "layout": layout}
