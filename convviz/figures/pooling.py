"""The pooling view's animated figure: a PoolTable in, a Plotly figure dict out (never `st.*`).

One block per channel, each on its own: the padded input with the window, the window's values (max's winning cell
outlined), the written result (`max = 7`, `13 / 4 = 3.25`) and that channel's own output map filling up. Nothing
is added across channels, and the figure shows it: c blocks, c outputs.

The figure speaks the player's protocol (convviz/ui/player/player.js), as the main view's does: `frames[s]` carry
the animated traces (each channel's window values and the written results) and the shapes (0: the output cells
still pending, 1: the windows and the cells they write, 2: max's winning cells); `layout.meta` says how many
steps there are and which traces are output maps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from convviz.figures import style
from convviz.figures.animation import PHONE_SCREENS, Room, cell_digits
from convviz.figures.fit import DEFAULT_WIDTH, LINE, label_px, wrapped
from convviz.figures.images import (
    CHANNEL_RAMPS,
    MARGIN,
    _click_targets,
    _levels,
    _outline,
    _picture_source,
    _title,
    panels_per_row,
)
from convviz.figures.plotting import (
    MODEBAR_OFF,
    cells,
    cells_layout,
    heatmap_panel,
    panel_title,
    rect_path,
    symmetric_range,
)
from convviz.i18n.strings import text
from convviz.model.images import Region
from convviz.model.pool_steps import PoolTable

GAP = 1  # cells between the panels of a block, and between blocks
PICTURE_GAP = 6  # picture pixels between the panels of a picture and its pooled maps
TEXT_CELLS = 5  # the written result's room beside a phone's window, in cells
UNDER_CELLS = 4  # on a wide screen the result is written under the window: its column is at least this wide
OUTPUT_TITLE_CELLS = 4  # an output map's title ("Y[0]  2×2") needs about this many cells
MAX_CELL_PX = 64
PAD = 0.25


@dataclass(frozen=True)
class _Block:
    """Where one channel's panels sit, in cells: the padded input, the window, the result, the output map."""

    x0: float
    y0: float
    input_xy: tuple[float, float]
    window_xy: tuple[float, float]
    text_xy: tuple[float, float]
    output_xy: tuple[float, float]


def _blocks(table: PoolTable, stacked: bool, per_row: int) -> tuple[list[_Block], float, float]:
    """Every channel's block, `per_row` side by side, and the diagram's width and height in cells."""
    geo = table.geometry
    h_p, w_p = table.X_padded.shape[1:]
    title = 1.0  # a title row above every panel
    out_w = max(geo.out_w, OUTPUT_TITLE_CELLS)  # the output's title is wider than a small map
    if stacked:  # a phone: the input, then the window and its result, then the output map
        block_w = max(w_p, geo.k_w + GAP + TEXT_CELLS, out_w)
        block_h = h_p + GAP + title + geo.k_h + GAP + title + geo.out_h
        window_y = h_p + GAP + title
        places = [(0.0, 0.0, (0, window_y), (geo.k_w + GAP, window_y + geo.k_h / 2),
                   (0, window_y + geo.k_h + GAP + title))]
    else:  # side by side: input, window, result, output
        column = max(geo.k_w, UNDER_CELLS)
        block_w = w_p + GAP + column + GAP + out_w
        block_h = max(h_p, geo.k_h + 1.5, geo.out_h)
        places = [(0.0, 0.0, (w_p + GAP, 0), (w_p + GAP, geo.k_h + 0.8), (w_p + GAP + column + GAP, 0))]
    _, _, window, result, output = places[0]
    blocks = []
    for c in range(geo.channels):
        x = (c % per_row) * (block_w + 2 * GAP)
        y = title + (c // per_row) * (block_h + GAP + title)
        blocks.append(_Block(x, y, (x, y), (x + window[0], y + window[1]), (x + result[0], y + result[1]),
                             (x + output[0], y + output[1])))
    rows = -(-geo.channels // per_row)
    return blocks, per_row * block_w + (per_row - 1) * 2 * GAP, title + rows * (block_h + GAP + title) - GAP - title


def _layout(table: PoolTable, room: Room) -> tuple[list[_Block], float, float, float]:
    """The arrangement with the biggest cells for the room (stacked only when the room is narrow), its size and
    the pixels a cell gets. A phone's page scrolls: its diagram may be a few screens tall, more with more
    channels."""
    channels = table.geometry.channels
    screens = PHONE_SCREENS * max(1.0, channels / 2) if room.narrow else 1.0
    room_h = room.height * screens * room.zoom
    best = None
    for stacked in ((False, True) if room.narrow else (False,)):
        for per_row in range(1, min(channels, 1 if room.narrow else 2) + 1):
            blocks, width, height = _blocks(table, stacked, per_row)
            cell = min(MAX_CELL_PX * room.zoom, room.width / (width + 2 * PAD), room_h / (height + 2 * PAD))
            if best is None or cell > best[3]:
                best = (blocks, width, height, cell)
    assert best is not None
    return best


def _cells_path(cells_at: list[tuple[float, float]]) -> str:
    """One SVG path outlining every cell whose top-left corner is listed (or nothing: an empty move)."""
    return "".join(rect_path(x, y, x + 1, y + 1) for x, y in cells_at) or "M0,0"


def pooling_figure(table: PoolTable, *, decimals: int, room: Room | None = None, frame_ms: int = 700,
                   origin: tuple[int, int] = (0, 0)) -> dict[str, Any]:
    """The animated pooling of every channel, as a Plotly figure dict drawn at step 0 (`origin`: where the table's
    first output cell sits in the whole map, for a picture's region)."""
    room = room or Room()
    geo = table.geometry
    blocks, width, height, cell_px = _layout(table, room)
    shown = decimals if table.mode == "max" else max(decimals, 2)  # a mean of whole numbers has quarters
    chars = max(len(f"{v:.{shown}f}") for v in (*table.outputs.ravel(), np.nanmax(np.abs(table.X_padded))))
    font = cell_digits(cell_px, chars, room)
    numbers = font > 0
    fmt = f"%{{z:.{shown}~f}}" if shown else "%{z}"
    title_px = max(11, min(18, int(cell_px * 0.5)))
    frames = [_frame(table, blocks, s, decimals, shown) for s in range(table.n_steps)]
    longest = max(len(result) for result in frames[-1]["data"][-1]["text"])
    under = blocks[0].text_xy[0] == blocks[0].window_xy[0]  # written under the window, or beside it (a phone)
    room_cells = max(geo.k_w, UNDER_CELLS) + GAP if under else TEXT_CELLS
    text_px = max(9, min(22, int(cell_px * 0.5), int(room_cells * cell_px / (longest * 0.62))))
    maps = table.output_maps()  # (c, h_o, w_o)
    data: list[dict[str, Any]] = []
    outputs: dict[str, list[int]] = {}
    annotations = []
    for c, block in enumerate(blocks):
        x_in, y_in = block.input_xy
        inside = table.X_padded[c]
        data.append(heatmap_panel((x_in, y_in), cells(inside, decimals), "coloraxis", text("pool_fig_input_hover"),
                                  font, fmt))
        ring = np.where(np.isnan(inside), 0.0, np.nan)  # (h_p, w_p): the padding, drawn apart in grey
        if np.isnan(inside).any():  # the padding, or a picture's region at its edge
            data.append(heatmap_panel((x_in, y_in), cells(ring, 0), None, text("fig_padding_hover"), 0, "",
                                      colorscale=[[0, style.PAD_CELL_FILL], [1, style.PAD_CELL_FILL]],
                                      showscale=False))
        x_out, y_out = block.output_xy
        outputs[str(len(data))] = [geo.out_h, geo.out_w]
        data.append(heatmap_panel((x_out, y_out), cells(maps[c], shown), "coloraxis",
                                  text("pool_fig_output_hover", c=c), font, fmt))
        annotations += [panel_title(x_in, y_in, text("fig_input", c=c), title_px),
                        panel_title(*block.window_xy, text("pool_fig_window"), title_px),
                        panel_title(x_out, y_out, text("pool_fig_output", c=c, h=geo.out_h, w=geo.out_w), title_px)]
    window_fill = [{"type": "rect", "x0": b.window_xy[0], "y0": b.window_xy[1], "x1": b.window_xy[0] + geo.k_w,
                    "y1": b.window_xy[1] + geo.k_h, "fillcolor": style.PAD_CELL_FILL, "line": {"width": 0},
                    "layer": "below"} for b in blocks]  # a window's padded cells (NaN) show grey
    first_animated = len(data)
    for block in blocks:  # each channel's window values, filled in by the frames
        data.append(heatmap_panel(block.window_xy, [], "coloraxis", text("pool_fig_window_hover"), font, fmt))
    text_x = [b.text_xy[0] for b in blocks]
    text_y = [b.text_xy[1] for b in blocks]
    data.append({"type": "scatter", "mode": "text", "x": text_x, "y": text_y, "text": [""] * geo.channels,
                 "textposition": "middle right", "hoverinfo": "skip",
                 "textfont": {"size": text_px, "color": style.LABEL_COLOUR}})
    animated = list(range(first_animated, len(data)))
    for frame in frames:  # the player draws a frame's shapes only: the grey under the windows goes in each
        frame["traces"] = animated
        frame["layout"]["shapes"] += window_fill
    colours = symmetric_range(np.nan_to_num(table.X_padded), table.outputs)
    layout = {
        **cells_layout(width, height, cell_px, title_px, PAD),
        "coloraxis": {"colorscale": style.CELL_SCALE, "cmid": 0, "cmax": colours, "cmin": -colours,
                      "showscale": False},
        "annotations": annotations, "shapes": frames[0]["layout"]["shapes"],
        "meta": {"frame_ms": frame_ms, "n_steps": table.n_steps, "out_w": geo.out_w, "numbers": numbers,
                 "cell_px": round(cell_px, 1), "digit_px": font, "animated_traces": animated,
                 "output_traces": outputs, "origin": list(origin)},
    }
    return {"data": data, "layout": layout, "frames": frames}


def _frame(table: PoolTable, blocks: list[_Block], s: int, decimals: int, shown: int) -> dict[str, Any]:
    """What step s changes: each channel's window values and written result, and the four shapes."""
    geo = table.geometry
    row, col = (int(v) for v in table.window_origin[s])
    i, j = divmod(s, geo.out_w)
    windows, results, outlines, written, pending, winners = [], [], [], [], [], []
    for c, block in enumerate(blocks):
        values = table.windows[s, c]  # (k_h, k_w)
        windows.append({"type": "heatmap", "z": cells(values, decimals)})
        if table.mode == "max":
            results.append(f"max = {table.outputs[s, c]:.{decimals}f}")
            r, q = (int(v) for v in table.winners[s, c])
            winners += [(block.input_xy[0] + col + q, block.input_xy[1] + row + r),
                        (block.window_xy[0] + q, block.window_xy[1] + r)]
        else:
            total = float(np.nansum(values))
            results.append(f"{total:.{decimals}f} / {geo.k_h * geo.k_w} = {table.outputs[s, c]:.{shown}f}")
        x_in, y_in = block.input_xy
        outlines.append(rect_path(x_in + col, y_in + row, x_in + col + geo.k_w, y_in + row + geo.k_h))
        x_out, y_out = block.output_xy
        written.append(rect_path(x_out + j, y_out + i, x_out + j + 1, y_out + i + 1))
        pending += [(x_out + q, y_out + r) for r in range(geo.out_h) for q in range(geo.out_w)
                    if r * geo.out_w + q > s]
    shapes = [  # as the main view's: 0 the pending cells, 1 the windows with the cells they write (the player
        # outlines shapes[1] of the output cell under the pointer), then max's winning cells
        {"type": "path", "path": _cells_path(pending), "fillcolor": style.PENDING_FILL, "line": {"width": 0},
         "layer": "above"},
        {"type": "path", "path": "".join(outlines + written), "line": {"color": style.WINDOW, "width": 3}},
        {"type": "path", "path": _cells_path(winners), "line": {"color": style.INSPECT, "width": 3}},
    ]
    return {"name": str(s), "data": [*windows, {"type": "scatter", "text": results}], "layout": {"shapes": shapes}}



def pooled_picture_figure(rgb: np.ndarray, X: np.ndarray, Y: np.ndarray, *, k: int, stride: int, padding: int,
                          region: Region, mode_name: str, width: int = DEFAULT_WIDTH) -> dict[str, Any]:
    """A picture's channels X (c, h, w) in 0..1 beside their pooled maps Y (c, h_o, w_o), two or four panels a
    row (one on a narrow screen), with the colour picture and its pooled colours first when there are three channels.

    A pooled cell is drawn over the input pixels its window covers (stride × stride of them, centred on the
    window), so a pooled map is as large as its input and its coarser cells show the resolution it lost. The
    region the player animates is outlined: the pixels its windows read, and its cells in every pooled map.
    """
    c, h, w = X.shape
    _, out_h, out_w = Y.shape
    plot_px = width - MARGIN["l"] - MARGIN["r"]
    fits = panels_per_row(plot_px)
    per_row = 1 if fits < 2 else fits // 2 * 2  # a channel and its pooled map always share a row
    first = padding - (k - stride) / 2  # a pooled cell's left (top) edge at column (row) 0, left of the input's
    extra = max(0.0, first, out_w * stride - first - w, out_h * stride - first - h)  # pooled past the input's edge
    side = w + 2 * extra  # every panel gets this many picture pixels of width
    units = per_row * (side + PICTURE_GAP) - PICTURE_GAP
    scale = plot_px / units  # screen pixels per picture pixel
    font = label_px(width)
    channel_names = ["grey"] if c == 1 else ["R", "G", "B"]
    panels: list[tuple[str, str]] = []  # (title, what): the picture's colours first, then each channel and its map
    if c == 3:
        panels += [(text("pool_img_picture", h=h, w=w), "rgb"), (text("pool_img_pooled_rgb", h=out_h, w=out_w,
                                                                       mode=mode_name), "pooled_rgb")]
    for ch, name in enumerate(channel_names):
        panels += [(text("img_fig_channel", c=ch, name=name) + f"  {h}×{w}", f"x{ch}"),
                   (text("pool_img_pooled", c=ch, h=out_h, w=out_w, mode=mode_name), f"y{ch}")]
    titled = [wrapped(words, side * scale, font) for words, _ in panels]
    data: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    shapes: list[dict[str, Any]] = []
    top = 0.0
    spots: dict[str, tuple[float, float]] = {}
    for start in range(0, len(panels), per_row):
        band = max(lines for _, lines in titled[start : start + per_row]) * font * LINE / scale + 4 / scale
        for slot, ((_, what), (words, _)) in enumerate(zip(panels[start : start + per_row],
                                                          titled[start : start + per_row], strict=True)):
            x = slot * (side + PICTURE_GAP)
            annotations.append(_title(x, top, words, font))
            spots[what] = (x + extra, top + band + extra)  # where the input's pixel (0, 0) begins
        top += band + h + 2 * extra + PICTURE_GAP
    height = top - PICTURE_GAP
    pooled = np.clip(Y, 0, 1)  # (c, h_o, w_o): a picture's pooled values stay in 0..1
    for what, (x, y) in spots.items():
        if what == "rgb":
            data.append({"type": "image", "source": _picture_source(rgb), "x0": x + 0.5, "y0": y + 0.5, "dx": 1,
                         "dy": 1, "hoverinfo": "skip"})
        elif what == "pooled_rgb":
            colours = np.round(pooled.transpose(1, 2, 0) * 255).astype(np.uint8)  # (h_o, w_o, 3)
            data.append({"type": "image", "source": _picture_source(colours), "x0": x - first + stride / 2,
                         "y0": y - first + stride / 2, "dx": stride, "dy": stride, "hoverinfo": "skip"})
        elif what[0] == "x":
            ch = int(what[1:])
            data.append({"type": "heatmap", "z": _levels(X[ch], 1.0, "u1"), "x0": x + 0.5, "dx": 1, "y0": y + 0.5,
                         "dy": 1, "zmin": 0, "zmax": 255, "colorscale": CHANNEL_RAMPS[channel_names[ch]],
                         "showscale": False, "hoverinfo": "skip"})
        else:
            ch = int(what[1:])
            data.append({"type": "heatmap", "z": _levels(pooled[ch], 1.0, "u1"), "x0": x - first + stride / 2,
                         "dx": stride, "y0": y - first + stride / 2, "dy": stride, "zmin": 0, "zmax": 255,
                         "colorscale": CHANNEL_RAMPS[channel_names[ch]], "showscale": False, "hoverinfo": "skip"})
        if what in ("rgb", "x0", "x1", "x2"):  # the pixels the region's windows read
            shapes.append(_outline(x + region.col * stride - padding, y + region.row * stride - padding,
                                   (region.cols - 1) * stride + k, (region.rows - 1) * stride + k))
        else:  # the region's cells in the pooled map
            shapes.append(_outline(x - first + region.col * stride, y - first + region.row * stride,
                                   region.cols * stride, region.rows * stride))
    pick_x, pick_y = spots["rgb" if c == 3 else "x0"]
    targets = _click_targets(h, w, pick_y)
    targets["x"] = [value + pick_x for value in targets["x"]]
    data.append(targets)
    return {
        "data": data,
        "layout": {
            "height": int(np.ceil(height * scale)) + MARGIN["t"] + MARGIN["b"],
            "margin": MARGIN, "paper_bgcolor": "white", "plot_bgcolor": "white", "showlegend": False,
            "dragmode": False, "font": {"family": style.FONT_FAMILY},
            "xaxis": {"visible": False, "range": [0, units], "fixedrange": True, "constrain": "domain"},
            "yaxis": {"visible": False, "range": [height, 0], "scaleanchor": "x", "scaleratio": 1,
                      "fixedrange": True, "constrain": "domain"},
            "annotations": annotations, "shapes": shapes, "modebar": MODEBAR_OFF,
            "meta": {"width": width},  # the width it was laid out for (the browser tests wait for it)
        },
    }
