"""Transposed convolution (convviz/core/transposed.py, model/transposed_steps.py, figures/transposed.py): d2l's
answers, d2l's loop form, TensorFlow's own op, and the view's two other readings of the same numbers."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st

from convviz.core.correlation import corr2d_multi_in_out
from convviz.core.transposed import corr2d_transpose, transpose_geometry
from convviz.figures import style
from convviz.figures.animation import Room
from convviz.figures.transposed import correlation_figure, matrix_figure, matrix_fits, scatter_figure
from convviz.model.transposed_steps import (
    as_correlation,
    correlation_matrix,
    padding_high,
    transpose_inputs,
    transpose_table,
)

X_BOOK = np.array([[[0.0, 1.0], [2.0, 3.0]]], np.float32)  # d2l 13.10's X and K, one channel each
K_BOOK = X_BOOK[np.newaxis].copy()  # (1, 1, 2, 2)


def d2l_trans_conv(X: np.ndarray, K: np.ndarray, stride: int = 1) -> np.ndarray:
    """d2l's `trans_conv` loop for one channel, with its stride: Y[i:i+k, j:j+k] += X[i, j] * K."""
    h, w = X.shape
    k_h, k_w = K.shape
    Y = np.zeros(((h - 1) * stride + k_h, (w - 1) * stride + k_w))
    for i, j in itertools.product(range(h), range(w)):
        Y[i * stride : i * stride + k_h, j * stride : j * stride + k_w] += X[i, j] * K
    return Y


def loop_reference(X: np.ndarray, K: np.ndarray, stride: tuple[int, int], padding: tuple[int, int]) -> np.ndarray:
    """Every channel pair scattered cell by cell, in plain Python numbers, then cropped."""
    c_in, h, w = X.shape
    _, c_out, k_h, k_w = K.shape
    (s_h, s_w), (p_h, p_w) = stride, padding
    full = np.zeros((c_out, (h - 1) * s_h + k_h, (w - 1) * s_w + k_w))
    for c, o, i, j, a, b in itertools.product(range(c_in), range(c_out), range(h), range(w), range(k_h), range(k_w)):
        full[o, i * s_h + a, j * s_w + b] += float(X[c, i, j]) * float(K[c, o, a, b])
    return full[:, p_h : full.shape[1] - p_h, p_w : full.shape[2] - p_w]


def test_the_books_answers():
    np.testing.assert_array_equal(corr2d_transpose(X_BOOK, K_BOOK).numpy()[0], [[0, 0, 1], [0, 4, 6], [4, 12, 9]])
    np.testing.assert_array_equal(corr2d_transpose(X_BOOK, K_BOOK, padding=1).numpy()[0], [[4]])
    np.testing.assert_array_equal(corr2d_transpose(X_BOOK, K_BOOK, stride=2).numpy()[0],
                                  [[0, 0, 0, 1], [0, 0, 2, 3], [0, 2, 0, 3], [4, 6, 6, 9]])
    np.testing.assert_array_equal(corr2d_transpose(X_BOOK, K_BOOK).numpy()[0], d2l_trans_conv(X_BOOK[0], K_BOOK[0, 0]))


def test_it_undoes_the_shape_of_a_convolution_as_the_book_shows():
    """d2l: a 16×16 picture convolved (k 5, padding 2, stride 3) and transposed back has its shape again."""
    X = np.random.default_rng(0).standard_normal((10, 16, 16)).astype(np.float32)
    K = np.random.default_rng(1).standard_normal((20, 10, 5, 5)).astype(np.float32)
    Y = corr2d_multi_in_out(X, K, padding=2, stride=3).numpy()
    back = corr2d_transpose(Y, K, padding=2, stride=3).numpy()  # K (c_o, c_i) of the convolution is (c_i, c_o) here
    assert back.shape == X.shape


@st.composite
def layers(draw):
    c_in, c_out = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    h, w, k_h, k_w = (draw(st.integers(1, 5)) for _ in range(4))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = (draw(st.integers(0, 3)), draw(st.integers(0, 3)))
    X = np.array(draw(st.lists(st.integers(-9, 9), min_size=c_in * h * w, max_size=c_in * h * w)), np.float32)
    K = np.array(draw(st.lists(st.integers(-3, 3), min_size=c_in * c_out * k_h * k_w,
                               max_size=c_in * c_out * k_h * k_w)), np.float32)
    return X.reshape(c_in, h, w), K.reshape(c_in, c_out, k_h, k_w), stride, padding


@settings(max_examples=80, deadline=None)
@given(layers())
def test_any_layer_agrees_with_the_loops_and_tensorflows_op_and_the_step_table(drawn):
    X, K, stride, padding = drawn
    full_h, full_w = (X.shape[1] - 1) * stride[0] + K.shape[2], (X.shape[2] - 1) * stride[1] + K.shape[3]
    if full_h - 2 * padding[0] < 1 or full_w - 2 * padding[1] < 1:
        with pytest.raises(ValueError, match="crops away the whole"):
            corr2d_transpose(X, K, stride=stride, padding=padding)
        return
    Y = corr2d_transpose(X, K, stride=stride, padding=padding).numpy()
    np.testing.assert_allclose(Y, loop_reference(X, K, stride, padding), atol=1e-4)
    if padding == (0, 0) and X.shape[0] == K.shape[1] == 1 and stride[0] == stride[1]:
        np.testing.assert_allclose(Y[0], d2l_trans_conv(X[0], K[0, 0], stride[0]), atol=1e-4)
    # TensorFlow's op straight, with its own 'SAME'-free explicit shape: the full output, cropped here
    table = transpose_table(X, K, stride=stride, padding=padding)
    np.testing.assert_allclose(table.output_maps(), Y, atol=1e-4)
    same = as_correlation(table)  # the same numbers as a correlation of Z with F ...
    np.testing.assert_allclose(corr2d_multi_in_out(same.Z, same.F).numpy(), Y, atol=1e-4)
    C = correlation_matrix(table)  # ... and as Cᵀ·vec(X)
    np.testing.assert_allclose((C.T @ X.reshape(-1)).reshape(Y.shape), Y, atol=1e-4)
    # C is the ordinary correlation it is the transpose of: C·vec(V) = corr(V, K) with stride s, padding p
    V = np.random.default_rng(0).standard_normal(Y.shape).astype(np.float32)
    if V.shape[1] + 2 * padding[0] >= K.shape[2] and V.shape[2] + 2 * padding[1] >= K.shape[3]:
        forward = corr2d_multi_in_out(V, K, stride=stride, padding=padding).numpy()  # K as (c_o'=c_i, c_i'=c_o)
        h, w = min(forward.shape[1], X.shape[1]), min(forward.shape[2], X.shape[2])
        np.testing.assert_allclose((C @ V.reshape(-1)).reshape(X.shape)[:, :h, :w], forward[:, :h, :w], atol=1e-4)


def test_tensorflows_own_op_gives_the_same_full_output():
    rng = np.random.default_rng(3)
    X, K = rng.standard_normal((2, 3, 4)).astype(np.float32), rng.standard_normal((2, 3, 3, 2)).astype(np.float32)
    full = tf.nn.conv2d_transpose(X.transpose(1, 2, 0)[None], K.transpose(2, 3, 1, 0), output_shape=(1, 7, 8, 3),
                                  strides=2, padding="VALID").numpy()[0].transpose(2, 0, 1)
    np.testing.assert_allclose(corr2d_transpose(X, K, stride=2).numpy(), full, atol=1e-5)
    np.testing.assert_allclose(corr2d_transpose(X, K, stride=2, padding=1).numpy(), full[:, 1:-1, 1:-1], atol=1e-5)


@pytest.mark.parametrize(("x_shape", "k_shape", "kwargs", "match"), [
    ((2, 2), (1, 1, 2, 2), {}, "(c_i, h, w)"),
    ((1, 2, 2), (2, 1, 2, 2), {}, "K has 2 input channels but X has 1"),
    ((1, 0, 2), (1, 1, 2, 2), {}, "at least 1"),
    ((1, 2, 2), (1, 1, 2, 2), {"stride": 0}, "stride must be at least 1"),
    ((1, 2, 2), (1, 1, 2, 2), {"padding": 2}, "crops away the whole 3×3 output"),
])
def test_what_cannot_be_transposed_is_said_in_a_sentence(x_shape, k_shape, kwargs, match):
    with pytest.raises(ValueError, match=re.escape(match)):
        transpose_geometry(x_shape, k_shape, **kwargs)


# ---- the step table: the scatter, one input cell at a time ----


def test_each_step_adds_its_cells_block_and_the_running_sums_grow_to_y():
    X, K = transpose_inputs("integers", 2, 2, 3, 3, 2, seed=4)
    table = transpose_table(X, K, stride=2, padding=1)
    previous = np.zeros((2, 6, 6))
    for n in range(table.n_steps):
        i, j = divmod(n, 3)
        r, q = table.block_origin[n]
        assert (r, q) == (2 * i, 2 * j)
        now = np.nan_to_num(table.running[n])
        added = now - previous
        block = sum(X[c, i, j] * K[c] for c in range(2))  # (c_o, 2, 2): every input channel's share
        np.testing.assert_allclose(added[:, r : r + 2, q : q + 2], block)
        added[:, r : r + 2, q : q + 2] = 0
        assert not added.any()  # nothing lands outside the block
        np.testing.assert_allclose(table.products[n], X[:, i, j, None, None, None] * K)
        previous = now
    assert np.isnan(table.running[0][:, 2:, :]).all()  # cells nothing has reached yet are blank
    np.testing.assert_allclose(table.output_maps(), corr2d_transpose(X, K, stride=2, padding=1).numpy(), atol=1e-5)


def test_the_books_values_are_d2ls_example_and_the_others_are_seeded():
    X, K = transpose_inputs("book", 1, 1, 2, 2, 2, seed=0)
    np.testing.assert_array_equal(X, X_BOOK)
    np.testing.assert_array_equal(K, K_BOOK)
    for kind in ("integers", "random"):
        first, again = transpose_inputs(kind, 2, 3, 3, 4, 3, 7), transpose_inputs(kind, 2, 3, 3, 4, 3, 7)
        assert first[0].shape == (2, 3, 4) and first[1].shape == (2, 3, 3, 3)
        np.testing.assert_array_equal(first[1], again[1])
        assert not np.array_equal(first[0], transpose_inputs(kind, 2, 3, 3, 4, 3, 8)[0])


@pytest.mark.parametrize(("h", "w", "k", "s"), itertools.product(range(1, 7), range(1, 7), range(1, 5), (1, 2, 3)))
def test_the_views_padding_bound_keeps_every_setting_drawable(h, w, k, s):
    high = padding_high(h, w, k, s)
    assert 0 <= high <= k - 1
    geo = transpose_geometry((1, h, w), (1, 1, k, k), stride=s, padding=high)  # never crops the whole output
    assert geo.out_h >= 1 and geo.out_w >= 1
    if high < k - 1:  # one more would crop everything
        with pytest.raises(ValueError):
            transpose_geometry((1, h, w), (1, 1, k, k), stride=s, padding=high + 1)


def test_the_added_zeros_are_the_stride_gaps_and_the_border():
    X, K = transpose_inputs("book", 1, 1, 2, 3, 3, 0)
    same = as_correlation(transpose_table(X, K, stride=2, padding=1))
    assert same.Z.shape == (1, 3 + 2, 5 + 2)  # (h-1)·s + 1 = 3 rows spread, k - 1 - p = 1 zero each side
    np.testing.assert_array_equal(same.Z[0, 1:4:2, 1:6:2], X[0])  # X's cells, s apart
    assert same.real.sum() == X.size and (same.Z[~same.real] == 0).all()
    np.testing.assert_array_equal(same.F[0, 0], K[0, 0, ::-1, ::-1])


# ---- the figures ----


def _validate(figure: dict) -> None:
    import plotly.graph_objects as go

    go.Figure({k: v for k, v in figure.items() if k != "frames"})  # raises on anything Plotly does not know
    for frame in figure.get("frames", [])[:2]:
        go.Frame(frame)


@pytest.mark.parametrize("room", [Room(), Room(390, 700), Room(1800, 900, present=True), Room(360, 640, zoom=2.0)])
@pytest.mark.parametrize(("c_in", "c_out", "h", "w", "k", "s", "p"), [(1, 1, 2, 2, 2, 1, 0), (2, 3, 3, 4, 3, 2, 1),
                                                                     (3, 3, 6, 6, 4, 3, 3), (1, 2, 1, 1, 1, 1, 0)])
def test_the_scatter_figure_plays_each_cell_into_its_block(room, c_in, c_out, h, w, k, s, p):
    X, K = transpose_inputs("random", c_in, c_out, h, w, k, 1)
    table = transpose_table(X, K, stride=s, padding=p)
    figure = scatter_figure(table, decimals=2, room=room)
    _validate(figure)
    meta = figure["layout"]["meta"]
    assert meta["n_steps"] == len(figure["frames"]) == h * w and meta["out_w"] == w
    assert "input cell" in meta["step_label"]
    assert figure["layout"]["width"] <= room.width + 1 or room.narrow
    inputs = [figure["data"][int(i)] for i in meta["output_traces"]]  # a click on an input cell goes to its step
    np.testing.assert_allclose(np.array([t["z"] for t in inputs], float), np.round(X, 2))
    last = figure["frames"][-1]
    running = [np.array(d["z"], float) for d in last["data"] if d["type"] == "heatmap"][-c_out:]
    np.testing.assert_allclose(np.array(running), np.round(table.full_maps(), 2), atol=0.011)
    written = last["data"][-1]["text"][-c_out:]
    i, j = h - 1, w - 1
    assert all(f"{X[c, i, j]:.2f}·K[{c},{o}]" in written[o] for o in range(c_out) for c in range(c_in))
    shapes = last["layout"]["shapes"]
    assert (shapes[2]["path"] == "M0,0") == (p == 0)  # the kept part is outlined when padding crops
    # From the first step, each output map's whole extent is drawn (pending grey under the cells not reached yet).
    first = figure["layout"]["shapes"]
    pending = [shape for shape in first if shape.get("fillcolor") == style.PENDING_FILL]
    assert len(pending) == 1 and pending[0]["layer"] == "below"
    rects = re.findall(r"M([-\d.]+),([-\d.]+)H([-\d.]+)V([-\d.]+)H[-\d.]+Z", pending[0]["path"])
    full_h, full_w = table.full_maps().shape[1:]
    assert len(rects) == c_out
    for x0, y0, x1, y1 in rects:
        assert (float(x1) - float(x0), float(y1) - float(y0)) == (full_w, full_h)
    at_first = np.array([d["z"] for d in figure["frames"][0]["data"] if d["type"] == "heatmap"][-1], float)
    assert np.isnan(at_first).sum() == full_h * full_w - k * k  # only the first block is filled in


def test_the_correlation_and_matrix_figures_show_the_same_y():
    X, K = transpose_inputs("integers", 2, 1, 2, 3, 3, 0)
    table = transpose_table(X, K, stride=2, padding=1)
    Y = table.output_maps()
    for room in (Room(), Room(390, 700)):
        figure = correlation_figure(table, decimals=0, room=room)
        _validate(figure)
        shown = [np.array(d["z"], float) for d in figure["data"] if d.get("coloraxis") == "coloraxis2"]
        np.testing.assert_array_equal(np.array(shown), Y)
    assert matrix_fits(table)
    C = correlation_matrix(table)
    figure = matrix_figure(C, X.reshape(-1), C.T @ X.reshape(-1), decimals=0)
    _validate(figure)
    np.testing.assert_array_equal(np.array(figure["data"][2]["z"], float)[:, 0], Y.reshape(-1))
    big = transpose_table(*transpose_inputs("integers", 3, 3, 6, 6, 4, 0), stride=3)
    assert not matrix_fits(big)


def test_cells_between_the_blocks_of_a_long_stride_are_zeros_from_the_start():
    X, K = [[[1, 2]]], [[[[5]]]]  # 1×2 input, 1×1 kernel, stride 3: Y = [5, 0, 0, 10]
    table = transpose_table(X, K, stride=3)
    np.testing.assert_array_equal(table.running[0][0], [[5, 0, 0, np.nan]])  # the gap is 0; the last block is to come
    np.testing.assert_array_equal(table.running[-1][0], [[5, 0, 0, 10]])
