"""Pure figure builders for the 1×1 explorer: NumPy data in, a plain Plotly figure dict out (never `st.*`).

Every diagram is drawn in units of cells (x to the right, y downwards) so that cells stay square. Channels of a
map sit side by side in a strip, one cell apart: channel c of an h×w map covers x in [c(w+1), c(w+1) + w).

The pixel figure animates over the pixels in the browser. A frame carries only what changes at a pixel: the
input vector x, the products W[o, c]·x[c], the output vector y (three small heatmaps) and two outline paths.

The pixel and matrix-product figures are laid out for the chart's width in pixels (`width`): cells as large as the
width allows, every title wrapped to the room it has, numbers only in cells that hold them at 12 px or more
(`convviz.figures.fit`), and Play/Pause on a line of their own above the slider.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from convviz.figures import style
from convviz.figures.fit import DEFAULT_WIDTH, LINE, MIN_TEXT_PX, label_px, number_font, text_px, wrapped
from convviz.figures.plotting import MODEBAR_OFF, cells, rect_path, symmetric_range
from convviz.i18n.strings import text
from convviz.model.mixing import INPUT_MAX, MatmulCheck, PixelSteps

STRIP_MAX_CELL_PX = 34
MATH_MAX_CELL_PX = 46
MIN_ROW_PX = 14  # rows of the matrix product are at least this tall, even when its columns are thinner
GAP_PX = 26  # room between two stacked panels
SIDE_PX = 4  # the figures' left and right margins
INDEX_PX = 18  # room above W in y = W · x for its column numbers
BUTTONS_PX = 44  # Play/Pause: a line of their own under the figure ...
SLIDER_PX = 80  # ... and the slider under them, with the current pixel above its rail
SLIDER_FONT_PX = 12
TIGHT_BELOW_PX = 600  # a chart narrower than this (a phone) gets y = W · x with narrower gaps
# Input values 0..9 on a light-to-dark ramp; signed values (W, products, outputs) on style.DIVERGING.
INPUT_SCALE = [[0.0, "#ffffff"], [1.0, "#3f4a5a"]]
RGB_SLOT_TITLE_KEY = "mix_fig_rgb"
MATH_TITLES = {"W": "mix_fig_w", "x": "mix_fig_x", "products": "mix_fig_products", "y": "mix_fig_y"}


# ---- small helpers ----


def _ref(n: int) -> tuple[str, str]:
    """Trace references ("x", "y") or ("x2", "y2") of subplot n, counted from 1."""
    return ("x", "y") if n == 1 else (f"x{n}", f"y{n}")


def _axes(
    n: int, x_range: list[float], y_range: list[float], domain: list[float], row_scale: float = 1.0
) -> dict[str, Any]:
    """A pair of hidden axes in cell units, y growing downwards; a cell is `row_scale` times taller than wide."""
    x_ref, y_ref = _ref(n)
    suffix = "" if n == 1 else str(n)
    hidden = {"visible": False, "fixedrange": True, "constrain": "domain", "showgrid": False, "zeroline": False}
    return {
        f"xaxis{suffix}": {**hidden, "range": x_range, "domain": [0.0, 1.0], "anchor": y_ref},
        f"yaxis{suffix}": {
            **hidden,
            "range": [y_range[1], y_range[0]],
            "domain": domain,
            "anchor": x_ref,
            "scaleanchor": x_ref,
            "scaleratio": row_scale,
        },
    }


def _text_size(cell_px: float, values: np.ndarray) -> int:
    """Font size that fits every one of `values` (as "%{z:.4~g}" writes it) into a cell; 0 if under 12 px."""
    flat = np.unique(np.round(np.ravel(np.asarray(values, dtype=np.float64)), 4))
    return number_font(cell_px, [f"{v:.4g}" for v in flat[np.isfinite(flat)]])


def _heatmap(
    z: np.ndarray,
    left: float,
    top: float,
    subplot: int,
    *,
    name: str,
    colorscale: list,
    zrange: tuple[float, float],
    text_on: bool,
    cell_px: float,
    labels: list | None,
    sample: np.ndarray | None = None,
    fmt: str = "%{z:.4~g}",
    font_px: int = 0,
) -> dict[str, Any]:
    """A heatmap whose cell (r, c) covers [left + c, left + c + 1) × [top + r, top + r + 1).

    `labels` (same shape as z) name each cell in the hover text; None turns hovering off. The numbers' font is
    sized to fit `sample` (every value the trace will show, frames included), z by default, and at most `font_px`
    when that is given.
    """
    x_ref, y_ref = _ref(subplot)
    fits = _text_size(cell_px, z if sample is None else sample) if text_on else 0
    font_px = min(fits, font_px or fits)
    hover = (
        {"hoverinfo": "skip"}
        if labels is None
        else {"customdata": labels, "hovertemplate": "%{customdata} = %{z:.6~g}<extra></extra>"}
    )
    return {
        "type": "heatmap",
        "name": name,
        "z": cells(z, 4),
        "x0": left + 0.5,
        "dx": 1,
        "y0": top + 0.5,
        "dy": 1,
        "xaxis": x_ref,
        "yaxis": y_ref,
        "colorscale": colorscale,
        "zmin": zrange[0],
        "zmax": zrange[1],
        "showscale": False,
        "xgap": 1 if cell_px >= 8 else 0,  # thinner cells would be mostly gap
        "ygap": 1 if cell_px >= 8 else 0,
        "texttemplate": fmt if font_px else "",
        "textfont": {"size": font_px or MIN_TEXT_PX, "family": style.FONT_FAMILY},
        **hover,
    }


def _label(x: float, y: float, subplot: int, words: str, **extra: Any) -> dict[str, Any]:
    x_ref, y_ref = _ref(subplot)
    return {
        "x": x,
        "y": y,
        "xref": x_ref,
        "yref": y_ref,
        "text": words,
        "showarrow": False,
        "font": style.LABEL_FONT,
        "yanchor": "bottom",
        **extra,
    }


def _matrix_labels(name: str, rows: int, cols: int, pattern: str = "{name}[{r}, {c}]") -> list[list[str]]:
    return [[pattern.format(name=name, r=r, c=c) for c in range(cols)] for r in range(rows)]


def _vector_labels(name: str, size: int) -> list[list[str]]:
    return [[f"{name}[{k}]"] for k in range(size)]


def _strip_labels(name: str, channels: int, h: int, w: int) -> list[list[str | None]]:
    """Hover names for a strip made by `_spread`: "X[c, i, j]", None in the gaps."""
    grid: list[list[str | None]] = [[None] * _strip_width(channels, w) for _ in range(h)]
    for k in range(channels):
        for i in range(h):
            for j in range(w):
                grid[i][k * (w + 1) + j] = f"{name}[{k}, {i}, {j}]"
    return grid


def _flat_labels(name: str, source: str, rows: int, h: int, w: int) -> list[list[str]]:
    """Hover names for a flattened map: column p = i·w + j holds pixel (i, j)."""
    return [
        [f"{name}[{r}, {i * w + j}] = {source}[{r}, {i}, {j}]" for i in range(h) for j in range(w)] for r in range(rows)
    ]


def _spread(maps: np.ndarray) -> np.ndarray:
    """Channels (c, h, w) side by side with one empty column between them: (h, c(w + 1) − 1), NaN in the gaps."""
    c, h, w = maps.shape
    strip = np.full((h, c * (w + 1) - 1), np.nan)
    for k in range(c):
        strip[:, k * (w + 1) : k * (w + 1) + w] = maps[k]
    return strip


def _rgb_picture(maps: np.ndarray, left: float, subplot: int) -> dict[str, Any]:
    """Three channels of values 0..9 drawn as one colour picture (clipped to 0..9)."""
    x_ref, y_ref = _ref(subplot)
    rgb = np.clip(np.asarray(maps, dtype=np.float64), 0, INPUT_MAX) / INPUT_MAX * 255  # (3, h, w)
    return {
        "type": "image",
        "name": "RGB",
        "z": np.round(rgb.transpose(1, 2, 0)).astype(int).tolist(),  # (h, w, 3)
        "x0": left + 0.5,
        "dx": 1,
        "y0": 0.5,
        "dy": 1,
        "xaxis": x_ref,
        "yaxis": y_ref,
        "hoverinfo": "skip",
    }


def _strip_width(slots: int, w: int) -> int:
    return slots * (w + 1) - 1


def _pixel_outline(slots: int, h: int, w: int, row: int, col: int) -> str:
    """One path outlining pixel (row, col) in every slot of a strip."""
    return "".join(rect_path(k * (w + 1) + col, row, k * (w + 1) + col + 1, row + 1) for k in range(slots))


def _pending_cover(slots: int, first: int, h: int, w: int, row: int, col: int) -> str:
    """Cover, in slots first.., the pixels that later steps compute: the rest of this row and the rows below."""
    parts = []
    for k in range(first, slots):
        x = k * (w + 1)
        if col + 1 < w:
            parts.append(rect_path(x + col + 1, row, x + w, row + 1))
        if row + 1 < h:
            parts.append(rect_path(x, row + 1, x + w, h))
    return "".join(parts) or "M0,0Z"


# ---- the mixing matrix on its own ----


COLUMN_PX = 130  # W's room in a 1024-px screen's middle column, less its tick labels (a phone's column is wider)


def matrix_figure(W: np.ndarray) -> dict[str, Any]:
    """W (c_o, c_i) as a heatmap with its numbers: rows are output channels, columns input channels."""
    c_out, c_in = W.shape
    cell_px = min(56, COLUMN_PX / max(c_out, c_in))  # the chart sits in a third of the page
    limit = symmetric_range(W)
    trace = {
        "type": "heatmap",
        "z": cells(W, 4),
        "x": [text("mix_fig_in_tick", c=c) for c in range(c_in)],
        "y": [text("mix_fig_out_tick", o=o) for o in range(c_out)],
        "colorscale": style.DIVERGING,
        "zmin": -limit,
        "zmax": limit,
        "xgap": 1,
        "ygap": 1,
        "texttemplate": "%{z:.4~g}" if _text_size(cell_px, W) else "",
        "textfont": {"size": _text_size(cell_px, W) or MIN_TEXT_PX, "family": style.FONT_FAMILY},
        "showscale": False,  # the numbers are in the cells; a colour bar would take a third of a narrow column
        "hovertemplate": text("mix_fig_w_hover") + "<extra></extra>",
    }
    return {
        "data": [trace],
        "layout": {
            "height": int(cell_px * c_out + 110),
            "margin": {"l": 50, "r": 10, "t": 72, "b": 10},
            # Above the column numbers, from the chart's left edge; in two lines, so that it fits a narrow column.
            "annotations": [{"text": text("mix_fig_w_title", c_out=c_out, c_in=c_in), "font": {"size": 14},
                             "xref": "paper", "yref": "paper", "x": 0, "y": 1, "xanchor": "left", "yanchor": "bottom",
                             "xshift": -48, "yshift": 24, "align": "left", "showarrow": False}],
            "xaxis": {"side": "top", "fixedrange": True, "tickfont": {"size": 12}, "constrain": "domain"},
            "yaxis": {
                "autorange": "reversed",
                "fixedrange": True,
                "scaleanchor": "x",
                "constrain": "domain",
                "tickfont": {"size": 12},
            },
            "font": {"family": style.FONT_FAMILY},
            "plot_bgcolor": "white",
            "paper_bgcolor": "white",
            "modebar": MODEBAR_OFF,
        },
    }


# ---- one pixel: y = W · x, animated over every pixel ----


def _strip_overlay(
    slots: int, first_channel: int, maps: np.ndarray, name: str, subplot: int, cell_px: float
) -> dict[str, Any]:
    """Nearly invisible markers on every cell centre of a strip: a heatmap cannot be clicked, a scatter can.

    customdata per point is [row, col, hover text]; `pixel_from_point` reads row and col back.
    """
    _, h, w = maps.shape
    xs, ys, custom = [], [], []
    for k in range(slots):
        channel = k - first_channel
        for r in range(h):
            for c in range(w):
                xs.append(k * (w + 1) + c + 0.5)
                ys.append(r + 0.5)
                if channel < 0:  # the colour picture
                    values = ", ".join(f"{v:.4g}" for v in maps[:, r, c])
                    custom.append([r, c, f"{name}[:, {r}, {c}] = ({values})"])
                else:
                    custom.append([r, c, f"{name}[{channel}, {r}, {c}] = {maps[channel, r, c]:.4g}"])
    x_ref, y_ref = _ref(subplot)
    return {
        "type": "scatter",
        "mode": "markers",
        "name": f"pick-{name}",
        "x": xs,
        "y": ys,
        "xaxis": x_ref,
        "yaxis": y_ref,
        "customdata": custom,
        "marker": {"size": max(6, cell_px * 0.9), "symbol": "square", "opacity": 0.01, "color": style.WINDOW},
        "selected": {"marker": {"opacity": 0.01}},
        "unselected": {"marker": {"opacity": 0.01}},
        "hovertemplate": text("mix_fig_pick_hover") + "<extra></extra>",
        "showlegend": False,
    }


def _math_layout(c_out: int, c_in: int, tight: bool = False) -> dict[str, float]:
    """Left edges, in cells, of the panels of y = W · x: W, x, the products, y; and the room left of W ("left").

    `tight` (a phone) narrows the gaps that hold the operators, so that the cells, and their numbers, can be larger.
    """
    gaps = (0.8, 0.9, 1.1) if tight else (1.4, 1.6, 1.8)  # before x, before the products, before y
    w_left = 0.0
    x_left = w_left + c_in + gaps[0]
    products_left = x_left + 1 + gaps[1]
    y_left = products_left + c_in + gaps[2]
    return {"W": w_left, "x": x_left, "products": products_left, "y": y_left, "right": y_left + 1,
            "left": 1.0 if tight else 1.6, "pad": 0.2 if tight else 0.4,  # room left of W and right of y
            "gap_x": gaps[0], "gap_products": gaps[1], "gap_y": gaps[2]}


@dataclass(frozen=True)
class _PixelLayout:
    """Where the pixel figure's three panels sit, and how big their cells are.

    Top to bottom: the input strip (subplot 1), y = W · x (subplot 2), the output strip (subplot 3). A strip holds
    one map per channel, after the colour picture when there are 3 channels (`first` is then 1).
    """

    c_in: int
    c_out: int
    h: int
    w: int
    in_first: int
    out_first: int
    strip_cols: int
    strip_px: float
    spots: dict[str, float]  # left edges of W, x, the products and y in subplot 2
    math_rows: int
    math_px: float
    title_in: float  # a strip's title height, in its cells
    title_math: float  # the math panel's title height, in its cells
    plot_px: float  # the plotting area's height
    domains: list[list[float]]  # vertical domain of each subplot, top to bottom
    font: int  # the titles' font size
    strip_wrap_px: float  # a strip title's width at most
    math_wraps: dict[str, float]  # each math panel title's width at most

    @property
    def in_slots(self) -> int:
        return self.c_in + self.in_first

    @property
    def out_slots(self) -> int:
        return self.c_out + self.out_first


def _title_lines(words: list[str], width_px: float, font: int) -> int:
    """The most lines any of `words` takes, wrapped to width_px."""
    return max(wrapped(one, width_px, font)[1] for one in words)


def _pixel_layout(c_in: int, c_out: int, h: int, w: int, width: int = DEFAULT_WIDTH) -> _PixelLayout:
    in_first, out_first = int(c_in == 3), int(c_out == 3)  # slot 0 holds the colour picture when there are 3
    strip_cols = max(_strip_width(c_in + in_first, w), _strip_width(c_out + out_first, w))
    room = width - 2 * SIDE_PX
    strip_px = min(STRIP_MAX_CELL_PX, room / (strip_cols + 0.6))
    spots = _math_layout(c_out, c_in, tight=room < TIGHT_BELOW_PX)
    math_rows = max(c_out, c_in)
    math_px = min(MATH_MAX_CELL_PX, room / (spots["left"] + spots["right"] + spots["pad"]), 300 / math_rows)
    font = label_px(width)
    # A strip's titles each keep within their map and half the gap on either side; the math panel's within theirs.
    strip_wrap_px = (w + 0.5) * strip_px
    strip_titles = [text(key) for key in (RGB_SLOT_TITLE_KEY, "mix_fig_rgb_out")] + [
        text(key, c=k, o=k) for key in ("mix_fig_in_map", "mix_fig_out_map") for k in range(max(c_in, c_out))]
    math_wraps = {"W": (c_in + 1.2) * math_px, "x": 2.4 * math_px, "products": (c_in + 1.2) * math_px,
                  "y": 2.4 * math_px}
    math_lines = max(wrapped(text(MATH_TITLES[key]), math_wraps[key], font)[1] for key in math_wraps)
    title_in = (_title_lines(strip_titles, strip_wrap_px, font) * font * LINE + 4) / strip_px
    title_math = (INDEX_PX + math_lines * font * LINE + 4) / math_px
    heights_px = [(h + title_in) * strip_px, (math_rows + title_math) * math_px, (h + title_in) * strip_px]
    plot_px = sum(heights_px) + 2 * GAP_PX
    domains, top = [], plot_px
    for part in heights_px:
        domains.append([max(0.0, (top - part) / plot_px), top / plot_px])
        top -= part + GAP_PX
    return _PixelLayout(c_in, c_out, h, w, in_first, out_first, strip_cols, strip_px, spots, math_rows, math_px,
                        title_in, title_math, plot_px, domains, font, strip_wrap_px, math_wraps)


def _strip(lay: _PixelLayout, maps: np.ndarray, subplot: int, picture_title: str, map_title: str,
           **colours: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A strip of channel maps (c, h, w), after the colour picture when `maps` has 3 channels: traces, titles."""
    first = int(maps.shape[0] == 3)
    data, annotations = [], []
    def title(x: float, words: str) -> dict[str, Any]:
        return _label(x, 0, subplot, wrapped(words, lay.strip_wrap_px, lay.font)[0], font=_font(lay.font))

    if first:
        data.append(_rgb_picture(maps, 0, subplot))
        annotations.append(title(lay.w / 2, text(picture_title)))
    data.append(_heatmap(_spread(maps), first * (lay.w + 1), 0, subplot, text_on=True, cell_px=lay.strip_px,
                         labels=None, **colours))
    for k in range(maps.shape[0]):
        annotations.append(title((k + first) * (lay.w + 1) + lay.w / 2, text(map_title, c=k, o=k)))
    return data, annotations


def _font(size: float) -> dict[str, Any]:
    return {**style.LABEL_FONT, "size": size}


def _math_panel(lay: _PixelLayout, W: np.ndarray, steps: PixelSteps, step: int,
                signed: tuple[float, float]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """y = W · x at one pixel (subplot 2): W, then x, the products and y (the three that frames change)."""
    c_out, c_in, spots = lay.c_out, lay.c_in, lay.spots
    w_limit = symmetric_range(W)
    # One size for the numbers of W, x, the products and y (the smallest that fits any), so that they read alike.
    fonts = [_text_size(lay.math_px, values) for values in (W, steps.inputs, steps.products, steps.outputs)]
    math: dict[str, Any] = {"text_on": True, "cell_px": lay.math_px,
                            "font_px": min((size for size in fonts if size), default=0)}
    data = [
        _heatmap(W, spots["W"], 0, 2, name="W", colorscale=style.DIVERGING, zrange=(-w_limit, w_limit),
                 labels=_matrix_labels("W", c_out, c_in), **math),
        _heatmap(steps.inputs[step][:, np.newaxis], spots["x"], 0, 2, name="x", colorscale=INPUT_SCALE,
                 zrange=(0, INPUT_MAX), labels=_vector_labels("x", c_in), sample=steps.inputs, **math),
        _heatmap(steps.products[step], spots["products"], 0, 2, name="products", colorscale=style.DIVERGING,
                 zrange=signed, labels=_matrix_labels("", c_out, c_in, "W[{r}, {c}]·x[{c}]"), sample=steps.products,
                 **math),
        _heatmap(steps.outputs[step][:, np.newaxis], spots["y"], 0, 2, name="y", colorscale=style.DIVERGING,
                 zrange=signed, labels=_vector_labels("y", c_out), sample=steps.outputs, **math),
    ]
    # Index labels: o on the left of W, c above W; titles over the panels; the operators between them.
    small = {"size": MIN_TEXT_PX, "color": style.PADDING_TEXT}
    annotations = [_label(-0.2, o + 0.5, 2, str(o), xanchor="right", yanchor="middle", font=small)
                   for o in range(c_out)]
    annotations += [_label(c + 0.5, -0.05, 2, str(c), font=small) for c in range(c_in)]
    for spot in ("W", "x", "products", "y"):
        width = {"W": c_in, "x": 1, "products": c_in, "y": 1}[spot]
        words = wrapped(text(MATH_TITLES[spot]), lay.math_wraps[spot], lay.font)[0]
        annotations.append(_label(spots[spot] + width / 2, -INDEX_PX / lay.math_px, 2, words, font=_font(lay.font)))
    operator_px = int(min(22, max(MIN_TEXT_PX, lay.math_px * spots["gap_y"] * 0.55)))  # Σ→ fits the last gap
    big = {"size": operator_px, "color": style.LABEL_FONT["color"]}
    annotations.append(_label(spots["x"] - spots["gap_x"] / 2, c_in / 2, 2, "·", yanchor="middle", font=big))
    annotations.append(_label(spots["products"] - spots["gap_products"] / 2, lay.math_rows / 2, 2, "→",
                              yanchor="middle", font=big))
    annotations.append(_label(spots["y"] - spots["gap_y"] / 2, c_out / 2, 2, "Σ→", yanchor="middle", font=big))
    return data, annotations


def _pixel_shapes(lay: _PixelLayout, r: int, c: int, pending: bool) -> list[dict[str, Any]]:
    """Outline pixel (r, c) in both strips; while playing, cover the output pixels not computed yet."""
    line = {"color": style.WINDOW, "width": 3}
    h, w = lay.h, lay.w
    shapes: list[dict[str, Any]] = [
        {"type": "path", "path": _pixel_outline(lay.in_slots, h, w, r, c), "xref": "x", "yref": "y", "line": line},
        {"type": "path", "path": _pixel_outline(lay.out_slots, h, w, r, c), "xref": "x3", "yref": "y3", "line": line},
    ]
    if pending:
        shapes.append({"type": "path", "path": _pending_cover(lay.out_slots, 0, h, w, r, c), "xref": "x3",
                       "yref": "y3", "fillcolor": style.PENDING_FILL, "opacity": 0.85, "line": {"width": 0},
                       "layer": "above"})
    return shapes


def _pixel_frames(lay: _PixelLayout, steps: PixelSteps, animated: list[int]) -> tuple[list[dict], list[dict]]:
    """One frame per pixel in row-major order (x, the products and y change), and the slider step that shows it."""
    # Rounded once for all frames (the values are finite): (n, c_i, 1), (n, c_o, c_i), (n, c_o, 1).
    inputs = np.round(steps.inputs, 4)[:, :, np.newaxis].tolist()
    products = np.round(steps.products, 4).tolist()
    outputs = np.round(steps.outputs, 4)[:, :, np.newaxis].tolist()
    jump = {"mode": "immediate", "frame": {"duration": 0, "redraw": True}, "transition": {"duration": 0}}
    frames, slider_steps = [], []
    for n in range(lay.h * lay.w):
        r, c = divmod(n, lay.w)
        name = f"{r},{c}"
        frames.append({"name": name, "traces": animated,
                       "data": [{"type": "heatmap", "z": z[n]} for z in (inputs, products, outputs)],
                       "layout": {"shapes": _pixel_shapes(lay, r, c, pending=True)}})
        slider_steps.append({"label": f"({r}, {c})", "method": "animate", "args": [[name], jump]})
    return frames, slider_steps


PIXEL_FRAME_MS = 450  # the pixel animation's frame time (its Play, and its slides' GIF)


def _pixel_player(step: int, slider_steps: list[dict], many: bool, plot_px: float, label_px: float) -> dict[str, Any]:
    """Play/Pause on a line of their own under the figure, and the slider under them, on `step`.

    `many`: the steps' labels would not fit side by side under the rail, so only the current one shows (above it).
    `plot_px` is the plotting area's height: the slider's place is given as a fraction of it. The rail keeps half a
    label's width (`label_px`) from either edge, so that the first and last labels are not cut off.
    """
    play = {"frame": {"duration": PIXEL_FRAME_MS, "redraw": True}, "fromcurrent": True, "transition": {"duration": 0}}
    pause = {"mode": "immediate", "frame": {"duration": 0, "redraw": False}, "transition": {"duration": 0}}
    label_font = {"size": 13, "color": style.LABEL_FONT["color"]}
    return {
        "updatemenus": [{
            "type": "buttons", "direction": "left", "x": 0.0, "y": 0, "xanchor": "left", "yanchor": "top",
            "pad": {"t": 8, "r": 8}, "showactive": False, "font": {"size": 13},
            "buttons": [
                {"label": text("mix_fig_play"), "method": "animate", "args": [None, play]},
                {"label": text("mix_fig_pause"), "method": "animate", "args": [[None], pause]},
            ],
        }],
        "sliders": [{
            "active": step, "x": 0.0, "len": 1.0, "y": -BUTTONS_PX / plot_px, "yanchor": "top",
            "pad": {"t": 4, "l": label_px / 2, "r": label_px / 2},
            "currentvalue": {"prefix": text("mix_fig_slider_prefix"), "font": label_font},
            # When the step labels would overlap: hide them, keep the current value.
            "font": {"size": SLIDER_FONT_PX, "color": "rgba(0,0,0,0)" if many else "#444444"},
            "steps": slider_steps,
        }],
    }


def pixel_figure(X: np.ndarray, W: np.ndarray, steps: PixelSteps, row: int, col: int,
                 width: int = DEFAULT_WIDTH) -> dict[str, Any]:
    """The input strip, y = W · x at one pixel with its numbers, and the output strip; frames visit every pixel.

    The figure opens at pixel (row, col); Play runs over every pixel in row-major order, the slider jumps to one.
    It is laid out for a chart `width` pixels wide.
    """
    c_in, h, w = X.shape
    c_out = W.shape[0]
    Y = steps.outputs.T.reshape(c_out, h, w)  # (n, c_o) -> (c_o, h, w)
    lay = _pixel_layout(c_in, c_out, h, w, width)
    out_limit = symmetric_range(steps.products, steps.outputs)
    signed = (-out_limit, out_limit)

    in_data, in_titles = _strip(lay, X, 1, RGB_SLOT_TITLE_KEY, "mix_fig_in_map", name="X", colorscale=INPUT_SCALE,
                                zrange=(0, INPUT_MAX))
    out_data, out_titles = _strip(lay, Y, 3, "mix_fig_rgb_out", "mix_fig_out_map", name="Y",
                                  colorscale=style.DIVERGING, zrange=signed)
    step = steps.index(row, col)
    math_data, math_titles = _math_panel(lay, W, steps, step, signed)
    data = [*in_data, *out_data, *math_data]
    animated = list(range(len(data) - 3, len(data)))  # x, the products and y
    # Click targets go last so they sit on top of the heatmaps.
    data.append(_strip_overlay(lay.in_slots, lay.in_first, X, "X", 1, lay.strip_px))
    data.append(_strip_overlay(lay.out_slots, lay.out_first, Y, "Y", 3, lay.strip_px))
    frames, slider_steps = _pixel_frames(lay, steps, animated)

    layout: dict[str, Any] = {}
    layout.update(_axes(1, [-0.3, lay.strip_cols + 0.3], [-lay.title_in, h + 0.1], lay.domains[0]))
    layout.update(_axes(2, [-lay.spots["left"], lay.spots["right"] + lay.spots["pad"]],
                        [-lay.title_math, lay.math_rows + 0.1], lay.domains[1]))
    layout.update(_axes(3, [-0.3, lay.strip_cols + 0.3], [-lay.title_in, h + 0.1], lay.domains[2]))
    labels_px = max(text_px(step["label"], SLIDER_FONT_PX) for step in slider_steps) + 8
    many = h * w * labels_px > width - 2 * SIDE_PX - labels_px  # the labels would touch: show only the current one
    layout.update({
        "height": int(lay.plot_px + BUTTONS_PX + SLIDER_PX + 10),
        "margin": {"l": SIDE_PX, "r": SIDE_PX, "t": 10, "b": BUTTONS_PX + SLIDER_PX},
        "shapes": _pixel_shapes(lay, row, col, pending=False),
        "annotations": [*in_titles, *out_titles, *math_titles],
        "showlegend": False, "hovermode": "closest", "dragmode": False, "clickmode": "event+select",
        "plot_bgcolor": "white", "paper_bgcolor": "white", "font": {"family": style.FONT_FAMILY},
        "modebar": MODEBAR_OFF, "meta": {"width": width},  # the width it was laid out for
        **_pixel_player(step, slider_steps, many, lay.plot_px, labels_px),
    })
    return {"data": data, "layout": layout, "frames": frames}


def pixel_from_point(point: dict[str, Any], w: int) -> tuple[int, int] | None:
    """The (row, col) of a clicked overlay point, from its customdata or else from its position in the strip."""
    custom = point.get("customdata")
    if isinstance(custom, (list, tuple)) and len(custom) >= 2:
        try:
            return int(custom[0]), int(custom[1])
        except (TypeError, ValueError):
            pass
    try:
        x, y = float(point["x"]), float(point["y"])
    except (KeyError, TypeError, ValueError):
        return None
    return int(np.floor(y)), int(np.floor(x)) % (w + 1)


def pixel_from_selection(event: dict[str, Any] | None, h: int, w: int) -> tuple[int, int] | None:
    """The pixel a chart selection event picked (its first point), inside an h×w picture; None if it picked none."""
    points = ((event or {}).get("selection") or {}).get("points") or []
    pixel = pixel_from_point(dict(points[0]), w) if points else None
    return None if pixel is None else (min(max(pixel[0], 0), h - 1), min(max(pixel[1], 0), w - 1))


# ---- the whole layer as one matrix product ----


@dataclass(frozen=True)
class _MatmulLayout:
    """Where the matrix-product figure's four panels sit: X (subplot 1), W · X_flat = Y_flat (2), Y (3), Y_general (4).

    The product panel, in its cells: X_flat under its title at the top right; below it Y_flat under its title, with
    W on its left and W's name left of W; its rows may be taller than its columns are wide.
    """

    c_in: int
    c_out: int
    h: int
    w: int
    strip_cols: int
    strip_px: float
    prod_cols: int
    prod_px: float
    row_scale: float
    title_strip: float
    flat_left: float
    flat_top: float
    w_top: float
    prod_bottom: float
    plot_px: float
    domains: list[list[float]]
    font: int  # the titles' font size
    w_label_px: float  # room left of W for its name
    strip_wrap_px: float  # a strip title's width at most
    flat_wrap_px: float  # X_flat's and Y_flat's titles' width at most
    room_px: float  # the plotting area's width


def _matmul_gap_keys() -> tuple[str, str, str]:
    return ("mix_fig_reshape_in", "mix_fig_reshape_out", "mix_fig_general")


def _matmul_layout(c_in: int, c_out: int, h: int, w: int, width: int = DEFAULT_WIDTH) -> _MatmulLayout:
    n = h * w
    room = width - 2 * SIDE_PX
    font = label_px(width)
    strip_cols = max(_strip_width(c_in, w), _strip_width(c_out, w))
    strip_px = min(STRIP_MAX_CELL_PX, room / (strip_cols + 0.6))
    prod_cols = c_in + 1 + n
    w_label_px = text_px(text("mix_fig_w_short", c_out=c_out, c_in=c_in), font) + 12
    prod_px = min(STRIP_MAX_CELL_PX, (room - w_label_px) / (prod_cols + 0.3))
    row_scale = max(1.0, MIN_ROW_PX / prod_px)  # many pixels make thin columns: keep the rows readable
    row_px = prod_px * row_scale
    strip_wrap_px, flat_wrap_px = (w + 0.5) * strip_px, (n + 0.6) * prod_px
    strip_titles = [text(key, c=k, o=k) for key in ("mix_fig_in_map", "mix_fig_out_map", "mix_fig_general_map")
                    for k in range(max(c_in, c_out))]
    title_strip = (_title_lines(strip_titles, strip_wrap_px, font) * font * LINE + 4) / strip_px
    flat_titles = [text("mix_fig_xflat", c_in=c_in, n=n), text("mix_fig_yflat", c_out=c_out, n=n)]
    title_prod = (_title_lines(flat_titles, flat_wrap_px, font) * font * LINE + 4) / row_px
    flat_left, flat_top = c_in + 1, title_prod
    w_top = flat_top + c_in + title_prod
    prod_bottom = w_top + c_out + 0.1
    strip_px_high = (h + title_strip) * strip_px
    heights_px = [strip_px_high, prod_bottom * row_px, strip_px_high, strip_px_high]  # X, product, Y, Y_general
    gaps_px = [  # room for the reshape arrows' sentences
        wrapped(text(key, c_in=c_in, c_out=c_out, h=h, w=w), room, font)[1] * font * LINE + font + 24
        for key in _matmul_gap_keys()]
    plot_px = sum(heights_px) + sum(gaps_px)
    domains, top = [], plot_px
    for part, gap in zip(heights_px, [*gaps_px, 0.0], strict=True):
        domains.append([max(0.0, (top - part) / plot_px), top / plot_px])
        top -= part + gap
    return _MatmulLayout(c_in, c_out, h, w, strip_cols, strip_px, prod_cols, prod_px, row_scale, title_strip,
                         flat_left, flat_top, w_top, prod_bottom, plot_px, domains, font, w_label_px, strip_wrap_px,
                         flat_wrap_px, room)


def _matmul_traces(lay: _MatmulLayout, X: np.ndarray, W: np.ndarray, check: MatmulCheck) -> list[dict[str, Any]]:
    """X's maps, X_flat, W, Y_flat, Y's maps and Y_general's maps, each on its subplot."""
    h, w = lay.h, lay.w
    signed = (-symmetric_range(check.Y_flat), symmetric_range(check.Y_flat))
    w_limit = symmetric_range(W)

    def strip(maps: np.ndarray, subplot: int, name: str, colorscale: list, zrange: tuple[float, float]) -> dict:
        """Channel maps (c, h, w) side by side in one row of its own subplot."""
        return _heatmap(_spread(maps), 0, 0, subplot, name=name, colorscale=colorscale, zrange=zrange,
                        text_on=True, cell_px=lay.strip_px,
                        labels=_strip_labels(name, len(maps), h, w))

    def panel(z: np.ndarray, left: float, top: float, name: str, colorscale: list, zrange: tuple[float, float],
              labels: list) -> dict:
        """A matrix of the product panel: X_flat, W or Y_flat."""
        return _heatmap(z, left, top, 2, name=name, colorscale=colorscale, zrange=zrange,
                        text_on=True, cell_px=lay.prod_px, labels=labels)

    return [
        strip(X, 1, "X", INPUT_SCALE, (0, INPUT_MAX)),
        panel(check.X_flat, lay.flat_left, lay.flat_top, "X_flat", INPUT_SCALE, (0, INPUT_MAX),
              _flat_labels("X_flat", "X", lay.c_in, h, w)),
        panel(W, 0, lay.w_top, "W", style.DIVERGING, (-w_limit, w_limit), _matrix_labels("W", lay.c_out, lay.c_in)),
        panel(check.Y_flat, lay.flat_left, lay.w_top, "Y_flat", style.DIVERGING, signed,
              _flat_labels("Y_flat", "Y", lay.c_out, h, w)),
        strip(check.Y_1x1, 3, "Y", style.DIVERGING, signed),
        strip(check.Y_general, 4, "Y_general", style.DIVERGING, signed),
    ]


def _matmul_titles(lay: _MatmulLayout) -> list[dict[str, Any]]:
    """The maps' and matrices' names, and the reshape arrows in the gaps between the panels."""
    c_in, c_out, h, w, n = lay.c_in, lay.c_out, lay.h, lay.w, lay.h * lay.w
    font = _font(lay.font)

    def strip_title(x: float, subplot: int, words: str) -> dict[str, Any]:
        return _label(x, 0, subplot, wrapped(words, lay.strip_wrap_px, lay.font)[0], font=font)

    def flat_title(y: float, words: str) -> dict[str, Any]:
        return _label(lay.flat_left + n / 2, y, 2, wrapped(words, lay.flat_wrap_px, lay.font)[0], font=font)

    annotations = (
        [strip_title(c * (w + 1) + w / 2, 1, text("mix_fig_in_map", c=c)) for c in range(c_in)]
        + [strip_title(o * (w + 1) + w / 2, 3, text("mix_fig_out_map", o=o)) for o in range(c_out)]
        + [strip_title(o * (w + 1) + w / 2, 4, text("mix_fig_general_map", o=o)) for o in range(c_out)]
        + [
            flat_title(lay.flat_top, text("mix_fig_xflat", c_in=c_in, n=n)),
            _label(-0.3, lay.w_top + c_out / 2, 2, text("mix_fig_w_short", c_out=c_out, c_in=c_in),
                   xanchor="right", yanchor="middle", font=font),
            flat_title(lay.w_top, text("mix_fig_yflat", c_out=c_out, n=n)),
        ]
    )
    gaps = ((lay.domains[0], lay.domains[1]), (lay.domains[1], lay.domains[2]), (lay.domains[2], lay.domains[3]))
    for (upper, lower), key in zip(gaps, _matmul_gap_keys(), strict=True):  # in paper coordinates, mid-gap
        words = wrapped(text(key, c_in=c_in, c_out=c_out, h=h, w=w), lay.room_px, lay.font)[0]
        annotations.append({"x": 0.5, "y": (upper[0] + lower[1]) / 2, "xref": "paper", "yref": "paper",
                            "text": words, "showarrow": False, "font": font, "bgcolor": "rgba(255,255,255,0.85)"})
    return annotations


def _matmul_shapes(lay: _MatmulLayout, row: int, col: int) -> list[dict[str, Any]]:
    """Pixel (row, col) outlined in X, Y and Y_general and as its column of X_flat and Y_flat; dotted row breaks."""
    c_in, c_out, h, w = lay.c_in, lay.c_out, lay.h, lay.w
    p = row * w + col  # the pixel's column in X_flat and Y_flat
    left, flat_top, w_top = lay.flat_left, lay.flat_top, lay.w_top
    line = {"color": style.WINDOW, "width": 3}
    shapes = [
        {"type": "path", "path": _pixel_outline(c_in, h, w, row, col), "xref": "x", "yref": "y", "line": line},
        {"type": "path", "path": _pixel_outline(c_out, h, w, row, col), "xref": "x3", "yref": "y3", "line": line},
        {"type": "path", "path": _pixel_outline(c_out, h, w, row, col), "xref": "x4", "yref": "y4", "line": line},
        {"type": "path", "xref": "x2", "yref": "y2", "line": line,
         "path": rect_path(left + p, flat_top, left + p + 1, flat_top + c_in)
         + rect_path(left + p, w_top, left + p + 1, w_top + c_out)},
    ]
    if h > 1:  # where one image row of X_flat and Y_flat ends and the next begins
        breaks = "".join(rect_path(left + k * w, flat_top, left + k * w, flat_top + c_in) for k in range(1, h))
        breaks += "".join(rect_path(left + k * w, w_top, left + k * w, w_top + c_out) for k in range(1, h))
        thin = {"color": style.GRID_LINE, "width": 1, "dash": "dot"}
        shapes.insert(0, {"type": "path", "path": breaks, "xref": "x2", "yref": "y2", "line": thin})
    return shapes


def matmul_figure(X: np.ndarray, W: np.ndarray, check: MatmulCheck, row: int, col: int,
                  width: int = DEFAULT_WIDTH) -> dict[str, Any]:
    """X (c_i, h, w) → reshape → W · X_flat = Y_flat → reshape → Y (c_o, h, w), pixel (row, col) outlined throughout.

    Below Y, the general path's answer Y_general for comparison.
    The product is laid out as in a hand calculation: X_flat above Y_flat, W to the left of Y_flat, so that
    Y_flat[o, p] sits where row o of W meets column p of X_flat. It is laid out for a chart `width` pixels wide.
    """
    c_in, h, w = X.shape
    lay = _matmul_layout(c_in, W.shape[0], h, w, width)
    strip_x, strip_y = [-0.3, lay.strip_cols + 0.3], [-lay.title_strip, h + 0.1]
    layout: dict[str, Any] = {}
    layout.update(_axes(1, strip_x, strip_y, lay.domains[0]))
    layout.update(_axes(2, [-lay.w_label_px / lay.prod_px, lay.prod_cols + 0.3], [0, lay.prod_bottom],
                        lay.domains[1], lay.row_scale))
    layout.update(_axes(3, strip_x, strip_y, lay.domains[2]))
    layout.update(_axes(4, strip_x, strip_y, lay.domains[3]))
    layout.update({
        "height": int(lay.plot_px + 20), "margin": {"l": SIDE_PX, "r": SIDE_PX, "t": 10, "b": 10},
        "shapes": _matmul_shapes(lay, row, col), "annotations": _matmul_titles(lay), "showlegend": False,
        "hovermode": "closest", "dragmode": False, "plot_bgcolor": "white", "paper_bgcolor": "white",
        "font": {"family": style.FONT_FAMILY}, "modebar": MODEBAR_OFF, "meta": {"width": width},
    })
    return {"data": _matmul_traces(lay, X, W, check), "layout": layout}
