"""The step model: each animation step's window, products and sums add up to the real layer's output."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from convviz.core.correlation import corr2d_multi_in_out
from convviz.model.steps import step_table

ATOL, RTOL = 1e-4, 1e-5  # float32 sums of at most c_i·k_h·k_w products of numbers in [-4, 4]
FAST = settings(max_examples=50, deadline=None)  # deadline=None: the first TensorFlow call takes seconds
VALUES = st.floats(-4, 4, width=32, allow_subnormal=False)

# The chapter's two-channel example.
X2_BOOK = np.stack([np.arange(9).reshape(3, 3), np.arange(9).reshape(3, 3) + 1])  # (2, 3, 3)
K2_BOOK = np.stack([[[0, 1], [2, 3]], [[1, 2], [3, 4]]])  # (2, 2, 2)


@st.composite
def small_settings(draw):
    """Small layers where the kernel fits, with rectangular stride/padding/dilation and an optional bias."""
    c_i, c_o = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    k_h, k_w = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    h, w = (
        draw(st.integers(max(1, d * (k - 1) + 1 - 2 * p), max(1, d * (k - 1) + 1 - 2 * p) + 5))
        for k, p, d in ((k_h, padding[0], dilation[0]), (k_w, padding[1], dilation[1]))
    )
    X = draw(arrays(np.float32, (c_i, h, w), elements=VALUES))
    K = draw(arrays(np.float32, (c_o, c_i, k_h, k_w), elements=VALUES))
    bias = draw(st.none() | arrays(np.float32, (c_o,), elements=VALUES))
    return X, K, bias, {"stride": stride, "padding": padding, "dilation": dilation}


def tf_output_hw(X, K, *, stride, padding, dilation) -> tuple[int, int]:
    """(h_o, w_o) of tf.nn.conv2d for the same setting: an outside count of the steps."""
    Y = tf.nn.conv2d(
        np.asarray(X, np.float32).transpose(1, 2, 0)[np.newaxis],
        np.asarray(K, np.float32).transpose(2, 3, 1, 0),
        strides=[1, *stride, 1],
        padding=[[0, 0], [padding[0]] * 2, [padding[1]] * 2, [0, 0]],
        dilations=[1, *dilation, 1],
    )  # (1, h_o, w_o, c_o)
    return Y.shape[1], Y.shape[2]


@FAST
@given(small_settings())
def test_partial_sums_plus_bias_rebuild_the_core_output(setting):
    X, K, bias, geometry = setting
    table = step_table(X, K, bias, **geometry)
    Y = corr2d_multi_in_out(X, K, bias, **geometry).numpy()  # (c_o, h_o, w_o)
    b = np.zeros(K.shape[0]) if bias is None else bias
    rebuilt = table.partial_sums.sum(axis=2) + b  # (n, c_o): what the animation adds up on screen
    # The numbers the student watches being added give exactly the layer's output, position by position.
    np.testing.assert_allclose(rebuilt.T.reshape(Y.shape), Y, rtol=RTOL, atol=ATOL)
    # The assembled maps are the core output too (same order of positions and channels).
    np.testing.assert_allclose(table.output_maps(), Y, rtol=RTOL, atol=ATOL)
    # Each partial sum is the sum of the products shown for that channel.
    np.testing.assert_allclose(table.products.sum(axis=(3, 4)), table.partial_sums, rtol=RTOL, atol=ATOL)


@FAST
@given(small_settings())
def test_products_are_the_window_cells_times_the_kernel(setting):
    X, K, bias, geometry = setting
    table = step_table(X, K, bias, **geometry)
    (p_h, p_w) = geometry["padding"]
    # The padded input is X with a ring of zeros, p_h rows and p_w columns thick.
    X_pad = np.zeros((X.shape[0], X.shape[1] + 2 * p_h, X.shape[2] + 2 * p_w), np.float32)
    X_pad[:, p_h : p_h + X.shape[1], p_w : p_w + X.shape[2]] = X
    np.testing.assert_array_equal(table.X_padded, X_pad)
    for step in range(table.n_steps):
        rows, cols = table.window_cells(step)
        for o in range(K.shape[0]):
            for c in range(X.shape[0]):
                # What is highlighted under the kernel, times K[o, c], is what the step shows.
                expected = X_pad[c][np.ix_(rows, cols)] * K[o, c]
                np.testing.assert_allclose(table.products[step, o, c], expected, rtol=1e-6, atol=1e-6)


@FAST
@given(small_settings())
def test_windows_visit_positions_row_by_row_at_the_stride(setting):
    X, K, bias, geometry = setting
    table = step_table(X, K, bias, **geometry)
    (s_h, s_w), (d_h, d_w) = geometry["stride"], geometry["dilation"]
    h_o, w_o = tf_output_hw(X, K, **geometry)
    # One step per output cell, as many as TensorFlow's output has.
    assert table.n_steps == h_o * w_o
    expected_origins = [(i * s_h, j * s_w) for i in range(h_o) for j in range(w_o)]  # row-major
    # The window moves along a row by s_w, then down by s_h, starting at the top-left corner.
    assert [tuple(origin) for origin in table.window_origin] == expected_origins
    # Step n computes output cell (n // w_o, n % w_o).
    assert [table.output_position(n) for n in range(table.n_steps)] == [(i, j) for i in range(h_o) for j in range(w_o)]
    for step in range(table.n_steps):
        rows, cols = table.window_cells(step)
        # Dilation spreads the touched cells d apart ...
        assert np.all(np.diff(rows) == d_h) and np.all(np.diff(cols) == d_w)
        # ... and every touched cell is inside the padded input.
        assert rows[-1] < table.X_padded.shape[1] and cols[-1] < table.X_padded.shape[2]


def test_textbook_example_at_step_zero_and_at_the_last_step():
    table = step_table(X2_BOOK, K2_BOOK[np.newaxis])  # K (1, 2, 2, 2): one output channel
    # Step 0, channel 0: [[0, 1], [3, 4]] * [[0, 1], [2, 3]].
    np.testing.assert_array_equal(table.products[0, 0, 0], [[0, 1], [6, 12]])
    # Step 0, channel 1: [[1, 2], [4, 5]] * [[1, 2], [3, 4]].
    np.testing.assert_array_equal(table.products[0, 0, 1], [[1, 4], [12, 20]])
    # Their sums 19 and 37 add to the book's 56.
    np.testing.assert_array_equal(table.partial_sums[0, 0], [19, 37])
    assert table.outputs[0, 0] == 56
    # Last step (window at row 1, col 1): 43 + 77 = 120, the book's bottom-right value.
    assert table.window_origin[3].tolist() == [1, 1]
    np.testing.assert_array_equal(table.partial_sums[3, 0], [43, 77])
    # The four steps assemble the printed answer.
    np.testing.assert_array_equal(table.output_maps(), [[[56, 72], [104, 120]]])


def test_bias_is_stored_and_added_at_every_step():
    K3 = np.stack([K2_BOOK, K2_BOOK + 1, K2_BOOK + 2])  # (3, 2, 2, 2)
    without = step_table(X2_BOOK, K3)
    with_bias = step_table(X2_BOOK, K3, [1, -2, 3])
    # No bias is shown as zeros, a given bias is kept as float numbers.
    np.testing.assert_array_equal(without.bias, [0, 0, 0])
    np.testing.assert_array_equal(with_bias.bias, [1, -2, 3])
    # The bias changes outputs by bias[o] but leaves the products and partial sums alone.
    np.testing.assert_array_equal(with_bias.outputs - without.outputs, np.tile([1, -2, 3], (4, 1)))
    np.testing.assert_array_equal(with_bias.partial_sums, without.partial_sums)


def test_step_table_refuses_bad_bias_and_channel_mismatch():
    K3 = np.stack([K2_BOOK, K2_BOOK + 1, K2_BOOK + 2])  # (3, 2, 2, 2)
    # A bias for 2 channels when the layer has 3 is named.
    with pytest.raises(ValueError, match=r"one number per output channel, 3 in all, but has shape \(2,\)"):
        step_table(X2_BOOK, K3, [1, 2])
    # A kernel for 3 input channels on a 2-channel input is named.
    with pytest.raises(ValueError, match=r"X has 2 input channel.*K expects 3"):
        step_table(X2_BOOK, np.ones((1, 3, 2, 2)))


def test_the_figure_refuses_an_output_channel_that_does_not_exist():
    from convviz.figures.animation import animation_figure

    table = step_table(np.ones((1, 3, 3)), np.ones((2, 1, 2, 2)))
    with pytest.raises(ValueError, match=r"Output channel 2 does not exist: there are 2 \(0 to 1\)"):
        animation_figure(table, 2, decimals=0)


@settings(max_examples=25, deadline=None)
@given(st.sampled_from([(4, 2, 2), (6, 3, 3), (4, 8, 4), (2, 2, 1)]), st.integers(0, 2), st.integers(1, 2))
def test_a_grouped_step_table_adds_up_to_the_grouped_layer(channels, padding, stride):
    c_in, c_out, groups = channels
    rng = np.random.default_rng(c_in * 10 + c_out)
    X = rng.integers(-3, 4, (c_in, 5, 6)).astype(np.float32)
    K = rng.integers(-2, 3, (c_out, c_in // groups, 3, 2)).astype(np.float32)  # (c_o, c_i/g, k_h, k_w)
    table = step_table(X, K, stride=stride, padding=padding, groups=groups)
    expected = corr2d_multi_in_out(X, K, stride=stride, padding=padding, groups=groups).numpy()
    np.testing.assert_allclose(table.output_maps(), expected, atol=1e-4)
    for o in range(c_out):  # channels outside o's group add nothing
        unseen = [c for c in range(c_in) if c not in table.geometry.input_channels(o)]
        assert np.all(table.partial_sums[:, o, unseen] == 0)
