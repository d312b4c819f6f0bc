"""Small pure helpers shared by the figure builders: JSON-ready grids, SVG paths, colour ranges."""

from __future__ import annotations

import numpy as np

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
