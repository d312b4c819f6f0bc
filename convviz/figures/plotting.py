"""Small pure helpers shared by the figure builders: JSON-ready grids, SVG paths, colour ranges, and the pieces
of a diagram drawn in units of cells (heatmap panels, panel titles, the axes)."""

from __future__ import annotations

from typing import Any

import numpy as np

from convviz.figures import style

# Every Plotly button off (the figures cannot be zoomed or panned anyway). Streamlit adds its own Fullscreen button,
# which only the chart's config (`displayModeBar: False`) removes.
MODEBAR_OFF = {"remove": ["toimage", "zoom", "pan", "select", "lasso", "zoomin", "zoomout", "autoscale", "resetscale",
                          "hoverclosest", "hovercompare", "togglespikelines", "togglehover"]}


def cells(z: np.ndarray, decimals: int) -> list:
    """A grid (any shape) as JSON-ready nested lists: NaN becomes null, values rounded so the figure stays small.

    With decimals == 0 the values become ints.
    """
    z = np.round(np.asarray(z, dtype=np.float64), decimals)
    grid = z.astype(object)
    if decimals == 0:
        finite = np.isfinite(z)
        grid[finite] = z[finite].astype(np.int64)
    grid[np.isnan(z)] = None
    return grid.tolist()


def rect_path(x0: float, y0: float, x1: float, y1: float) -> str:
    """An SVG path (absolute commands, as Plotly shapes need) around the rectangle (x0, y0)–(x1, y1)."""
    return f"M{x0:g},{y0:g}H{x1:g}V{y1:g}H{x0:g}Z"


def symmetric_range(*arrays: np.ndarray) -> float:
    """Half-width of a colour range centred at 0 that holds every value (1 when there are none)."""
    biggest = max(float(np.nanmax(np.abs(a))) if np.size(a) else 0.0 for a in arrays)
    return biggest or 1.0


def heatmap_panel(at: tuple[float, float] | None, z: list, coloraxis: str | None, hover: str, font: int, fmt: str,
                  **extra: Any) -> dict[str, Any]:
    """A heatmap whose top-left cell corner is `at` (x, y in cells), or with `at` None on explicit edges in `extra`.

    `font` 0 shows no numbers. Cells are parted by a one-pixel white line; pass xgap=0, ygap=0 where cells are
    only a few pixels wide.
    """
    trace: dict[str, Any] = {"type": "heatmap", "z": z, "coloraxis": coloraxis, "xgap": 1, "ygap": 1,
                             "hoverongaps": False, "hovertemplate": hover + "<extra></extra>"}
    if at is not None:
        trace.update(x0=at[0] + 0.5, dx=1, y0=at[1] + 0.5, dy=1)
    if font:
        trace["texttemplate"] = fmt
        trace["textfont"] = {"size": font, "color": style.CELL_TEXT}
    trace.update(extra)
    return {key: value for key, value in trace.items() if value is not None}  # extra's None removes a key


def panel_title(x: float, y: float, label: str, font: int, color: str = style.LABEL_COLOUR) -> dict[str, Any]:
    """A panel title just above the panel whose top-left corner is (x, y), left-aligned with it."""
    return {"x": x, "y": y - 0.1, "text": label, "showarrow": False, "xanchor": "left", "yanchor": "bottom",
            "font": {"size": font, "color": color}, "xref": "x", "yref": "y"}


def cells_layout(width: float, height: float, cell_px: float, font: int, pad: float) -> dict[str, Any]:
    """Axes in cells (fixed: no zoom, no pan), sized in pixels so that every cell is a `cell_px` square, with `pad`
    cells of margin around a `width`×`height` diagram."""
    axis = {"visible": False, "fixedrange": True}
    return {
        "width": round((width + 2 * pad) * cell_px),
        "height": round((height + 2 * pad) * cell_px),
        "autosize": False,
        "margin": {"l": 0, "r": 0, "t": 0, "b": 0, "pad": 0},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "font": {"family": style.FONT_FAMILY, "size": font, "color": style.LABEL_COLOUR},
        "showlegend": False,
        "dragmode": False,
        "hovermode": "closest",
        "xaxis": {**axis, "range": [-pad, width + pad], "constrain": "domain"},
        "yaxis": {**axis, "range": [height + pad, -pad], "scaleanchor": "x", "scaleratio": 1, "constrain": "domain"},
    }


def colour_axes(*halves: float) -> dict[str, dict[str, Any]]:
    """Colour axes `coloraxis`, `coloraxis2`, ... on the cells' diverging scale centred at 0, each from -half to
    +half (from `symmetric_range`), without a colour bar."""
    return {("coloraxis" if n == 0 else f"coloraxis{n + 1}"): {"colorscale": style.CELL_SCALE, "cmid": 0,
                                                              "cmax": half, "cmin": -half, "showscale": False}
            for n, half in enumerate(halves)}
