"""A sweep of every control's whole range: whatever a teacher sets, the page draws the right numbers or says why not.

Hypothesis draws settings from the full range of each control, in any combination, at two depths:
- the pure path (step model → figure builder), many examples: the figure passes Plotly's own validation and
  its numbers equal `tf.nn.conv2d`;
- the page itself (AppTest, opened from a link), fewer examples, because each runs the whole script.
The 1×1 tab's controls are swept the same way.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import plotly.graph_objects as go
import pytest
import tensorflow as tf
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest
from test_app import APP, TIMEOUT, chart, decode, trace_by_hover

from convviz.core.geometry import conv_geometry
from convviz.figures.animation import animation_figure
from convviz.figures.mixing import matmul_figure, matrix_figure, pixel_figure
from convviz.model import mixing
from convviz.model.link import MAIN_FIELDS
from convviz.model.setting import NUMBER_KINDS, TEXTBOOK_SHAPES, Setting, make_tensors
from convviz.model.steps import step_table
from convviz.ui.mixing_view import K_OPTIONS

BOUNDS = {s.key: (s.low, s.high) for s in MAIN_FIELDS if hasattr(s, "low")}
SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large]


def link_notices(at: AppTest) -> list[str]:
    return [t.value for t in at.text if t.value.startswith("• ")]


def _int(key: str) -> st.SearchStrategy[int]:
    low, high = BOUNDS[key]
    return st.integers(low, high)


@st.composite
def main_settings(draw: st.DrawFn) -> tuple[Setting, int]:
    """Any setting the sidebar allows, and an output channel of it to follow."""
    c_in, c_out = draw(_int("c_in")), draw(_int("c_out"))
    setting = Setting(
        c_in=c_in, c_out=c_out, h=draw(_int("h")), w=draw(_int("w")),
        kh=draw(_int("kh")), kw=draw(_int("kw")), stride=draw(_int("stride")), padding=draw(_int("padding")),
        dilation=draw(_int("dilation")), bias=draw(st.booleans()), values=draw(st.sampled_from(NUMBER_KINDS)),
        seed=draw(_int("seed")), flip=draw(st.booleans()),
    )
    e = setting.effective()  # textbook values fix the channels, and so the groups that divide them
    groups = draw(st.sampled_from([g for g in range(1, e.c_in + 1) if e.c_in % g == 0 and e.c_out % g == 0]))
    setting = replace(setting, groups=groups)
    out = draw(st.integers(0, setting.effective().c_out - 1))
    return setting, out


def conv2d_reference(X: np.ndarray, K: np.ndarray, bias: np.ndarray | None, s: Setting) -> np.ndarray:
    """tf.nn.conv2d on NHWC, back to (c_o, h_o, w_o): the independent answer (a filter c_i/g deep runs groups;
    TensorFlow correlates, so a true convolution hands it the kernel flipped by tf.reverse)."""
    filters = K.transpose(2, 3, 1, 0)  # (k_h, k_w, c_i, c_o)
    Y = tf.nn.conv2d(
        X.transpose(1, 2, 0)[None],  # (1, h, w, c_i)
        tf.reverse(filters, axis=[0, 1]) if s.flip else filters,
        strides=s.stride, padding=[[0, 0], [s.padding] * 2, [s.padding] * 2, [0, 0]], dilations=s.dilation,
    ).numpy()[0].transpose(2, 0, 1)
    return Y if bias is None else Y + bias[:, None, None]


def geometry_or_none(s: Setting):
    e = s.effective()
    try:
        return conv_geometry(e.x_shape, e.k_shape, stride=e.stride, padding=e.padding, dilation=e.dilation,
                             groups=e.groups)
    except ValueError:
        return None


def assert_figure_shows(figure: dict, Y: np.ndarray, out: int, decimals: int) -> None:
    """The figure is valid Plotly, and every number it lands in an output map is tf.nn.conv2d's."""
    go.Figure(figure)  # Plotly's own validation: raises on any property it does not know
    tolerance = 10.0 ** -decimals / 2 + 1e-4 * max(1.0, float(np.abs(Y).max()))  # cells are rounded to `decimals`
    # Step by step, the frames' output values fill Y[out] in row-major order; the last frame writes its last cell.
    animated = figure["layout"]["meta"]["animated_traces"]
    total_index = animated.index(animated[-2])  # the output value is the second-to-last animated trace
    filled = np.array([decode(frame["data"][total_index]["z"])[0, 0] for frame in figure["frames"]])
    np.testing.assert_allclose(filled.reshape(Y[out].shape), Y[out], atol=tolerance)
    for o in range(Y.shape[0]):  # every channel's finished map, drawn under the one that fills in
        np.testing.assert_allclose(decode(trace_by_hover(figure, f"final Y[{o}]")["z"]), Y[o], atol=tolerance)


@settings(max_examples=120, deadline=None, suppress_health_check=SLOW)
@given(main_settings())
# The corners, on every run: every control at its largest (cells of a few pixels), and everything at 1.
@example((Setting(8, 8, 32, 32, 7, 7, 1, 3, 1, True, "random", 2**31 - 1), 7))
@example((Setting(1, 1, 1, 1, 1, 1, 4, 0, 3, False, "integers", 0), 0))
@example((Setting(values="textbook", bias=True), 2))
@example((Setting(c_in=6, c_out=4, groups=2, bias=True), 3))  # groups: channels 3-5 seen, 0-2 washed out
@example((Setting(c_in=4, c_out=8, groups=4, values="random"), 5))  # depthwise, two outputs per input
@example((Setting(values="textbook", flip=True), 1))  # true convolution
def test_every_main_setting_draws_the_numbers_tf_computes(drawn: tuple[Setting, int]):
    setting, out = drawn
    s = setting.effective()
    X, K, bias = make_tensors(setting)
    if geometry_or_none(setting) is None:  # the window does not fit: the core refuses with a sentence
        with pytest.raises(ValueError, match="does not fit"):
            step_table(X, K, bias, stride=s.stride, padding=s.padding, dilation=s.dilation, groups=s.groups,
                       flip=s.flip)
        return
    table = step_table(X, K, bias, stride=s.stride, padding=s.padding, dilation=s.dilation, groups=s.groups,
                       flip=s.flip)
    decimals = 2 if s.values == "random" else 0
    figure = animation_figure(table, out, decimals=decimals)
    assert_figure_shows(figure, conv2d_reference(X, K, bias, s), out, decimals)


@settings(max_examples=30, deadline=None, suppress_health_check=SLOW)
@given(main_settings())
def test_every_main_setting_opened_from_a_link_renders_or_explains(drawn: tuple[Setting, int]):
    setting, out = drawn
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    fixed = TEXTBOOK_SHAPES if setting.values == "textbook" else {}  # the page's own links leave these out
    for key in ("c_in", "c_out", "h", "w", "kh", "kw", "stride", "padding", "dilation", "bias", "values", "seed",
                "groups", "flip"):
        if key not in fixed:
            at.query_params[key] = str(getattr(setting, key)).lower()
    at.query_params["out"] = str(out)
    at.run()
    assert not at.exception
    assert not link_notices(at), "every value came from a control's own range: nothing to correct"
    if geometry_or_none(setting) is None:
        assert not at.get("plotly_chart")
        assert any("does not fit" in e.value for e in at.error)
        return
    X, K, bias = make_tensors(setting)
    figure = chart(at)
    assert_figure_shows(figure, conv2d_reference(X, K, bias, setting.effective()), out,
                        2 if setting.values == "random" else 0)
    assert at.success, "the page's own check against tf.nn.conv2d passes"


# ---- the 1×1 tab ----


@st.composite
def mixing_settings(draw: st.DrawFn) -> dict[str, object]:
    c_in, c_out = draw(st.integers(1, mixing.MAX_CHANNELS)), draw(st.integers(1, mixing.MAX_CHANNELS))
    h, w = draw(st.integers(1, mixing.MAX_SIDE)), draw(st.integers(1, mixing.MAX_SIDE))
    return {"c_in": c_in, "c_out": c_out, "h": h, "w": w, "seed": draw(st.integers(0, 9999)),
            "preset": draw(st.sampled_from(mixing.PRESETS)), "row": draw(st.integers(0, h - 1)),
            "col": draw(st.integers(0, w - 1)), "k": draw(st.sampled_from(K_OPTIONS)), "bias": draw(st.booleans())}


@settings(max_examples=60, deadline=None, suppress_health_check=SLOW)
@given(mixing_settings())
def test_every_mixing_setting_draws_valid_figures_with_the_general_paths_numbers(m: dict):
    X = mixing.input_image(m["c_in"], m["h"], m["w"], m["seed"])  # (c_i, h, w)
    W = mixing.preset_matrix(m["preset"], m["c_out"], m["c_in"], m["seed"])  # (c_o, c_i)
    Y = tf.nn.conv2d(X.transpose(1, 2, 0)[None].astype(np.float32), W.T[None, None].astype(np.float32),
                     strides=1, padding="VALID").numpy()[0].transpose(2, 0, 1)  # (c_o, h, w)
    steps = mixing.pixel_steps(X, W)
    np.testing.assert_allclose(steps.outputs.reshape(m["h"], m["w"], m["c_out"]).transpose(2, 0, 1), Y,
                               atol=1e-4 * max(1.0, float(np.abs(Y).max())))
    check = mixing.matmul_check(X, W)
    assert check.agrees
    for figure in (matrix_figure(W), pixel_figure(X, W, steps, m["row"], m["col"]),
                   matmul_figure(X, W, check, m["row"], m["col"])):
        go.Figure(figure)


@settings(max_examples=15, deadline=None, suppress_health_check=SLOW)
@given(mixing_settings())
def test_every_mixing_setting_opened_from_a_link_renders(m: dict):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["view"] = "1×1 convolution"
    for key, value in m.items():
        at.query_params[f"mix_{key}"] = str(value).lower()
    at.run()
    assert not at.exception
    assert not link_notices(at), "every value came from a control's own range: nothing to correct"
    assert len(at.get("plotly_chart")) == 3  # W, one pixel's y = W·x, and the layer as one matrix product
    assert at.success, "the matrix product agrees with the general path"
