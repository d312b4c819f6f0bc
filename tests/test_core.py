"""The four correlation functions against the textbook's numbers, tf.nn.conv2d, and a plain NumPy loop.

Shapes are channel-first as in the book: X (c_i, h, w), K (c_o, c_i, k_h, k_w), Y (c_o, h_o, w_o).
"""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from convviz.core.correlation import (
    convolve2d_multi_in_out,
    corr2d,
    corr2d_multi_in,
    corr2d_multi_in_out,
    corr2d_multi_in_out_1x1,
    dense_kernel,
)
from convviz.core.geometry import conv_geometry
from convviz.core.reference import corr2d_grouped_loop, corr2d_loop, corr2d_multi_in_loop, corr2d_multi_in_out_loop

# float32 sums of up to c_i*k_h*k_w products of numbers in [-4, 4] differ from float64 by well under 1e-4.
ATOL, RTOL = 1e-4, 1e-5
FAST = settings(max_examples=50, deadline=None)  # deadline=None: the first TensorFlow call takes seconds

# The chapter's example (d2l, "Multiple Input and Multiple Output Channels").
X_BOOK = np.array([[0, 1, 2], [3, 4, 5], [6, 7, 8]])
K_BOOK = np.array([[0, 1], [2, 3]])
X2_BOOK = np.stack([X_BOOK, X_BOOK + 1])  # (2, 3, 3)
K2_BOOK = np.stack([K_BOOK, K_BOOK + 1])  # (2, 2, 2): [[0,1],[2,3]] and [[1,2],[3,4]]
K3_BOOK = np.stack([K2_BOOK, K2_BOOK + 1, K2_BOOK + 2])  # (3, 2, 2, 2)


def pair(value) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else tuple(value)


def numpy_loop(X, K, bias=None, *, stride=1, padding=0, dilation=1, groups=1) -> np.ndarray:
    """Independent reference: Y[o, i, j] = bias[o] + sum over c, a, b of X_pad[c, i*s + a*d, j*s + b*d] * K[o, c, a, b].

    Plain Python loops in float64, written from the definition; X (c_i, h, w), K (c_o, c_i/g, k_h, k_w). With
    groups g, output channel o reads input channels first + c, c < c_i/g, where first = (o // (c_o/g)) · c_i/g.
    """
    X, K = np.asarray(X, np.float64), np.asarray(K, np.float64)
    (s_h, s_w), (p_h, p_w), (d_h, d_w) = pair(stride), pair(padding), pair(dilation)
    c_i, h, w = X.shape
    c_o, c_group, k_h, k_w = K.shape  # c_group = c_i/g
    X_pad = np.zeros((c_i, h + 2 * p_h, w + 2 * p_w))
    X_pad[:, p_h : p_h + h, p_w : p_w + w] = X
    h_o = (h + 2 * p_h - d_h * (k_h - 1) - 1) // s_h + 1
    w_o = (w + 2 * p_w - d_w * (k_w - 1) - 1) // s_w + 1
    Y = np.zeros((c_o, h_o, w_o))
    for o in range(c_o):
        for i in range(h_o):
            for j in range(w_o):
                total = 0.0 if bias is None else float(bias[o])
                first = (o // (c_o // groups)) * c_group  # the first input channel of o's group
                for c in range(c_group):
                    for a in range(k_h):
                        for b in range(k_w):
                            total += X_pad[first + c, i * s_h + a * d_h, j * s_w + b * d_w] * K[o, c, a, b]
                Y[o, i, j] = total
    return Y


def tf_conv2d(X, K, *, stride=1, padding=0, dilation=1) -> np.ndarray:
    """TensorFlow's own NHWC convolution with explicit padding, transposed back to (c_o, h_o, w_o).

    A K of depth c_i/g (K.shape[1]) makes TensorFlow run g groups, so this is the grouped reference too.
    """
    (s_h, s_w), (p_h, p_w), (d_h, d_w) = pair(stride), pair(padding), pair(dilation)
    Y = tf.nn.conv2d(
        np.asarray(X, np.float32).transpose(1, 2, 0)[np.newaxis],  # (1, h, w, c_i)
        np.asarray(K, np.float32).transpose(2, 3, 1, 0),  # (k_h, k_w, c_i/g, c_o)
        strides=[1, s_h, s_w, 1],
        padding=[[0, 0], [p_h, p_h], [p_w, p_w], [0, 0]],
        dilations=[1, d_h, d_w, 1],
    )  # (1, h_o, w_o, c_o)
    return Y.numpy()[0].transpose(2, 0, 1)


VALUES = st.floats(-4, 4, width=32, allow_subnormal=False)


@st.composite
def conv_settings(draw, max_channels=3, max_kernel=3, groups=1):
    """A setting where the kernel fits: rectangular stride/padding/dilation pairs, sometimes given as one int.

    With groups g, c_i and c_o are multiples of g (up to g·max_channels) and K is (c_o, c_i/g, k_h, k_w).
    """
    c_i, c_o = groups * draw(st.integers(1, max_channels)), groups * draw(st.integers(1, max_channels))
    k_h, k_w = draw(st.integers(1, max_kernel)), draw(st.integers(1, max_kernel))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    dilation = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    sizes = []
    for k, p, d in ((k_h, padding[0], dilation[0]), (k_w, padding[1], dilation[1])):
        smallest = max(1, d * (k - 1) + 1 - 2 * p)  # the padded input must be at least the kernel's span
        sizes.append(draw(st.integers(smallest, smallest + 6)))
    h, w = sizes
    X = draw(arrays(np.float32, (c_i, h, w), elements=VALUES))
    K = draw(arrays(np.float32, (c_o, c_i // groups, k_h, k_w), elements=VALUES))
    geometry = {}
    for name, value in (("stride", stride), ("padding", padding), ("dilation", dilation)):
        geometry[name] = value[0] if value[0] == value[1] and draw(st.booleans()) else value
    return X, K, geometry


# ---------------------------------------------------------------- the textbook's known answers


def test_corr2d_gives_the_textbook_answer():
    Y = corr2d(X_BOOK, K_BOOK)
    # 0·0 + 1·1 + 3·2 + 4·3 = 19, and so on: the chapter's printed result.
    np.testing.assert_array_equal(Y.numpy(), [[19, 25], [37, 43]])


def test_corr2d_multi_in_sums_the_two_channels_to_the_textbook_answer():
    Y = corr2d_multi_in(X2_BOOK, K2_BOOK)
    # The book's two-channel example: 19 + 37 = 56 in the top-left corner.
    np.testing.assert_array_equal(Y.numpy(), [[56, 72], [104, 120]])
    # Multi-input is the sum of the single-channel correlations, as the book defines it.
    per_channel = [corr2d(X2_BOOK[c], K2_BOOK[c]).numpy() for c in range(2)]
    np.testing.assert_array_equal(Y.numpy(), per_channel[0] + per_channel[1])


def test_corr2d_multi_in_out_stacks_one_multi_in_result_per_output_channel():
    Y = corr2d_multi_in_out(X2_BOOK, K3_BOOK)
    # K, K+1, K+2 stacked give three output channels, in that order.
    assert Y.shape == (3, 2, 2)
    # The first output channel is the two-channel answer printed in the book.
    np.testing.assert_array_equal(Y.numpy()[0], [[56, 72], [104, 120]])
    # Each output channel o is corr2d_multi_in with kernel K[o] (exact: small integers).
    for o in range(3):
        np.testing.assert_array_equal(Y.numpy()[o], corr2d_multi_in(X2_BOOK, K3_BOOK[o]).numpy())


def test_textbook_layer_has_ci_times_co_times_kh_times_kw_parameters():
    geo = conv_geometry(X2_BOOK.shape, K3_BOOK.shape)
    # c_i=2, c_o=3, 2x2 kernel: 2·3·2·2 = 24 weights, which is every number in K.
    assert geo.params == 2 * 3 * 2 * 2 == K3_BOOK.size


# ---------------------------------------------------------------- agreement with independent references


@FAST
@given(conv_settings())
def test_corr2d_multi_in_out_agrees_with_tf_nn_conv2d(setting):
    X, K, geometry = setting
    Y = corr2d_multi_in_out(X, K, **geometry)
    # Same numbers as TensorFlow's public convolution for any stride, padding and dilation, rectangular included.
    np.testing.assert_allclose(Y.numpy(), tf_conv2d(X, K, **geometry), rtol=RTOL, atol=ATOL)


@FAST
@given(conv_settings())
def test_corr2d_multi_in_out_agrees_with_a_plain_numpy_loop(setting):
    X, K, geometry = setting
    Y = corr2d_multi_in_out(X, K, **geometry)
    expected = numpy_loop(X, K, **geometry)
    # Shape and values match the definition written as loops: rows/cols are not swapped, padding is zeros.
    assert Y.shape == expected.shape
    np.testing.assert_allclose(Y.numpy(), expected, rtol=RTOL, atol=ATOL)


@FAST
@given(conv_settings(max_channels=1))
def test_corr2d_and_corr2d_multi_in_agree_with_a_plain_numpy_loop(setting):
    X, K, geometry = setting  # X (1, h, w), K (1, 1, k_h, k_w)
    expected = numpy_loop(X, K, **geometry)[0]
    # The single-channel function is the loop on one channel.
    np.testing.assert_allclose(corr2d(X[0], K[0, 0], **geometry).numpy(), expected, rtol=RTOL, atol=ATOL)
    # The multi-input function with one input channel gives the same map.
    np.testing.assert_allclose(corr2d_multi_in(X, K[0], **geometry).numpy(), expected, rtol=RTOL, atol=ATOL)


@FAST
@given(conv_settings())
def test_corr2d_multi_in_sums_single_channel_correlations(setting):
    X, K, geometry = setting
    Y = corr2d_multi_in(X, K[0], **geometry)
    expected = sum(corr2d(X[c], K[0, c], **geometry).numpy() for c in range(X.shape[0]))
    # The book's definition of multiple input channels: correlate channel by channel, then add.
    np.testing.assert_allclose(Y.numpy(), expected, rtol=RTOL, atol=ATOL)


def test_rectangular_stride_is_rows_then_columns():
    X = np.arange(5 * 6).reshape(1, 5, 6)
    K = np.ones((1, 1, 2, 2))
    # stride (1, 2): every row, every other column -> 4 rows of 3.
    assert corr2d_multi_in_out(X, K, stride=(1, 2)).shape == (1, 4, 3)
    # stride (2, 1): every other row, every column -> 2 rows of 5.
    assert corr2d_multi_in_out(X, K, stride=(2, 1)).shape == (1, 2, 5)
    # padding (0, 1) widens only the columns: 4 rows, 7 columns.
    assert corr2d_multi_in_out(X, K, padding=(0, 1)).shape == (1, 4, 7)


REFERENCE_CASES = [
    pytest.param({}, id="textbook"),
    pytest.param({"padding": 1}, id="padding"),
    pytest.param({"stride": (2, 1), "padding": (1, 0)}, id="rectangular-stride-padding"),
    pytest.param({"dilation": (1, 2), "padding": 1}, id="dilation"),
]


@pytest.mark.parametrize("geometry", REFERENCE_CASES)
def test_reference_loops_agree_with_the_core(geometry):
    rng = np.random.default_rng(7)
    X = rng.integers(-3, 4, (2, 5, 6)).astype(np.float32)
    K = rng.integers(-3, 4, (3, 2, 2, 2)).astype(np.float32)
    bias = np.array([0.5, -1.0, 2.0], np.float32)
    # The textbook's loop and the vectorized core compute the same layer (with bias).
    np.testing.assert_allclose(
        corr2d_multi_in_out_loop(X, K, bias, **geometry).numpy(),
        corr2d_multi_in_out(X, K, bias, **geometry).numpy(),
        rtol=RTOL,
        atol=ATOL,
    )
    # ... and the same multi-input and single-channel maps.
    np.testing.assert_allclose(
        corr2d_multi_in_loop(X, K[0], **geometry).numpy(), corr2d_multi_in(X, K[0], **geometry).numpy(), atol=ATOL
    )
    np.testing.assert_allclose(
        corr2d_loop(X[0], K[0, 0], **geometry).numpy(), corr2d(X[0], K[0, 0], **geometry).numpy(), atol=ATOL
    )


def test_reference_loop_gives_the_textbook_answer():
    # The loop form prints the book's numbers too, so it is a faithful copy of the chapter.
    np.testing.assert_array_equal(corr2d_multi_in_out_loop(X2_BOOK, K3_BOOK).numpy()[0], [[56, 72], [104, 120]])


# ---------------------------------------------------------------- groups


@st.composite
def grouped_settings(draw):
    """A grouped layer that fits: g = 1..4 groups of 1..2 input and 1..2 output channels each, any geometry."""
    groups = draw(st.integers(1, 4))
    X, K, geometry = draw(conv_settings(max_channels=2, groups=groups))
    return X, K, {**geometry, "groups": groups}


@FAST
@given(grouped_settings())
def test_grouped_layer_agrees_with_tf_nn_conv2d(setting):
    X, K, geometry = setting
    groups = geometry.pop("groups")
    # TensorFlow runs the same groups when the filter's depth is c_i/g: same numbers at every stride, padding, dilation.
    Y = corr2d_multi_in_out(X, K, groups=groups, **geometry)
    np.testing.assert_allclose(Y.numpy(), tf_conv2d(X, K, **geometry), rtol=RTOL, atol=ATOL)


@FAST
@given(grouped_settings(), st.data())
def test_grouped_layer_agrees_with_a_plain_numpy_loop(setting, data):
    X, K, geometry = setting
    bias = data.draw(st.none() | arrays(np.float32, (K.shape[0],), elements=VALUES))
    Y = corr2d_multi_in_out(X, K, bias, **geometry)
    expected = numpy_loop(X, K, bias, **geometry)
    # Output channel o reads only its group's c_i/g inputs; the group's outputs come in order; bias[o] on o.
    assert Y.shape == expected.shape
    np.testing.assert_allclose(Y.numpy(), expected, rtol=RTOL, atol=ATOL)


@FAST
@given(grouped_settings())
def test_a_grouped_layer_is_the_full_layer_with_zeros_outside_each_group(setting):
    X, K, geometry = setting
    dense = dense_kernel(K, geometry["groups"])
    # The hook for the step model: the (c_o, c_i, k_h, k_w) kernel with zero weights outside o's group.
    assert dense.shape == (K.shape[0], X.shape[0], *K.shape[2:])
    np.testing.assert_allclose(
        corr2d_multi_in_out(X, dense, **{k: v for k, v in geometry.items() if k != "groups"}).numpy(),
        corr2d_multi_in_out(X, K, **geometry).numpy(),
        rtol=RTOL,
        atol=ATOL,
    )


def test_dense_kernel_puts_each_output_channels_weights_on_its_own_group():
    K = np.arange(1, 5, dtype=np.float32).reshape(4, 1, 1, 1)  # c_o = 4, c_i/g = 1: a depthwise-like layer, g = 2
    dense = dense_kernel(K, 2)[:, :, 0, 0]  # (c_o, c_i) = (4, 2)
    # Outputs 0, 1 belong to group 0 (input 0); outputs 2, 3 to group 1 (input 1); zeros elsewhere.
    np.testing.assert_array_equal(dense, [[1, 0], [2, 0], [0, 3], [0, 4]])


def test_depthwise_layer_is_tf_nn_depthwise_conv2d():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((3, 7, 6)).astype(np.float32)
    K = rng.standard_normal((6, 1, 3, 3)).astype(np.float32)  # groups = c_i = 3, two outputs per input channel
    for geometry in ({"stride": 2, "padding": 1}, {"dilation": 2, "padding": 2}):
        s, p, d = geometry.get("stride", 1), geometry["padding"], geometry.get("dilation", 1)
        # depthwise_conv2d takes (k_h, k_w, c_i, multiplier): output channel c·m + j is input c with filter j.
        expected = tf.nn.depthwise_conv2d(
            X.transpose(1, 2, 0)[np.newaxis], K[:, 0].reshape(3, 2, 3, 3).transpose(2, 3, 0, 1),
            strides=[1, s, s, 1], padding=[[0, 0], [p, p], [p, p], [0, 0]], dilations=[d, d],
        ).numpy()[0].transpose(2, 0, 1)
        Y = corr2d_multi_in_out(X, K, groups=3, **geometry).numpy()
        np.testing.assert_allclose(Y, expected, rtol=RTOL, atol=ATOL)


def test_one_group_is_the_ungrouped_layer():
    # groups=1 is the default: the textbook example gives the book's numbers with or without it.
    np.testing.assert_array_equal(corr2d_multi_in_out(X2_BOOK, K3_BOOK, groups=1).numpy()[0], [[56, 72], [104, 120]])


def test_depthwise_textbook_channels_are_each_channels_own_correlation():
    Y = corr2d_multi_in_out(X2_BOOK, K2_BOOK[:, np.newaxis], groups=2).numpy()  # K (2, 1, 2, 2)
    # Each output is one input channel with its own kernel: 19 and 37 in the corners, never added to 56.
    np.testing.assert_array_equal(Y[0], corr2d(X2_BOOK[0], K2_BOOK[0]).numpy())
    np.testing.assert_array_equal(Y[1], corr2d(X2_BOOK[1], K2_BOOK[1]).numpy())
    assert Y[0, 0, 0] + Y[1, 0, 0] == 56


@pytest.mark.parametrize("geometry", REFERENCE_CASES)
def test_grouped_reference_loop_agrees_with_the_core(geometry):
    rng = np.random.default_rng(11)
    X = rng.integers(-3, 4, (4, 5, 6)).astype(np.float32)
    K = rng.integers(-3, 4, (6, 2, 2, 2)).astype(np.float32)  # groups = 2: 2 inputs and 3 outputs per group
    bias = np.array([0.5, -1.0, 2.0, 0.0, 1.0, -2.0], np.float32)
    # The loop form runs each group as its own multi-in-out layer; the core runs one grouped Conv2D.
    np.testing.assert_allclose(
        corr2d_grouped_loop(X, K, bias, groups=2, **geometry).numpy(),
        corr2d_multi_in_out(X, K, bias, groups=2, **geometry).numpy(),
        rtol=RTOL,
        atol=ATOL,
    )
    # Without a bias too, and a depthwise layer (groups = c_i = 4) is the loop on each channel alone.
    np.testing.assert_allclose(
        corr2d_grouped_loop(X, K[:4, :1], groups=4, **geometry).numpy(),
        np.stack([corr2d_loop(X[c], K[c, 0], **geometry).numpy() for c in range(4)]),
        rtol=RTOL,
        atol=ATOL,
    )


@pytest.mark.parametrize(
    ("x_channels", "k_shape", "groups", "match"),
    [
        (6, (4, 2, 3, 3), 4, r"groups=4, both channel counts must divide by 4, but c_i = 6 and c_o = 4"),
        (4, (6, 1, 3, 3), 4, r"groups=4, both channel counts must divide by 4, but c_i = 4 and c_o = 6"),
        (4, (4, 4, 3, 3), 2, r"groups=2, K needs c_i/g = 4/2 = 2 input channel\(s\) .* but K has 4 "
                             r"\(shape \(4, 4, 3, 3\) = \(c_o, c_i/g, k_h, k_w\)\)"),
        (3, (3, 1, 3, 3), 0, r"groups must be at least 1, but got 0"),
        (3, (3, 1, 3, 3), -3, r"groups must be at least 1, but got -3"),
        (3, (3, 1, 3, 3), 1.5, r"groups must be a whole number, but got 1.5"),
        (3, (3, 1, 3, 3), True, r"groups must be a whole number, but got True"),
        (2, (3, 2, 3, 3), 6, r"groups=6, both channel counts must divide by 6, but c_i = 2 and c_o = 3"),
    ],
)
def test_impossible_groups_are_refused_with_the_numbers(x_channels, k_shape, groups, match):
    # The message names the number of groups and the channel counts that do not divide, or K's wrong depth.
    with pytest.raises(ValueError, match=match):
        corr2d_multi_in_out(np.ones((x_channels, 5, 5)), np.ones(k_shape), groups=groups)
    with pytest.raises(ValueError, match=match):  # the loop form says the same
        corr2d_grouped_loop(np.ones((x_channels, 5, 5)), np.ones(k_shape), groups=groups)


def test_grouped_kernel_of_the_wrong_rank_names_the_grouped_axes():
    with pytest.raises(ValueError, match=r"expects K of shape \(c_o, c_i/g, k_h, k_w\).*3-D"):
        corr2d_multi_in_out(np.ones((2, 5, 5)), np.ones((2, 3, 3)), groups=2)


@pytest.mark.parametrize(
    ("K", "groups", "match"),
    [
        (np.ones((3, 1, 2, 2)), 2, r"groups=2, both channel counts must divide by 2, but c_i = 2 and c_o = 3"),
        (np.ones((2, 1, 2, 2)), 0, r"groups must be at least 1, but got 0"),
        (np.ones((2, 1, 2, 2)), 2.0, r"groups must be a whole number, but got 2.0"),
        (np.ones((2, 2, 2)), 2, r"dense_kernel expects K of shape \(c_o, c_i/g, k_h, k_w\)"),
    ],
)
def test_dense_kernel_refuses_what_no_grouped_layer_has(K, groups, match):
    with pytest.raises(ValueError, match=match):
        dense_kernel(K, groups)


# ---------------------------------------------------------------- bias


def test_bias_is_added_once_per_output_channel():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((2, 6, 5)).astype(np.float32)
    K = rng.standard_normal((3, 2, 3, 3)).astype(np.float32)
    bias = np.array([10.0, -2.5, 0.25], np.float32)
    with_bias = corr2d_multi_in_out(X, K, bias, padding=1).numpy()
    without = corr2d_multi_in_out(X, K, padding=1).numpy()
    for o in range(3):
        # Every position of channel o is shifted by bias[o] and by nothing else.
        np.testing.assert_allclose(with_bias[o] - without[o], np.full((6, 5), bias[o]), atol=1e-5)


@FAST
@given(conv_settings(), st.data())
def test_bias_agrees_with_the_numpy_loop(setting, data):
    X, K, geometry = setting
    bias = data.draw(arrays(np.float32, (K.shape[0],), elements=VALUES))
    # bias[o] enters output channel o, at every stride, padding and dilation.
    np.testing.assert_allclose(
        corr2d_multi_in_out(X, K, bias, **geometry).numpy(), numpy_loop(X, K, bias, **geometry), rtol=RTOL, atol=ATOL
    )


def test_bias_accepts_a_list_of_integers():
    Y = corr2d_multi_in_out(X2_BOOK, K3_BOOK, [1, 2, 3])
    # The book's first channel shifted by 1: an int list is read as numbers, not rejected.
    np.testing.assert_array_equal(Y.numpy()[0], [[57, 73], [105, 121]])


# ---------------------------------------------------------------- the 1x1 path


@st.composite
def one_by_one_settings(draw):
    c_i, c_o = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    h, w = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    X = draw(arrays(np.float32, (c_i, h, w), elements=VALUES))
    K = draw(arrays(np.float32, (c_o, c_i, 1, 1), elements=VALUES))
    geometry = {
        "stride": (draw(st.integers(1, 3)), draw(st.integers(1, 3))),
        "padding": (draw(st.integers(0, 2)), draw(st.integers(0, 2))),
        "dilation": (draw(st.integers(1, 3)), draw(st.integers(1, 3))),
    }
    return X, K, geometry


@FAST
@given(one_by_one_settings())
def test_1x1_matrix_product_equals_the_general_path(setting):
    X, K, geometry = setting
    Y_1x1 = corr2d_multi_in_out_1x1(X, K, **geometry)
    Y = corr2d_multi_in_out(X, K, **geometry)
    # Same shape (stride and padding handled the same way) ...
    assert Y_1x1.shape == Y.shape
    # ... and the same numbers, up to float32 rounding (the book compares with a tolerance too).
    np.testing.assert_allclose(Y_1x1.numpy(), Y.numpy(), rtol=RTOL, atol=ATOL)


def test_1x1_mixes_channels_at_each_pixel():
    X = np.stack([np.full((2, 2), 1.0), np.full((2, 2), 10.0)])  # (2, 2, 2)
    K = np.array([[1.0, 1.0], [2.0, -1.0]]).reshape(2, 2, 1, 1)
    Y = corr2d_multi_in_out_1x1(X, K).numpy()
    # Output channel 0 = 1·1 + 1·10 = 11 and channel 1 = 2·1 − 1·10 = −8 at every pixel.
    np.testing.assert_array_equal(Y, np.stack([np.full((2, 2), 11.0), np.full((2, 2), -8.0)]))


# ---------------------------------------------------------------- input types


def _small_ints():
    rng = np.random.default_rng(3)
    return rng.integers(-5, 6, (2, 5, 6)), rng.integers(-3, 4, (3, 2, 3, 3))  # int64 X (2,5,6), K (3,2,3,3)


CONVERSIONS = {
    "python-int-lists": lambda a: a.tolist(),
    "int64-arrays": lambda a: a.astype(np.int64),
    "bool-arrays": lambda a: a > 0,
    "tf-int32-tensors": lambda a: tf.constant(a, tf.int32),
    "tf-bool-tensors": lambda a: tf.constant(a > 0),
    "float64-arrays": lambda a: a.astype(np.float64),
    "uint8-arrays": lambda a: np.abs(a).astype(np.uint8),
}


def _as_number_array(converted) -> np.ndarray:
    return np.asarray(converted.numpy() if isinstance(converted, tf.Tensor) else converted).astype(np.int64)


FUNCTIONS = {
    # name: (function, X from (2,5,6), K from (3,2,3,3), the expected map from the multi-in-out loop result)
    "corr2d": (corr2d, lambda X: X[0], lambda K: K[0, 0], lambda Y: Y[0]),
    "corr2d_multi_in": (corr2d_multi_in, lambda X: X, lambda K: K[0], lambda Y: Y[0]),
    "corr2d_multi_in_out": (corr2d_multi_in_out, lambda X: X, lambda K: K, lambda Y: Y),
    "corr2d_multi_in_out_1x1": (corr2d_multi_in_out_1x1, lambda X: X, lambda K: K[:, :, :1, :1], lambda Y: Y),
}


@pytest.mark.parametrize("conversion", CONVERSIONS)
@pytest.mark.parametrize("function", FUNCTIONS)
def test_integer_and_bool_inputs_give_exact_float32_tensors(function, conversion):
    fn, pick_x, pick_k, pick_y = FUNCTIONS[function]
    convert = CONVERSIONS[conversion]
    X_int, K_int = _small_ints()
    X_in, K_in = convert(pick_x(X_int)), convert(pick_k(K_int))
    X_num, K_num = _as_number_array(X_in), _as_number_array(K_in)  # the numbers the caller meant
    X4 = X_num.reshape((1, *X_num.shape)) if X_num.ndim == 2 else X_num
    K4 = K_num.reshape((1,) * (4 - K_num.ndim) + K_num.shape)
    expected = pick_y(numpy_loop(X4, K4))
    Y = fn(X_in, K_in)
    # The result is a TensorFlow tensor in float32 whatever the input type.
    assert isinstance(Y, tf.Tensor)
    assert Y.dtype == tf.float32
    # Small integers are exact in float32: no rounding, no wrap-around, bools read as 0/1.
    np.testing.assert_array_equal(Y.numpy(), expected.astype(np.float32))


# ---------------------------------------------------------------- errors that name the problem


@pytest.mark.parametrize(
    ("fn", "x_shape", "k_shape", "match"),
    [
        (corr2d, (1, 3, 3), (2, 2), r"corr2d expects X of shape \(h, w\).*3-D array of shape \(1, 3, 3\)"),
        (corr2d, (3, 3), (2,), r"corr2d expects K of shape \(k_h, k_w\).*1-D array of shape \(2,\)"),
        (corr2d_multi_in, (3, 3), (1, 2, 2), r"corr2d_multi_in expects X of shape \(c_i, h, w\).*2-D"),
        (corr2d_multi_in, (1, 3, 3), (2, 2), r"corr2d_multi_in expects K of shape \(c_i, k_h, k_w\).*2-D"),
        (corr2d_multi_in_out, (3, 3), (1, 1, 2, 2), r"corr2d_multi_in_out expects X .*2-D.*shape \(3, 3\)"),
        (corr2d_multi_in_out, (1, 3, 3), (1, 2, 2), r"corr2d_multi_in_out expects K of shape \(c_o, c_i, k_h, k_w\)"),
        (corr2d_multi_in_out_1x1, (3, 3), (1, 1, 1, 1), r"corr2d_multi_in_out_1x1 expects X .*2-D"),
        (corr2d_multi_in_out_1x1, (1, 3, 3), (1, 1), r"corr2d_multi_in_out_1x1 expects K .*2-D"),
    ],
)
def test_wrong_rank_is_named_with_the_shape_received(fn, x_shape, k_shape, match):
    # The message says which function, which argument, the expected axes and the shape actually passed.
    with pytest.raises(ValueError, match=match):
        fn(np.ones(x_shape), np.ones(k_shape))


@pytest.mark.parametrize(
    ("fn", "X", "K"),
    [
        (corr2d_multi_in, np.ones((2, 4, 4)), np.ones((3, 2, 2))),
        (corr2d_multi_in_out, np.ones((2, 4, 4)), np.ones((5, 3, 2, 2))),
        (corr2d_multi_in_out_1x1, np.ones((2, 4, 4)), np.ones((5, 3, 1, 1))),
    ],
)
def test_disagreeing_channel_counts_are_named(fn, X, K):
    # Both counts appear: X has 2 input channels, K expects 3.
    with pytest.raises(ValueError, match=r"X has 2 input channel.*\(2, 4, 4\).*K expects 3"):
        fn(X, K)


def test_1x1_rejects_a_larger_kernel_and_names_its_size():
    # The 1x1 shortcut refuses a 2x3 kernel instead of silently using one weight of it.
    with pytest.raises(ValueError, match=r"needs a 1×1 kernel.*\(4, 2, 2, 3\).*2×3"):
        corr2d_multi_in_out_1x1(np.ones((2, 5, 5)), np.ones((4, 2, 2, 3)))


@pytest.mark.parametrize(
    ("geometry", "match"),
    [
        ({}, r"height 4 with dilation 1 spans 4 cells.*only 3 cells \(3 \+ 2·0\)"),
        ({"dilation": (1, 2), "padding": (1, 0)}, r"width 4 with dilation 2 spans 7 cells.*only 3 cells"),
    ],
)
def test_kernel_wider_than_the_padded_input_is_refused_with_its_span(geometry, match):
    # The message gives the kernel size, its dilation, the span and the padded size it does not fit in.
    with pytest.raises(ValueError, match=match):
        corr2d(np.ones((3, 3)), np.ones((4, 4)), **geometry)


def test_kernel_that_exactly_fills_the_padded_input_is_accepted():
    # span 4 == 2 + 2·1: the boundary case fits and gives one output cell.
    assert corr2d(np.ones((2, 2)), np.ones((4, 4)), padding=1).shape == (1, 1)


@pytest.mark.parametrize(
    ("geometry", "match"),
    [
        ({"stride": 0}, r"stride must be at least 1, but got \(0, 0\)"),
        ({"stride": (1, 0)}, r"stride must be at least 1, but got \(1, 0\)"),
        ({"stride": (-2, 1)}, r"stride must be at least 1, but got \(-2, 1\)"),
        ({"dilation": 0}, r"dilation must be at least 1, but got \(0, 0\)"),
        ({"dilation": (2, 0)}, r"dilation must be at least 1, but got \(2, 0\)"),
        ({"padding": -1}, r"padding cannot be negative, but got \(-1, -1\)"),
        ({"padding": (0, -2)}, r"padding cannot be negative, but got \(0, -2\)"),
        ({"stride": (1, 2, 3)}, r"stride must be one whole number or a \(rows, cols\) pair, but got \(1, 2, 3\)"),
        ({"padding": [1]}, r"padding must be one whole number or a \(rows, cols\) pair, but got \[1\]"),
        ({"dilation": 1.5}, r"dilation must be a whole number .* but got 1.5"),
        ({"stride": True}, r"stride must be a whole number .* but got True"),
    ],
)
@pytest.mark.parametrize("fn_name", ["corr2d_multi_in_out", "corr2d_multi_in_out_1x1"])
def test_bad_stride_padding_or_dilation_is_named(fn_name, geometry, match):
    fn = {"corr2d_multi_in_out": corr2d_multi_in_out, "corr2d_multi_in_out_1x1": corr2d_multi_in_out_1x1}[fn_name]
    # The message names the setting and repeats the value that was passed.
    with pytest.raises(ValueError, match=match):
        fn(np.ones((1, 5, 5)), np.ones((1, 1, 1, 1)), **geometry)


@pytest.mark.parametrize("bias", [[1.0, 2.0], [1.0, 2.0, 3.0, 4.0], [[1.0, 2.0, 3.0]], 1.0])
def test_bias_of_the_wrong_length_names_the_channel_count(bias):
    received = re.escape(str(np.asarray(bias).shape))
    # c_o = 3: the message says 3 are needed and gives the shape received.
    with pytest.raises(ValueError, match=rf"one number per output channel, 3 in all, but has shape {received}"):
        corr2d_multi_in_out(X2_BOOK, K3_BOOK, bias)


@pytest.mark.parametrize(
    ("value", "dtype_text"),
    [
        (np.ones((3, 3), np.complex128), "complex128"),
        (tf.ones((3, 3), tf.complex64), "complex64"),
        (np.array([["a", "b", "c"]] * 3), "<U1"),
        ([["a", "b", "c"]] * 3, "<U1"),
        (tf.constant([["a", "b", "c"]] * 3), "string"),
        (np.array([[None, 1, 2]] * 3, dtype=object), "object"),
    ],
)
@pytest.mark.parametrize("argument", ["X", "K", "bias"])
def test_non_real_dtypes_are_refused_with_the_argument_and_dtype(argument, value, dtype_text):
    X, K, bias = np.ones((1, 3, 3)), np.ones((1, 1, 2, 2)), None
    if argument == "X":
        X = tf.reshape(value, (1, 3, 3)) if isinstance(value, tf.Tensor) else np.reshape(np.asarray(value), (1, 3, 3))
    elif argument == "K":
        K = value  # a 3x3 of non-numbers, refused before its rank is looked at
    else:
        bias = value
    # The message names the argument and the dtype it found, e.g. "K must hold real numbers ... complex128".
    with pytest.raises(ValueError, match=rf"{argument} must hold real numbers, but its dtype is {dtype_text}"):
        corr2d_multi_in_out(X, K, bias)


@pytest.mark.parametrize("argument", ["X", "K"])
def test_ragged_lists_are_refused_as_not_rectangular(argument):
    ragged = [[1, 2, 3], [4, 5]]
    X, K = (ragged, [[1]]) if argument == "X" else ([[1, 2], [3, 4]], ragged)
    # NumPy's own complaint is wrapped in a sentence naming the argument.
    with pytest.raises(ValueError, match=rf"{argument} must be a rectangular array of numbers"):
        corr2d(X, K)


def test_empty_input_is_refused():
    # A zero-height image has nothing to correlate; the message says so instead of returning an empty tensor.
    with pytest.raises(ValueError, match=r"is empty: every size must be at least 1"):
        corr2d_multi_in_out(np.ones((1, 0, 3)), np.ones((1, 1, 1, 1)))


def test_half_precision_tensors_are_read_as_float32():
    # bfloat16 and float16 tensors (common in TF models) are real numbers too; small integers stay exact.
    for dtype in (tf.bfloat16, tf.float16):
        Y = corr2d(tf.constant([[0, 1, 2], [3, 4, 5], [6, 7, 8]], dtype=dtype), [[0, 1], [2, 3]])
        np.testing.assert_array_equal(Y.numpy(), [[19, 25], [37, 43]])


def test_numpy_pairs_work_like_tuples():
    # stride=np.array([1, 2]) means rows 1, cols 2, exactly as stride=(1, 2).
    X, K = np.arange(30).reshape(5, 6), np.ones((2, 2))
    np.testing.assert_array_equal(corr2d(X, K, stride=np.array([1, 2])).numpy(), corr2d(X, K, stride=(1, 2)).numpy())


def test_messages_quote_the_shapes_the_user_passed():
    # corr2d_multi_in adds an output axis inside; the message must still show the K the user gave, (3, 2, 2).
    with pytest.raises(ValueError, match=r"\(shape \(3, 2, 2\) = \(c_i, k_h, k_w\)\)"):
        corr2d_multi_in(np.ones((2, 4, 4)), np.ones((3, 2, 2)))
    with pytest.raises(ValueError, match=r"X of shape \(0, 3\) is empty"):
        corr2d(np.ones((0, 3)), [[1]])


def test_results_keep_their_memory_after_everything_else_is_freed():
    # The core hands TensorFlow NumPy buffers through DLPack; the tensor must own them, whatever is freed later.
    import gc

    rng = np.random.default_rng(7)
    results, expected = [], []
    for shape in [(1, 1, 1), (3, 8, 8), (5, 13, 7), (2, 31, 17)]:
        X = rng.standard_normal(shape).astype(np.float32)
        K = rng.standard_normal((4, shape[0], 1, 1)).astype(np.float32)
        results.append(corr2d_multi_in_out(X, K))
        expected.append(np.einsum("ocab,chw->ohw", K, X))  # a 1×1 kernel: a channel mix at every pixel
        del X, K
    gc.collect()
    clutter = [np.full(n, 9.0, np.float32) for n in (7, 300, 5000)]  # reuse of freed memory would show
    for Y, want in zip(results, expected, strict=True):
        np.testing.assert_allclose((Y + 0).numpy(), want, rtol=1e-5, atol=1e-5)
    del clutter  # alive until every result was read


def test_the_loop_forms_refuse_shapes_they_cannot_read():
    with pytest.raises(ValueError, match=r"corr2d_loop expects X \(h, w\) and K \(k_h, k_w\)"):
        corr2d_loop(np.zeros((2, 3, 3)), np.zeros((2, 2)))
    with pytest.raises(ValueError, match="X has 2 input channel\\(s\\) but K has 3"):
        corr2d_multi_in_loop(np.zeros((2, 3, 3)), np.zeros((3, 2, 2)))


# ---------------------------------------------------------------- true convolution (the kernel flipped)


def convolution_loop(X, K, *, stride=1, padding=0, dilation=1) -> np.ndarray:
    """Independent reference, from the definition of convolution: the kernel's index runs backwards,
    Y[o, i, j] = sum over c, a, b of X_pad[c, i*s + a*d, j*s + b*d] * K[o, c, k_h - 1 - a, k_w - 1 - b]."""
    X, K = np.asarray(X, np.float64), np.asarray(K, np.float64)
    (s_h, s_w), (p_h, p_w), (d_h, d_w) = pair(stride), pair(padding), pair(dilation)
    c_o, c_i, k_h, k_w = K.shape
    X_pad = np.pad(X, ((0, 0), (p_h, p_h), (p_w, p_w)))
    h_o = (X_pad.shape[1] - d_h * (k_h - 1) - 1) // s_h + 1
    w_o = (X_pad.shape[2] - d_w * (k_w - 1) - 1) // s_w + 1
    Y = np.zeros((c_o, h_o, w_o))
    for o, i, j, c, a, b in itertools.product(range(c_o), range(h_o), range(w_o), range(c_i), range(k_h),
                                              range(k_w)):
        Y[o, i, j] += X_pad[c, i * s_h + a * d_h, j * s_w + b * d_w] * K[o, c, k_h - 1 - a, k_w - 1 - b]
    return Y


def test_true_convolution_of_the_chapters_example():
    # X = 0..8 and K = [[0, 1], [2, 3]] flipped to [[3, 2], [1, 0]]: the top-left window 0·3 + 1·2 + 3·1 + 4·0 = 5.
    Y = convolve2d_multi_in_out(X_BOOK[None], K_BOOK[None, None])
    np.testing.assert_array_equal(Y.numpy()[0], [[5, 11], [23, 29]])
    assert not np.array_equal(Y.numpy()[0], corr2d(X_BOOK, K_BOOK).numpy())  # correlation gives 19, 25, 37, 43


@FAST
@given(conv_settings())
def test_true_convolution_agrees_with_its_definition_and_with_tf_on_the_flipped_kernel(setting):
    X, K, geometry = setting
    Y = convolve2d_multi_in_out(X, K, **geometry).numpy()
    np.testing.assert_allclose(Y, convolution_loop(X, K, **geometry), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(Y, tf_conv2d(X, np.asarray(tf.reverse(K, axis=[2, 3])), **geometry), rtol=RTOL,
                               atol=ATOL)


def test_true_convolution_names_its_own_kernel_shape_when_it_is_wrong():
    with pytest.raises(ValueError, match="convolve2d_multi_in_out"):
        convolve2d_multi_in_out(X2_BOOK, K2_BOOK)  # (c_i, k_h, k_w): one output channel's kernel, not a layer's
