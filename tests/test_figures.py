"""The animated figure's builders, without a browser: valid Plotly, right numbers, type and layout for a room."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest
import tensorflow as tf

from convviz.figures import style
from convviz.figures.animation import MIN_DIGIT_PX, NARROW_PX, Room, animation_figure
from convviz.model.setting import Setting, make_tensors
from convviz.model.steps import StepTable, step_table

PROJECTOR = Room(1456, 768)  # 1920×1080 with the sidebar open, as the player measures it
LAPTOP = Room(816, 416)  # 1280×720
PHONE = Room(352, 844)  # 390×844


def table_for(setting: Setting) -> StepTable:
    s = setting.effective()
    X, K, bias = make_tensors(setting)
    return step_table(X, K, bias, stride=s.stride, padding=s.padding, dilation=s.dilation)


def decimals(setting: Setting) -> int:
    return 2 if setting.values == "random" else 0


# ---- contrast: WCAG AA for the numbers on every cell colour ----


def luminance(hex_colour: str) -> float:
    """WCAG relative luminance of an sRGB colour '#rrggbb'."""
    channels = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255
    linear = np.where(channels <= 0.03928, channels / 12.92, ((channels + 0.055) / 1.055) ** 2.4)
    return float(linear @ [0.2126, 0.7152, 0.0722])


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def scale_colours(scale: list, samples: int = 201) -> list[str]:
    """Colours along a Plotly colour scale, interpolated in RGB between its stops as plotly.js does."""
    stops = np.array([s for s, _ in scale])
    rgb = np.array([[int(c[i : i + 2], 16) for i in (1, 3, 5)] for _, c in scale], dtype=float)
    out = []
    for t in np.linspace(0, 1, samples):
        mixed = [np.interp(t, stops, rgb[:, k]) for k in range(3)]
        out.append("#" + "".join(f"{round(v):02x}" for v in mixed))
    return out


def test_numbers_on_every_cell_colour_meet_wcag_aa():
    # Black numbers on every colour of the cell scale, stops and everything between, at 4.5:1 or more.
    worst = min(contrast(style.CELL_TEXT, c) for c in scale_colours(style.CELL_SCALE))
    assert worst >= 4.5, worst
    assert contrast(style.PAD_CELL_TEXT, style.PAD_CELL_FILL) >= 4.5  # the padding ring's zeros
    for colour in (*style.CHANNEL_COLOURS, style.LABEL_COLOUR):  # titles and the terms of the written-out sum
        assert contrast(colour, "#ffffff") >= 4.5, colour


def test_every_heatmap_with_numbers_draws_them_in_the_accessible_colour():
    figure = animation_figure(table_for(Setting(padding=1)), 0, decimals=0, room=PROJECTOR)
    with_numbers = [t for t in figure["data"] if t["type"] == "heatmap" and "texttemplate" in t]
    assert len(with_numbers) >= 3 * 3 + 3 + 3  # inputs, padding rings, kernels, and more
    for trace in with_numbers:
        assert trace["textfont"]["color"] in (style.CELL_TEXT, style.PAD_CELL_TEXT)
        if trace["textfont"]["color"] == style.CELL_TEXT:
            assert trace.get("coloraxis", "").startswith("coloraxis")
    assert all(axis["colorscale"] == style.CELL_SCALE
               for key, axis in figure["layout"].items() if key.startswith("coloraxis"))


# ---- a valid figure that adds up ----


@pytest.mark.parametrize("setting", [
    Setting(), Setting(values="textbook", bias=True), Setting(values="random", padding=2, dilation=2, bias=True),
    Setting(c_in=4, c_out=3, h=8, w=8, padding=1, stride=2),
])
@pytest.mark.parametrize("room", [Room(), PROJECTOR, PHONE])
def test_the_figure_is_valid_plotly_and_its_last_frame_is_tf_conv2d(setting: Setting, room: Room):
    table = table_for(setting)
    figure = animation_figure(table, table.geometry.c_out - 1, decimals=decimals(setting), room=room)
    go.Figure(figure)  # validates every trace, layout key and frame against Plotly's schema
    s = setting.effective()
    X, K, bias = make_tensors(setting)
    Y = tf.nn.conv2d(X.transpose(1, 2, 0)[None], K.transpose(2, 3, 1, 0), strides=s.stride,
                     padding=[[0, 0], [s.padding] * 2, [s.padding] * 2, [0, 0]], dilations=s.dilation)
    Y = Y.numpy()[0, :, :, -1] + (0 if bias is None else bias[-1])  # (h_o, w_o) of the followed channel
    last = figure["frames"][-1]["data"]
    assert abs(last[-2]["z"][0][0] - Y[-1, -1]) <= 10 ** -decimals(setting)  # the output value at the last step
    meta = figure["layout"]["meta"]
    output_map = np.array(figure["data"][int(next(iter(meta["output_traces"])))]["z"], dtype=float)
    np.testing.assert_allclose(output_map, Y, atol=10 ** -decimals(setting) / 2 + 1e-6)


def test_asking_for_a_channel_that_does_not_exist_says_so():
    with pytest.raises(ValueError, match=r"Output channel 2 does not exist: there are 2 \(0 to 1\)"):
        animation_figure(table_for(Setting()), 2, decimals=0)


def test_each_channels_term_in_the_written_sum_has_its_colour_and_the_bias_its_own_term():
    table = table_for(Setting(values="textbook", bias=True))
    figure = animation_figure(table, 0, decimals=0)
    equation = figure["frames"][0]["data"][-1]["text"][0]
    for c, colour in enumerate(style.CHANNEL_COLOURS[:2]):
        value = int(table.partial_sums[0, 0, c])
        assert f'<span style="color:{colour}">{value}</span>' in equation
    assert f"{int(table.bias[0])} (bias)" in equation.replace("−", "-").replace("(-", "-").replace(") (", " (")
    sum_font = next(t for t in figure["data"] if t.get("mode") == "text")["textfont"]["size"]
    assert sum_font >= figure["layout"]["meta"]["digit_px"]  # the sum's text is never smaller than the digits


# ---- type and layout for a room ----


def test_on_a_projector_the_defaults_digits_are_16px_or_more_and_the_diagram_fits_the_room():
    layout = animation_figure(table_for(Setting()), 0, decimals=0, room=PROJECTOR)["layout"]
    assert layout["meta"]["digit_px"] >= 16
    assert layout["width"] <= PROJECTOR.width and layout["height"] <= PROJECTOR.height
    assert layout["width"] >= 0.9 * PROJECTOR.width or layout["height"] >= 0.9 * PROJECTOR.height  # fills it
    assert layout["xaxis"]["fixedrange"] and layout["yaxis"]["fixedrange"] and layout["dragmode"] is False


def test_four_channels_of_8x8_keep_their_numbers_on_a_projector():
    figure = animation_figure(table_for(Setting(c_in=4, c_out=3, h=8, w=8, padding=1, stride=2)), 0, decimals=0,
                              room=PROJECTOR)
    assert figure["layout"]["meta"]["numbers"]
    animated = figure["data"][figure["layout"]["meta"]["animated_traces"][0]:]
    assert all("texttemplate" in t for t in animated if t["type"] == "heatmap")  # products, Σ and the output value


@pytest.mark.parametrize("setting", [Setting(), Setting(values="textbook")])
def test_on_a_phone_the_blocks_stack_and_numbers_stay_readable(setting: Setting):
    table = table_for(setting)
    figure = animation_figure(table, 0, decimals=0, room=PHONE)
    layout = figure["layout"]
    assert PHONE.width < NARROW_PX and layout["width"] <= PHONE.width
    assert layout["meta"]["digit_px"] >= 11
    inputs = [t for t in figure["data"] if t.get("hovertemplate", "").startswith("X[")]
    assert len({t["x0"] for t in inputs}) == 1 and len({t["y0"] for t in inputs}) == table.geometry.c_in  # a column


def test_where_numbers_cannot_fit_none_are_drawn_and_the_figure_stays_small():
    largest = Setting(c_in=8, c_out=8, h=32, w=32, kh=7, kw=7, padding=3, values="random", bias=True)
    figure = animation_figure(table_for(largest), 7, decimals=2, room=LAPTOP)
    assert not figure["layout"]["meta"]["numbers"] and figure["layout"]["meta"]["digit_px"] == 0
    assert not any("texttemplate" in t for t in figure["data"])
    assert all(t["xgap"] == 0 for t in figure["data"] if t["type"] == "heatmap")  # cells of a few pixels
    assert figure["frames"][0]["data"][0]["z"]["dtype"] == "i1"  # products as 8-bit colour levels
    assert figure["layout"]["meta"]["cell_px"] >= 1


def test_random_values_drop_a_decimal_before_they_drop_their_numbers():
    table = table_for(Setting(values="random"))
    wide = animation_figure(table, 0, decimals=2, room=PROJECTOR)
    narrow = animation_figure(table, 0, decimals=2, room=Room(900, 560))
    assert wide["data"][0]["texttemplate"] == "%{z:.2f}"
    assert narrow["data"][0]["texttemplate"] == "%{z:.1f}"
    assert narrow["layout"]["meta"]["digit_px"] >= MIN_DIGIT_PX


def test_dilated_windows_outline_each_cell_they_read():
    table = table_for(Setting(dilation=2, h=7, w=7))
    shapes = animation_figure(table, 0, decimals=0, room=PROJECTOR)["layout"]["shapes"]
    # Per channel the span and its 3×3 cells, plus the output cell: 3 × (1 + 9) + 1 rectangles.
    assert shapes[1]["path"].count("M") == 3 * 10 + 1
