"""Pure figure builder for pictures: the input in colour and as its channels, every output channel at full size.

One pair of axes in units of pixels (x to the right, y downwards). The top row holds the picture and its input
channels; under it sit the output channels, up to four a row, each with the kernel's name. Maps travel as 8-bit
levels (a 128×128 picture with 8 kernels stays a few hundred kB); each output map is scaled to its own ±max, which
its title states. The region that the step player animates is outlined on the picture and on every map.
"""

from __future__ import annotations

import base64
import io
import math
from typing import Any

import numpy as np
from PIL import Image

from convviz.figures import style
from convviz.i18n.strings import text
from convviz.model.images import Region

GAP = 6  # pixels between panels
TITLE = 12  # room above a panel for its title, in pixels of the picture
MAPS_PER_ROW = 4
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


def _title(x: float, y: float, words: str) -> dict[str, Any]:
    return {"x": x, "y": y - 1, "text": words, "showarrow": False, "xanchor": "left", "yanchor": "bottom",
            "font": style.LABEL_FONT, "xref": "x", "yref": "y"}


def _outline(x: float, y: float, w: float, h: float) -> dict[str, Any]:
    return {"type": "rect", "x0": x, "y0": y, "x1": x + w, "y1": y + h, "xref": "x", "yref": "y",
            "line": {"color": style.WINDOW, "width": 2}}


def _click_targets(h: int, w: int, every: int = CLICK_EVERY) -> dict[str, Any]:
    """Invisible points over the picture, every few pixels, that a click selects (a heatmap alone selects nothing)."""
    rows, cols = np.mgrid[0:h:every, 0:w:every]  # (h/every, w/every) each
    pixels = np.stack([rows.ravel(), cols.ravel()], axis=1)  # (n, 2): each target's (row, col)
    return {"type": "scatter", "mode": "markers", "x": (cols.ravel() + 0.5).tolist(),
            "y": (rows.ravel() + TITLE + 0.5).tolist(), "customdata": pixels.tolist(),
            "marker": {"size": every * 2, "opacity": 0.01, "color": "#000000"}, "name": "pick",
            "hovertemplate": text("img_fig_click") + "<extra></extra>"}


def feature_maps_figure(
    rgb: np.ndarray, X: np.ndarray, Y: np.ndarray, names: tuple[str, ...], *, absolute: bool,
    region: Region, stride: int, padding: int, span: int,
) -> dict[str, Any]:
    """The picture (h, w, 3), its channels X (c_i, h, w) and the outputs Y (c_o, h_o, w_o), named by `names`.

    `absolute` shows |y| on one-sided scales instead of y on diverging ones centred at 0. The region's outline on
    the picture covers the input pixels its windows read.
    """
    c_in, h, w = X.shape
    c_out, out_h, out_w = Y.shape
    channel_names = ["grey"] if c_in == 1 else ["R", "G", "B"]
    data: list[dict[str, Any]] = [{"type": "image", "source": _picture_source(rgb), "x0": 0.5, "y0": TITLE + 0.5,
                                   "dx": 1, "dy": 1, "hoverinfo": "skip"}]  # x0, y0: the first pixel's centre
    annotations = [_title(0, TITLE, text("img_fig_picture"))]
    for c, name in enumerate(channel_names):  # the input channels, right of the picture
        left = (c + 1) * (w + GAP)
        data.append({"type": "heatmap", "z": _levels(X[c], 1.0, "u1"), "x0": left + 0.5, "dx": 1, "y0": TITLE + 0.5,
                     "dy": 1, "zmin": 0, "zmax": 255, "colorscale": CHANNEL_RAMPS[name], "showscale": False,
                     "hoverinfo": "skip"})
        annotations.append(_title(left, TITLE, text("img_fig_channel", c=c, name=name)))
    # The region: input pixels its windows read (in the unpadded picture), and its cells in every output map.
    top, left = region.row * stride - padding, region.col * stride - padding
    read_h, read_w = (region.rows - 1) * stride + span, (region.cols - 1) * stride + span
    shapes = [_outline(left, TITLE + top, read_w, read_h)]
    maps_top = TITLE + h + GAP + TITLE
    per_row = min(MAPS_PER_ROW, c_out)
    for o in range(c_out):
        row, col = divmod(o, per_row)
        x, y = col * (out_w + GAP), maps_top + row * (out_h + GAP + TITLE)
        limit = float(np.abs(Y[o]).max()) or 1.0
        z = _levels(np.abs(Y[o]), limit, "u1") if absolute else _levels(Y[o], limit, "i1")
        bounds = {"zmin": 0, "zmax": 255, "colorscale": MAGNITUDE} if absolute else {
            "zmin": -127, "zmax": 127, "colorscale": style.DIVERGING}
        data.append({"type": "heatmap", "z": z, "x0": x + 0.5, "dx": 1, "y0": y + 0.5, "dy": 1, "showscale": False,
                     "hoverinfo": "skip", **bounds})
        words = text("img_fig_output_abs" if absolute else "img_fig_output", o=o, name=names[o], limit=f"{limit:.3g}")
        annotations.append(_title(x, y, words))
        shapes.append(_outline(x + region.col, y + region.row, region.cols, region.rows))
    data.append(_click_targets(h, w))
    width = max(len(channel_names) + 1, 1) * (w + GAP) - GAP
    width = max(width, per_row * (out_w + GAP) - GAP)
    height = maps_top + math.ceil(c_out / per_row) * (out_h + GAP + TITLE) - GAP - TITLE
    return {
        "data": data,
        "layout": {
            "height": int(min(900, max(300, 900 * height / max(width, 1)))),
            "margin": {"l": 4, "r": 4, "t": 4, "b": 4},
            "paper_bgcolor": "white", "plot_bgcolor": "white", "showlegend": False, "dragmode": False,
            "font": {"family": style.FONT_FAMILY},
            "xaxis": {"visible": False, "range": [-1, width + 1], "fixedrange": True},
            "yaxis": {"visible": False, "range": [height + 1, -1], "scaleanchor": "x", "scaleratio": 1,
                      "fixedrange": True},
            "annotations": annotations,
            "shapes": shapes,
        },
    }
