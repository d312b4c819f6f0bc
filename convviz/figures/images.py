"""Pure figure builder for pictures: the input in colour and as its channels, every output channel at full size.

One pair of axes in units of pixels (x to the right, y downwards). The top rows hold the picture and its input
channels; under them sit the output channels, each with the kernel's name. The figure is laid out for the chart's
width: up to four panels a row, fewer on a narrow screen, every title wrapped to its panel's width. Maps travel as 8-bit
levels (a 128×128 picture with 8 kernels stays a few hundred kB); each output map is scaled to its own ±max, which
its title states. The region that the step player animates is outlined on the picture and on every map.
"""

from __future__ import annotations

import base64
import io
from typing import Any

import numpy as np
from PIL import Image

from convviz.figures import style
from convviz.figures.fit import DEFAULT_WIDTH, LINE, label_px, wrapped
from convviz.figures.plotting import MODEBAR_OFF
from convviz.i18n.strings import text
from convviz.model.images import Region

GAP = 6  # picture pixels between panels
GAP_PX = 8  # about as many screen pixels (for counting how many panels fit a row)
TITLE_PAD_PX = 4  # screen pixels between a title and its panel
MAPS_PER_ROW = 4
MIN_PANEL_PX = 150  # a panel is at least this many screen pixels wide, so that its title fits in two lines
MARGIN = {"l": 4, "r": 4, "t": 4, "b": 4}
CLICK_EVERY = 4  # a click target every this many pixels of the picture
CHANNEL_RAMPS = {  # an input channel's ramp from 0 to 1: its own colour, or grey
    "R": [[0, "#000000"], [1, "#ff2a2a"]],
    "G": [[0, "#000000"], [1, "#2ad42a"]],
    "B": [[0, "#000000"], [1, "#3a6bff"]],
    "grey": [[0, "#000000"], [1, "#ffffff"]],
}
MAGNITUDE = [[0.0, "#ffffff"], [1.0, "#3f007d"]]  # |y|: white for 0, dark for the largest


def _levels(values: np.ndarray, limit: float, dtype: str) -> dict[str, Any]:
    """A map as a Plotly typed array of 8-bit levels: ±limit → ±127 ('i1'), or 0..limit → 0..255 ('u1')."""
    scaled = np.asarray(values, dtype=np.float64) / (limit or 1.0)
    levels = np.round(scaled * (127 if dtype == "i1" else 255)).astype(np.int8 if dtype == "i1" else np.uint8)
    return {"dtype": dtype, "bdata": base64.b64encode(levels.tobytes()).decode(), "shape": f"{levels.shape[0]},"
            f"{levels.shape[1]}"}


def _picture_source(rgb: np.ndarray) -> str:
    """The picture as a PNG data URI: a few kB, drawn by the browser as it is."""
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(rgb, dtype=np.uint8)).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _title(x: float, y: float, words: str, size: int) -> dict[str, Any]:
    """A panel's title, its top at y (picture pixels), left-aligned at x."""
    return {"x": x, "y": y, "text": words, "showarrow": False, "xanchor": "left", "yanchor": "top",
            "align": "left", "font": {**style.LABEL_FONT, "size": size}, "xref": "x", "yref": "y"}


def panels_per_row(plot_px: float) -> int:
    """How many panels a row holds: up to MAPS_PER_ROW, each at least MIN_PANEL_PX wide (one on the narrowest)."""
    return max(1, min(MAPS_PER_ROW, int((plot_px + GAP_PX) // (MIN_PANEL_PX + GAP_PX))))


def _outline(x: float, y: float, w: float, h: float) -> dict[str, Any]:
    return {"type": "rect", "x0": x, "y0": y, "x1": x + w, "y1": y + h, "xref": "x", "yref": "y",
            "line": {"color": style.WINDOW, "width": 2}}


def _click_targets(h: int, w: int, top: float, every: int = CLICK_EVERY) -> dict[str, Any]:
    """Invisible points over the picture, every few pixels, that a click selects (a heatmap alone selects nothing)."""
    rows, cols = np.mgrid[0:h:every, 0:w:every]  # (h/every, w/every) each
    pixels = np.stack([rows.ravel(), cols.ravel()], axis=1)  # (n, 2): each target's (row, col)
    return {"type": "scatter", "mode": "markers", "x": (cols.ravel() + 0.5).tolist(),
            "y": (rows.ravel() + top + 0.5).tolist(), "customdata": pixels.tolist(),
            "marker": {"size": every * 2, "opacity": 0.01, "color": "#000000"}, "name": "pick",
            "hovertemplate": text("img_fig_click") + "<extra></extra>"}


def feature_maps_figure(
    rgb: np.ndarray, X: np.ndarray, Y: np.ndarray, names: tuple[str, ...], *, absolute: bool,
    region: Region, stride: int, padding: int, span: int, width: int = DEFAULT_WIDTH,
) -> dict[str, Any]:
    """The picture (h, w, 3), its channels X (c_i, h, w) and the outputs Y (c_o, h_o, w_o), named by `names`.

    `absolute` shows |y| on one-sided scales instead of y on diverging ones centred at 0. The region's outline on
    the picture covers the input pixels its windows read. Laid out for a chart `width` pixels wide: as many panels
    a row as keep each MIN_PANEL_PX wide, every title wrapped to its panel's width.
    """
    c_in, h, w = X.shape
    c_out, out_h, out_w = Y.shape
    channel_names = ["grey"] if c_in == 1 else ["R", "G", "B"]
    plot_px = width - MARGIN["l"] - MARGIN["r"]
    per_row = panels_per_row(plot_px)
    in_row, out_row = min(per_row, 1 + c_in), min(per_row, c_out)
    side = max(w, out_w)  # every panel gets this many picture pixels of width
    units = per_row * (side + GAP) - GAP  # the chart's width in picture pixels
    scale = plot_px / units  # screen pixels per picture pixel
    font = label_px(width)
    panel_px = side * scale

    def title(words: str) -> tuple[str, float]:
        """The title wrapped to a panel's width, and the room it takes above the panel, in picture pixels."""
        wrapped_words, lines = wrapped(words, panel_px, font)
        return wrapped_words, (lines * font * LINE + TITLE_PAD_PX) / scale

    # The panels in reading order: (title, picture-pixel height), the picture and its channels first.
    in_titles = [title(text("img_fig_picture"))] + [title(text("img_fig_channel", c=c, name=name))
                                                    for c, name in enumerate(channel_names)]
    limits = [float(np.abs(Y[o]).max()) or 1.0 for o in range(c_out)]
    out_titles = [title(text("img_fig_output_abs" if absolute else "img_fig_output", o=o, name=names[o],
                             limit=f"{limits[o]:.3g}")) for o in range(c_out)]
    spots: list[tuple[float, float]] = []  # each panel's top-left corner, titles and maps alike
    annotations: list[dict[str, Any]] = []
    top = 0.0
    for group, row_len, panel_h in ((in_titles, in_row, h), (out_titles, out_row, out_h)):
        for start in range(0, len(group), row_len):
            row = group[start : start + row_len]
            band = max(room for _, room in row)
            for k, (words, _) in enumerate(row):
                x = k * (side + GAP)
                annotations.append(_title(x, top, words, font))
                spots.append((x, top + band))
            top += band + panel_h + GAP
    height = top - GAP
    pic_x, pic_y = spots[0]
    data: list[dict[str, Any]] = [{"type": "image", "source": _picture_source(rgb), "x0": pic_x + 0.5,  # x0, y0: the
                                   "y0": pic_y + 0.5, "dx": 1, "dy": 1, "hoverinfo": "skip"}]  # first pixel's centre
    for c, name in enumerate(channel_names):
        left, y = spots[1 + c]
        data.append({"type": "heatmap", "z": _levels(X[c], 1.0, "u1"), "x0": left + 0.5, "dx": 1, "y0": y + 0.5,
                     "dy": 1, "zmin": 0, "zmax": 255, "colorscale": CHANNEL_RAMPS[name], "showscale": False,
                     "hoverinfo": "skip"})
    # The region: input pixels its windows read (in the unpadded picture), and its cells in every output map.
    row0, col0 = region.row * stride - padding, region.col * stride - padding
    read_h, read_w = (region.rows - 1) * stride + span, (region.cols - 1) * stride + span
    shapes = [_outline(pic_x + col0, pic_y + row0, read_w, read_h)]
    for o in range(c_out):
        x, y = spots[1 + c_in + o]
        limit = limits[o]
        z = _levels(np.abs(Y[o]), limit, "u1") if absolute else _levels(Y[o], limit, "i1")
        bounds = {"zmin": 0, "zmax": 255, "colorscale": MAGNITUDE} if absolute else {
            "zmin": -127, "zmax": 127, "colorscale": style.DIVERGING}
        data.append({"type": "heatmap", "z": z, "x0": x + 0.5, "dx": 1, "y0": y + 0.5, "dy": 1, "showscale": False,
                     "hoverinfo": "skip", **bounds})
        shapes.append(_outline(x + region.col, y + region.row, region.cols, region.rows))
    data.append(_click_targets(h, w, pic_y))
    return {
        "data": data,
        "layout": {
            "height": int(np.ceil(height * scale)) + MARGIN["t"] + MARGIN["b"],
            "margin": MARGIN,
            "paper_bgcolor": "white", "plot_bgcolor": "white", "showlegend": False, "dragmode": False,
            "font": {"family": style.FONT_FAMILY},
            "xaxis": {"visible": False, "range": [0, units], "fixedrange": True, "constrain": "domain"},
            "yaxis": {"visible": False, "range": [height, 0], "scaleanchor": "x", "scaleratio": 1,
                      "fixedrange": True, "constrain": "domain"},
            "annotations": annotations,
            "shapes": shapes,
            "modebar": MODEBAR_OFF,
            "meta": {"width": width},  # the width it was laid out for (the browser tests wait for it)
        },
    }
