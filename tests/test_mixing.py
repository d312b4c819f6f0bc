"""The 1×1 explorer's pure layers: presets, parsing an edited W, per-pixel steps, the matrix-product check, costs,
and the figure dicts (each validated by Plotly, so an invalid spec fails here rather than in the browser)."""

from __future__ import annotations

import json
import time

import numpy as np
import plotly.graph_objects as go
import pytest

from convviz.figures.mixing import (
    matmul_figure,
    matrix_figure,
    pixel_figure,
    pixel_from_point,
    pixel_from_selection,
)
from convviz.model import mixing
from convviz.model.mixing import (
    LUMA,
    bottleneck,
    input_image,
    layer_geometry,
    matmul_check,
    matrix_to_param,
    matrix_to_text,
    parse_matrix,
    pixel_steps,
    preset_matrix,
)

# ---- the data ----


def test_input_image_is_whole_numbers_0_to_9_and_deterministic():
    X = input_image(3, 5, 7, seed=4)
    assert X.shape == (3, 5, 7)
    assert np.array_equal(X, np.round(X)) and X.min() >= 0 and X.max() <= mixing.INPUT_MAX
    assert np.array_equal(X, input_image(3, 5, 7, seed=4))
    assert not np.array_equal(X, input_image(3, 5, 7, seed=5))


def test_input_image_works_for_a_single_pixel():
    assert input_image(1, 1, 1, seed=0).shape == (1, 1, 1)


# ---- presets ----


def test_identity_copies_input_o_to_output_o():
    assert np.array_equal(preset_matrix("identity", 3, 3, 0), np.eye(3))
    assert np.array_equal(preset_matrix("identity", 2, 4, 0), np.eye(2, 4))


def test_swap_is_a_permutation_that_reverses_rgb_to_bgr():
    W = preset_matrix("swap", 3, 3, 0)
    assert np.array_equal(W, np.eye(3)[::-1])
    for n in range(1, 9):  # every square swap is a permutation matrix: one 1 per row and per column
        P = preset_matrix("swap", n, n, 0)
        assert np.array_equal(P.sum(axis=0), np.ones(n)) and np.array_equal(P.sum(axis=1), np.ones(n))


def test_grey_uses_the_luma_weights_on_rgb():
    W = preset_matrix("grey", 2, 3, 0)
    assert np.allclose(W, [LUMA, LUMA])
    rgb = np.array([9.0, 9.0, 9.0])
    assert np.allclose(W @ rgb, 9.0)  # white stays white: the weights sum to 1


def test_grey_with_more_channels_weighs_only_the_first_three():
    W = preset_matrix("grey", 1, 5, 0)
    assert np.allclose(W, [[*LUMA, 0, 0]])


def test_grey_with_fewer_than_three_channels_falls_back_to_the_average():
    assert np.allclose(preset_matrix("grey", 2, 2, 0), 0.5)


def test_average_rows_sum_to_one():
    assert np.allclose(preset_matrix("average", 4, 3, 0).sum(axis=1), 1.0)


def test_random_is_deterministic_in_tenths_between_minus_one_and_one():
    W = preset_matrix("random", 3, 4, seed=7)
    assert np.array_equal(W, preset_matrix("random", 3, 4, seed=7))
    assert np.abs(W).max() <= 1.0 and np.allclose(W * 10, np.round(W * 10))


def test_unknown_preset_is_refused():
    with pytest.raises(ValueError, match="Unknown preset"):
        preset_matrix("sepia", 3, 3, 0)


# ---- reading an edited W ----


def test_parse_matrix_reads_commas_spaces_lines_and_semicolons():
    expected = np.array([[1.0, -2.5, 0.0], [0.125, 3.0, 1e-3]])
    assert np.array_equal(parse_matrix("1, -2.5, 0\n0.125 3 1e-3\n", 2, 3), expected)
    assert np.array_equal(parse_matrix("1,-2.5,0; 0.125,3,0.001", 2, 3), expected)


def test_matrix_param_round_trips_exactly():
    W = preset_matrix("average", 3, 3, 0)  # thirds: need every digit
    assert np.array_equal(parse_matrix(matrix_to_param(W), 3, 3), W)
    assert matrix_to_param(np.eye(2)) == "1,0;0,1"


def test_matrix_text_is_one_row_per_line():
    assert matrix_to_text(np.array([[1.0, 0.5], [-0.0, 2.0]])) == "1, 0.5\n0, 2"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("1, 0\n0, abc", "“abc” is not a number"),
        ("1, 0\n0, nan", "not a finite number"),
        ("1, 0\n0, inf", "not a finite number"),
        ("1, 0\n-Infinity, 0", "not a finite number"),
        ("1, 0\n0, 1e400", "not a finite number"),  # overflows to inf
        ("1, 0\n0, 5000", "larger than"),
        ("1, 0", "needs 2 rows"),
        ("1, 0\n0, 1\n1, 1", "needs 2 rows"),
        ("1, 0\n0", "Row 1 needs 2 numbers"),
        ("", "needs 2 rows"),
        ("1," * 3000, "longer than"),
    ],
)
def test_parse_matrix_refuses_bad_text_with_a_sentence(source, message):
    with pytest.raises(ValueError, match=message):
        parse_matrix(source, 2, 2)


# ---- per-pixel steps ----


def _reference_y(X: np.ndarray, W: np.ndarray) -> np.ndarray:
    """An independent reference: y[:, i, j] = W · x[:, i, j], in float64 NumPy."""
    return np.einsum("oc,chw->ohw", W, X)


@pytest.mark.parametrize(("c_in", "c_out", "h", "w"), [(3, 3, 4, 4), (1, 1, 1, 1), (2, 5, 3, 6), (8, 8, 16, 16)])
def test_pixel_steps_give_w_times_x_at_every_pixel(c_in, c_out, h, w):
    X = input_image(c_in, h, w, seed=1)
    W = preset_matrix("random", c_out, c_in, seed=1)
    steps = pixel_steps(X, W)
    Y = _reference_y(X, W)
    for i in range(h):
        for j in range(w):
            n = steps.index(i, j)
            assert np.array_equal(steps.inputs[n], X[:, i, j])  # x is the pixel's channel vector
            assert np.allclose(steps.products[n], W * X[:, i, j], atol=1e-5)  # W[o, c] · x[c]
            assert np.allclose(steps.outputs[n], Y[:, i, j], atol=1e-5)  # y = W · x
    assert np.allclose(steps.products.sum(axis=2), steps.outputs, atol=1e-5)  # y is the row sums


# ---- the whole layer as one matrix product ----


def test_matmul_check_agrees_with_the_general_path_and_a_numpy_reference():
    X = input_image(3, 5, 4, seed=2)
    W = preset_matrix("random", 4, 3, seed=2)
    check = matmul_check(X, W)
    assert check.agrees and check.max_abs_diff <= check.tolerance
    assert np.allclose(check.Y_1x1, _reference_y(X, W), atol=1e-5)
    assert np.allclose(check.Y_general, _reference_y(X, W), atol=1e-5)
    assert check.X_flat.shape == (3, 20) and check.Y_flat.shape == (4, 20)
    assert np.array_equal(check.X_flat[:, 2 * 4 + 1], X[:, 2, 1])  # column i·w + j is pixel (i, j)
    assert np.allclose(check.Y_flat, W @ check.X_flat, atol=1e-5)


def test_matmul_tolerance_grows_with_the_size_of_the_output():
    X = input_image(8, 4, 4, seed=0)
    W = np.full((2, 8), 1000.0)  # the largest weights an edit may hold
    check = matmul_check(X, W)
    assert check.tolerance > mixing.TOLERANCE and check.agrees


# ---- costs ----


def test_one_by_one_layer_costs():
    geo = layer_geometry(3, 5, 4, 6, k=1)
    assert geo.params == 5 * 3 and geo.mult_adds == 5 * 3 * 4 * 6
    assert layer_geometry(3, 5, 4, 6, k=1, bias=True).params == 5 * 3 + 5


@pytest.mark.parametrize("k", [3, 5, 7])
def test_k_by_k_layer_keeps_the_size_and_costs_k_squared_times_more(k):
    one, wide = layer_geometry(3, 5, 4, 6, 1), layer_geometry(3, 5, 4, 6, k)
    assert (wide.out_h, wide.out_w) == (4, 6)
    assert wide.params == 5 * 3 * k * k and wide.mult_adds == 5 * 3 * k * k * 4 * 6
    assert wide.mult_adds == k * k * one.mult_adds


def test_worked_bottleneck_example():
    example = bottleneck(channels=256, reduced=64, k=3, h=28, w=28)
    assert example.direct.params == 256 * 256 * 9 == 589_824
    assert example.params == 256 * 64 + 64 * 256 * 9 == 163_840
    assert example.direct.mult_adds == 589_824 * 784 == 462_422_016
    assert example.mult_adds == 163_840 * 784 == 128_450_560
    assert example.params_saving == pytest.approx(3.6)
    assert example.mult_adds_saving == pytest.approx(3.6)
    assert bottleneck(k=1).params_saving == 2.0  # k = 1: a rank-64 factorisation of the 256×256 W


# ---- figures ----


def _validated(spec: dict) -> dict:
    go.Figure(spec)  # raises on any property Plotly does not know
    return spec


def _setting(c_in=3, c_out=3, h=4, w=4, preset="random", seed=0):
    X = input_image(c_in, h, w, seed)
    W = preset_matrix(preset, c_out, c_in, seed)
    return X, W


def test_matrix_figure_is_valid_and_labelled():
    spec = _validated(matrix_figure(preset_matrix("grey", 2, 3, 0)))
    trace = spec["data"][0]
    assert trace["x"] == ["in 0", "in 1", "in 2"] and trace["y"] == ["out 0", "out 1"]
    assert trace["texttemplate"]


@pytest.mark.parametrize(("c_in", "c_out", "h", "w"), [(3, 3, 4, 4), (1, 1, 1, 1), (3, 2, 5, 7), (8, 8, 16, 16)])
def test_pixel_figure_is_valid_and_each_frame_shows_w_times_x(c_in, c_out, h, w):
    X, W = _setting(c_in, c_out, h, w)
    steps = pixel_steps(X, W)
    spec = _validated(pixel_figure(X, W, steps, h - 1, 0))
    names = [trace.get("name") for trace in spec["data"]]
    x_index, y_index = names.index("x"), names.index("y")
    assert len(spec["frames"]) == h * w
    assert spec["layout"]["sliders"][0]["active"] == (h - 1) * w  # opens at the chosen pixel
    Y = _reference_y(X, W)
    for n, frame in enumerate(spec["frames"]):
        i, j = divmod(n, w)
        assert frame["name"] == f"{i},{j}"
        assert frame["traces"] == [x_index, names.index("products"), y_index]
        x_col, y_col = frame["data"][0]["z"], frame["data"][2]["z"]
        assert np.allclose(np.ravel(x_col), X[:, i, j])
        assert np.allclose(np.ravel(y_col), Y[:, i, j], atol=1e-3)
        assert [shape["type"] for shape in frame["layout"]["shapes"]] == ["path"] * 3  # few objects per frame
    play, pause = spec["layout"]["updatemenus"][0]["buttons"]
    assert play["args"][0] is None and play["args"][1]["frame"]["redraw"] is True  # frames change z: redraw
    assert pause["args"][0] == [None]


def test_pixel_figure_overlays_carry_the_pixel_for_clicks():
    X, W = _setting(3, 2, 3, 5)
    spec = pixel_figure(X, W, pixel_steps(X, W), 0, 0)
    overlays = [trace for trace in spec["data"] if trace["type"] == "scatter"]
    assert [trace["name"] for trace in overlays] == ["pick-X", "pick-Y"]
    # input: RGB picture + 3 channels; output: 2 channels; one point per cell of each
    assert len(overlays[0]["x"]) == 4 * 15 and len(overlays[1]["x"]) == 2 * 15
    for trace in overlays:
        for x, y, custom in zip(trace["x"], trace["y"], trace["customdata"], strict=True):
            assert pixel_from_point({"x": x, "y": y, "customdata": custom}, w=5) == (custom[0], custom[1])
            assert pixel_from_point({"x": x, "y": y}, w=5) == (custom[0], custom[1])  # without customdata too


def test_pixel_from_point_ignores_junk():
    assert pixel_from_point({}, w=4) is None
    assert pixel_from_point({"x": "left", "y": 1}, w=4) is None
    # customdata that is not two whole numbers: the point's position still says which pixel it is
    assert pixel_from_point({"customdata": ["a", None], "x": 7.5, "y": 2.5}, w=4) == (2, 2)


def test_a_selection_picks_its_first_point_inside_the_picture():
    point = {"customdata": [1, 3], "x": 3.5, "y": 1.5}
    assert pixel_from_selection({"selection": {"points": [point, {"customdata": [0, 0]}]}}, h=4, w=5) == (1, 3)
    assert pixel_from_selection({"selection": {"points": [{"customdata": [9, 9]}]}}, h=4, w=5) == (3, 4)  # clamped
    assert pixel_from_selection({"selection": {"points": []}}, h=4, w=5) is None  # a cleared selection
    assert pixel_from_selection(None, h=4, w=5) is None
    assert pixel_from_selection({"selection": {"points": [{"x": "junk"}]}}, h=4, w=5) is None


def test_matmul_figure_is_valid_and_outlines_the_pixel_column():
    X, W = _setting(3, 2, 4, 5)
    check = matmul_check(X, W)
    spec = _validated(matmul_figure(X, W, check, 2, 3))
    names = [trace["name"] for trace in spec["data"]]
    assert names == ["X", "X_flat", "W", "Y_flat", "Y", "Y_general"]
    flat = spec["data"][1]
    assert np.allclose(flat["z"], check.X_flat) and np.allclose(spec["data"][3]["z"], check.Y_flat, atol=1e-3)
    general = np.array(spec["data"][5]["z"], dtype=float)  # channels side by side, NaN in the gaps
    assert np.allclose(general[:, 6:11], check.Y_general[1], atol=1e-3)  # channel 1 starts at column w + 1
    p = 2 * 5 + 3
    column = spec["layout"]["shapes"][-1]["path"]
    assert f"M{flat['x0'] - 0.5 + p:g}," in column  # the outline starts at the pixel's column of X_flat


@pytest.mark.parametrize(("c_in", "c_out", "h", "w"), [(1, 1, 1, 1), (8, 8, 16, 16), (8, 1, 16, 1)])
def test_matmul_figure_is_valid_at_the_extremes(c_in, c_out, h, w):
    X, W = _setting(c_in, c_out, h, w)
    _validated(matmul_figure(X, W, matmul_check(X, W), h - 1, w - 1))


def test_largest_figures_stay_small_and_fast():
    X, W = _setting(8, 8, 16, 16)
    steps = pixel_steps(X, W)
    start = time.perf_counter()
    spec = pixel_figure(X, W, steps, 0, 0)
    elapsed = time.perf_counter() - start
    assert len(json.dumps(spec)) < 1_000_000  # ~0.6 MB at 8 channels and 16×16 pixels
    assert elapsed < 1.0  # ~30 ms on a quiet machine; generous for a loaded CI runner
