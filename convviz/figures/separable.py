"""Pure figure builders for the separable view: NumPy data in, a plain Plotly figure dict out (never `st.*`).

Each figure is a stack of panels drawn in cell units (x to the right, y downwards), one heatmap per panel: the
panel's maps or kernels are laid out as tiles one empty cell apart, so a panel of 8 channels is still one trace.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from convviz.figures import style
from convviz.figures.mixing import INPUT_SCALE
from convviz.figures.plotting import cells, symmetric_range
from convviz.i18n.strings import text
from convviz.model.mixing import INPUT_MAX
from convviz.model.separable import SeparableResult

ASSUMED_WIDTH_PX = 1000  # the chart's width in the app's wide layout: sizes the cells
MAX_CELL_PX = 30
TITLE_PX = 30  # room above a panel for its title
GAP_PX = 14  # room between a panel and the next one's title
TEXT_MIN_CELL_PX = 22  # numbers are written into cells at least this big
MARGIN = {"l": 10, "r": 10, "t": 10, "b": 10}

Namer = Callable[[int, int, int, int], str]  # (tile row, tile col, cell row, cell col) -> hover label


def tiled(blocks: np.ndarray) -> np.ndarray:
    """Blocks (R, C, a, b) laid out as one (R(a + 1) − 1, C(b + 1) − 1) grid, one NaN cell between tiles."""
    R, C, a, b = blocks.shape
    grid = np.full((R * (a + 1) - 1, C * (b + 1) - 1), np.nan)
    for r in range(R):
        for c in range(C):
            grid[r * (a + 1) : r * (a + 1) + a, c * (b + 1) : c * (b + 1) + b] = blocks[r, c]
    return grid


def _text_size(cell_px: float, values: np.ndarray) -> int:
    """Font size that fits the longest of `values` (as "%{z:.3~g}" writes it) into a cell; 0 when none fits."""
    finite = np.asarray(values, dtype=np.float64)
    finite = finite[np.isfinite(finite)]
    chars = max((len(f"{v:.3g}") for v in np.unique(np.round(finite, 3))), default=1)
    size = min(style.CELL_FONT_SIZE, cell_px * 0.45, cell_px * 0.9 / (0.62 * chars))
    return int(size) if size >= 8 else 0


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


def _panels_figure(panels: list[dict[str, Any]]) -> dict[str, Any]:
    """Stack panels top to bottom; each is {"title", "blocks" (R, C, a, b), "name", "colorscale", "zrange"}."""
    grids = [tiled(panel["blocks"]) for panel in panels]
    widest = max(grid.shape[1] for grid in grids)
    cell_px = min(MAX_CELL_PX, ASSUMED_WIDTH_PX / widest)
    heights = [(GAP_PX if n else 0) + TITLE_PX + grid.shape[0] * cell_px for n, grid in enumerate(grids)]
    total = sum(heights)
    data, layout_axes, titles = [], {}, []
    top = 0.0
    for n, (panel, grid, height) in enumerate(zip(panels, grids, heights, strict=True), start=1):
        x_ref, y_ref = ("x", "y") if n == 1 else (f"x{n}", f"y{n}")
        suffix = "" if n == 1 else str(n)
        title_top = top + height - TITLE_PX - grid.shape[0] * cell_px  # below the gap, if any
        domain = [1.0 - (top + height) / total, 1.0 - (title_top + TITLE_PX) / total]
        hidden = {"visible": False, "fixedrange": True, "showgrid": False, "zeroline": False}
        layout_axes[f"xaxis{suffix}"] = {
            **hidden, "range": [0, widest], "domain": [0.0, 1.0], "anchor": y_ref, "constrain": "domain",
        }
        layout_axes[f"yaxis{suffix}"] = {
            **hidden, "range": [grid.shape[0], 0], "domain": domain, "anchor": x_ref,
            "scaleanchor": x_ref, "constrain": "domain",
        }
        font_px = _text_size(cell_px, grid) if cell_px >= TEXT_MIN_CELL_PX else 0
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
            "texttemplate": "%{z:.3~g}" if font_px else "",
            "textfont": {"size": font_px or style.CELL_FONT_SIZE, "family": style.FONT_FAMILY},
        })
        titles.append({
            "text": panel["title"], "xref": "paper", "yref": "paper", "x": 0.5, "y": 1.0 - title_top / total,
            "xanchor": "center", "yanchor": "top", "showarrow": False, "font": style.LABEL_FONT,
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
        },
    }


def _signed(*arrays: np.ndarray) -> tuple[float, float]:
    half = symmetric_range(*arrays)
    return (-half, half)


def _maps(stack: np.ndarray) -> np.ndarray:
    """(n, h, w) maps as one row of tiles (1, n, h, w)."""
    return np.asarray(stack, dtype=np.float64)[np.newaxis]


def maps_figure(X: np.ndarray, result: SeparableResult) -> dict[str, Any]:
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
    ])


def kernels_figure(K: np.ndarray, K_equivalent: np.ndarray) -> dict[str, Any]:
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
    ])
