"""Streamlit plumbing shared by the views: URL settings that cannot crash the page, and cheap figure hand-off.

This is the only package besides `app.py` that calls `st.*`; the maths and the figures below it never do.
"""

from __future__ import annotations

import difflib
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

from convviz.i18n.strings import text


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
STREAMLIT_URL_KEYS = frozenset({"embed", "embed_options"})  # Streamlit reads these itself


def clean_url_value(setting: Setting, raw: str) -> tuple[str | None, str | None]:
    """Return (value to keep in the URL or None to drop it, notice for the user or None)."""
    shown = {"key": setting.key, "raw": raw[:20]}
    if isinstance(setting, IntSetting):
        number, notice = _parse_number(setting.key, raw)
        if number is None:
            return None, notice
        clamped = min(max(round(number), setting.low), setting.high)
        if clamped != number:
            return str(clamped), text("url_clamped", **shown, low=setting.low, high=setting.high, value=clamped)
        return str(clamped), None
    if isinstance(setting, BoolSetting):
        word = raw.strip().lower()
        if word in _TRUE | _FALSE:
            return ("true" if word in _TRUE else "false"), None
        return None, text("url_not_bool", **shown)
    if raw in setting.options:
        return raw, None
    return None, text("url_not_option", **shown, choices=", ".join(setting.options))


def int_input(setting: IntSetting, **extra: Any) -> int:
    """A whole-number input for `setting`, labelled with its key's sentence and bound to its URL parameter."""
    return int(st.number_input(text(setting.key), min_value=setting.low, max_value=setting.high,
                               value=setting.default, step=1, key=setting.key, bind="query-params", **extra))


def _parse_number(key: str, raw: str) -> tuple[float | None, str | None]:
    """The finite number `raw` spells, or None and the notice that says why not."""
    try:
        number = float(raw.strip())
    except ValueError:
        return None, text("url_not_number", key=key, raw=raw[:20])
    if not math.isfinite(number):
        return None, text("url_not_finite", key=key, raw=raw[:20])
    return number, None


def drop_non_numbers(keys: Iterable[str]) -> list[str]:
    """Remove URL values of `keys` that are not finite numbers; return a notice for each.

    For controls whose range depends on others: their range is checked when their widget is drawn, so that a
    value the user typed gets one notice, against the range that really applies.
    """
    notices = []
    for key in keys:
        if key in st.query_params:
            number, notice = _parse_number(key, st.query_params[key])
            if number is None and notice:
                del st.query_params[key]
                notices.append(notice)
    if notices:
        _reseed_bound_widgets_from_current_url()
    return notices


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


def set_url_value(key: str, value: str) -> None:
    """Put `value` in the link under `key`, and make it the value that seeds a widget bound to `key`."""
    st.query_params[key] = value
    _reseed_bound_widgets_from_current_url()


def drop_url_value(key: str) -> None:
    """Take `key` out of the link, so that a widget bound to it starts from its default."""
    del st.query_params[key]
    _reseed_bound_widgets_from_current_url()


def unknown_key_notice(key: str, known: Iterable[str]) -> str:
    """The notice for a URL key that is no setting, naming the nearest one when there is one (`k_h` → `kh`)."""
    by_lower = {name.lower(): name for name in known}  # `K_H` and `k_h` both point to `kh`
    close = difflib.get_close_matches(key.lower(), by_lower, n=1, cutoff=0.6)
    if not close:
        return text("url_unknown_key", key=key[:20])
    return text("url_unknown_key_hint", key=key[:20], nearest=by_lower[close[0]])


def drop_unknown_keys(known: Iterable[str]) -> list[str]:
    """Remove URL keys that are no setting of any view (a typo such as `k_h`); return one notice per key.

    Streamlit's own keys (`embed`, `embed_options`) are kept.
    """
    allowed = set(known) | STREAMLIT_URL_KEYS
    unknown = [key for key in st.query_params if key not in allowed]
    for key in unknown:
        del st.query_params[key]
    if unknown:
        _reseed_bound_widgets_from_current_url()
    return [unknown_key_notice(key, sorted(set(known))) for key in unknown]


def _reseed_bound_widgets_from_current_url() -> None:
    # Streamlit (1.67) keeps the opening URL for seeding bound widgets and offers no public way to replace it;
    # its own page switch calls this method. tests/test_app.py opens hostile URLs, so a change here shows up.
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    ctx = get_script_run_ctx()  # the views call this only while their script runs, so there is one
    assert ctx is not None
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
