"""Pure figure builders for the separable view: NumPy data in, a plain Plotly figure dict out (never `st.*`).

Each figure is a stack of panels drawn in cell units (x to the right, y downwards), one heatmap per panel: the
panel's maps or kernels are laid out as tiles one empty cell apart, so a panel of 8 channels is still one trace.
The figures are laid out for the chart's width in pixels: maps wrap into rows on a narrow screen, titles wrap to
the width, and numbers are written only into cells that hold them at 12 px or more (`convviz.figures.fit`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from convviz.figures import style
from convviz.figures.fit import DEFAULT_WIDTH, LINE, MIN_TEXT_PX, label_px, number_font, wrapped
from convviz.figures.mixing import INPUT_SCALE
from convviz.figures.plotting import MODEBAR_OFF, cells, symmetric_range
from convviz.i18n.strings import text
from convviz.model.mixing import INPUT_MAX
from convviz.model.separable import SeparableResult

MAX_CELL_PX = 40  # cells grow with the chart up to this
MIN_CELL_PX = 20  # maps wrap into more rows rather than have cells smaller than this
NUMBER_ROWS = 2  # maps wrap into at most this many rows to make room for their numbers
GAP_PX = 14  # room between a panel and the next one's title
MARGIN = {"l": 4, "r": 4, "t": 6, "b": 6}

Namer = Callable[[int, int, int, int], str]  # (tile row, tile col, cell row, cell col) -> hover label


def tiled(blocks: np.ndarray) -> np.ndarray:
    """Blocks (R, C, a, b) laid out as one (R(a + 1) − 1, C(b + 1) − 1) grid, one NaN cell between tiles."""
    R, C, a, b = blocks.shape
    grid = np.full((R * (a + 1) - 1, C * (b + 1) - 1), np.nan)
    for r in range(R):
        for c in range(C):
            grid[r * (a + 1) : r * (a + 1) + a, c * (b + 1) : c * (b + 1) + b] = blocks[r, c]
    return grid


def in_rows(stack: np.ndarray, per_row: int) -> np.ndarray:
    """Maps (n, h, w) as rows of `per_row` tiles (⌈n/per_row⌉, per_row, h, w), NaN maps filling the last row."""
    n, h, w = stack.shape
    rows = -(-n // per_row)
    padded = np.full((rows * per_row, h, w), np.nan)
    padded[:n] = stack
    return padded.reshape(rows, per_row, h, w)


def _numbers(values: np.ndarray) -> list[str]:
    """The numbers a panel writes into its cells, as "%{z:.3~g}" writes them."""
    finite = np.asarray(values, dtype=np.float64)
    finite = finite[np.isfinite(finite)]
    return [f"{v:.3g}" for v in np.unique(np.round(finite, 3))] or ["0"]


def _cell_px(plot_px: float, cols: int) -> float:
    return min(MAX_CELL_PX, plot_px / cols)


def maps_per_row(panels: list[dict[str, Any]], plot_px: float) -> int:
    """How many maps a row of a maps panel holds: all of them, or as few rows (up to NUMBER_ROWS) as let every
    panel's numbers show, or else as many as keep cells MIN_CELL_PX or more (numbers only on hover)."""
    n = max(panel["blocks"].shape[1] for panel in panels)
    width = panels[0]["blocks"].shape[3]

    def fits(m: int) -> bool:
        cell = _cell_px(plot_px, m * (width + 1) - 1)
        return all(number_font(cell, _numbers(panel["blocks"])) for panel in panels)

    for m in range(n, 0, -1):
        if -(-n // m) > NUMBER_ROWS:
            break
        if fits(m):
            return m
    return next((m for m in range(n, 0, -1) if _cell_px(plot_px, m * (width + 1) - 1) >= MIN_CELL_PX), 1)


def _labels(shape: tuple[int, int, int, int], name: Namer) -> list[list[str]]:
    """Hover labels on the same grid as `tiled`: each cell named by `name`, the gaps empty."""
    R, C, a, b = shape
    grid = np.full((R * (a + 1) - 1, C * (b + 1) - 1), "", dtype=object)
    for r in range(R):
        for c in range(C):
            for i in range(a):
                for j in range(b):
                    grid[r * (a + 1) + i, c * (b + 1) + j] = name(r, c, i, j)
    return grid.tolist()


def _panels_figure(panels: list[dict[str, Any]], width: int, *, wrap_maps: bool) -> dict[str, Any]:
    """Stack panels top to bottom, laid out for a chart `width` pixels wide.

    Each panel is {"title", "blocks" (R, C, a, b), "name", "colorscale", "zrange"}. With `wrap_maps` each panel is
    one row of maps (1, n, h, w), and every panel wraps its maps into rows of `maps_per_row`. Every panel gets the
    same cell size; a title is wrapped to the chart's width; numbers are written where they fit at 12 px or more.
    """
    plot_px = width - MARGIN["l"] - MARGIN["r"]
    title_font = label_px(width)
    if wrap_maps:
        per_row = maps_per_row(panels, plot_px)
        panels = [{**panel, "blocks": in_rows(panel["blocks"][0], min(per_row, panel["blocks"].shape[1])),
                   "name": _row_namer(panel["name"], per_row)} for panel in panels]
    grids = [tiled(panel["blocks"]) for panel in panels]
    widest = max(grid.shape[1] for grid in grids)
    cell_px = _cell_px(plot_px, widest)
    titles_px, titles_text = [], []
    for panel in panels:
        words, lines = wrapped(panel["title"], plot_px, title_font)
        titles_text.append(words)
        titles_px.append(lines * title_font * LINE + 6)
    heights = [(GAP_PX if n else 0) + title + grid.shape[0] * cell_px
               for n, (grid, title) in enumerate(zip(grids, titles_px, strict=True))]
    total = sum(heights)
    # One size for every panel's numbers (the smallest that fits any), so that the panels read alike.
    fonts = [number_font(cell_px, _numbers(grid)) for grid in grids]
    font_px = min((size for size in fonts if size), default=0)
    data, layout_axes, titles = [], {}, []
    top = 0.0
    for n, (panel, grid, height) in enumerate(zip(panels, grids, heights, strict=True), start=1):
        x_ref, y_ref = ("x", "y") if n == 1 else (f"x{n}", f"y{n}")
        suffix = "" if n == 1 else str(n)
        title_px = titles_px[n - 1]
        title_top = top + height - title_px - grid.shape[0] * cell_px  # below the gap, if any
        domain = [1.0 - (top + height) / total, 1.0 - (title_top + title_px) / total]
        hidden = {"visible": False, "fixedrange": True, "showgrid": False, "zeroline": False}
        span = plot_px / cell_px  # the chart's width in cells: the panel sits in its middle
        margin = (span - grid.shape[1]) / 2
        layout_axes[f"xaxis{suffix}"] = {
            **hidden, "range": [-margin, grid.shape[1] + margin], "domain": [0.0, 1.0], "anchor": y_ref,
            "constrain": "domain",
        }
        layout_axes[f"yaxis{suffix}"] = {
            **hidden, "range": [grid.shape[0], 0], "domain": domain, "anchor": x_ref,
            "scaleanchor": x_ref, "constrain": "domain", "constraintoward": "top",
        }
        shown = font_px if fonts[n - 1] else 0
        data.append({
            "type": "heatmap",
            "name": panel["title"],
            "z": cells(grid, 4),
            "x0": 0.5, "dx": 1, "y0": 0.5, "dy": 1,
            "xaxis": x_ref, "yaxis": y_ref,
            "colorscale": panel["colorscale"],
            "zmin": panel["zrange"][0], "zmax": panel["zrange"][1],
            "showscale": False,
            "hoverongaps": False,
            "xgap": 1 if cell_px >= 8 else 0,
            "ygap": 1 if cell_px >= 8 else 0,
            "customdata": _labels(panel["blocks"].shape, panel["name"]),
            "hovertemplate": "%{customdata} = %{z:.6~g}<extra></extra>",
            "texttemplate": "%{z:.3~g}" if shown else "",
            "textfont": {"size": shown or MIN_TEXT_PX, "family": style.FONT_FAMILY},
        })
        titles.append({
            "text": titles_text[n - 1], "xref": "paper", "yref": "paper", "x": 0.5, "y": 1.0 - title_top / total,
            "xanchor": "center", "yanchor": "top", "showarrow": False,
            "font": {**style.LABEL_FONT, "size": title_font},
        })
        top += height
    return {
        "data": data,
        "layout": {
            **layout_axes,
            "annotations": titles,
            "height": int(total) + MARGIN["t"] + MARGIN["b"],
            "margin": MARGIN,
            "plot_bgcolor": "rgba(0,0,0,0)",
            "paper_bgcolor": "#ffffff",
            "font": {"family": style.FONT_FAMILY},
            "modebar": MODEBAR_OFF,
            "meta": {"width": width},  # the width it was laid out for (the browser tests wait for it)
            "dragmode": False,
        },
    }


def _row_namer(name: Namer, per_row: int) -> Namer:
    """A map panel's namer (0, map, i, j) for maps wrapped into rows of `per_row`."""
    return lambda r, c, i, j: name(0, r * per_row + c, i, j)


def _signed(*arrays: np.ndarray) -> tuple[float, float]:
    half = symmetric_range(*arrays)
    return (-half, half)


def _maps(stack: np.ndarray) -> np.ndarray:
    """(n, h, w) maps as one row of tiles (1, n, h, w)."""
    return np.asarray(stack, dtype=np.float64)[np.newaxis]


def maps_figure(X: np.ndarray, result: SeparableResult, width: int = DEFAULT_WIDTH) -> dict[str, Any]:
    """The input, (a)'s output, and (b)'s two steps: the depthwise maps Z and the 1×1 layer's output."""
    c_in, c_out = X.shape[0], result.Y_full.shape[0]
    return _panels_figure([
        {"title": text("sep_fig_input", c_in=c_in), "blocks": _maps(X), "colorscale": INPUT_SCALE,
         "zrange": (0, INPUT_MAX), "name": lambda _, c, i, j: f"X[{c}, {i}, {j}]"},
        {"title": text("sep_fig_full", c_out=c_out), "blocks": _maps(result.Y_full), "colorscale": style.DIVERGING,
         "zrange": _signed(result.Y_full), "name": lambda _, o, i, j: f"(a) Y[{o}, {i}, {j}]"},
        {"title": text("sep_fig_depthwise", c_in=c_in), "blocks": _maps(result.Z), "colorscale": style.DIVERGING,
         "zrange": _signed(result.Z), "name": lambda _, c, i, j: f"Z[{c}, {i}, {j}]"},
        {"title": text("sep_fig_pointwise", c_out=c_out), "blocks": _maps(result.Y_sep),
         "colorscale": style.DIVERGING, "zrange": _signed(result.Y_sep),
         "name": lambda _, o, i, j: f"(b) Y[{o}, {i}, {j}]"},
    ], width, wrap_maps=True)


def kernels_figure(K: np.ndarray, K_equivalent: np.ndarray, width: int = DEFAULT_WIDTH) -> dict[str, Any]:
    """(a)'s kernel beside the full kernel that (b) amounts to, as c_o rows × c_i columns of k×k tiles.

    In (b) every tile of column c is D[c] times a number, W[o, c]: that is the restriction.
    """
    c_out, c_in, k, _ = K.shape
    zrange = _signed(K, K_equivalent)
    return _panels_figure([
        {"title": text("sep_fig_k_full", c_out=c_out, c_in=c_in, k=k), "blocks": np.asarray(K, np.float64),
         "colorscale": style.DIVERGING, "zrange": zrange, "name": lambda o, c, i, j: f"K[{o}, {c}, {i}, {j}]"},
        {"title": text("sep_fig_k_equivalent", c_out=c_out, c_in=c_in, k=k),
         "blocks": np.asarray(K_equivalent, np.float64), "colorscale": style.DIVERGING, "zrange": zrange,
         "name": lambda o, c, i, j: f"W[{o}, {c}]·D[{c}, {i}, {j}]"},
    ], width, wrap_maps=False)
