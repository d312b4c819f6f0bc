"""The tabs' figures laid out for a width, without a browser: the text-fit rule, and every figure's titles and numbers
on every classroom screen's chart width (tests/test_screens_tabs_browser.py checks the same in Chromium)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from convviz.figures import fit
from convviz.figures.fit import MIN_TEXT_PX, label_px, number_font, text_px, wrap, wrapped
from convviz.figures.images import feature_maps_figure, panels_per_row
from convviz.figures.mixing import matmul_figure, matrix_figure, pixel_figure
from convviz.figures.separable import in_rows, kernels_figure, maps_figure, maps_per_row
from convviz.i18n.strings import speaking
from convviz.model import images, mixing, separable
from convviz.ui.width_probe import WIDEST, checked_width

# The main column's width on each screen: phones 360 and 390, then 1024 … 3840 with the sidebar open (as measured).
CHART_WIDTHS = [320, 340, 640, 900, 980, 1280, 1860, 3780]


def lines_of(annotation: dict) -> list[str]:
    return re.sub(r"<[^>]+>", "\n", annotation["text"]).splitlines()


# ---- the rule ----


def test_text_width_follows_dejavu_sans_and_a_full_em_for_cjk():
    assert text_px("0123456789", 10) == pytest.approx(63.6)  # DejaVu Sans digits: 0.636 em
    assert text_px("-1.23", 12) == pytest.approx(12 * (0.361 + 0.318 + 3 * 0.636))
    assert text_px("输入", 13) == 26  # a CJK character takes a full em
    assert text_px("Ab×", 10) == pytest.approx(10 * (0.79 + 0.64 + 0.838))  # capitals and small letters err wide
    assert text_px("é", 10) == pytest.approx(8.4)  # anything else: wider than most letters


def test_numbers_show_at_12px_or_more_or_not_at_all():
    assert number_font(37, ["-1.23", "4"]) == 12  # 31 px of text in a 37 px cell
    assert number_font(30, ["-1.23"]) == 0  # would need 10 px: not drawn
    assert number_font(200, ["7"]) == fit.MAX_DIGIT_PX  # large cells: large numbers, up to a limit
    assert number_font(40, ["7"], cell_high_px=16) == 0  # a row too low for a 12 px line
    assert number_font(40, []) >= MIN_TEXT_PX


@pytest.mark.parametrize("words", [
    "(b) step 2, 1×1: Y = W · Z at every pixel, 4 channel(s)",
    "(b) 第 2 步，逐点（1×1）卷积：在每个像素上 Y = W · Z，4 个通道",
    "Y_general[0]",
    "the general path, for comparison: Y_general = corr2d_multi_in_out(X, K) with K = W as (3, 3, 1, 1)",
])
@pytest.mark.parametrize("width", [60, 120, 330])
def test_wrapped_lines_fit_their_width_and_keep_every_character(words, width):
    lines = wrap(words, width, 13)
    assert all(text_px(line, 13) <= width for line in lines)
    assert "".join(lines).replace(" ", "") == words.replace(" ", "")
    joined, count = wrapped(words, width, 13)
    assert count == len(lines) and joined.count("<br>") == count - 1


def test_a_word_wider_than_a_line_is_broken_inside():
    assert wrap("Y_general[0]", 60, 13) == ["Y_gener", "al[0]"]
    assert wrap("", 60, 13) == [""]


def test_titles_grow_with_the_screen():
    assert label_px(340) == 13 and label_px(1860) == 19 and label_px(3780) == 20


def test_the_probes_report_is_checked():
    assert checked_width(None) == fit.DEFAULT_WIDTH
    assert checked_width({"width": None}) == fit.DEFAULT_WIDTH
    assert checked_width({"width": True}) == fit.DEFAULT_WIDTH
    assert checked_width({"width": float("nan")}) == fit.DEFAULT_WIDTH
    assert checked_width({"width": "wide"}) == fit.DEFAULT_WIDTH
    assert checked_width({"width": 10}) == fit.NARROW_WIDTH
    assert checked_width({"width": 10**6}) == WIDEST
    assert checked_width({"width": 358.0}) == 358


# ---- every figure on every screen ----


def assert_cells_readable(figure: dict, width: int) -> int:
    """Numbers only at 12 px or more; return how many traces write numbers."""
    written = [t for t in figure["data"] if t.get("texttemplate")]
    assert all(t["textfont"]["size"] >= MIN_TEXT_PX for t in written)
    assert figure["layout"]["meta"]["width"] == width
    return len(written)


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("width", CHART_WIDTHS)
def test_separable_panels_fit_the_width(width, language):
    X = mixing.input_image(3, 6, 6, 0)
    K, D = separable.kernels(3, 4, 3, 0)
    result = separable.separable_layers(X, K, D, mixing.preset_matrix("random", 4, 3, 0))
    with speaking(language):
        figures = [maps_figure(X, result, width), kernels_figure(K, result.K_equivalent, width)]
    room = width - 8
    for figure in figures:
        for title in figure["layout"]["annotations"]:
            assert all(text_px(line, title["font"]["size"]) <= room for line in lines_of(title))
        cell_px = min(40, room / max(len(trace["z"][0]) for trace in figure["data"]))  # one cell size for all
        for n, trace in enumerate(figure["data"], start=1):
            axis = figure["layout"]["xaxis" if n == 1 else f"xaxis{n}"]
            span = axis["range"][1] - axis["range"][0]
            assert len(trace["z"][0]) <= span + 1e-9 and span * cell_px <= room + 1  # the panel fits the width
        numbers = assert_cells_readable(figure, width)
        if width >= 980:
            assert numbers  # a laptop shows the numbers


def test_maps_wrap_into_rows_on_a_phone_and_stay_in_one_on_a_projector():
    tall = {"blocks": in_rows(np.arange(4 * 36.0).reshape(4, 6, 6) % 10, 4)[np.newaxis, 0]}
    assert maps_per_row([tall], 332) == 2  # two maps a row, cells 25 px
    assert maps_per_row([tall], 1852) == 4
    wide = {"blocks": np.full((1, 8, 16, 16), -0.123)}
    assert maps_per_row([wide], 232) == 1  # even one map has cells under 20 px
    two = {"blocks": np.full((1, 2, 6, 6), -0.123)}
    assert maps_per_row([two], 232) == 1  # no row of them fits the numbers: the widest row of 20 px cells
    assert in_rows(np.ones((3, 2, 2)), 2).shape == (2, 2, 2, 2) and np.isnan(in_rows(np.ones((3, 2, 2)), 2)[1, 1]).all()


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("width", CHART_WIDTHS)
def test_1x1_titles_fit_their_room_and_the_controls_stack(width, language):
    X = mixing.input_image(3, 4, 4, 0)
    W = mixing.preset_matrix("random", 3, 3, 0)
    with speaking(language):
        pixel = pixel_figure(X, W, mixing.pixel_steps(X, W), 0, 0, width)
        matmul = matmul_figure(X, W, mixing.matmul_check(X, W), 0, 0, width)
    for figure in (pixel, matmul):
        for title in figure["layout"]["annotations"]:
            assert all(text_px(line, title["font"]["size"]) <= width - 8 for line in lines_of(title)), title["text"]
        assert_cells_readable(figure, width)
    buttons, slider = pixel["layout"]["updatemenus"][0], pixel["layout"]["sliders"][0]
    assert buttons["y"] == 0 and slider["y"] < 0 and slider["x"] == 0  # the slider and its label under the buttons
    labels_shown = slider["font"]["color"] != "rgba(0,0,0,0)"
    assert labels_shown == (width >= 900)  # 16 labels side by side only where they fit


def test_the_w_chart_writes_numbers_only_where_they_fit_a_narrow_column():
    assert matrix_figure(mixing.preset_matrix("random", 3, 3, 0))["data"][0]["texttemplate"]
    assert not matrix_figure(mixing.preset_matrix("random", 8, 8, 0))["data"][0]["texttemplate"]


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("width", CHART_WIDTHS)
def test_picture_titles_fit_their_panels(width, language):
    rgb = images.load_picture("cat")
    X = images.as_channels(rgb, False)
    Y = np.stack([X[0] - X[1], X[1], X[2] / 2])  # three output maps of the picture's size
    with speaking(language):
        figure = feature_maps_figure(rgb, X, Y, ("sobel_x", "sobel_y", "gaussian_blur"), absolute=False,
                                     region=images.clamp_region(10, 10, *Y.shape[1:]), stride=1, padding=1, span=3,
                                     width=width)
    per_row = panels_per_row(width - 8)
    panel_px = (width - 8) * X.shape[2] / (per_row * (X.shape[2] + 6) - 6)
    for title in figure["layout"]["annotations"]:
        assert all(text_px(line, title["font"]["size"]) <= panel_px for line in lines_of(title)), title["text"]
    assert per_row == (1 if width < 316 else 2 if width < 474 else 4 if width >= 632 else 3)
    assert figure["layout"]["meta"]["width"] == width


def test_a_width_kept_in_the_probes_cookie_is_checked_like_a_report():
    from convviz.ui.width_probe import width_from_cookie

    assert width_from_cookie("740") == 740
    assert width_from_cookie(None) == width_from_cookie("") == width_from_cookie("wide") == fit.DEFAULT_WIDTH
    assert width_from_cookie("1e999") == fit.DEFAULT_WIDTH and width_from_cookie("nan") == fit.DEFAULT_WIDTH
    assert width_from_cookie("3") == fit.NARROW_WIDTH and width_from_cookie("99999999") == WIDEST
    assert width_from_cookie(740) == fit.DEFAULT_WIDTH  # only text comes from a cookie
