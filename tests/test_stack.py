"""Stacked layers (convviz/core/stacking.py, model/stack_steps.py, figures/stack.py): the one composed kernel against
running the layers with TensorFlow's own conv2d, the receptive field against which input cells really reach an
output cell, and the view's figures."""

from __future__ import annotations

import re

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st

from convviz.core.stacking import Layer, compose_kernels, composed_layer, dilated_dense, field_rows, receptive_field
from convviz.figures.animation import Room
from convviz.figures.stack import kernel_figure, stack_figure
from convviz.model.stack_steps import composed, field_formula, stack_inputs, stack_table, steps_count


def tf_layer(X: np.ndarray, K: np.ndarray, stride: int = 1, padding: int = 0, dilation: int = 1) -> np.ndarray:
    """One layer with TensorFlow's own op: X (c_i, h, w), K (c_o, c_i, k, k) -> (c_o, h_o, w_o)."""
    Y = tf.nn.conv2d(X.transpose(1, 2, 0)[None], K.transpose(2, 3, 1, 0), strides=stride,
                     padding=[[0, 0], [padding, padding], [padding, padding], [0, 0]], dilations=dilation)
    return Y.numpy()[0].transpose(2, 0, 1)


@st.composite
def rows_of_layers(draw, paddings: bool = False):
    count = draw(st.integers(2, 3))
    c = draw(st.integers(1, 3))
    layers = [Layer(draw(st.integers(1, 3)), draw(st.integers(1, 4)), draw(st.integers(1, 2)),
                    draw(st.integers(0, 2)) if paddings or n == 0 else 0, draw(st.integers(1, 2)))
              for n in range(count)]
    h, w = draw(st.integers(4, 14)), draw(st.integers(4, 14))
    X, kernels = stack_inputs(draw(st.sampled_from(["integers", "random"])), c, h, w, layers, draw(st.integers(0, 99)))
    return X, layers, kernels


@settings(max_examples=60, deadline=None)
@given(rows_of_layers())
def test_the_one_layer_equals_running_the_row_with_tensorflow(drawn):
    X, layers, kernels = drawn
    if steps_count(X.shape[0], X.shape[1], X.shape[2], layers) == 0:
        with pytest.raises(ValueError, match="does not fit"):
            stack_table(X, layers, kernels)
        return
    Y = X
    for layer, K in zip(layers, kernels, strict=True):
        Y = tf_layer(Y, K, layer.stride, layer.padding, layer.dilation)
    table = stack_table(X, layers, kernels)
    np.testing.assert_allclose(table.maps[-1], Y, atol=1e-3)
    K, stride, padding = composed_layer(layers, kernels)
    assert K.shape[2:] == (receptive_field(layers),) * 2  # the one kernel is exactly the field's size
    np.testing.assert_allclose(tf_layer(X, K, stride, padding), Y, atol=1e-3 * max(1.0, float(np.abs(Y).max())))
    one = composed(table)
    assert one.exact and np.abs(one.difference).max() <= 1e-3 * max(1.0, float(np.abs(Y).max()))


def test_two_3x3_layers_are_one_5x5_layer_the_chapters_exercise():
    rng = np.random.default_rng(0)
    K1, K2 = rng.standard_normal((4, 3, 3, 3)), rng.standard_normal((2, 4, 3, 3))
    K = compose_kernels(K1, K2)
    assert K.shape == (2, 3, 5, 5)
    X = rng.standard_normal((3, 9, 9)).astype(np.float32)
    np.testing.assert_allclose(tf_layer(X, K), tf_layer(tf_layer(X, K1.astype(np.float32)), K2.astype(np.float32)),
                               atol=1e-4)
    assert compose_kernels(K1, K2, stride1=2).shape == (2, 3, 7, 7)  # (3 - 1)·2 + 3


@pytest.mark.parametrize(("K1", "K2", "stride", "match"), [
    (np.ones((2, 1, 3, 3)), np.ones((1, 3, 3, 3)), 1, "K2's c_i must be K1's c_o"),
    (np.ones((2, 3, 3)), np.ones((1, 2, 3, 3)), 1, "as (c_o, c_i, k_h, k_w)"),
    (np.ones((2, 1, 3, 3)), np.ones((1, 2, 3, 3)), 0, "at least 1"),
])
def test_kernels_that_cannot_compose_are_said_in_a_sentence(K1, K2, stride, match):
    with pytest.raises(ValueError, match=re.escape(match)):
        compose_kernels(K1, K2, stride1=stride)
    with pytest.raises(ValueError, match="at least 1"):
        dilated_dense(np.ones((1, 1, 2, 2)), 0)


@settings(max_examples=40, deadline=None)
@given(rows_of_layers(paddings=True), st.data())
def test_the_outlined_field_is_every_input_cell_that_reaches_the_output_cell(drawn, data):
    """With every kernel weight 1 nothing cancels: an input cell reaches an output cell exactly when a one there
    makes the output cell nonzero. The table's field is the smallest box around the cells that reach it (with
    dilation some cells inside it do not: the kernel's holes)."""
    X, layers, _ = drawn
    if steps_count(1, X.shape[1], X.shape[2], layers) == 0:
        return
    ones = [np.ones((layer.c_out, c, layer.k, layer.k), np.float32)
            for layer, c in zip(layers, [1, *(layer.c_out for layer in layers[:-1])], strict=True)]
    h, w = X.shape[1:]
    table = stack_table(np.zeros((1, h, w)), layers, ones)
    step = data.draw(st.integers(0, table.n_steps - 1))
    field = table.field(step)[0]
    i, j = divmod(step, table.maps[-1].shape[2])
    reached = []
    for r in range(h):
        for q in range(w):
            one_hot = np.zeros((1, h, w), np.float32)
            one_hot[0, r, q] = 1
            if stack_table(one_hot, layers, ones).maps[-1][0, i, j] > 0:
                reached.append((r, q))
    if field is None:
        assert reached == []
        return
    rows, cols = [r for r, _ in reached], [q for _, q in reached]
    assert field == ((min(rows), max(rows)), (min(cols), max(cols)))
    assert field[0][1] - field[0][0] + 1 <= receptive_field(layers)  # never more than the receptive field's side


def test_a_field_away_from_the_padding_is_the_receptive_fields_square():
    layers = [Layer(1, 3, 2), Layer(1, 3, 1, 0, 2)]  # r = 1 + 2 + 4·2 = 11
    assert field_rows(layers, 0, [20, 9]) == [(0, 10), (0, 4)]
    assert field_rows([Layer(1, 2), Layer(1, 1, 1, 1)], 0, [4, 3]) == [None, None]  # a cell of padding alone


def test_the_field_formula_is_written_with_the_layers_numbers():
    formula, size = field_formula([Layer(2, 3, 2), Layer(1, 3, 1, 0, 2), Layer(1, 2)])
    assert formula == "1 + (3 − 1) + ((3 − 1)·2 + 1 − 1)·2 + (2 − 1)·2·1"
    assert size == 1 + 2 + 4 * 2 + 1 * 2 == 13


def test_relu_between_the_layers_makes_the_one_layer_differ_where_negatives_were_cut():
    X, kernels = stack_inputs("random", 1, 7, 7, [Layer(2, 3), Layer(1, 3)], 0)
    linear = composed(stack_table(X, [Layer(2, 3), Layer(1, 3)], kernels))
    cut = composed(stack_table(X, [Layer(2, 3), Layer(1, 3)], kernels, relu=True))
    assert linear.exact and not cut.exact
    np.testing.assert_allclose(cut.Y, linear.Y, atol=1e-5)  # the one layer is the same linear map ...
    assert np.abs(cut.difference).max() > 0.1  # ... the row is not: ReLU cut the negative part of Y1
    Y1 = tf_layer(X, kernels[0])
    np.testing.assert_allclose(cut.difference + cut.Y, tf_layer(np.maximum(Y1, 0), kernels[1]), atol=1e-4)


def test_padding_after_the_first_layer_changes_only_the_border():
    layers = [Layer(1, 3), Layer(1, 3, 1, 1)]
    X, kernels = stack_inputs("integers", 1, 8, 8, layers, 3)
    one = composed(stack_table(X, layers, kernels))
    assert not one.exact
    assert np.abs(one.difference[:, 1:-1, 1:-1]).max() < 1e-3  # the interior never sees layer 2's padding
    assert np.abs(one.difference).max() > 0


# ---- the figures ----


def _validate(figure: dict) -> None:
    import plotly.graph_objects as go

    go.Figure({k: v for k, v in figure.items() if k != "frames"})
    for frame in figure.get("frames", [])[:2]:
        go.Frame(frame)


@pytest.mark.parametrize("room", [Room(), Room(320, 736), Room(1456, 784, present=True), Room(816, 384)])
@pytest.mark.parametrize("count", [2, 3])
def test_the_stack_figure_outlines_each_cells_field_in_every_map(room, count):
    layers = [Layer(2, 3, 2, 1), Layer(2, 3), Layer(1, 2)][:count]
    X, kernels = stack_inputs("integers", 2, 11, 11, layers, 1)
    table = stack_table(X, layers, kernels)
    figure = stack_figure(table, decimals=0, room=room)
    _validate(figure)
    meta = figure["layout"]["meta"]
    assert meta["n_steps"] == len(figure["frames"]) == table.n_steps
    assert figure["layout"]["width"] <= room.width + 1
    last = [figure["data"][int(i)] for i in meta["output_traces"]]
    np.testing.assert_array_equal(np.array([t["z"] for t in last], float), table.maps[-1])
    outline = figure["frames"][-1]["layout"]["shapes"][1]["path"]
    channels = sum(m.shape[0] for m in table.maps)
    assert outline.count("M") == channels  # one outline in every channel of every map
    assert meta["numbers"] == (meta["digit_px"] >= 9)


def test_a_cell_made_of_padding_alone_outlines_nothing_before_it():
    layers = [Layer(1, 1), Layer(1, 1, 1, 1)]  # the second layer's 1×1 kernel on its padding ring
    table = stack_table(np.ones((1, 3, 3)), layers, [np.ones((1, 1, 1, 1))] * 2)
    figure = stack_figure(table, decimals=0)
    assert figure["frames"][0]["layout"]["shapes"][1]["path"].count("M") == 1  # the cell itself, nothing else
    assert figure["frames"][6]["layout"]["shapes"][1]["path"].count("M") == 3  # the middle cell: in X and Y1 too


def test_the_kernel_figure_draws_the_difference_only_where_there_is_one():
    layers = [Layer(2, 3), Layer(1, 3)]
    X, kernels = stack_inputs("integers", 1, 7, 7, layers, 0)
    exact = kernel_figure(composed(stack_table(X, layers, kernels)), decimals=0)
    _validate(exact)
    assert len(exact["data"]) == 1 * 1  # K[0, 0] only
    for room in (Room(), Room(320, 736)):
        cut = kernel_figure(composed(stack_table(X, layers, kernels, relu=True)), decimals=0, room=room)
        _validate(cut)
        assert len(cut["data"]) == 2  # the kernel and Y[0]'s difference
