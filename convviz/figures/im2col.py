"""The im2col view's figure: UnfoldTable in, a Plotly figure dict out (never `st.*`).

`unfold_figure` animates the layer as one matrix product in the player: the padded input channels with the current
window; K_mat (c_o × c_i·k_h·k_w), X_col (c_i·k_h·k_w × h_o·w_o) with the window's column outlined, their product
Y_flat (c_o × h_o·w_o) filling in column by column, and the output maps Y (c_o, h_o, w_o) cell by cell. On a wide
screen the product is drawn as on paper (X_col above Y_flat, K_mat to its left, so a row of K_mat meets a column of
X_col in the product's cell); on a phone the panels stack. A coloured bar beside X_col's rows and above K_mat's
columns marks the input channel they belong to.

Player protocol (convviz/ui/player/player.js): `frames[s]` carry Y_flat's rows and the Y maps; shapes 0 the window's
cells, 1 the window, its column and the cells it writes (outlined on hover); the output maps and Y_flat's rows are
the traces whose cells are steps.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from convviz.figures import style
from convviz.figures.animation import PHONE_SCREENS, Room, cell_digits, cell_for_digits, widest_number
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
from convviz.model.im2col_steps import UnfoldTable

GAP = 1
MAX_CELL_PX = 48
PAD = 0.35
TITLE = 1.0  # a title row above every panel
BAR = 0.35  # the channel bars beside X_col's rows and above K_mat's columns
TITLE_CELLS = 4  # a panel's column is at least this wide, for its title
TALL_ROOMS = 2.0  # a wide room's diagram may be this many rooms tall where that keeps its numbers


@dataclass
class _Places:
    """Where each panel's top-left corner sits, in cells, and the diagram's size."""

    inputs: list[tuple[float, float]] = field(default_factory=list)  # per input channel c
    k_mat: tuple[float, float] = (0.0, 0.0)
    x_col: tuple[float, float] = (0.0, 0.0)
    product: tuple[float, float] = (0.0, 0.0)
    outputs: list[tuple[float, float]] = field(default_factory=list)  # per output channel o
    width: float = 0.0
    height: float = 0.0


def _input_block(table: UnfoldTable, x: float, y: float, in_row: bool) -> tuple[list[tuple[float, float]], float,
                                                                                 float]:
    """The padded channels side by side (`in_row`) or one under another from (x, y): places, width, height."""
    geo = table.geometry
    h_p, w_p = geo.padded_shape
    if in_row:
        return [(x + c * (w_p + GAP), y) for c in range(geo.c_in)], geo.c_in * (w_p + GAP) - GAP, h_p
    step = h_p + GAP + TITLE
    return [(x, y + c * step) for c in range(geo.c_in)], w_p, geo.c_in * step - GAP - TITLE


def _output_block(table: UnfoldTable, x: float, y: float, in_row: bool) -> tuple[list[tuple[float, float]], float,
                                                                                  float]:
    """The output maps side by side (`in_row`) or one under another from (x, y): places, width, height."""
    geo = table.geometry
    w_o = max(geo.out_w, TITLE_CELLS)
    if in_row:
        return ([(x + o * (w_o + GAP), y) for o in range(geo.c_out)], geo.c_out * (w_o + GAP) - GAP, geo.out_h)
    return ([(x, y + o * (geo.out_h + GAP + TITLE)) for o in range(geo.c_out)], w_o,
            geo.c_out * (geo.out_h + GAP + TITLE) - GAP - TITLE)


def _aligned(table: UnfoldTable, inputs_in_row: bool, outputs_right: bool) -> _Places:
    """A wide room: the product as on paper, X_col above Y_flat and K_mat to Y_flat's left; the inputs in the
    corner above K_mat, the outputs to the right or below."""
    geo = table.geometry
    rows, n = geo.c_in * geo.k_h * geo.k_w, geo.out_h * geo.out_w
    lay = _Places()
    lay.inputs, x_w, x_h = _input_block(table, 0.0, TITLE, inputs_in_row)
    left = max(rows + BAR, x_w, TITLE_CELLS)
    top = max(rows, x_h)
    lay.x_col = (left + GAP + BAR, TITLE + top - rows)
    lay.product = (left + GAP + BAR, TITLE + top + GAP + TITLE)
    lay.k_mat = (left - rows, lay.product[1])
    core_w = left + GAP + BAR + max(n, TITLE_CELLS)
    core_h = lay.product[1] + geo.c_out
    if outputs_right:
        lay.outputs, y_w, y_h = _output_block(table, core_w + 2 * GAP, TITLE, in_row=False)
        lay.width, lay.height = core_w + 2 * GAP + y_w, max(core_h, TITLE + y_h)
    else:
        lay.outputs, y_w, y_h = _output_block(table, 0.0, core_h + GAP + TITLE, in_row=True)
        lay.width, lay.height = max(core_w, y_w), core_h + GAP + TITLE + y_h
    return lay


def _stacked(table: UnfoldTable, inputs_in_row: bool, outputs_in_row: bool) -> _Places:
    """A phone: the inputs, X_col, K_mat, Y_flat and the outputs, one under another."""
    geo = table.geometry
    rows, n = geo.c_in * geo.k_h * geo.k_w, geo.out_h * geo.out_w
    lay = _Places()
    lay.inputs, x_w, x_h = _input_block(table, 0.0, TITLE, inputs_in_row)
    y = TITLE + x_h + GAP + TITLE
    lay.x_col = (BAR, y)
    y += rows + GAP + TITLE + BAR
    lay.k_mat = (0.0, y)
    y += geo.c_out + GAP + TITLE
    lay.product = (0.0, y)
    y += geo.c_out + GAP + TITLE
    lay.outputs, y_w, y_h = _output_block(table, 0.0, y, outputs_in_row)
    lay.width = max(x_w, BAR + n, rows, n, y_w, TITLE_CELLS)
    lay.height = y + y_h
    return lay


def _arrangements(table: UnfoldTable, room: Room, room_h: float) -> list[tuple[_Places, float]]:
    """Each arrangement for the room (a phone's stack, a wide room's product on paper) with its biggest cell."""
    build = _stacked if room.narrow else _aligned
    tried = []
    for first, second in itertools.product((True, False), repeat=2):
        lay = build(table, first, second)
        tried.append((lay, min(MAX_CELL_PX * room.zoom, room.width / (lay.width + 2 * PAD),
                               room_h / (lay.height + 2 * PAD))))
    return tried


def _choose(table: UnfoldTable, room: Room, numbers_px: float) -> tuple[_Places, float]:
    """The arrangement with the biggest cells; a phone's page scrolls, so it may be a few screens tall. Where fitting
    a wide room would leave cells too small for their numbers, the diagram may be TALL_ROOMS rooms tall."""
    fitted = _arrangements(table, room, room.height * (PHONE_SCREENS if room.narrow else 1.0) * room.zoom)
    best = max(fitted, key=lambda entry: entry[1])
    if best[1] < numbers_px and not room.narrow:
        taller = [entry for entry in _arrangements(table, room, room.height * TALL_ROOMS * room.zoom)
                  if entry[1] >= numbers_px]
        if taller:  # the one that scrolls least
            return min(taller, key=lambda entry: (entry[0].height + 2 * PAD) * entry[1])
    return best


def _bars(table: UnfoldTable, lay: _Places) -> list[dict[str, Any]]:
    """One line per input channel beside its rows of X_col and above its columns of K_mat, in its colour."""
    geo = table.geometry
    per = geo.k_h * geo.k_w
    (cx, cy), (kx, ky) = lay.x_col, lay.k_mat
    traces = []
    for c in range(geo.c_in):
        x = [cx - BAR / 2, cx - BAR / 2, None, kx + c * per + 0.1, kx + (c + 1) * per - 0.1]
        y = [cy + c * per + 0.1, cy + (c + 1) * per - 0.1, None, ky - BAR / 2, ky - BAR / 2]
        traces.append({"type": "scatter", "mode": "lines", "x": x, "y": y, "hoverinfo": "skip",
                       "line": {"color": style.CHANNEL_COLOURS[c], "width": 4}})
    return traces


def unfold_figure(table: UnfoldTable, *, decimals: int, room: Room | None = None,
                  frame_ms: int = 700) -> dict[str, Any]:
    """The animated product K_mat @ X_col, one column a step, as a Plotly figure dict drawn at step 0."""
    room = room or Room()
    geo = table.geometry
    widest = widest_number(decimals, table.padded, table.K_mat, table.X_col, table.product)
    lay, cell_px = _choose(table, room, cell_for_digits(widest, room))
    font = cell_digits(cell_px, widest, room)
    numbers = font > 0
    fmt = f"%{{z:.{decimals}~f}}" if decimals else "%{z}"
    title_px = max(10, min(18, int(cell_px * 0.5)))
    rows, n = table.X_col.shape
    data: list[dict[str, Any]] = []
    annotations = []
    p_h, p_w = geo.padding
    for c, at in enumerate(lay.inputs):
        ring = np.zeros(table.padded.shape[1:], dtype=bool)
        ring[p_h : p_h + geo.h, p_w : p_w + geo.w] = True
        data.append(heatmap_panel(at, cells(np.where(ring, table.padded[c], np.nan), decimals), "coloraxis",
                                  text("col_fig_input_hover", c=c), font, fmt))
        if geo.padding != (0, 0):
            data.append(heatmap_panel(at, cells(np.where(ring, np.nan, 0.0), 0), None, text("col_fig_pad_hover"),
                                      font, "%{z}", showscale=False,
                                      colorscale=[[0, style.PAD_CELL_FILL], [1, style.PAD_CELL_FILL]],
                                      textfont={"size": font, "color": style.PAD_CELL_TEXT} if font else None))
        annotations.append(panel_title(*at, f"X[{c}]", title_px, style.CHANNEL_COLOURS[c]))
    data.append(heatmap_panel(lay.k_mat, cells(table.K_mat, decimals), "coloraxis", text("col_fig_k_hover"), font,
                              fmt))
    data.append(heatmap_panel(lay.x_col, cells(table.X_col, decimals), "coloraxis", text("col_fig_x_col_hover"),
                              font, fmt))
    data += _bars(table, lay)
    k_title = panel_title(lay.k_mat[0], lay.k_mat[1] - BAR, f"K_mat  {geo.c_out}×{rows}", title_px)  # over its bars
    if lay.k_mat[0] > 0:  # beside Y_flat on paper: the title ends where K_mat does, clear of Y_flat's
        k_title.update(x=lay.k_mat[0] + rows, xanchor="right")
    annotations += [k_title, panel_title(*lay.x_col, f"X_col  {rows}×{n}", title_px),
                    panel_title(*lay.product, f"Y_flat  {geo.c_out}×{n}", title_px)]
    annotations += [panel_title(*at, f"Y[{o}]  {geo.out_h}×{geo.out_w}", title_px) for o, at in enumerate(lay.outputs)]
    outputs: dict[str, list[int]] = {}
    px, py = lay.product
    pending = {"showscale": False, "colorscale": [[0, style.PENDING_FILL], [1, style.PENDING_FILL]]}
    for at, shape in [((px, py + o), [1, n]) for o in range(geo.c_out)] + [
            (at, [geo.out_h, geo.out_w]) for at in lay.outputs]:  # the cells still to come, under the animated ones
        outputs[str(len(data))] = shape  # a click on one goes to its step too
        data.append(heatmap_panel(at, cells(np.zeros(shape), 0), None, text("col_fig_pending_hover"), 0, "", **pending))
    first_animated = len(data)
    for o in range(geo.c_out):  # Y_flat, a row a trace: a click on its cell n goes to step n
        outputs[str(len(data))] = [1, n]
        data.append(heatmap_panel((px, py + o), [], "coloraxis2", text("col_fig_product_hover", o=o), font, fmt))
    for o, at in enumerate(lay.outputs):
        outputs[str(len(data))] = [geo.out_h, geo.out_w]
        data.append(heatmap_panel(at, [], "coloraxis2", text("col_fig_output_hover", o=o), font, fmt))
    animated = list(range(first_animated, len(data)))
    frames = [_frame(table, lay, s, decimals, animated) for s in range(table.n_steps)]
    inside = symmetric_range(table.padded, table.K_mat)
    outside = symmetric_range(table.product)
    layout = {
        **cells_layout(lay.width, lay.height, cell_px, title_px, PAD),
        **colour_axes(inside, outside),
        "annotations": annotations, "shapes": frames[0]["layout"]["shapes"],
        "meta": {"frame_ms": frame_ms, "n_steps": table.n_steps, "out_w": geo.out_w, "numbers": numbers,
                 "cell_px": round(cell_px, 1), "digit_px": font, "animated_traces": animated,
                 "output_traces": outputs, "origin": [0, 0]},
    }
    return {"data": data, "layout": layout, "frames": frames}


def _frame(table: UnfoldTable, lay: _Places, s: int, decimals: int, animated: list[int]) -> dict[str, Any]:
    """What step s changes: Y_flat's columns and Y's cells so far, and the outlines."""
    geo = table.geometry
    running = table.running(s)  # (c_o, n)
    data = [{"type": "heatmap", "z": cells(running[o : o + 1], decimals)} for o in range(geo.c_out)]
    data += [{"type": "heatmap", "z": cells(running[o].reshape(geo.out_h, geo.out_w), decimals)}
             for o in range(geo.c_out)]
    r, q = (int(v) for v in table.window_origin[s])
    span_h, span_w = geo.dilation[0] * (geo.k_h - 1) + 1, geo.dilation[1] * (geo.k_w - 1) + 1
    i, j = divmod(s, geo.out_w)
    rows = table.X_col.shape[0]
    (cx, cy), (px, py) = lay.x_col, lay.product
    box = [rect_path(x + q, y + r, x + q + span_w, y + r + span_h) for x, y in lay.inputs]
    under = [rect_path(x + b, y + a, x + b + 1, y + a + 1) for x, y in lay.inputs for a, b in table.window_cells(s)]
    dilated = geo.dilation != (1, 1)  # the window's cells apart: outline them, and the span they cover thinly
    window = (under if dilated else box) + [rect_path(cx + s, cy, cx + s + 1, cy + rows),
                                            rect_path(px + s, py, px + s + 1, py + geo.c_out)]
    window += [rect_path(x + j, y + i, x + j + 1, y + i + 1) for x, y in lay.outputs]
    shapes = [
        {"type": "path", "path": "".join(box if dilated else under),
         "line": {"color": style.WINDOW, "width": 1, "dash": "dot" if dilated else "solid"}},
        {"type": "path", "path": "".join(window), "line": {"color": style.WINDOW, "width": 3}},
    ]
    return {"name": str(s), "data": data, "traces": animated, "layout": {"shapes": shapes}}
