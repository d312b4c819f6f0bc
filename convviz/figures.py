"""Pure figure builders for the main screen: a StepTable in, a Plotly figure dict out (never `st.*`).

The animated figure is one diagram on one pair of axes, in units of cells (x to the right, y downwards), laid
out like the textbook's picture. Each input channel c gets a block:

    [ X_padded[c] ]  [ K[o, c] ]  [ window × K[o, c] ]  [ partial sum ]

and on the right the sum over channels (plus the bias) lands in the output map Y[o]; under it sit the finished
maps of every output channel, Y[o] outlined. Blocks wrap into columns so the diagram suits a wide screen.

Frames carry only what changes at a step: a products heatmap per channel, one heatmap with every channel's
partial sum, one with the output value, the written-out sum, and two path shapes (the window outlines and the
cells still pending in Y[o]). The input maps are never re-sent, so the figure stays small.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from convviz import style
from convviz.plotting import cells, rect_path, symmetric_range
from convviz.steps import StepTable
from convviz.strings import text

ASSUMED_WIDTH_PX = 900  # the chart's width in the wide layout beside the sidebar on a 1400 px screen
CONTROLS_PX = 110  # room under the diagram for the play buttons and the slider
MAX_HEIGHT_PX = 700
GAP = 1  # cells between the panels of a block
BLOCK_GAP = 1  # cells between blocks
TITLE_PX = 20  # room above a panel for its title
CHAR_PX = 7  # width of one character of the written-out sum (12 px font)
LINE_PX = 17  # one line of the written-out sum
TERMS_PER_LINE = 3


@dataclass(frozen=True)
class _Box:
    """A panel's place in the diagram: left, top, width, height, in cells."""

    x: float
    y: float
    w: int
    h: int

    def edges(self) -> tuple[list[float], list[float]]:
        return [self.x + i for i in range(self.w + 1)], [self.y + i for i in range(self.h + 1)]


@dataclass(frozen=True)
class _Layout:
    """Where every panel of the animated diagram sits."""

    inputs: list[_Box]  # per input channel, the padded input
    kernels: list[_Box]
    products: list[_Box]
    partials: list[_Box]  # one cell each
    total: _Box  # one cell: the output value being computed
    output: _Box  # Y[o], h_o × w_o
    finals: list[_Box]  # every output channel's finished map, under Y[o]
    width: float
    height: float
    title_rows: float  # the height of a panel title, in cells

    @property
    def cell_px(self) -> float:
        """How many pixels a cell gets when the diagram fills the assumed width (or the height cap)."""
        return min(ASSUMED_WIDTH_PX / self.width, (MAX_HEIGHT_PX - CONTROLS_PX) / self.height)


def _layout(
    table: StepTable, blocks_per_row: int, title_rows: float = 1, right_w: int = 8, sum_rows: float = 1,
    maps_per_row: int = 1,
) -> _Layout:
    geo = table.geometry
    H_p, W_p = geo.padded_shape
    block_w = W_p + GAP + geo.k_w + GAP + geo.k_w + GAP + 1
    block_h = title_rows + max(H_p, geo.k_h)
    inputs, kernels, products, partials = [], [], [], []
    for c in range(geo.c_in):
        row, col = divmod(c, blocks_per_row)
        x, y = col * (block_w + BLOCK_GAP), row * (block_h + BLOCK_GAP) + title_rows
        inputs.append(_Box(x, y, W_p, H_p))
        kernels.append(_Box(x + W_p + GAP, y, geo.k_w, geo.k_h))
        products.append(_Box(x + W_p + GAP + geo.k_w + GAP, y, geo.k_w, geo.k_h))
        partials.append(_Box(x + W_p + 3 * GAP + 2 * geo.k_w, y + (geo.k_h - 1) // 2, 1, 1))
    n_rows = math.ceil(geo.c_in / blocks_per_row)
    right = blocks_per_row * (block_w + BLOCK_GAP)
    total = _Box(right, title_rows, 1, 1)
    output = _Box(right, total.y + max(1, sum_rows) + title_rows + GAP, geo.out_w, geo.out_h)
    # The finished maps of every output channel, under a title of their own, in rows of `maps_per_row`.
    finals_top = output.y + output.h + BLOCK_GAP + 2 * title_rows
    finals = [_Box(right + col * (geo.out_w + GAP), finals_top + row * (geo.out_h + GAP + title_rows),
                   geo.out_w, geo.out_h)
              for row, col in (divmod(k, maps_per_row) for k in range(geo.c_out))]
    width = right + max(geo.out_w, right_w, maps_per_row * (geo.out_w + GAP) - GAP)
    height = max(n_rows * (block_h + BLOCK_GAP) - BLOCK_GAP, finals[-1].y + finals[-1].h)
    return _Layout(inputs, kernels, products, partials, total, output, finals, width, height, title_rows)


def _best_layout(table: StepTable) -> _Layout:
    """Wrap channel blocks into the number of columns that gives the biggest cells on a wide screen.

    Titles and the written-out sum need fixed pixels, so the cells they take depend on the cell size.
    """
    geo = table.geometry
    n_terms = geo.c_in + geo.has_bias
    sum_lines = 1 + math.ceil(n_terms / TERMS_PER_LINE)
    widest_term = len(f"({np.abs(table.partial_sums).max():.2f})") if table.partial_sums.size else 4
    sum_px = CHAR_PX * (2 + min(n_terms, TERMS_PER_LINE) * (widest_term + 3))
    layouts = []
    for per_row in range(1, min(geo.c_in, 4) + 1):
        for maps_per_row in range(1, min(geo.c_out, 4) + 1):
            lay = _layout(table, per_row, maps_per_row=maps_per_row)
            for _ in range(2):  # the room for titles and the written-out sum is in pixels: settle it in two passes
                title_rows = max(0.8, TITLE_PX / lay.cell_px)
                right_w = 2 + math.ceil(sum_px / lay.cell_px)
                sum_rows = sum_lines * LINE_PX / lay.cell_px
                lay = _layout(table, per_row, title_rows, right_w, sum_rows, maps_per_row)
            layouts.append(lay)
    biggest = max(lay.cell_px for lay in layouts)
    # Among layouts whose cells are nearly the biggest, the shortest keeps the page in view.
    return min((lay for lay in layouts if lay.cell_px >= 0.9 * biggest), key=lambda lay: lay.height * lay.cell_px)


def _colour_levels(values: np.ndarray, limit: float) -> list:
    """(n, c, h, w) values as 8-bit levels in -127..127 of ±limit, one base64 typed array per (n, c) grid."""
    levels = np.round(np.asarray(values, dtype=np.float64) / limit * 127).astype(np.int8)
    shape = f"{levels.shape[2]},{levels.shape[3]}"
    return [[{"dtype": "i1", "bdata": base64.b64encode(grid.tobytes()).decode(), "shape": shape} for grid in step]
            for step in levels]


def _joined_edges(boxes: list[_Box], axis: str) -> list[float]:
    """Edges of one heatmap covering equal boxes laid on a grid; the gaps between them become empty cells."""
    starts = sorted({b.x if axis == "x" else b.y for b in boxes})
    size = boxes[0].w if axis == "x" else boxes[0].h
    return [start + i for start in starts for i in range(size + 1)]


def _scatter_into(boxes: list[_Box], values: np.ndarray) -> np.ndarray:
    """Place values (n, len(boxes), h, w) into grids (n, rows, cols) that `_joined_edges` describes, NaN between."""
    xs = sorted({b.x for b in boxes})
    ys = sorted({b.y for b in boxes})
    h, w = boxes[0].h, boxes[0].w
    grid = np.full((values.shape[0], len(ys) * (h + 1) - 1, len(xs) * (w + 1) - 1), np.nan)
    for k, box in enumerate(boxes):
        r, c = ys.index(box.y) * (h + 1), xs.index(box.x) * (w + 1)
        grid[:, r : r + h, c : c + w] = values[:, k]
    return grid


def _window_path(table: StepTable, lay: _Layout, step: int) -> str:
    """Outline the window in every input channel (and each cell it reads, when dilated) and the output cell."""
    geo = table.geometry
    (r0, c0), (span_h, span_w) = table.window_origin[step], geo.span
    parts = []
    for box in lay.inputs:
        parts.append(rect_path(box.x + c0, box.y + r0, box.x + c0 + span_w, box.y + r0 + span_h))
        if geo.dilation != (1, 1) and lay.cell_px >= 10:  # smaller cells: the span alone, the figure stays small
            rows, cols = table.window_cells(step)
            parts += [rect_path(box.x + c, box.y + r, box.x + c + 1, box.y + r + 1) for r in rows for c in cols]
    i, j = table.output_position(step)
    parts.append(rect_path(lay.output.x + j, lay.output.y + i, lay.output.x + j + 1, lay.output.y + i + 1))
    return "".join(parts)


def _pending_path(table: StepTable, lay: _Layout, step: int) -> str:
    """Cover the output cells that later steps compute: the rest of this row and every row below."""
    i, j = table.output_position(step)
    out = lay.output
    parts = []
    if j + 1 < out.w:
        parts.append(rect_path(out.x + j + 1, out.y + i, out.x + out.w, out.y + i + 1))
    if i + 1 < out.h:
        parts.append(rect_path(out.x, out.y + i + 1, out.x + out.w, out.y + out.h))
    return "".join(parts) or "M0,0Z"


def _step_shapes(table: StepTable, lay: _Layout, step: int) -> list[dict[str, Any]]:
    """The two shapes that move: the pending cover over Y[o] and the window outlines."""
    return [
        {"type": "path", "path": _pending_path(table, lay, step), "fillcolor": style.PENDING_FILL,
         "line": {"width": 0}},
        {"type": "path", "path": _window_path(table, lay, step), "line": {"color": style.WINDOW, "width": 3}},
    ]


def _outline_trace(boxes: list[_Box], color: str = style.GRID_LINE, width: int = 1) -> dict[str, Any]:
    """Fixed outlines (thin grid lines by default) drawn as one line trace, so the frames never repeat them."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    for b in boxes:
        xs += [b.x, b.x + b.w, b.x + b.w, b.x, b.x, None]
        ys += [b.y, b.y, b.y + b.h, b.y + b.h, b.y, None]
    return {"type": "scatter", "mode": "lines", "x": xs, "y": ys, "hoverinfo": "skip",
            "line": {"color": color, "width": width}}


def _heatmap(
    box: _Box | None, z: list, coloraxis: str | None, hover: str, text_on: bool, fmt: str, **extra: Any
) -> dict:
    """A heatmap trace on a box (cell centres from x0/dx) or, with box None, on explicit edges in `extra`.

    Cells are parted by a one-pixel white line; pass xgap=0, ygap=0 where cells are only a few pixels wide.
    """
    trace: dict[str, Any] = {"type": "heatmap", "z": z, "coloraxis": coloraxis, "xgap": 1, "ygap": 1,
                             "hoverongaps": False, "hovertemplate": hover + "<extra></extra>"}
    if box is not None:
        trace.update(x0=box.x + 0.5, dx=1, y0=box.y + 0.5, dy=1)
    if text_on:
        trace["texttemplate"] = fmt
    trace.update(extra)
    return {key: value for key, value in trace.items() if value is not None}  # extra's None removes a key


def _title(x: float, y: float, label: str) -> dict:
    return {"x": x, "y": y, "text": label, "showarrow": False, "xanchor": "left", "yanchor": "bottom",
            "font": style.LABEL_FONT, "xref": "x", "yref": "y"}


def _legible(cell_px: float, decimals: int) -> tuple[bool, int, int]:
    """Whether numbers fit in a cell of `cell_px` pixels, their font size, and the decimals they can show.

    Decimal data that does not fit with all its decimals is shown with one fewer when that fits.
    """
    font = int(min(style.CELL_FONT_SIZE, max(8, cell_px * 0.45)))
    for shown in (decimals, decimals - 1) if decimals else (0,):
        chars = 3 if shown == 0 else 3 + shown  # "-12", "-0.5", "-0.53"
        if _fits(chars, font, cell_px):
            return True, font, shown
    return False, font, decimals


def _fits(chars: int, font: int, cell_px: float) -> bool:
    """Whether `chars` characters of a `font`-pixel font fit across a cell of `cell_px` pixels."""
    return chars * 0.6 * font + 3 <= cell_px


def _equation(partials: np.ndarray, bias: float | None, total: float, decimals: int) -> str:
    """'= 3 + 14 + (−6) (+ b) = 11' written out, wrapped TERMS_PER_LINE terms a line."""
    def term(v: float) -> str:
        return f"{v:.{decimals}f}" if v >= 0 else f"({v:.{decimals}f})".replace("-", "−")

    terms = [term(v) for v in partials] + ([term(bias)] if bias is not None else [])
    lines = [" + ".join(terms[i : i + TERMS_PER_LINE]) for i in range(0, len(terms), TERMS_PER_LINE)]
    return "= " + "<br>+ ".join(lines) + f"<br>= <b>{total:.{decimals}f}</b>".replace("-", "−")


def animation_figure(
    table: StepTable,
    out_channel: int,
    *,
    decimals: int,
    frame_ms: int = 700,
) -> dict[str, Any]:
    """The animated correlation for output channel `out_channel`, as a Plotly figure dict opening at step 0.

    `decimals` is how many decimals the numbers in the cells carry (0 for integer data); `frame_ms` is the time
    a step stays on screen when playing. `at_step` moves the opening step without rebuilding.
    """
    geo = table.geometry
    o = out_channel
    if not 0 <= o < geo.c_out:
        raise ValueError(f"Output channel {o} does not exist: there are {geo.c_out} (0 to {geo.c_out - 1}).")
    lay = _best_layout(table)
    text_on, font_size, shown_decimals = _legible(lay.cell_px, decimals)
    fmt = f"%{{z:.{shown_decimals}f}}"
    roomy_titles = (geo.k_w + GAP) * lay.cell_px >= 7.5 * len(text("fig_products"))
    H_p, W_p = geo.padded_shape
    p_h, p_w = geo.padding
    bias = float(table.bias[o]) if geo.has_bias else None

    # Colour ranges, centred at 0: inputs and weights share one; products another; sums and outputs a third.
    values_range = symmetric_range(table.X_padded, table.K[o], table.bias[o : o + 1])
    products_range = symmetric_range(table.products[:, o])
    sums_range = symmetric_range(table.partial_sums[:, o], table.outputs[:, o])
    finals_range = symmetric_range(table.outputs)  # every output channel, so that their colours compare

    data: list[dict] = []
    annotations: list[dict] = []
    ring = np.zeros((H_p, W_p))
    ring[p_h : p_h + geo.h, p_w : p_w + geo.w] = np.nan  # (H_p, W_p): 0 on the padding ring, empty inside
    for c in range(geo.c_in):
        inside = np.where(np.isnan(ring), table.X_padded[c], np.nan)  # the real input; the ring is its own trace
        data.append(_heatmap(lay.inputs[c], cells(inside, decimals), "coloraxis", f"X[{c}] = %{{z}}", text_on, fmt))
        if p_h or p_w:
            data.append(_heatmap(lay.inputs[c], cells(ring, 0), None, text("fig_padding_hover"), text_on, "%{z}",
                                 colorscale=[[0, style.PADDING_FILL], [1, style.PADDING_FILL]], showscale=False,
                                 textfont={"color": style.PADDING_TEXT}))  # grey, outside the diverging scale
        data.append(_heatmap(lay.kernels[c], cells(table.K[o, c], decimals), "coloraxis",
                             f"K[{o},{c}] = %{{z}}", text_on, fmt))
        top = lay.inputs[c].y - 0.1
        if roomy_titles:
            annotations.append(_title(lay.inputs[c].x, top, text("fig_input", c=c)))
            annotations.append(_title(lay.kernels[c].x, top, text("fig_kernel", o=o, c=c)))
            annotations.append(_title(lay.products[c].x, top, text("fig_products")))
            annotations.append(_title(lay.partials[c].x, lay.partials[c].y - 0.1, "Σ"))
        else:  # panels narrower than their titles: one short title over the block
            annotations.append(_title(lay.inputs[c].x, top, text("fig_block", o=o, c=c)))
    data.append(_heatmap(lay.output, cells(table.output_maps()[o], decimals), "coloraxis3",
                         f"Y[{o}] = %{{z}}", text_on, fmt))
    # Every output channel's finished map, on a scale of its own; the one being followed outlined.
    output_maps = table.output_maps()  # (c_o, h_o, w_o)
    for k, box in enumerate(lay.finals):
        data.append(_heatmap(box, cells(output_maps[k], decimals), "coloraxis4", f"final Y[{k}] = %{{z}}",
                             text_on, fmt))
        annotations.append(_title(box.x, box.y - 0.1, text("fig_final", o=k)))
    data.append(_outline_trace([*lay.kernels, *lay.products, lay.total, lay.output, *lay.finals] + [
        _Box(b.x + p_w, b.y + p_h, geo.w, geo.h) for b in lay.inputs]))
    data.append(_outline_trace([lay.finals[o]], style.WINDOW, 2))  # the channel being followed
    annotations.append(_title(lay.finals[0].x, lay.finals[0].y - 0.1 - lay.title_rows,
                              text("fig_finals", c_o=geo.c_out)))
    annotations.append(_title(lay.output.x, lay.output.y - 0.1, text("fig_output", o=o, h=geo.out_h, w=geo.out_w)))
    annotations.append(_title(lay.total.x, lay.total.y - 0.1,
                              text("fig_total_bias" if bias is not None else "fig_total", o=o)))

    # The animated traces. Each spans every channel's panel, on explicit cell edges, so a frame holds four items.
    # Frames hold one products heatmap per channel (a joined one would carry ~16% empty cells between panels),
    # one heatmap with every partial sum, the output value and the written-out sum.
    n = table.n_steps
    if text_on:
        products = cells(table.products[:, o], decimals)  # (n, c_i, k_h, k_w)
    else:
        # Cells too small for numbers show only colour: 8-bit colour levels cut 8×32×32 (7×7) from 3.2 MB to 2.1 MB.
        products = _colour_levels(table.products[:, o], products_range)
        products_range = 127.0
    partials = cells(_scatter_into(lay.partials, table.partial_sums[:, o, :, None, None]), decimals)
    totals = cells(table.outputs[:, o, None, None], decimals)  # (n, 1, 1)
    equations = [_equation(table.partial_sums[s, o], bias, table.outputs[s, o], decimals) for s in range(n)]
    part_edges = {"x": _joined_edges(lay.partials, "x"), "y": _joined_edges(lay.partials, "y")}
    total_x, total_y = lay.total.edges()

    def step_data(s: int) -> list[dict]:
        return [
            *({"type": "heatmap", "z": products[s][c]} for c in range(geo.c_in)),
            {"type": "heatmap", "z": partials[s]},
            {"type": "heatmap", "z": totals[s]},
            {"type": "scatter", "text": [equations[s]]},
        ]

    # One-cell sums carry their number only where it fits in full; the written-out sum always does.
    sums_text = _fits(3 + decimals + (decimals > 0), font_size, lay.cell_px)
    animated = len(data)
    data += [
        *(_heatmap(box, [], "coloraxis2", text("fig_products_hover"), text_on, fmt,
                   **({} if text_on else {"hoverinfo": "skip", "hovertemplate": None}))
          for box in lay.products),
        _heatmap(None, [], "coloraxis3", text("fig_partial_hover"), sums_text, fmt, **part_edges),
        _heatmap(None, [], "coloraxis3", text("fig_total_hover", o=o), sums_text, fmt, x=total_x, y=total_y),
        {"type": "scatter", "mode": "text", "x": [lay.total.x + 1.2], "y": [lay.total.y], "text": [""],
         "textposition": "bottom right", "hoverinfo": "skip", "textfont": {"size": 12, "color": "#222222"}},
    ]
    for trace, start in zip(data[animated:], step_data(0), strict=True):
        trace.update(start)
    traces = list(range(animated, len(data)))
    if lay.cell_px < 8:  # white lines between cells of a few pixels would drown the colours
        for trace in data:
            if trace["type"] == "heatmap":
                trace.update(xgap=0, ygap=0)
    frames = [
        {"name": str(s), "data": step_data(s), "traces": traces, "layout": {"shapes": _step_shapes(table, lay, s)}}
        for s in range(n)
    ]

    def animate_args(frames_arg: list | None, duration: int) -> list:
        return [frames_arg, {"frame": {"duration": duration, "redraw": True}, "fromcurrent": True,
                             "transition": {"duration": 0}, "mode": "immediate"}]

    many = n > 40
    slider_steps = [
        {"label": "({}, {})".format(*table.output_position(s)), "method": "animate",
         "args": animate_args([str(s)], 0)}
        for s in range(n)
    ]
    height = int(min(MAX_HEIGHT_PX, max(320, lay.height * lay.cell_px + CONTROLS_PX + 20)))
    colour_axis = {"colorscale": style.DIVERGING, "showscale": False}
    layout = {
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "font": {"family": style.FONT_FAMILY, "size": font_size},
        "showlegend": False,
        "xaxis": {"visible": False, "range": [-0.5, lay.width + 0.5]},
        "yaxis": {"visible": False, "range": [lay.height + 0.5, -0.5], "scaleanchor": "x", "scaleratio": 1,
                  "domain": [min(0.9, CONTROLS_PX / height), 1]},
        "coloraxis": {**colour_axis, "cmin": -values_range, "cmax": values_range},
        "coloraxis2": {**colour_axis, "cmin": -products_range, "cmax": products_range},
        "coloraxis3": {**colour_axis, "cmin": -sums_range, "cmax": sums_range},
        "coloraxis4": {**colour_axis, "cmin": -finals_range, "cmax": finals_range},
        "annotations": annotations,
        "shapes": _step_shapes(table, lay, 0),
        "updatemenus": [{
            "type": "buttons", "direction": "left", "showactive": False,
            "x": 0, "y": 0, "xanchor": "left", "yanchor": "bottom", "pad": {"t": 0, "r": 10},
            "buttons": [
                {"label": text("fig_play"), "method": "animate", "args": animate_args(None, frame_ms)},
                {"label": text("fig_pause"), "method": "animate",
                 "args": [[None], {"frame": {"duration": 0, "redraw": False}, "mode": "immediate",
                                   "transition": {"duration": 0}}]},
            ],
        }],
        "sliders": [{
            "active": 0,
            "x": 0.17, "len": 0.83, "y": 0, "yanchor": "bottom", "pad": {"t": 0, "b": 0},
            "currentvalue": {"prefix": text("fig_slider_prefix"), "font": {"size": 14, "color": "#222222"}},
            # Hundreds of tick labels would overprint each other: the current value above says where we are.
            "font": {"size": 1, "color": "rgba(0,0,0,0)"} if many else {"size": 10},
            "ticklen": 0 if many else 4,
            "minorticklen": 0,
            "tickcolor": "rgba(0,0,0,0)" if many else "#bbbbbb",
            "steps": slider_steps,
        }],
        "meta": {"frame_ms": frame_ms, "n_steps": n, "numbers": text_on, "cell_px": round(lay.cell_px, 1),
                 "animated_traces": traces, "start_step": 0},
    }
    return {"data": data, "layout": layout, "frames": frames}


def at_step(figure: dict[str, Any], step: int, frame_ms: int) -> dict[str, Any]:
    """The same animated figure opening at `step` and playing at `frame_ms` per step, sharing its frames.

    Rebuilding costs up to ~0.3 s at the largest sizes; this copies only the top-level pieces it changes.
    """
    meta = figure["layout"]["meta"]
    step = min(max(step, 0), meta["n_steps"] - 1)
    frame = figure["frames"][step]
    data = list(figure["data"])
    for index, change in zip(meta["animated_traces"], frame["data"], strict=True):
        data[index] = {**data[index], **change}
    play, pause = figure["layout"]["updatemenus"][0]["buttons"]
    play_options = {**play["args"][1], "frame": {"duration": frame_ms, "redraw": True}}
    layout = {
        **figure["layout"],
        "shapes": frame["layout"]["shapes"],
        "sliders": [{**figure["layout"]["sliders"][0], "active": step}],
        "updatemenus": [{**figure["layout"]["updatemenus"][0],
                         "buttons": [{**play, "args": [None, play_options]}, pause]}],
        "meta": {**meta, "frame_ms": frame_ms, "start_step": step},
    }
    return {**figure, "data": data, "layout": layout}
