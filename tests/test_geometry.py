"""conv_geometry: output shape, parameter count and multiply-adds, checked against TensorFlow and the formulas."""

from __future__ import annotations

import math

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st

from convviz.core.geometry import as_pair, conv_geometry

FAST = settings(max_examples=60, deadline=None)  # deadline=None: the first TensorFlow call takes seconds


@st.composite
def shapes_and_settings(draw, fitting=True):
    """x_shape (c_i, h, w), k_shape (c_o, c_i, k_h, k_w) and rectangular stride/padding/dilation pairs."""
    c_i, c_o = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    k_h, k_w = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    stride = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    padding = (draw(st.integers(0, 3)), draw(st.integers(0, 3)))
    dilation = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    if fitting:
        sizes = [
            draw(st.integers(max(1, d * (k - 1) + 1 - 2 * p), 20))
            for k, p, d in ((k_h, padding[0], dilation[0]), (k_w, padding[1], dilation[1]))
        ]
    else:
        sizes = [draw(st.integers(1, 20)), draw(st.integers(1, 20))]
    h, w = sizes
    return (c_i, h, w), (c_o, c_i, k_h, k_w), {"stride": stride, "padding": padding, "dilation": dilation}


def textbook_out_size(size: int, k: int, s: int, p: int, d: int) -> int:
    """h_o = floor((h + 2p − d(k − 1) − 1) / s) + 1, written as in the book with a true division."""
    return math.floor((size + 2 * p - d * (k - 1) - 1) / s) + 1


def tf_output_shape(x_shape, k_shape, *, stride, padding, dilation) -> tuple[int, int, int]:
    """The (c_o, h_o, w_o) that tf.nn.conv2d produces for the same setting (NHWC, explicit padding)."""
    c_i, h, w = x_shape
    c_o, _, k_h, k_w = k_shape
    Y = tf.nn.conv2d(
        tf.zeros((1, h, w, c_i)),
        tf.zeros((k_h, k_w, c_i, c_o)),
        strides=[1, *stride, 1],
        padding=[[0, 0], [padding[0]] * 2, [padding[1]] * 2, [0, 0]],
        dilations=[1, *dilation, 1],
    )  # (1, h_o, w_o, c_o)
    return (Y.shape[3], Y.shape[1], Y.shape[2])


@FAST
@given(shapes_and_settings())
def test_output_shape_agrees_with_tf_nn_conv2d_and_the_formula(setting):
    x_shape, k_shape, geometry = setting
    geo = conv_geometry(x_shape, k_shape, **geometry)
    # TensorFlow's convolution produces exactly the shape we announce, rows and columns separately.
    assert geo.out_shape == tf_output_shape(x_shape, k_shape, **geometry)
    # And it is the book's formula, per axis.
    (s_h, s_w), (p_h, p_w), (d_h, d_w) = geometry["stride"], geometry["padding"], geometry["dilation"]
    assert geo.out_h == textbook_out_size(x_shape[1], k_shape[2], s_h, p_h, d_h)
    assert geo.out_w == textbook_out_size(x_shape[2], k_shape[3], s_w, p_w, d_w)


@FAST
@given(shapes_and_settings(fitting=False))
def test_refuses_exactly_the_settings_where_the_formula_gives_no_output(setting):
    x_shape, k_shape, geometry = setting
    (s_h, s_w), (p_h, p_w), (d_h, d_w) = geometry["stride"], geometry["padding"], geometry["dilation"]
    fits = (
        textbook_out_size(x_shape[1], k_shape[2], s_h, p_h, d_h) >= 1
        and textbook_out_size(x_shape[2], k_shape[3], s_w, p_w, d_w) >= 1
    )
    if fits:
        # A setting with at least one output cell per axis is accepted.
        assert conv_geometry(x_shape, k_shape, **geometry).n_positions >= 1
    else:
        # A kernel that overhangs the padded input is refused, with the reason in words.
        with pytest.raises(ValueError, match="The kernel does not fit"):
            conv_geometry(x_shape, k_shape, **geometry)


@FAST
@given(shapes_and_settings(), st.booleans())
def test_params_count_every_weight_and_one_bias_per_output_channel(setting, bias):
    x_shape, k_shape, geometry = setting
    geo = conv_geometry(x_shape, k_shape, bias=bias, **geometry)
    c_o, c_i, k_h, k_w = k_shape
    # One weight per number of K (c_o·c_i·k_h·k_w), plus c_o biases when there is a bias; stride etc. add nothing.
    assert geo.params == np.zeros(k_shape).size + (c_o if bias else 0)
    assert geo.params == c_o * c_i * k_h * k_w + (c_o if bias else 0)


@FAST
@given(shapes_and_settings())
def test_mult_adds_are_one_per_weight_per_output_value(setting):
    x_shape, k_shape, geometry = setting
    geo = conv_geometry(x_shape, k_shape, **geometry)
    c_o, h_o, w_o = tf_output_shape(x_shape, k_shape, **geometry)
    _, c_i, k_h, k_w = k_shape
    # Each of the c_o·h_o·w_o outputs takes c_i·k_h·k_w multiplications (output size from TensorFlow, not from us).
    assert geo.mult_adds == c_o * h_o * w_o * c_i * k_h * k_w


def test_textbook_two_channel_layer_costs():
    geo = conv_geometry((2, 3, 3), (3, 2, 2, 2), bias=True)
    # 3×3 input, 2×2 kernel: a 2×2 output per channel.
    assert geo.out_shape == (3, 2, 2)
    # 24 weights + 3 biases.
    assert geo.params == 27
    # 3 channels × 4 positions × 8 products.
    assert geo.mult_adds == 96


def test_padded_shape_span_and_positions_describe_the_window():
    geo = conv_geometry((1, 5, 7), (1, 1, 3, 2), stride=(2, 3), padding=(1, 2), dilation=(2, 3))
    # Zeros added on both sides: 5 + 2·1 rows, 7 + 2·2 columns.
    assert geo.padded_shape == (7, 11)
    # A dilated 3×2 kernel covers d(k − 1) + 1 = 5 rows and 4 columns.
    assert geo.span == (5, 4)
    # (7 − 5)//2 + 1 = 2 rows and (11 − 4)//3 + 1 = 3 columns of output: 6 window positions.
    assert (geo.out_h, geo.out_w, geo.n_positions) == (2, 3, 6)


def test_a_single_number_means_the_same_value_on_both_axes():
    # stride=2 is (2, 2); a pair keeps its (rows, cols) order; NumPy integers are whole numbers too.
    assert as_pair("stride", 2) == (2, 2)
    assert as_pair("stride", (1, 3)) == (1, 3)
    assert as_pair("stride", [np.int64(4), 5]) == (4, 5)
    assert conv_geometry((1, 6, 6), (1, 1, 2, 2), stride=2) == conv_geometry((1, 6, 6), (1, 1, 2, 2), stride=(2, 2))


@pytest.mark.parametrize(
    ("x_shape", "k_shape", "match"),
    [
        ((3, 3), (1, 1, 2, 2), r"X must have shape \(c_i, h, w\).*got shape \(3, 3\)"),
        ((1, 3, 3), (1, 2, 2), r"K must have shape \(c_o, c_i, k_h, k_w\).*got shape \(1, 2, 2\)"),
        ((1, 0, 3), (1, 1, 1, 1), r"X of shape \(1, 0, 3\) is empty"),
        ((1, 3, 3), (0, 1, 1, 1), r"K of shape \(0, 1, 1, 1\) is empty"),
        ((2, 3, 3), (1, 4, 1, 1), r"X has 2 input channel.*K expects 4"),
        ((1, 3, 3), (1, 1, 5, 1), r"height 5 with dilation 1 spans 5 cells, but the padded input is only 3 cells"),
    ],
)
def test_impossible_shapes_are_refused_with_the_numbers(x_shape, k_shape, match):
    # Each message quotes the offending shape or sizes so the student can see what to change.
    with pytest.raises(ValueError, match=match):
        conv_geometry(x_shape, k_shape)


# ---- groups ----


@FAST
@given(shapes_and_settings(), st.integers(1, 4), st.integers(1, 3), st.booleans())
def test_a_grouped_layer_counts_c_o_times_c_i_over_g_weights_per_position(setting, groups, per_group, bias):
    x_shape, k_shape, geometry = setting
    c_i = groups * per_group  # c_i and c_o made multiples of g
    c_o = groups * k_shape[0]
    k_h, k_w = k_shape[2:]
    geo = conv_geometry((c_i, *x_shape[1:]), (c_o, c_i // groups, k_h, k_w), bias=bias, groups=groups, **geometry)
    ungrouped = conv_geometry((c_i, *x_shape[1:]), (c_o, c_i, k_h, k_w), bias=bias, **geometry)
    # Every weight of K (c_o, c_i/g, k_h, k_w) is one parameter; the bias is still one per output channel.
    assert geo.params == c_o * (c_i // groups) * k_h * k_w + (c_o if bias else 0)
    # Each output value reads c_i/g channels: g times fewer multiply-adds than the full layer, same output shape.
    assert geo.mult_adds * groups == ungrouped.mult_adds
    assert geo.out_shape == ungrouped.out_shape
    assert (geo.groups, geo.group_in, geo.group_out) == (groups, per_group, k_shape[0])


def test_depthwise_costs_worked_by_hand():
    # c_i = c_o = 4, 3×3 kernel, 8×8 input padded by 1: depthwise (g = 4) against the full layer.
    depthwise = conv_geometry((4, 8, 8), (4, 1, 3, 3), padding=1, groups=4, bias=True)
    full = conv_geometry((4, 8, 8), (4, 4, 3, 3), padding=1, bias=True)
    assert depthwise.params == 4 * 1 * 9 + 4 == 40  # against 4·4·9 + 4 = 148
    assert full.params == 148
    assert depthwise.mult_adds == 4 * 8 * 8 * 1 * 9 == 2304  # against 9216: g = 4 times fewer
    assert full.mult_adds == 9216


def test_each_output_channel_sees_the_input_channels_of_its_group():
    geo = conv_geometry((6, 4, 4), (4, 3, 1, 1), groups=2)  # 2 groups: inputs 0–2 → outputs 0–1, 3–5 → 2–3
    assert [list(geo.input_channels(o)) for o in range(4)] == [[0, 1, 2], [0, 1, 2], [3, 4, 5], [3, 4, 5]]
    assert list(conv_geometry((3, 4, 4), (2, 3, 1, 1)).input_channels(1)) == [0, 1, 2]  # one group: every channel
