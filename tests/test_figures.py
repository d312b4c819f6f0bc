"""The animated figure's builders, without a browser: valid Plotly, right numbers, type and layout for a room."""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import pytest
import tensorflow as tf

from convviz.figures import animation, style
from convviz.figures.animation import (
    MAX_SCREENS,
    MIN_DIGIT_PX,
    MIN_TITLE_PX,
    NARROW_PX,
    Room,
    animation_figure,
    digit_floor,
)
from convviz.i18n.strings import speaking
from convviz.model import kernels
from convviz.model.setting import Setting, make_tensors
from convviz.model.steps import StepTable, step_table
from convviz.ui.player import (
    PHONE_ROOMS,
    USUAL_ROOMS,
    choices_data,
    figure_payload,
    is_phone,
    layout_choices,
    offline_html,
    usual_rooms,
)

PROJECTOR = Room(1456, 768)  # 1920×1080 with the sidebar open, as the player measures it
LAPTOP = Room(816, 416)  # 1280×720
PHONE = Room(352, 844)  # 390×844


def table_for(setting: Setting) -> StepTable:
    s = setting.effective()
    X, K, bias = make_tensors(setting)
    return step_table(X, K, bias, stride=s.stride, padding=s.padding, dilation=s.dilation, groups=s.groups)


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


# ---- presentation mode: numbers never under the screen's floor (issue 21) ----

# The rooms the player measures in presentation mode (the page's width less its margins; the window's height
# under the page's top, less the controls), and the floor the issue sets for each screen.
PRESENT_ROOMS = {
    "1024×768": (Room(976, 560, present=True), 12),
    "1280×720": (Room(1216, 448, present=True), 14),
    "1366×768": (Room(1312, 496, present=True), 14),
    "1920×1080": (Room(1856, 800, present=True), 16),
    "3840×2160": (Room(3792, 1888, present=True), 16),
    "390×844": (Room(352, 844, present=True), 12),
    "360×740": (Room(320, 740, present=True), 12),
}
UP_TO_FOUR = {
    "defaults": Setting(), "textbook": Setting(values="textbook"), "random": Setting(values="random"),
    "four channels": Setting(c_in=4, c_out=3, h=8, w=8, padding=1, stride=2),
    "groups": Setting(c_in=4, c_out=2, groups=2), "four 8×8, no stride": Setting(c_in=4, c_out=4, h=8, w=8),
}


def picture_region() -> StepTable:
    """A picture's region as the main screen animates it: 3 colour channels, 6×6 in 0..1, 3 library kernels."""
    X = np.random.default_rng(0).uniform(0, 1, (3, 6, 6)).astype(np.float32)
    return step_table(X, kernels.kernel_stack(("sobel_x", "sobel_y", "gaussian_blur"), 3, 0))


def test_the_digit_floor_follows_the_screen_and_the_text_size():
    assert [digit_floor(room) for room, _ in PRESENT_ROOMS.values()] == [floor for _, floor in PRESENT_ROOMS.values()]
    assert digit_floor(Room(1856, 800)) == MIN_DIGIT_PX  # outside presentation mode, numbers fit the room
    assert digit_floor(Room(1216, 448, zoom=1.5, present=True)) == 21


@pytest.mark.parametrize("screen", PRESENT_ROOMS)
@pytest.mark.parametrize("name", [*UP_TO_FOUR, "picture"])
def test_in_presentation_mode_numbers_never_fall_under_the_floor(screen: str, name: str):
    room, floor = PRESENT_ROOMS[screen]
    table = picture_region() if name == "picture" else table_for(UP_TO_FOUR[name])
    places = 2 if name in ("picture", "random") else 0
    figure = animation_figure(table, table.geometry.c_out - 1, decimals=places, room=room)
    layout, meta = figure["layout"], figure["layout"]["meta"]
    assert meta["numbers"] and meta["digit_px"] >= floor
    numbered = [t for t in figure["data"] if t["type"] == "heatmap" and "texttemplate" in t]
    assert min(t["textfont"]["size"] for t in numbered) >= floor  # the Σ cells and the output value too
    assert meta["sum_px"] >= 20
    assert layout["width"] <= room.width and layout["height"] <= MAX_SCREENS * room.height * (
        animation.PHONE_SCREENS if room.narrow else 1)


def test_where_the_floor_needs_more_than_the_room_the_diagram_scrolls_at_the_floor():
    room = PRESENT_ROOMS["1280×720"][0]
    table = table_for(UP_TO_FOUR["four channels"])
    fitted = animation_figure(table, 0, decimals=0, room=Room(room.width, room.height))["layout"]
    presented = animation_figure(table, 0, decimals=0, room=room)["layout"]
    assert fitted["meta"]["digit_px"] < 14 <= presented["meta"]["digit_px"]
    assert fitted["height"] <= room.height < presented["height"]  # taller than the room: the player scrolls it
    assert presented["meta"]["digit_px"] <= 15  # no larger than the floor needs, so it scrolls as little as it can


def test_where_even_scrolling_cannot_keep_the_floor_the_fitted_layout_stays():
    largest = Setting(c_in=8, c_out=8, h=32, w=32, kh=7, kw=7, padding=3, values="random", bias=True)
    figure = animation_figure(table_for(largest), 7, decimals=2, room=Room(1216, 448, present=True))
    assert not figure["layout"]["meta"]["numbers"] and figure["layout"]["height"] <= 448


def test_a_larger_text_size_gives_larger_numbers_and_a_taller_diagram():
    table = table_for(Setting())
    for present in (False, True):
        normal = animation_figure(table, 0, decimals=0, room=Room(1216, 448, present=present))["layout"]
        larger = animation_figure(table, 0, decimals=0, room=Room(1216, 448, zoom=1.5, present=present))["layout"]
        assert larger["meta"]["digit_px"] >= 1.4 * normal["meta"]["digit_px"]
        assert larger["width"] <= 1216 and larger["height"] > normal["height"]


# ---- titles in both languages ----


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("setting", [Setting(), Setting(c_in=4, c_out=3, h=8, w=8, padding=1, stride=2)])
def test_panel_titles_shrink_before_they_give_way_in_either_language(language: str, setting: Setting):
    with speaking(language):
        figure = animation_figure(table_for(setting), 0, decimals=0, room=LAPTOP)
        products = {animation.text("fig_products"), animation.text("fig_products_short")}
        kernel = animation.text("fig_kernel", o=0, c=0)
    titles = [a for a in figure["layout"]["annotations"] if a["text"] in products]
    assert len(titles) == setting.c_in  # "window × K" (or "× K") over every channel's products, in both languages
    assert min(a["font"]["size"] for a in titles) >= MIN_TITLE_PX
    assert kernel in {a["text"] for a in figure["layout"]["annotations"]}


def test_where_no_title_fits_each_block_gets_one_short_title_naming_the_layers_slice():
    table = table_for(Setting(c_in=4, c_out=2, groups=2))
    figure = animation_figure(table, 1, decimals=0, room=Room(300, 200))
    titles = [a["text"] for a in figure["layout"]["annotations"]]
    assert "X[2] ⋆ K[1,0] → Σ" in titles and "X[3] ⋆ K[1,1] → Σ" in titles
    assert "input X[0]" in titles  # a channel outside the group: its input alone


def test_a_chinese_character_is_measured_about_an_em_wide():
    assert animation._text_px("窗口", 20) == pytest.approx(2 * 20 + animation.CHAR_EM * 20)
    assert animation._text_px("ab", 20) == pytest.approx(3 * animation.CHAR_EM * 20)


# ---- groups drawn as the layer is ----


def test_a_grouped_layer_draws_only_the_kernel_slices_it_has():
    table = table_for(Setting(c_in=4, c_out=2, groups=2))
    figure = animation_figure(table, 1, decimals=0, room=PROJECTOR)
    kernels_drawn = [t for t in figure["data"] if t.get("hovertemplate", "").startswith("K[")]
    assert [t["hovertemplate"].split(" = ")[0] for t in kernels_drawn] == ["K[1,0] · X[2]", "K[1,1] · X[3]"]
    titles = {a["text"] for a in figure["layout"]["annotations"]}
    assert {"K[1,0]", "K[1,1]"} <= titles and not {"K[1,2]", "K[1,3]"} & titles
    assert len(figure["frames"][0]["data"]) == 2 + 3  # products of the two channels seen, Σ's, output, sum
    inputs = {t["hovertemplate"][:4]: (t["y0"], t["x0"]) for t in figure["data"]
              if t.get("hovertemplate", "").startswith("X[")}
    assert sorted(inputs, key=inputs.get) == ["X[2]", "X[3]", "X[0]", "X[1]"]  # the group's channels first
    go.Figure(figure)
    ungrouped = animation_figure(table_for(Setting()), 1, decimals=0, room=PROJECTOR)
    first_kernel = next(t for t in ungrouped["data"] if t.get("hovertemplate", "").startswith("K["))
    assert first_kernel["hovertemplate"] == "K[1,0] = %{z}<extra></extra>"


def test_a_region_of_a_picture_says_where_it_sits_in_the_full_map():
    figure = animation_figure(picture_region(), 0, decimals=2, origin=(38, 48))
    assert figure["layout"]["meta"]["origin"] == [38, 48]
    assert animation_figure(picture_region(), 0, decimals=2)["layout"]["meta"]["origin"] == [0, 0]


# ---- the offline file: a layout per window, titled in words ----


def test_the_offline_file_carries_a_layout_per_room_and_its_title():
    table = table_for(Setting())
    rooms = (Room(992, 656, present=True), Room(1888, 976, present=True))
    figures = [(room, *figure_payload(animation_figure(table, 0, decimals=0, room=room))) for room in rooms]
    page = offline_html(figures, frame_ms=700, title="convviz — output channel 0 of 3 input channels, 6×6").decode()
    assert "<title>convviz — output channel 0 of 3 input channels, 6×6</title>" in page
    data = page.split('id="convviz-data">', 1)[1].split("</script>", 1)[0].replace("<\\/", "</")
    handed = json.loads(data)
    figures = [{**choice, "figure": handed["layouts"][choice["layout"]]} for choice in handed["choices"]]
    assert handed["offline"] is True
    assert [f["room"] for f in figures] == [[992, 656], [1888, 976]]
    assert handed["figure"] is None  # the player picks one of `figures` for the window it is opened in
    widths = [f["figure"]["layout"]["width"] for f in figures]
    assert widths[0] <= 992 < widths[1] <= 1888


# ---- a page's first run: the usual screens' layouts, the player draws its own ----


def test_a_browser_new_to_the_page_gets_the_usual_screens_rooms_with_its_text_size_and_mode():
    room = Room(900, 560, zoom=1.5, present=True)
    desktop = usual_rooms(room, phone=False)
    assert [(r.width, r.height) for r in desktop] == [*USUAL_ROOMS[True], PHONE_ROOMS[True]]
    assert all(r.zoom == 1.5 and r.present for r in desktop)
    assert [(r.width, r.height) for r in usual_rooms(Room(), phone=True)] == [PHONE_ROOMS[False]]


@pytest.mark.parametrize(("user_agent", "phone"), [
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148", True),
    ("Mozilla/5.0 (Linux; Android 15; Pixel 9) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36", True),
    ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36", False),
    (None, False), (["Mobi"], False),
])
def test_a_phone_is_told_by_its_user_agent_and_anything_else_is_not_one(user_agent, phone):
    assert is_phone(user_agent) is phone


def test_the_layouts_for_the_usual_rooms_each_fit_their_room_unless_they_would_weigh_too_much():
    small, large = table_for(Setting()), table_for(Setting(c_in=8, c_out=8, h=32, w=32, kh=7, kw=7, padding=3,
                                                           values="random"))
    rooms = usual_rooms(Room(), phone=False)

    def payload_for(table):
        return lambda room: figure_payload(animation_figure(table, 0, decimals=0, room=room))

    choices = layout_choices(rooms, payload_for(small))
    assert [room for room, _, _ in choices] == list(rooms)
    for room, payload, _ in choices:
        layout = json.loads(payload)["layout"]
        assert layout["width"] <= room.width and (room.narrow or layout["height"] <= room.height), room
    data = json.loads(choices_data(choices, b'{"step":0}'))
    assert [choice["room"] for choice in data["choices"]] == [[r.width, r.height] for r in rooms]
    distinct = {revision: payload for _, payload, revision in choices}
    assert len(data["layouts"]) == len(distinct) >= 4, "each distinct layout is sent once"
    for choice, (_, payload, _) in zip(data["choices"], choices, strict=True):
        assert data["layouts"][choice["layout"]] == json.loads(payload)
    assert data["step"] == 0
    assert layout_choices(rooms, payload_for(large)) == [], "2.4 MB a layout: one layout, then the measured room"
