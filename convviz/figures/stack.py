"""The stacked layers view's figures: a StackTable in, Plotly figure dicts out (never `st.*`).

`stack_figure` draws every map of the row, X first, one column a layer (a phone: one row a layer); the player
steps through the last map's cells, and each step outlines its receptive field in every map before it. It speaks
the player's protocol (convviz/ui/player/player.js): shapes 0 (the cells of the last map still to come), 1 (the
fields and the cell: what a hover outlines), 2 (unused); the last map's traces are the ones whose cells are steps.

`kernel_figure` draws the one layer's kernels and, where the one layer and the row differ, the difference.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from convviz.figures import style
from convviz.figures.animation import PHONE_SCREENS, Room, cell_digits, widest_number
from convviz.figures.plotting import (
    cells,
    cells_layout,
    colour_axes,
    heatmap_panel,
    panel_title,
    rect_path,
    symmetric_range,
)
from convviz.i18n.strings import text
from convviz.model.stack_steps import Composed, StackTable

GAP = 1
TITLE = 1.0
MAX_CELL_PX = 48
PAD = 0.25
TALL_ROOMS = 2.0  # a wide room's diagram may be this many rooms tall where that keeps its numbers
COLOUR_AXES = ("coloraxis", "coloraxis2", "coloraxis3", "coloraxis4")  # one a map of the row: values grow


@dataclass
class _Places:
    """Each map's channels' top-left corners, in cells, and the diagram's size."""

    maps: list[list[tuple[float, float]]] = field(default_factory=list)
    width: float = 0.0
    height: float = 0.0


def _places(table: StackTable, arrangement: str) -> _Places:
    """One column a map with its channels under each other ('columns'), one row a map with its channels side by
    side ('rows'), or every channel of every map under the one before ('stacked', for a phone)."""
    lay = _Places()
    x = y = 0.0
    for drawn in table.maps:
        c, h, w = drawn.shape
        if arrangement == "rows":
            lay.maps.append([(k * (w + GAP), y + TITLE) for k in range(c)])
            lay.width = max(lay.width, c * (w + GAP) - GAP)
            y += TITLE + h + GAP
        elif arrangement == "stacked":
            lay.maps.append([(0.0, y + TITLE + k * (h + GAP + TITLE)) for k in range(c)])
            lay.width = max(lay.width, w, 4)
            y += c * (TITLE + h + GAP)
        else:
            lay.maps.append([(x, TITLE + k * (h + GAP + TITLE)) for k in range(c)])
            lay.height = max(lay.height, c * (h + GAP + TITLE) - GAP)
            x += max(w, 4) + 2 * GAP  # a column at least as wide as its titles
    if arrangement == "columns":
        lay.width = x - 2 * GAP
    else:
        lay.height = y - GAP
    return lay


def _fit(table: StackTable, room: Room, decimals: int) -> tuple[_Places, float, int]:
    """The arrangement with the biggest cells; where that hides the numbers on a wide room, the one that keeps
    them in up to TALL_ROOMS rooms' height and scrolls least. Returns the places, the cell and the digits' size."""
    chars = widest_number(decimals, *table.maps)

    def digits(cell: float) -> int:
        return cell_digits(cell, chars, room, cap=24)

    def tried(room_h: float) -> list[tuple[_Places, float]]:
        out = []
        for arrangement in ("columns", "rows", "stacked"):
            lay = _places(table, arrangement)
            out.append((lay, min(MAX_CELL_PX * room.zoom, room.width / (lay.width + 2 * PAD),
                                 room_h / (lay.height + 2 * PAD))))
        return out

    screens = PHONE_SCREENS * max(1.0, len(table.maps) / 2) if room.narrow else 1.0
    lay, cell = max(tried(room.height * screens * room.zoom), key=lambda entry: entry[1])
    if not digits(cell) and not room.narrow:
        keeping = [entry for entry in tried(room.height * TALL_ROOMS * room.zoom) if digits(entry[1])]
        if keeping:
            lay, cell = min(keeping, key=lambda entry: (entry[0].height + 2 * PAD) * entry[1])
    return lay, cell, digits(cell)


def stack_figure(table: StackTable, *, decimals: int, room: Room | None = None,
                 frame_ms: int = 700) -> dict[str, Any]:
    """The row of layers with the receptive field of each cell of the last map, as a Plotly figure dict."""
    room = room or Room()
    lay, cell_px, font = _fit(table, room, decimals)
    fmt = f"%{{z:.{decimals}~f}}" if decimals else "%{z}"
    title_px = max(10, min(16, int(cell_px * 0.5)))
    data: list[dict[str, Any]] = []
    annotations = []
    steps: dict[str, list[int]] = {}
    last = len(table.maps) - 1
    for level, (drawn, places) in enumerate(zip(table.maps, lay.maps, strict=True)):
        for c, at in enumerate(places):
            if level == last:
                steps[str(len(data))] = list(drawn.shape[1:])
            name = f"X[{c}]" if level == 0 else f"Y{level}[{c}]"
            data.append(heatmap_panel(at, cells(drawn[c], decimals), COLOUR_AXES[level],
                                      text("st_fig_hover", name=name), font, fmt))
            label = name if c else (text("st_fig_input") if level == 0 else text("st_fig_layer", n=level)) + f" {name}"
            annotations.append(panel_title(*at, label, title_px,
                                           style.CHANNEL_COLOURS[c] if level == 0 else style.LABEL_COLOUR))
    frames = [_frame(table, lay, s) for s in range(table.n_steps)]
    layout = {
        **cells_layout(lay.width, lay.height, cell_px, title_px, PAD),
        **colour_axes(*(symmetric_range(drawn) for drawn in table.maps)),  # one a map: COLOUR_AXES
        "annotations": annotations, "shapes": frames[0]["layout"]["shapes"],
        "meta": {"frame_ms": frame_ms, "n_steps": table.n_steps, "out_w": table.maps[-1].shape[2],
                 "numbers": font > 0, "cell_px": round(cell_px, 1), "digit_px": font, "animated_traces": [],
                 "output_traces": steps, "origin": [0, 0]},
    }
    return {"data": data, "layout": layout, "frames": frames}


def _frame(table: StackTable, lay: _Places, s: int) -> dict[str, Any]:
    """Step s: its cell in every channel of the last map, its field in every channel of every map before."""
    w_last = table.maps[-1].shape[2]
    i, j = divmod(s, w_last)
    outlines = []
    for reached, places in zip(table.field(s), lay.maps[:-1], strict=True):
        if reached is not None:  # a cell made of padding alone reaches back nowhere
            (r0, r1), (q0, q1) = reached
            outlines += [rect_path(x + q0, y + r0, x + q1 + 1, y + r1 + 1) for x, y in places]
    outlines += [rect_path(x + j, y + i, x + j + 1, y + i + 1) for x, y in lay.maps[-1]]
    h_last = table.maps[-1].shape[1]
    pending = [rect_path(x + q, y + r, x + q + 1, y + r + 1) for x, y in lay.maps[-1]
               for r in range(h_last) for q in range(w_last) if r * w_last + q > s]
    shapes = [
        {"type": "path", "path": "".join(pending) or "M0,0", "fillcolor": style.UNSEEN_WASH, "line": {"width": 0},
         "layer": "above"},
        {"type": "path", "path": "".join(outlines), "line": {"color": style.WINDOW, "width": 3}},
    ]
    return {"name": str(s), "data": [], "traces": [], "layout": {"shapes": shapes}}


def kernel_figure(one: Composed, *, decimals: int, room: Room | None = None) -> dict[str, Any]:
    """The one layer's kernels K[o, c] (rows o, columns c) and, unless the one layer is exact, the row's output
    minus the one layer's, each output channel on its own."""
    room = room or Room()
    c_out, c_in, k, _ = one.K.shape
    h_o, w_o = one.Y.shape[1:]
    show_difference = not one.exact
    column = max(k, 4)
    kernels_w = c_in * (column + GAP) - GAP
    diff_x = 0.0 if room.narrow else kernels_w + 3 * GAP
    diff_y = c_out * (k + GAP + TITLE) + TITLE if room.narrow else TITLE
    width = max(kernels_w, w_o) if room.narrow or not show_difference else diff_x + max(w_o, 4)
    height = max(c_out * (k + GAP + TITLE) - GAP,
                 (diff_y - TITLE + c_out * (h_o + GAP + TITLE) - GAP) if show_difference else 0)
    cell_px = min(36 * room.zoom, room.width / (width + 2 * PAD),
                  room.height * (PHONE_SCREENS if room.narrow else 1.5) * room.zoom / (height + 2 * PAD))
    kernel_decimals = decimals if decimals else (0 if np.allclose(one.K, np.round(one.K)) else 2)
    chars = max(widest_number(kernel_decimals, one.K), widest_number(2, one.difference) if show_difference else 0)
    font = cell_digits(cell_px, chars, room, cap=22)
    title_px = max(10, min(15, int(cell_px * 0.5)))
    data, annotations = [], []
    for o in range(c_out):
        for c in range(c_in):
            at = (c * (column + GAP), TITLE + o * (k + GAP + TITLE))
            data.append(heatmap_panel(at, cells(one.K[o, c], kernel_decimals), "coloraxis",
                                      f"K[{o},{c}] = %{{z}}", font,
                                      f"%{{z:.{kernel_decimals}~f}}" if kernel_decimals else "%{z}"))
            annotations.append(panel_title(*at, f"K[{o},{c}]", title_px))
    if show_difference:
        for o in range(c_out):
            at = (diff_x, diff_y + o * (h_o + GAP + TITLE))
            data.append(heatmap_panel(at, cells(one.difference[o], 2), "coloraxis2", text("st_fig_diff_hover", o=o),
                                      font, "%{z:.2~f}"))
            annotations.append(panel_title(*at, text("st_fig_diff", o=o), title_px))
    top, spread = symmetric_range(one.K), symmetric_range(one.difference)
    layout = {
        **cells_layout(width, height, cell_px, title_px, PAD),
        **colour_axes(top, spread),
        "annotations": annotations,
        "meta": {"cell_px": round(cell_px, 1), "digit_px": font},
    }
    return {"data": data, "layout": layout}
