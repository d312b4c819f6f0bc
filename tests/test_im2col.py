"""im2col (convviz/core/im2col.py, model/im2col_steps.py, figures/im2col.py): the unfolded matrix against a plain
NumPy loop and TensorFlow's own patches, the product against the core's correlation, the 1×1 case against the
chapter's `corr2d_multi_in_out_1x1`, the view's bounds, and the figure."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st

from convviz.core.correlation import corr2d_multi_in_out, corr2d_multi_in_out_1x1
from convviz.core.geometry import conv_geometry
from convviz.core.im2col import im2col
from convviz.figures.animation import Room
from convviz.figures.im2col import unfold_figure
from convviz.model.im2col_steps import (
    dilation_high,
    k_high,
    max_steps,
    padding_high,
    unfold_inputs,
    unfold_table,
)


def loop_im2col(X: np.ndarray, k_h: int, k_w: int, stride: tuple[int, int], padding: tuple[int, int],
                dilation: tuple[int, int]) -> np.ndarray:
    """Row c·k_h·k_w + a·k_w + b, column i·w_o + j: X[c] under kernel cell (a, b) of window (i, j), in plain loops."""
    (s_h, s_w), (p_h, p_w), (d_h, d_w) = stride, padding, dilation
    padded = np.pad(X, ((0, 0), (p_h, p_h), (p_w, p_w)))
    c_i, H, W = padded.shape
    h_o, w_o = (H - d_h * (k_h - 1) - 1) // s_h + 1, (W - d_w * (k_w - 1) - 1) // s_w + 1
    out = np.zeros((c_i * k_h * k_w, h_o * w_o))
    for i, j, c, a, b in itertools.product(range(h_o), range(w_o), range(c_i), range(k_h), range(k_w)):
        out[c * k_h * k_w + a * k_w + b, i * w_o + j] = padded[c, i * s_h + a * d_h, j * s_w + b * d_w]
    return out


@st.composite
def layers(draw):
    c_in, c_out = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    h, w, k_h, k_w = draw(st.integers(1, 6)), draw(st.integers(1, 6)), draw(st.integers(1, 4)), draw(st.integers(1, 4))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    dilation = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    X = np.array(draw(st.lists(st.integers(-9, 9), min_size=c_in * h * w, max_size=c_in * h * w)), np.float32)
    K = np.array(draw(st.lists(st.integers(-3, 3), min_size=c_out * c_in * k_h * k_w,
                               max_size=c_out * c_in * k_h * k_w)), np.float32)
    return X.reshape(c_in, h, w), K.reshape(c_out, c_in, k_h, k_w), stride, padding, dilation


@settings(max_examples=80, deadline=None)
@given(layers())
def test_the_unfolded_x_times_the_reshaped_kernel_is_the_correlation(drawn):
    X, K, stride, padding, dilation = drawn
    c_out, _, k_h, k_w = K.shape
    fits = all(d * (k - 1) + 1 <= size + 2 * p for d, k, size, p in zip(dilation, (k_h, k_w), X.shape[1:], padding,
                                                                           strict=True))
    if not fits:  # the window does not fit the padded input: a sentence, as for the correlation
        with pytest.raises(ValueError, match="The kernel does not fit"):
            im2col(X, k_h, k_w, stride=stride, padding=padding, dilation=dilation)
        return
    X_col = im2col(X, k_h, k_w, stride=stride, padding=padding, dilation=dilation).numpy()
    np.testing.assert_array_equal(X_col, loop_im2col(X, k_h, k_w, stride, padding, dilation))  # copies, exactly
    Y = corr2d_multi_in_out(X, K, stride=stride, padding=padding, dilation=dilation).numpy()
    product = (K.reshape(c_out, -1) @ X_col).reshape(Y.shape)  # (c_o, c_i·k_h·k_w) @ (c_i·k_h·k_w, h_o·w_o)
    np.testing.assert_allclose(product, Y, atol=1e-4)
    table = unfold_table(X, K, stride=stride, padding=padding, dilation=dilation)  # the view's step table agrees
    np.testing.assert_allclose(table.output_maps(), Y, atol=1e-4)
    assert table.n_steps == Y.shape[1] * Y.shape[2]


@settings(max_examples=40, deadline=None)
@given(layers())
def test_each_column_is_tensorflows_own_patch_of_the_padded_input(drawn):
    """tf.image.extract_patches called on its own (SAME-free: the input padded first), read window by window."""
    X, K, stride, padding, _ = drawn
    _, _, k_h, k_w = K.shape
    if k_h > X.shape[1] + 2 * padding[0] or k_w > X.shape[2] + 2 * padding[1]:
        return
    padded = np.pad(X, ((0, 0), (padding[0],) * 2, (padding[1],) * 2)).transpose(1, 2, 0)[None]  # NHWC
    patches = tf.image.extract_patches(padded, [1, k_h, k_w, 1], [1, *stride, 1], [1, 1, 1, 1], "VALID").numpy()[0]
    X_col = im2col(X, k_h, k_w, stride=stride, padding=padding).numpy()
    h_o, w_o = patches.shape[:2]
    for i, j in itertools.product(range(h_o), range(w_o)):
        window = patches[i, j].reshape(k_h, k_w, X.shape[0])  # TensorFlow's (a, b, c) order
        np.testing.assert_array_equal(X_col[:, i * w_o + j], window.transpose(2, 0, 1).ravel())  # ours: (c, a, b)


@settings(max_examples=30, deadline=None)
@given(layers())
def test_with_a_1x1_kernel_it_is_the_chapters_corr2d_multi_in_out_1x1(drawn):
    X, K, stride, padding, _ = drawn
    K = K[:, :, :1, :1]  # (c_o, c_i, 1, 1)
    X_col = im2col(X, 1, 1, stride=stride, padding=padding).numpy()
    if stride == (1, 1) and padding == (0, 0):  # unstrided and unpadded, X_col is X with each channel flattened
        np.testing.assert_array_equal(X_col, X.reshape(X.shape[0], -1))
    Y_1x1 = corr2d_multi_in_out_1x1(X, K, stride=stride, padding=padding).numpy()
    np.testing.assert_allclose((K.reshape(K.shape[0], -1) @ X_col).reshape(Y_1x1.shape), Y_1x1, atol=1e-4)


def test_the_books_example_gives_d2ls_answers():
    """d2l's corr2d_multi_in example (two channels, 0..8 and 1..9, kernels 0..3 and 1..4) and its three outputs."""
    X, K = unfold_inputs("book", 2, 1, 3, 3, 2, 0)
    np.testing.assert_array_equal(unfold_table(X, K).output_maps(), [[[56, 72], [104, 120]]])
    X, K = unfold_inputs("book", 2, 3, 3, 3, 2, 0)  # K, K + 1, K + 2
    table = unfold_table(X, K)
    np.testing.assert_array_equal(table.output_maps(), [[[56, 72], [104, 120]], [[76, 100], [148, 172]],
                                                        [[96, 128], [192, 224]]])
    assert table.X_col.shape == (8, 4) and table.K_mat.shape == (3, 8)
    np.testing.assert_array_equal(table.X_col[:, 0], [0, 1, 3, 4, 1, 2, 4, 5])  # the first window, channel by channel


def test_the_other_values_are_seeded():
    for kind in ("integers", "random"):
        first, again = unfold_inputs(kind, 2, 3, 3, 4, 3, 7), unfold_inputs(kind, 2, 3, 3, 4, 3, 7)
        assert first[0].shape == (2, 3, 4) and first[1].shape == (3, 2, 3, 3)
        np.testing.assert_array_equal(first[1], again[1])
        assert not np.array_equal(first[0], unfold_inputs(kind, 2, 3, 3, 4, 3, 8)[0])


def test_the_step_table_fills_one_column_a_step_and_knows_each_windows_cells():
    X, K = unfold_inputs("integers", 2, 2, 5, 5, 3, 1)
    table = unfold_table(X, K, stride=2, padding=1, dilation=2)
    assert table.n_steps == 4  # padded 7, span 5, stride 2: 2×2
    for s in range(table.n_steps):
        shown = table.running(s)
        assert np.isfinite(shown[:, : s + 1]).all() and np.isnan(shown[:, s + 1 :]).all()
        cells = table.window_cells(s)
        window = np.array([[table.padded[c, r, q] for r, q in cells] for c in range(2)])  # (c_i, k·k)
        np.testing.assert_array_equal(table.X_col[:, s], window.ravel())  # column s is step s's window
    assert table.window_cells(3)[:3] == [(2, 2), (2, 4), (2, 6)]  # dilation 2: every other cell


@pytest.mark.parametrize(("x", "kh", "kw", "kwargs", "match"), [
    (np.zeros((2, 2)), 1, 1, {}, "im2col expects X of shape (c_i, h, w)"),
    (np.zeros((1, 2, 2)), 3, 1, {}, "The kernel does not fit"),
    (np.zeros((1, 2, 2)), 1.5, 1, {}, "kernel size (kh, kw) must be a whole number"),
    (np.zeros((1, 2, 2)), 1, 1, {"stride": 0}, "The stride must be at least 1"),
    (np.zeros((1, 2, 2)), 1, 1, {"dilation": 0}, "The dilation must be at least 1"),
])
def test_what_cannot_be_unfolded_is_said_in_a_sentence(x, kh, kw, kwargs, match):
    with pytest.raises(ValueError, match=re.escape(match)):
        im2col(x, kh, kw, **kwargs)


def test_the_step_table_refuses_a_kernel_of_other_channels():
    with pytest.raises(ValueError, match="the two c_i must match"):
        unfold_table(np.zeros((2, 3, 3)), np.zeros((1, 3, 2, 2)))


@pytest.mark.parametrize(("h", "w"), list(itertools.product(range(2, 7), range(2, 7))))
def test_the_views_bounds_keep_every_setting_drawable(h, w):
    for k in range(1, k_high(h, w) + 1):
        for padding in range(padding_high(k) + 1):
            top = dilation_high(h, w, k, padding)
            for stride in (1, 2, 3):
                geo = conv_geometry((1, h, w), (1, 1, k, k), stride=stride, padding=padding, dilation=top)
                assert 1 <= geo.out_h * geo.out_w <= max_steps(6)
            if k > 1 and top < 2:  # one more would not fit
                with pytest.raises(ValueError):
                    conv_geometry((1, h, w), (1, 1, k, k), padding=padding, dilation=top + 1)
    assert k_high(2, 6) == 2 and padding_high(1) == 0 and max_steps(6) == 64


# ---- the figure ----


def _validate(figure: dict) -> None:
    import plotly.graph_objects as go

    go.Figure({k: v for k, v in figure.items() if k != "frames"})  # raises on anything Plotly does not know
    for frame in figure.get("frames", [])[:2]:
        go.Frame(frame)


@pytest.mark.parametrize("room", [Room(), Room(320, 736), Room(1872, 816, present=True), Room(360, 640, zoom=2.0),
                                  Room(816, 384)])
@pytest.mark.parametrize(("c_in", "c_out", "h", "w", "k", "s", "p", "d"), [
    (2, 2, 3, 3, 2, 1, 0, 1), (3, 3, 6, 6, 3, 1, 2, 1), (1, 2, 4, 5, 3, 2, 1, 2), (3, 1, 2, 2, 1, 1, 0, 2)])
def test_the_figure_plays_one_column_a_step(room, c_in, c_out, h, w, k, s, p, d):
    X, K = unfold_inputs("random", c_in, c_out, h, w, k, 1)
    table = unfold_table(X, K, stride=s, padding=p, dilation=d)
    figure = unfold_figure(table, decimals=2, room=room)
    _validate(figure)
    meta = figure["layout"]["meta"]
    n, geo = table.n_steps, table.geometry
    assert meta["n_steps"] == len(figure["frames"]) == n and meta["out_w"] == geo.out_w
    assert figure["layout"]["width"] <= room.width + 1
    shapes = {tuple(v) for v in meta["output_traces"].values()}
    assert shapes == {(1, n), (geo.out_h, geo.out_w)}  # a click on Y_flat's cell n or Y's cell (i, j) is a step
    last = figure["frames"][-1]["data"]
    flat = np.array([row["z"][0] for row in last[:c_out]], float)
    np.testing.assert_allclose(flat, np.round(table.product, 2), atol=0.011)  # Y_flat complete at the end
    np.testing.assert_allclose(np.array([m["z"] for m in last[c_out:]], float), np.round(table.output_maps(), 2),
                               atol=0.011)
    first = figure["frames"][0]["data"]
    assert first[0]["z"][0][0] is not None and all(v is None for v in first[0]["z"][0][1:])  # one column so far
    static = [trace["z"] for trace in figure["data"] if trace.get("hovertemplate", "").startswith("X_col")]
    np.testing.assert_allclose(np.array(static[0], float), np.round(table.X_col, 2))
    outlined = figure["frames"][1]["layout"]["shapes"][1]["path"]
    x_col_x = next(t["x0"] for t in figure["data"] if t.get("hovertemplate", "").startswith("X_col")) - 0.5
    assert f"M{x_col_x + 1:g}," in outlined  # step 1 outlines X_col's column 1
    per_channel = k * k if d > 1 else 1  # a dilated window's own cells, else the window's box
    assert outlined.count("M") == c_in * per_channel + 2 + c_out  # and the column, Y_flat's cells and Y's cells


def test_the_figure_hides_numbers_it_cannot_fit_and_says_so_in_its_meta():
    X, K = unfold_inputs("random", 3, 3, 6, 6, 3, 0)
    figure = unfold_figure(unfold_table(X, K, padding=2), decimals=2, room=Room(320, 736))  # 27 × 64 on a phone
    meta = figure["layout"]["meta"]
    assert meta["numbers"] is False and meta["digit_px"] == 0
    assert all("texttemplate" not in trace for trace in figure["data"])
