"""Pooling in the core (convviz/core/pooling.py): d2l's answers, d2l's loop form, and TensorFlow's pooling ops."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st

from convviz.core.pooling import pool2d, pool_geometry

X_BOOK = np.arange(9, dtype=np.float32).reshape(1, 3, 3)  # d2l's first example
X16 = np.arange(16, dtype=np.float32).reshape(1, 4, 4)  # d2l's padding and stride examples


def d2l_loop(X, pool_size, stride=None, padding=0, mode="max") -> np.ndarray:
    """d2l's `pool2d` loops, per channel, with padding as the module defines it: max over the real cells of the
    window, avg the window's real values summed and divided by k_h·k_w (padded cells count as zeros)."""
    k_h, k_w = (pool_size, pool_size) if isinstance(pool_size, int) else pool_size
    s_h, s_w = (k_h, k_w) if stride is None else ((stride, stride) if isinstance(stride, int) else stride)
    p_h, p_w = (padding, padding) if isinstance(padding, int) else padding
    c, h, w = X.shape
    h_o, w_o = (h + 2 * p_h - k_h) // s_h + 1, (w + 2 * p_w - k_w) // s_w + 1
    Y = np.zeros((c, h_o, w_o))
    for ch, i, j in itertools.product(range(c), range(h_o), range(w_o)):
        cells = [float(X[ch, r, q]) for r in range(i * s_h - p_h, i * s_h - p_h + k_h)
                 for q in range(j * s_w - p_w, j * s_w - p_w + k_w) if 0 <= r < h and 0 <= q < w]
        Y[ch, i, j] = max(cells) if mode == "max" else sum(cells) / (k_h * k_w)
    return Y


def test_the_books_answers():
    np.testing.assert_array_equal(pool2d(X_BOOK, 2, stride=1).numpy()[0], [[4, 5], [7, 8]])
    np.testing.assert_array_equal(pool2d(X_BOOK, 2, stride=1, mode="avg").numpy()[0], [[2, 3], [5, 6]])
    np.testing.assert_array_equal(pool2d(X16, 3).numpy()[0], [[10]])  # the stride defaults to the window
    np.testing.assert_array_equal(pool2d(X16, 3, padding=1, stride=2).numpy()[0], [[5, 7], [13, 15]])
    np.testing.assert_array_equal(pool2d(X16, (2, 3), padding=(0, 1), stride=(2, 3)).numpy()[0], [[5, 7], [13, 15]])


def test_channels_are_pooled_each_on_their_own_and_never_added():
    X = np.concatenate([X16, X16 + 1])  # d2l's two channels
    Y = pool2d(X, 3, padding=1, stride=2).numpy()
    assert Y.shape == (2, 2, 2)
    np.testing.assert_array_equal(Y[1], Y[0] + 1)


def test_max_ignores_padding_and_avg_counts_it_as_zeros():
    X = -np.ones((1, 2, 2), np.float32)  # every real value is below the padding's zero
    assert pool2d(X, 2, padding=1, stride=2).numpy().max() == -1  # never a padded 0
    np.testing.assert_allclose(pool2d(X, 2, padding=1, stride=2, mode="avg").numpy()[0], [[-0.25, -0.25],
                                                                                         [-0.25, -0.25]])


@st.composite
def poolings(draw):
    c, h, w = draw(st.integers(1, 3)), draw(st.integers(1, 7)), draw(st.integers(1, 7))
    k_h, k_w = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    p_h, p_w = draw(st.integers(0, k_h // 2)), draw(st.integers(0, k_w // 2))
    stride = draw(st.none() | st.tuples(st.integers(1, 3), st.integers(1, 3)))
    X = draw(st.lists(st.integers(-9, 9), min_size=c * h * w, max_size=c * h * w))
    return np.array(X, np.float32).reshape(c, h, w), (k_h, k_w), stride, (p_h, p_w), draw(st.sampled_from(["max",
                                                                                                          "avg"]))


@settings(max_examples=80, deadline=None)
@given(poolings())
def test_any_pooling_agrees_with_the_books_loops_and_with_tensorflow(drawn):
    X, size, stride, padding, mode = drawn
    try:
        Y = pool2d(X, size, stride=stride, padding=padding, mode=mode).numpy()
    except ValueError as err:  # the window does not fit the padded input: said in a sentence
        assert "does not fit" in str(err)
        assert size[0] > X.shape[1] + 2 * padding[0] or size[1] > X.shape[2] + 2 * padding[1]
        return
    np.testing.assert_allclose(Y, d2l_loop(X, size, stride, padding, mode), atol=1e-5)
    # TensorFlow's own op with 'VALID' on the padded input (-inf for max, zeros for avg); without padding it is
    # the plain op on X.
    if padding == (0, 0):
        ops = {"max": tf.nn.max_pool2d, "avg": tf.nn.avg_pool2d}
        s = size if stride is None else stride
        expected = ops[mode](X.transpose(1, 2, 0)[None], ksize=size, strides=s, padding="VALID")
        np.testing.assert_allclose(Y, expected.numpy()[0].transpose(2, 0, 1), atol=1e-5)


@pytest.mark.parametrize(("shape", "kwargs", "match"), [
    ((3, 3), {"pool_size": 2}, "(c, h, w)"),
    ((1, 3, 3), {"pool_size": 2, "padding": 2}, "at most half"),
    ((1, 3, 3), {"pool_size": 0}, "at least 1"),
    ((1, 2, 2), {"pool_size": 3}, "does not fit"),
])
def test_what_cannot_be_pooled_is_said_in_a_sentence(shape, kwargs, match):
    with pytest.raises(ValueError, match=re.escape(match)):
        pool_geometry(shape, **kwargs)


def test_an_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="'max' or 'avg'"):
        pool2d(X_BOOK, 2, mode="min")  # type: ignore[arg-type]



# ---- the view's step table (convviz/model/pool_steps.py): NumPy, step by step ----


@settings(max_examples=60, deadline=None)
@given(poolings())
def test_the_step_table_agrees_with_the_core_and_marks_a_real_winning_cell(drawn):
    from convviz.model.pool_steps import pool_table

    X, size, stride, padding, mode = drawn
    try:
        table = pool_table(X, size, stride=stride, padding=padding, mode=mode)
    except ValueError:
        return  # the core's sentence, checked above
    Y = pool2d(X, size, stride=stride, padding=padding, mode=mode).numpy()
    np.testing.assert_allclose(table.output_maps(), Y, atol=1e-5)
    for n, c in itertools.product(range(table.n_steps), range(X.shape[0])):
        window = table.windows[n, c]
        if mode == "max":
            row, col = table.winners[n, c]
            assert window[row, col] == table.outputs[n, c] == np.nanmax(window)  # a real cell, the largest
        else:
            assert (table.winners[n, c] == -1).all()


def test_the_step_table_refuses_an_unknown_mode():
    from convviz.model.pool_steps import pool_table

    with pytest.raises(ValueError, match="'max' or 'avg'"):
        pool_table(X_BOOK, 2, mode="sum")  # type: ignore[arg-type]


# ---- the figure (convviz/figures/pooling.py) ----


def figure_for(X, k=2, stride=None, padding=0, mode="max", room=None):
    from convviz.figures.animation import Room
    from convviz.figures.pooling import pooling_figure
    from convviz.model.pool_steps import pool_table

    table = pool_table(X, k, stride=stride, padding=padding, mode=mode)
    return table, pooling_figure(table, decimals=0, room=room or Room())


@pytest.mark.parametrize("mode", ["max", "avg"])
def test_the_figure_is_valid_plotly_and_its_frames_write_each_channels_own_result(mode):
    import plotly.graph_objects as go

    X = np.concatenate([X16, X16 + 1])
    table, figure = figure_for(X, 3, stride=2, padding=1, mode=mode)
    go.Figure(figure)  # data, layout and every frame against Plotly's schema
    meta = figure["layout"]["meta"]
    assert meta["n_steps"] == len(figure["frames"]) == 4 and meta["out_w"] == 2
    maps = [figure["data"][int(i)]["z"] for i in meta["output_traces"]]
    np.testing.assert_allclose(np.array(maps, float), table.output_maps(), atol=0.005)  # c maps: never summed
    for s, frame in enumerate(figure["frames"]):
        written = frame["data"][-1]["text"]
        assert len(written) == 2
        for c in range(2):
            value = table.outputs[s, c]
            assert written[c].endswith(f"{value:.0f}" if mode == "max" else f"{value:.2f}")
        assert len(frame["layout"]["shapes"]) >= 3  # pending cells, windows, winners (the player's shapes[1])


def test_the_figure_fits_its_room_and_stacks_on_a_phone():
    from convviz.figures.animation import Room

    X = np.random.default_rng(0).integers(0, 9, (4, 12, 12)).astype(np.float32)
    for room in (Room(816, 384), Room(1456, 784), Room(320, 736), Room(560, 768)):
        _, figure = figure_for(X, room=room)
        assert figure["layout"]["width"] <= room.width + 1
    _, wide = figure_for(X16, room=Room(1456, 784))
    _, phone = figure_for(X16, room=Room(320, 736))
    assert phone["layout"]["height"] > phone["layout"]["width"] and wide["layout"]["width"] > wide["layout"]["height"]


# ---- pictures as pooling's input: the region the player animates, and the picture beside its pooled maps ----


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(["shapes", "stripes", "cat"]), st.booleans(), st.integers(1, 4), st.integers(0, 4),
       st.integers(0, 2), st.sampled_from(["max", "avg"]), st.integers(-5, 200), st.integers(-5, 200))
def test_a_regions_steps_are_the_whole_pictures_pooled_cells(name, grey, k, stride, padding, mode, row, col):
    from convviz.model.images import clamp_region
    from convviz.model.pool_steps import pool_picture, pool_table, region_input

    padding, stride = min(padding, k // 2), stride or k
    X = pool_picture(name, grey)  # (c, h, w) in 0..1
    assert X.shape[0] == (1 if grey else 3) and X.min() >= 0 and X.max() <= 1
    Y = pool2d(X, k, stride=stride, padding=padding, mode=mode).numpy()  # TensorFlow, on the whole picture
    region = clamp_region(row, col, Y.shape[1], Y.shape[2])
    crop = region_input(X, region, k, stride, padding)  # NaN where the windows reach into the padding
    table = pool_table(crop, k, stride=stride, mode=mode)
    cells = Y[:, region.row : region.row + region.rows, region.col : region.col + region.cols]
    np.testing.assert_allclose(table.output_maps(), cells, atol=1e-6)  # the player's cells are the picture's
    loops = d2l_loop(X[:, : (region.row + region.rows) * stride + k, : (region.col + region.cols) * stride + k],
                     k, stride, padding, mode)
    np.testing.assert_allclose(cells, loops[:, region.row :, region.col :][:, : region.rows, : region.cols],
                               atol=1e-6)  # and the book's loops agree


def test_a_region_at_the_pictures_corner_reads_the_padding_as_nan():
    from convviz.model.images import Region
    from convviz.model.pool_steps import region_input

    X = np.ones((1, 6, 6), np.float32)
    crop = region_input(X, Region(0, 0, 2, 2), 2, 2, 1)  # windows from (-1, -1)
    assert crop.shape == (1, 4, 4)
    assert np.isnan(crop[0, 0]).all() and np.isnan(crop[0, :, 0]).all() and not np.isnan(crop[0, 1:, 1:]).any()


def picture_figure(name="shapes", grey=False, k=2, stride=2, padding=0, width=1000, region=(0, 0)):
    from convviz.figures.pooling import pooled_picture_figure
    from convviz.model import images
    from convviz.model.pool_steps import pool_picture

    X = pool_picture(name, grey)
    Y = pool2d(X, k, stride=stride, padding=padding).numpy()
    at = images.clamp_region(*region, Y.shape[1], Y.shape[2])
    return pooled_picture_figure(images.load_picture(name), X, Y, k=k, stride=stride, padding=padding, region=at,
                                 mode_name="max", width=width), X, Y, at


def test_the_picture_and_each_channel_sit_beside_their_pooled_maps_at_the_same_size():
    import plotly.graph_objects as go

    spec, _, Y, region = picture_figure(region=(10, 20))
    go.Figure(spec)  # valid Plotly
    kinds = [trace["type"] for trace in spec["data"]]
    assert kinds == ["image", "image", "heatmap", "heatmap", "heatmap", "heatmap", "heatmap", "heatmap", "scatter"]
    pictures, maps = spec["data"][:2], spec["data"][2:8]
    assert (pictures[0]["dx"], pictures[1]["dx"]) == (1, 2)  # a pooled cell covers its 2×2 window's pixels
    for c in range(3):
        channel, pooled = maps[2 * c], maps[2 * c + 1]
        assert channel["z"]["shape"] == "96,96" and pooled["z"]["shape"] == "48,48"  # the resolution halves
        assert pooled["dx"] == 2 and pooled["y0"] - channel["y0"] == 0.5  # drawn over the pixels it came from
        levels = np.frombuffer(__import__("base64").b64decode(pooled["z"]["bdata"]), np.uint8).reshape(48, 48)
        np.testing.assert_allclose(levels / 255, Y[c], atol=0.5 / 255 + 1e-6)  # its values, as 8-bit levels
    titles = [a["text"] for a in spec["layout"]["annotations"]]
    assert titles[3] == "Y[0]: max  48×48" and "96×96" in titles[2]
    region_cells = spec["layout"]["shapes"][1]  # on the pooled picture: the region's 4×4 cells, 2 px each
    assert region_cells["x1"] - region_cells["x0"] == 8 and region.rows == 4
    assert spec["data"][-1]["customdata"][0] == [0, 0]  # the click targets lie on the picture


def test_a_grey_picture_on_a_phone_is_one_panel_a_row_and_padding_widens_the_panels():
    spec, _, Y, _ = picture_figure(name="stripes", grey=True, k=3, stride=2, padding=1, width=300)
    assert [trace["type"] for trace in spec["data"]] == ["heatmap", "heatmap", "scatter"]  # no colour row
    channel, pooled = spec["data"][:2]
    assert pooled["x0"] == channel["x0"] and pooled["y0"] > channel["y0"]  # one a row: under its channel
    assert Y.shape == (1, 48, 48)  # (96 + 2 - 3) // 2 + 1
    wide, _, _, _ = picture_figure(stride=4, k=4, padding=2)  # pooled cells reach 2 px past the picture's edge
    assert wide["layout"]["xaxis"]["range"][1] > 4 * 96
