"""The separable view's maths and figures, without Streamlit: both routes against tf.nn.conv2d, the counts and the
ratio 1/c_o + 1/k² worked by hand, and why route (b) is a restricted form of route (a)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import plotly.graph_objects as go
import pytest
import tensorflow as tf

from convviz.figures.separable import in_rows, kernels_figure, maps_figure, tiled
from convviz.model import mixing, separable


def tf_same_conv(X: np.ndarray, K: np.ndarray) -> np.ndarray:
    """tf.nn.conv2d, SAME padding (odd k: (k − 1)/2 each side), NHWC, back to (c_o, h, w); K (c_o, c_i/g, k, k)."""
    Y = tf.nn.conv2d(X.transpose(1, 2, 0)[np.newaxis].astype(np.float32),
                     K.transpose(2, 3, 1, 0).astype(np.float32), strides=1, padding="SAME")
    return Y.numpy()[0].transpose(2, 0, 1)


def setting(c_in=3, c_out=4, h=6, w=5, k=3, seed=0, preset="random"):
    X = mixing.input_image(c_in, h, w, seed)
    K, D = separable.kernels(c_in, c_out, k, seed)
    W = mixing.preset_matrix(preset, c_out, c_in, seed)
    return X, K, D, W


@pytest.mark.parametrize("k", separable.K_OPTIONS)
@pytest.mark.parametrize(("c_in", "c_out"), [(1, 1), (3, 4), (8, 2)])
def test_both_routes_give_what_tensorflow_computes(c_in, c_out, k):
    X, K, D, W = setting(c_in, c_out, k=k, seed=k)
    result = separable.separable_layers(X, K, D, W)
    # (a) is one full layer; (b) is TensorFlow's depthwise layer (filter depth 1: c_i groups) then W at every pixel.
    np.testing.assert_allclose(result.Y_full, tf_same_conv(X, K), atol=1e-4)
    Z = tf.nn.depthwise_conv2d(X.transpose(1, 2, 0)[np.newaxis].astype(np.float32),
                               D[:, 0].transpose(1, 2, 0)[..., np.newaxis].astype(np.float32),
                               strides=[1, 1, 1, 1], padding="SAME").numpy()[0].transpose(2, 0, 1)
    np.testing.assert_allclose(result.Z, Z, atol=1e-4)
    np.testing.assert_allclose(result.Y_sep, np.einsum("oc,chw->ohw", W, Z), atol=1e-4)
    assert result.Y_full.shape == result.Y_sep.shape == (c_out, 6, 5)  # both routes keep h×w


def test_route_b_is_the_full_layer_whose_kernel_is_w_times_d():
    X, K, D, W = setting()
    result = separable.separable_layers(X, K, D, W)
    # K[o, c] = W[o, c]·D[c], and that full layer gives (b)'s output.
    for o, c in [(0, 0), (3, 2), (1, 1)]:
        np.testing.assert_allclose(result.K_equivalent[o, c], W[o, c] * D[c, 0])
    np.testing.assert_allclose(tf_same_conv(X, result.K_equivalent), result.Y_sep, atol=1e-4)
    assert result.agrees
    # Each column of that kernel, as a (c_o × k²) matrix, has rank at most 1; (a)'s need not.
    for c in range(3):
        assert np.linalg.matrix_rank(result.K_equivalent[:, c].reshape(4, 9)) <= 1
    assert result.full_ranks == tuple(np.linalg.matrix_rank(K[:, c].reshape(4, 9)) for c in range(3))
    assert max(result.full_ranks) > 1  # so this (a) is out of (b)'s reach ...
    assert not np.allclose(result.Y_full, result.Y_sep)  # ... and the outputs differ


def test_when_a_has_the_restricted_form_the_two_routes_agree():
    X, _, D, W = setting()
    K = W[:, :, np.newaxis, np.newaxis] * D[np.newaxis, :, 0]  # (a) chosen as W[o, c]·D[c]
    result = separable.separable_layers(X, K, D, W)
    np.testing.assert_allclose(result.Y_full, result.Y_sep, atol=1e-4)
    assert max(result.full_ranks) <= 1  # its columns have rank at most 1, as (b)'s always do


def test_counts_and_ratio_worked_by_hand_for_four_channels_and_a_3x3_kernel():
    cost = separable.separable_cost(c_in=4, c_out=4, h=6, w=6, k=3)
    assert cost.full.params == 4 * 4 * 9 == 144  # c_o·c_i·k²
    assert cost.depthwise.params == 4 * 1 * 9 == 36  # c_i·k², groups = c_i
    assert cost.pointwise.params == 4 * 4 == 16  # c_o·c_i
    assert cost.params == 52
    assert (cost.full.mult_adds, cost.mult_adds) == (144 * 36, 52 * 36) == (5184, 1872)  # per pixel, 6·6 pixels
    # 1/c_o + 1/k² = 1/4 + 1/9 = 13/36, and the counts give exactly that: 52/144 = 1872/5184 = 13/36.
    assert cost.formula_ratio == Fraction(13, 36) == cost.params_ratio == cost.mult_adds_ratio
    assert cost.depthwise.groups == 4 and cost.depthwise.out_shape == (4, 6, 6)


@pytest.mark.parametrize("k", separable.K_OPTIONS)
@pytest.mark.parametrize(("c_in", "c_out"), [(1, 1), (3, 4), (8, 8), (5, 2)])
def test_the_counts_ratio_is_always_one_over_c_o_plus_one_over_k_squared(c_in, c_out, k):
    cost = separable.separable_cost(c_in, c_out, 7, 3, k)
    assert cost.params_ratio == cost.mult_adds_ratio == Fraction(1, c_out) + Fraction(1, k * k)


def test_kernels_are_whole_numbers_from_minus_one_to_one_and_follow_the_seed():
    K, D = separable.kernels(3, 4, 5, seed=7)
    assert K.shape == (4, 3, 5, 5) and D.shape == (3, 1, 5, 5)
    assert set(np.unique(np.concatenate([K.ravel(), D.ravel()]))) <= {-1.0, 0.0, 1.0}
    np.testing.assert_array_equal(K, separable.kernels(3, 4, 5, seed=7)[0])
    assert not np.array_equal(K, separable.kernels(3, 4, 5, seed=8)[0])


def test_tiles_sit_one_empty_cell_apart():
    blocks = np.arange(2 * 3 * 2 * 2, dtype=float).reshape(2, 3, 2, 2)
    grid = tiled(blocks)
    assert grid.shape == (2 * 3 - 1, 3 * 3 - 1)
    np.testing.assert_array_equal(grid[3:5, 6:8], blocks[1, 2])  # tile (1, 2) at rows 3–4, cols 6–7
    assert np.isnan(grid[2]).all() and np.isnan(grid[:, 2]).all()


def _decode(z) -> np.ndarray:
    return np.array([[np.nan if v is None else v for v in row] for row in z], dtype=float)


@pytest.mark.parametrize(("c_in", "c_out", "h", "w", "k"), [(3, 4, 6, 5, 3), (8, 8, 16, 16, 7), (1, 1, 1, 1, 1)])
def test_figures_are_valid_plotly_and_show_both_outputs(c_in, c_out, h, w, k):
    X = mixing.input_image(c_in, h, w, 0)
    K, D = separable.kernels(c_in, c_out, k, 0)
    W = mixing.preset_matrix("random", c_out, c_in, 0)
    result = separable.separable_layers(X, K, D, W)
    maps = maps_figure(X, result)
    go.Figure(maps)  # Plotly's own validation
    by_name = {trace["name"]: _decode(trace["z"]) for trace in maps["data"]}
    assert len(by_name) == 4  # X, (a), (b)'s depthwise maps, (b)'s output
    full = next(z for name, z in by_name.items() if name.startswith("(a)"))
    sep = next(z for name, z in by_name.items() if name.startswith("(b) step 2"))
    per_row = (full.shape[1] + 1) // (w + 1)  # the maps wrap into rows of this many on the default width
    np.testing.assert_allclose(full, tiled(in_rows(result.Y_full, per_row)), atol=1e-4)
    np.testing.assert_allclose(sep, tiled(in_rows(result.Y_sep, per_row)), atol=1e-4)
    kernels = kernels_figure(K, result.K_equivalent)
    go.Figure(kernels)
    assert [trace["name"][:3] for trace in kernels["data"]] == ["(a)", "(b)"]
    # Numbers are written into the cells only when they fit: never at 16×16 with 8 channels.
    widest = max(c_in, c_out) * (w + 1) - 1  # cells across the widest strip
    assert bool(maps["data"][1]["texttemplate"]) == (widest <= 1000 / 22)
