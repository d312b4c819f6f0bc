"""The transposed convolution view's figures: TransposeTable in, Plotly figure dicts out (never `st.*`).

`scatter_figure` animates the scatter in the player: one input cell a step, on every input channel at once; for
each pair of channels (c, o) the kernel K[c, o] and what the cell sends, X[c][i, j]·K[c, o]; and every output
channel's full map, whose step block grows by the sum of those products (the written line under each map). The
cells padding crops away are washed out and the kept part outlined. It speaks the player's protocol
(convviz/ui/player/player.js): `frames[s]` carry the products, the running maps and the words, and the shapes (0
the cropped border, 1 the input cell and the blocks it writes, 2 the kept part); the input panels are the ones
whose cells are steps (`output_traces`), so a click on an input cell goes to its step.

`correlation_figure` draws the same Y as an ordinary correlation (Z, the flipped kernels F, Y), and
`matrix_figure` as Cᵀ·vec(X).
"""

from __future__ import annotations

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
from convviz.model.transposed_steps import TransposeTable, as_correlation

GAP = 1
MAX_CELL_PX = 56
PAD = 0.25
TITLE = 1.0  # a title row above every panel
LINE_CELLS = 0.75  # each line written under an output map: the block, then one term per input channel
TALL_ROOMS = 2.0  # a wide room's diagram may be this many rooms tall where that keeps its numbers
OUTPUT_CELLS = 6  # an output map's column is at least this wide, for its title and its written lines


@dataclass
class _Places:
    """Where each panel's top-left corner sits, in cells, and the diagram's size."""

    inputs: list[tuple[float, float]] = field(default_factory=list)  # per input channel c
    kernels: dict[tuple[int, int], tuple[float, float]] = field(default_factory=dict)  # per (c, o)
    products: dict[tuple[int, int], tuple[float, float]] = field(default_factory=dict)
    outputs: list[tuple[float, float]] = field(default_factory=list)  # per output channel o
    width: float = 0.0
    height: float = 0.0


def _places(table: TransposeTable, arrangement: str) -> _Places:
    """The panels placed one of three ways: 'below' (each input channel's row, the output maps under them),
    'beside' (the output maps in a column to the right) or 'stacked' (a phone: one panel or pair a row)."""
    geo = table.geometry
    pair_w = 2 * geo.k_w + GAP  # the kernel, then what the cell sends
    out_w = max(geo.full_w, OUTPUT_CELLS)
    lines = _lines_height(table)
    lay = _Places()
    y = TITLE
    row_w = 0.0
    for c in range(geo.c_in):
        lay.inputs.append((0.0, y))
        if arrangement == "stacked":
            y += geo.h + GAP + TITLE
            for o in range(geo.c_out):
                lay.kernels[c, o] = (0.0, y)
                lay.products[c, o] = (geo.k_w + GAP, y)
                y += geo.k_h + GAP + TITLE
            row_w = max(row_w, geo.w, pair_w)
            continue
        x = geo.w + 2 * GAP
        for o in range(geo.c_out):
            lay.kernels[c, o] = (x, y)
            lay.products[c, o] = (x + geo.k_w + GAP, y)
            x += pair_w + 2 * GAP
        row_w = max(row_w, x - 2 * GAP)
        y += max(geo.h, geo.k_h) + GAP + TITLE
    out_block = geo.full_h + lines + GAP + TITLE
    if arrangement == "beside":
        x0 = row_w + 3 * GAP
        lay.outputs = [(x0, TITLE + o * out_block) for o in range(geo.c_out)]
        lay.width = x0 + out_w
        lay.height = max(y - GAP - TITLE, TITLE + geo.c_out * out_block - GAP - TITLE)
    elif arrangement == "below":
        lay.outputs = [(o * (out_w + 2 * GAP), y) for o in range(geo.c_out)]
        lay.width = max(row_w, geo.c_out * (out_w + 2 * GAP) - 2 * GAP)
        lay.height = y + geo.full_h + lines
    else:
        lay.outputs = [(0.0, y + o * out_block) for o in range(geo.c_out)]
        lay.width = max(row_w, out_w)
        lay.height = y + geo.c_out * out_block - GAP - TITLE
    return lay


def _lines_height(table: TransposeTable) -> float:
    """The room, in cells, for the lines written under an output map."""
    return LINE_CELLS * (table.geometry.c_in + 1) + 0.3


def _choose(table: TransposeTable, room: Room, numbers_px: float) -> tuple[_Places, float]:
    """The arrangement with the biggest cells for the room; a phone's page scrolls, so it may be a few screens
    tall. Where fitting the room would leave cells under `numbers_px` (too small for their numbers), a wide room's
    diagram may be up to TALL_ROOMS rooms tall instead, and the page scrolls."""
    screens = PHONE_SCREENS * max(1.0, table.geometry.c_in * table.geometry.c_out / 2) if room.narrow else 1.0
    fitted = _arrangements(table, room, room.height * screens * room.zoom)
    best = max(fitted, key=lambda entry: entry[1])
    if best[1] < numbers_px and not room.narrow:
        taller = [entry for entry in _arrangements(table, room, room.height * TALL_ROOMS * room.zoom)
                  if entry[1] >= numbers_px]
        if taller:  # the one that scrolls least, so that the output maps stay near the inputs
            return min(taller, key=lambda entry: (entry[0].height + 2 * PAD) * entry[1])
    return best


def _arrangements(table: TransposeTable, room: Room, room_h: float) -> list[tuple[_Places, float]]:
    """Each arrangement with the biggest cell it can have in the room's width and `room_h`."""
    tried = []
    for arrangement in ("below", "beside", "stacked"):
        lay = _places(table, arrangement)
        tried.append((lay, min(MAX_CELL_PX * room.zoom, room.width / (lay.width + 2 * PAD),
                               room_h / (lay.height + 2 * PAD))))
    return tried


def _fmt(decimals: int) -> str:
    return f"%{{z:.{decimals}~f}}" if decimals else "%{z}"


def _number(value: float, decimals: int) -> str:
    return f"{value:.{decimals}f}"


def _digits(cell_px: float, room: Room, decimals: int, *arrays: np.ndarray) -> int:
    """The numbers' size in pixels for the widest number shown (0: not shown)."""
    return cell_digits(cell_px, widest_number(decimals, *arrays), room)


def _crop_ring(x: float, y: float, table: TransposeTable) -> str:
    """The border padding crops from a full map at (x, y), as rectangles (none without padding: an empty move)."""
    geo = table.geometry
    p_h, p_w = geo.padding
    x1, y1 = x + geo.full_w, y + geo.full_h
    parts = []
    if p_h:
        parts += [rect_path(x, y, x1, y + p_h), rect_path(x, y1 - p_h, x1, y1)]
    if p_w:
        parts += [rect_path(x, y + p_h, x + p_w, y1 - p_h), rect_path(x1 - p_w, y + p_h, x1, y1 - p_h)]
    return "".join(parts) or "M0,0"


def _written(table: TransposeTable, s: int, o: int, decimals: int) -> str:
    """Step s's line under output map o: the block and the terms that add into it, one per input channel."""
    geo = table.geometry
    i, j = divmod(s, geo.w)
    r, q = (int(v) for v in table.block_origin[s])
    terms = "<br>+ ".join(f"{_number(float(table.X[c, i, j]), decimals)}·K[{c},{o}]" for c in range(geo.c_in))
    return f"Y[{o}][{r}:{r + geo.k_h}, {q}:{q + geo.k_w}] +=<br>  {terms}"


def scatter_figure(table: TransposeTable, *, decimals: int, room: Room | None = None,
                   frame_ms: int = 700) -> dict[str, Any]:
    """The animated scatter of every input cell into every output map, as a Plotly figure dict drawn at step 0."""
    room = room or Room()
    geo = table.geometry
    shown = (table.X, table.K, table.products, table.full_maps())
    widest = widest_number(decimals, *shown)
    lay, cell_px = _choose(table, room, cell_for_digits(widest, room))
    font = cell_digits(cell_px, widest, room)
    numbers = font > 0
    fmt = _fmt(decimals)
    title_px = max(10, min(18, int(cell_px * 0.5)))
    data: list[dict[str, Any]] = []
    annotations = []
    inputs: dict[str, list[int]] = {}
    for c, at in enumerate(lay.inputs):
        inputs[str(len(data))] = [geo.h, geo.w]
        data.append(heatmap_panel(at, cells(table.X[c], decimals), "coloraxis", text("tr_fig_input_hover", c=c),
                                  font, fmt))
        annotations.append(panel_title(*at, text("fig_input", c=c), title_px, style.CHANNEL_COLOURS[c]))
    for (c, o), at in lay.kernels.items():
        data.append(heatmap_panel(at, cells(table.K[c, o], decimals), "coloraxis",
                                  text("tr_fig_kernel_hover", c=c, o=o), font, fmt))
        annotations.append(panel_title(*at, f"K[{c},{o}]", title_px))
    for o, (x, y) in enumerate(lay.outputs):
        title = (f"Y[{o}]  {geo.out_h}×{geo.out_w}" if geo.padding == (0, 0)
                 else f"Y[{o}]  {geo.full_h}×{geo.full_w} → {geo.out_h}×{geo.out_w}")
        annotations.append(panel_title(x, y, title, title_px))
    first_animated = len(data)
    for (c, o), at in lay.products.items():  # what the cell sends, filled in by the frames
        data.append(heatmap_panel(at, [], "coloraxis", text("tr_fig_product_hover", c=c, o=o), font, fmt))
    for o, at in enumerate(lay.outputs):  # the running sums
        data.append(heatmap_panel(at, [], "coloraxis2", text("tr_fig_output_hover", o=o), font, fmt))
    sends = [(x, y - 0.1) for (x, y) in lay.products.values()]
    lines = [(x, y + geo.full_h + 0.15) for (x, y) in lay.outputs]
    longest = max(len(line) for s in range(table.n_steps) for o in range(geo.c_out)
                  for line in _written(table, s, o, decimals).split("<br>"))
    line_px = max(8, min(18, int(cell_px * LINE_CELLS / 1.3),
                         int(max(geo.full_w, OUTPUT_CELLS) * cell_px / (longest * 0.62))))
    send_px = max(8, min(title_px, int((2 * geo.k_w + GAP) * cell_px / (len(f"{-9.99:.{decimals}f}·K[0,0]") * 0.6))))
    data.append({"type": "scatter", "mode": "text", "x": [x for x, _ in sends + lines],
                 "y": [y for _, y in sends + lines], "text": [""] * (len(sends) + len(lines)),
                 "textposition": ["top right"] * len(sends) + ["bottom right"] * len(lines), "hoverinfo": "skip",
                 "textfont": {"size": [send_px] * len(sends) + [line_px] * len(lines), "color": style.LABEL_COLOUR}})
    animated = list(range(first_animated, len(data)))
    ring = "".join(_crop_ring(x, y, table) for x, y in lay.outputs)
    p_h, p_w = geo.padding
    kept = "M0,0" if geo.padding == (0, 0) else "".join(
        rect_path(x + p_w, y + p_h, x + p_w + geo.out_w, y + p_h + geo.out_h) for x, y in lay.outputs)
    frames = [_frame(table, lay, s, decimals, ring, kept, animated) for s in range(table.n_steps)]
    inside = symmetric_range(table.X, table.K, table.products)
    outside = symmetric_range(table.full_maps())
    layout = {
        **cells_layout(lay.width, lay.height, cell_px, title_px, PAD),
        **colour_axes(inside, outside),
        "annotations": annotations, "shapes": frames[0]["layout"]["shapes"],
        "meta": {"frame_ms": frame_ms, "n_steps": table.n_steps, "out_w": geo.w, "numbers": numbers,
                 "cell_px": round(cell_px, 1), "digit_px": font, "animated_traces": animated,
                 "output_traces": inputs, "origin": [0, 0], "step_label": text("tr_player_step")},
    }
    return {"data": data, "layout": layout, "frames": frames}


def _frame(table: TransposeTable, lay: _Places, s: int, decimals: int, ring: str, kept: str,
           animated: list[int]) -> dict[str, Any]:
    """What step s changes: the products, the running maps, the words, and the outlines."""
    geo = table.geometry
    i, j = divmod(s, geo.w)
    r, q = (int(v) for v in table.block_origin[s])
    data: list[dict[str, Any]] = [{"type": "heatmap", "z": cells(table.products[s, c, o], decimals)}
                                  for (c, o) in lay.products]
    data += [{"type": "heatmap", "z": cells(table.running[s, o], decimals)} for o in range(geo.c_out)]
    sends = [f"{_number(float(table.X[c, i, j]), decimals)}·K[{c},{o}]" for (c, o) in lay.products]
    data.append({"type": "scatter", "text": sends + [_written(table, s, o, decimals) for o in range(geo.c_out)]})
    outlines = [rect_path(x + j, y + i, x + j + 1, y + i + 1) for x, y in lay.inputs]
    outlines += [rect_path(x + q, y + r, x + q + geo.k_w, y + r + geo.k_h) for x, y in lay.outputs]
    shapes = [
        {"type": "path", "path": ring, "fillcolor": style.UNSEEN_WASH, "line": {"width": 0}, "layer": "above"},
        {"type": "path", "path": "".join(outlines), "line": {"color": style.WINDOW, "width": 3}},
        {"type": "path", "path": kept, "line": {"color": style.INSPECT, "width": 2, "dash": "dash"}},
        # Under each output map, its whole extent in the pending grey: the cells no block has reached yet show
        # the map's size from the first step, as the other tabs' output maps do.
        {"type": "path", "path": "".join(rect_path(x, y, x + geo.full_w, y + geo.full_h) for x, y in lay.outputs),
         "fillcolor": style.PENDING_FILL, "line": {"width": 0}, "layer": "below"},
    ]
    return {"name": str(s), "data": data, "traces": animated, "layout": {"shapes": shapes}}


def correlation_figure(table: TransposeTable, *, decimals: int, room: Room | None = None) -> dict[str, Any]:
    """Z (X spread by the stride and padded: the added zeros grey), the flipped kernels F[o, c], and Y: the same
    numbers as an ordinary correlation (stride 1, no padding)."""
    room = room or Room()
    same, Y = as_correlation(table), table.output_maps()  # Z and F; Y (c_o, h_o, w_o)
    geo = table.geometry
    c_in, h_z, w_z = same.Z.shape
    kernel_w = max(geo.k_w, 3)  # a kernel's column: at least its title's width ("F[0,1]")
    z_at, f_at, y_at = [], {}, []
    y = TITLE
    if room.narrow:  # a phone: each Z with its kernels under it, then the outputs
        for c in range(c_in):
            z_at.append((0.0, y))
            y += h_z + GAP + TITLE
            f_at.update({(o, c): (o * (kernel_w + GAP), y) for o in range(geo.c_out)})
            y += geo.k_h + GAP + TITLE
        y_at = [(0.0, y + o * (geo.out_h + GAP + TITLE)) for o in range(geo.c_out)]
        width = max(w_z, geo.c_out * (kernel_w + GAP) - GAP, geo.out_w)
    else:  # each Z with its kernels beside it, the outputs in a column to the right
        kernels_x = w_z + 2 * GAP
        for c in range(c_in):
            z_at.append((0.0, y))
            f_at.update({(o, c): (kernels_x + o * (kernel_w + GAP), y) for o in range(geo.c_out)})
            y += max(h_z, geo.k_h) + GAP + TITLE
        outputs_x = kernels_x + geo.c_out * (kernel_w + GAP) + GAP
        y_at = [(outputs_x, TITLE + o * (geo.out_h + GAP + TITLE)) for o in range(geo.c_out)]
        width = outputs_x + geo.out_w
    height = max(y, *(y0 + geo.out_h + GAP + TITLE for _, y0 in y_at)) - GAP - TITLE
    cell_px = min(MAX_CELL_PX * room.zoom * 0.8, room.width / (width + 2 * PAD),
                  (room.height * (PHONE_SCREENS if room.narrow else 1.0)) / (height + 2 * PAD))
    font = _digits(cell_px, room, decimals, same.Z, same.F, Y)
    fmt = _fmt(decimals)
    title_px = max(10, min(16, int(cell_px * 0.5)))
    data, annotations = [], []
    for c, at in enumerate(z_at):
        data.append(heatmap_panel(at, cells(np.where(same.real[c], same.Z[c], np.nan), decimals), "coloraxis",
                                  text("tr_fig_z_hover", c=c), font, fmt))
        data.append(heatmap_panel(at, cells(np.where(same.real[c], np.nan, 0.0), 0), None,
                                  text("tr_fig_z_added_hover"), font, "%{z}", showscale=False,
                                  colorscale=[[0, style.PAD_CELL_FILL], [1, style.PAD_CELL_FILL]],
                                  textfont={"size": font, "color": style.PAD_CELL_TEXT}))
        annotations.append(panel_title(*at, f"Z[{c}]", title_px, style.CHANNEL_COLOURS[c]))
    for (o, c), at in f_at.items():
        data.append(heatmap_panel(at, cells(same.F[o, c], decimals), "coloraxis", text("tr_fig_f_hover", c=c, o=o),
                                  font, fmt))
        annotations.append(panel_title(*at, f"F[{o},{c}]", title_px))
    for o, at in enumerate(y_at):
        data.append(heatmap_panel(at, cells(Y[o], decimals), "coloraxis2", text("tr_fig_output_hover", o=o),
                                  font, fmt))
        annotations.append(panel_title(*at, f"Y[{o}]  {geo.out_h}×{geo.out_w}", title_px))
    inside, outside = symmetric_range(same.Z, same.F), symmetric_range(Y)
    layout = {
        **cells_layout(width, height, cell_px, title_px, PAD),
        **colour_axes(inside, outside),
        "annotations": annotations,
        "meta": {"cell_px": round(cell_px, 1), "digit_px": font},
    }
    return {"data": data, "layout": layout}


MATRIX_CELL_PX = 32
MATRIX_MAX_ROWS = 64  # Cᵀ is drawn while it has at most this many rows (output cells) ...
MATRIX_MAX_COLS = 36  # ... and columns (input cells)


def matrix_fits(table: TransposeTable) -> bool:
    """Whether Cᵀ is small enough to draw cell by cell."""
    geo = table.geometry
    return geo.c_out * geo.out_h * geo.out_w <= MATRIX_MAX_ROWS and geo.c_in * geo.h * geo.w <= MATRIX_MAX_COLS


def matrix_figure(C: np.ndarray, x: np.ndarray, y: np.ndarray, *, decimals: int,
                  room: Room | None = None) -> dict[str, Any]:
    """Cᵀ (rows: output cells, columns: input cells) with vec(X) as a row over its columns and y = Cᵀ·vec(X) as a
    column beside its rows: each y is the row's cells times the numbers above them, added up."""
    room = room or Room()
    rows, cols = C.shape[1], C.shape[0]
    width = cols + GAP + 1
    height = TITLE + 1 + GAP + TITLE + rows
    cell_px = min(MATRIX_CELL_PX * room.zoom, room.width / (width + 2 * PAD))  # as tall as it needs: the page scrolls
    font = _digits(cell_px, room, decimals, C, x, y)
    fmt = _fmt(decimals)
    title_px = max(10, min(15, int(cell_px * 0.6)))
    top = TITLE + 1 + GAP + TITLE
    data = [
        heatmap_panel((0, TITLE), cells(x[np.newaxis], decimals), "coloraxis", text("tr_fig_vec_x_hover"), font, fmt),
        heatmap_panel((0, top), cells(np.where(C.T == 0, np.nan, C.T), decimals), "coloraxis",
                      text("tr_fig_matrix_hover"), font, fmt),
        heatmap_panel((cols + GAP, top), cells(y[:, np.newaxis], decimals), "coloraxis2",
                      text("tr_fig_vec_y_hover"), font, fmt),
    ]
    annotations = [panel_title(0, TITLE, text("tr_fig_vec_x"), title_px),
                   panel_title(0, top, text("tr_fig_matrix", rows=rows, cols=cols), title_px),
                   panel_title(cols + GAP, top, "y", title_px)]
    grid = [{"type": "rect", "x0": 0, "y0": top, "x1": cols, "y1": top + rows, "line": {"color": style.GRID_LINE,
                                                                                        "width": 1}}]
    inside, outside = symmetric_range(C, x), symmetric_range(y)
    layout = {
        **cells_layout(width, height, cell_px, title_px, PAD),
        **colour_axes(inside, outside),
        "annotations": annotations, "shapes": grid,
        "meta": {"cell_px": round(cell_px, 1), "digit_px": font},
    }
    return {"data": data, "layout": layout}
