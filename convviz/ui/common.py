"""Streamlit plumbing shared by the views: a figure handed to the page cheaply, and the heap frozen once.

This is the only package besides `app.py` that calls `st.*`; the maths and the figures below it never do.
"""

from __future__ import annotations

import gc
import hashlib
import json
import sys
from collections.abc import Callable
from typing import Any

import orjson
import plotly.graph_objects as go
import streamlit as st

# The settings and rooms the views' caches are keyed by. Streamlit hashes a dataclass argument through
# `dataclasses.asdict` (~250 µs for a Setting and a Room; a run of the main tab makes four such calls, a class's
# lecture hall hundreds a second). These hold nothing but numbers, strings, booleans and tuples of them, so their
# repr is exact and names the class: ~35 µs. tests/test_cache_keys.py holds both halves of that, for every cached
# function of the views.
PLAIN_ARGS: dict[str | type, Callable[[Any], Any]] = dict.fromkeys((
    "convviz.model.setting.Setting", "convviz.figures.animation.Room", "convviz.model.images.Region",
    "convviz.ui.pooling_view.PoolSetting", "convviz.ui.transposed_view.TransposeSetting",
    "convviz.ui.stack_view.StackSetting", "convviz.ui.im2col_view.UnfoldSetting",
    "convviz.ui.separable_view.Sizes",
), repr)


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


def freeze_startup_heap() -> int:
    """Exempt what the imports built from Python's full garbage collections; return how many objects that is.

    TensorFlow, Streamlit and Plotly leave ~370,000 tracked objects behind. Every full collection walked all of
    them, 250–400 ms with the server doing nothing else, and one came every few re-runs: measured in Chromium at
    the defaults, half the control changes waited for one. Called at the end of a run: once per server process
    before TensorFlow is imported (the first page draws without it) and once after; objects made later are
    collected as usual.
    """
    return _freeze_heap("tensorflow" in sys.modules)


@st.cache_resource(max_entries=2, show_spinner=False)  # every cache has a limit (tests/test_soak.py checks)
def _freeze_heap(with_tensorflow: bool) -> int:
    """Collect, then freeze: once without TensorFlow's objects and once with them (`with_tensorflow` keys it)."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def show_figure(spec: dict[str, Any], **kwargs: Any) -> Any:
    """Draw a figure dict with the colours it was built with (not Streamlit's theme)."""
    config = {"displaylogo": False, "displayModeBar": False, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}
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
