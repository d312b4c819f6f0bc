"""Pure figure builders for the main screen: a StepTable in, a Plotly figure dict out (never `st.*`).

The animated figure is one diagram on one pair of axes, in units of cells (x to the right, y downwards), laid
out like the textbook's picture. Each input channel c gets a block:

    [ X_padded[c] ]  [ K[o, c] ]  [ window × K[o, c] ]  [ Σ ]      (or the input above the other three)

and beside or under the blocks the sum over channels (plus the bias) is written out and lands in the output map
Y[o]; under it sit the finished maps of every output channel, Y[o] outlined. The arrangement is chosen for the
room the page gives the diagram (`Room`, in CSS pixels): the biggest square cells that fit, and type sized to them.

Frames carry only what changes at a step: a products heatmap per channel, one heatmap with every channel's
partial sum, one with the output value, the written-out sum, and two path shapes (the window outlines and the
cells still pending in Y[o]). The input maps are never re-sent, so the figure stays small. The player component
(convviz/ui/player/) draws frame `s` by merging `frames[s]` into the animated traces and the shapes.
"""

from __future__ import annotations

import base64
import itertools
import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from convviz.figures import style
from convviz.figures.plotting import cells, cells_layout, heatmap_panel, panel_title, rect_path, symmetric_range
from convviz.i18n.strings import text
from convviz.model.steps import StepTable

GAP = 1  # cells between the panels of a block
BLOCK_GAP = 1  # cells between blocks
TERMS_PER_LINE = 3  # terms of the written-out sum per line (on a phone, PHONE_TERMS_PER_LINE)
PHONE_TERMS_PER_LINE = 2
MAX_CELL_PX = 96  # a few big cells (the textbook) stop growing here
MIN_DIGIT_PX = 9  # numbers smaller than this are not shown: hover or tap reads the cell
MAX_DIGIT_PX = 40
CHAR_EM = 0.6  # width of a character in the font's size (DejaVu Sans digits ~0.64, letters less)
LINE_EM = 1.35  # height of a line of text in the font's size
PAD = 0.25  # cells of margin around the diagram: room for the thick outlines on its edge
MIN_TITLE_PX = 11  # a panel title shrinks down to this before it gives way to one short title per block
MAX_SCREENS = 4  # presentation mode: to keep its numbers, the diagram may scroll this many rooms tall
PRESENT_SUM_PX = 20  # presentation mode: the written-out sum is never smaller than this
WIDE_EM = 1.0  # width of a CJK character (Chinese titles) in the font's size


@dataclass(frozen=True)
class Room:
    """The screen area the diagram may fill, in CSS pixels, as the player measures it, and how to fill it.

    A narrow room (a phone) lets the page scroll: the diagram may be `PHONE_SCREENS` screens tall. `zoom` is the
    teacher's text size: the diagram may be `zoom` rooms tall and its cells `zoom` times larger. In presentation
    mode (`present`) numbers never fall under `digit_floor(room)`: where they would, the diagram is laid out for
    the room's width alone and scrolls (at most `MAX_SCREENS` rooms tall).
    """

    width: int = 900
    height: int = 560
    zoom: float = 1.0
    present: bool = False

    @property
    def narrow(self) -> bool:
        return self.width < NARROW_PX


NARROW_PX = 600  # below this width (phones) blocks stack and the page scrolls
PHONE_SCREENS = 2.5
ZOOMS = (1.0, 1.25, 1.5, 2.0)  # the text sizes a teacher can pick


def digit_floor(room: Room) -> int:
    """The smallest digits the room's numbers may have: in presentation mode 16 px on a room of a 1920-wide
    screen, 14 px from a 1280-wide one, 12 px below (times the zoom); otherwise MIN_DIGIT_PX."""
    if not room.present:
        return MIN_DIGIT_PX
    base = 16 if room.width >= 1800 else 14 if room.width >= 1200 else 12
    return math.ceil(base * room.zoom)


def widest_number(decimals: int, *arrays: np.ndarray) -> int:
    """The characters of the widest finite number in `arrays`, written with `decimals` places."""
    return max(len(f"{v:.{decimals}f}") for a in arrays for v in np.asarray(a).ravel() if np.isfinite(v))


def cell_digits(cell_px: float, chars: int, room: Room, cap: int = 28) -> int:
    """The numbers' size in a `cell_px` cell for numbers of `chars` characters (at most `cap` px), or 0 where that
    is under the room's floor (`digit_floor`) and the numbers are not shown: the cell-grid figures' rule."""
    digit = min(int(cell_px * 0.45), int(cell_px / max(chars * 0.62, 1)), cap)
    return digit if digit >= digit_floor(room) else 0


def cell_for_digits(chars: int, room: Room) -> float:
    """The smallest cell in which `cell_digits` shows numbers of `chars` characters."""
    floor = digit_floor(room)
    return max((floor + 1) / 0.45, (floor + 1) * max(chars * 0.62, 1))


# ---- where the panels go ----


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
class _Arrangement:
    """How the blocks are laid out: a handful of these are tried for each room."""

    per_row: int  # channel blocks side by side
    maps_per_row: int  # finished output maps side by side
    stacked: bool  # in a block, the input above its kernel, products and Σ rather than beside them
    sum_below: bool  # the sum, Y[o] and the finished maps under the blocks rather than beside them
    finals_beside: bool  # the finished maps right of Y[o] rather than under it


@dataclass(frozen=True)
class _Type:
    """Font sizes in pixels for a cell size, and whether (and with how many decimals) numbers fit in cells."""

    digits: int
    decimals: int
    numbers: bool
    sums: int  # the one-cell sums' numbers, 0 when they do not fit
    title: int
    sum: int  # the written-out sum: never smaller than the cell digits


@dataclass(frozen=True)
class _Layout:
    """Where every panel of the animated diagram sits, and the pixels a cell gets in the room."""

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
    cell_px: float
    per_line: int  # terms of the written-out sum per line


def _block_size(table: StepTable, arr: _Arrangement, title_rows: float) -> tuple[float, float, float, float]:
    """One channel's block: its width and height, and where its kernel, products and Σ start inside it."""
    geo = table.geometry
    H_p, W_p = geo.padded_shape
    tail_w = geo.k_w + GAP + geo.k_w + GAP + 1  # kernel, products, Σ
    if arr.stacked:
        return max(W_p, tail_w), title_rows + H_p + GAP + title_rows + geo.k_h, 0.0, H_p + GAP + title_rows
    return W_p + GAP + tail_w, title_rows + max(H_p, geo.k_h), W_p + GAP, 0.0


def _blocks(table: StepTable, arr: _Arrangement, title_rows: float, order: tuple[int, ...]) -> list[list[_Box]]:
    """Each input channel's [input, kernel, products, Σ] boxes, the blocks placed in `order`."""
    geo = table.geometry
    H_p, W_p = geo.padded_shape
    k_h, k_w = geo.k_h, geo.k_w
    block_w, block_h, tail_dx, tail_dy = _block_size(table, arr, title_rows)
    blocks = []
    for c in range(geo.c_in):
        row, col = divmod(order.index(c), arr.per_row)
        x, y = col * (block_w + BLOCK_GAP), row * (block_h + BLOCK_GAP) + title_rows
        tx, ty = x + tail_dx, y + tail_dy
        blocks.append([_Box(x, y, W_p, H_p), _Box(tx, ty, k_w, k_h), _Box(tx + k_w + GAP, ty, k_w, k_h),
                       _Box(tx + 2 * (k_w + GAP), ty + (k_h - 1) // 2, 1, 1)])
    return blocks


@dataclass(frozen=True)
class _TextRoom:
    """Room that text needs, in cells (it is sized in pixels, so it depends on the cell size)."""

    title_rows: float = 1  # the height of a panel title
    sum_w: float = 8  # the total's title, or the total cell and the written-out sum beside it
    sum_rows: float = 1  # the written-out sum's lines
    output_title_w: float = 6
    finals_title_w: float = 8


@dataclass(frozen=True)
class _Extent:
    """An arrangement's outline, in cells: where the sum column and the finished maps start, the diagram's size,
    and the pixels a cell gets in the room. Cheap to work out, so every arrangement is measured this way and only
    the chosen one is laid out box by box."""

    ox: float  # the sum column's left edge
    oy: float  # and top
    output_y: float  # Y[o]'s top, under the total and the written-out sum
    fx: float  # the finished maps' left edge
    top: float  # and top
    width: float
    height: float
    cell_px: float


def _extent(table: StepTable, room: Room, arr: _Arrangement, t: _TextRoom, cap: float) -> _Extent:
    geo = table.geometry
    rows = t.title_rows
    block_w, block_h, _, _ = _block_size(table, arr, rows)
    blocks_w = arr.per_row * (block_w + BLOCK_GAP) - BLOCK_GAP
    blocks_h = math.ceil(geo.c_in / arr.per_row) * (block_h + BLOCK_GAP) - BLOCK_GAP
    ox, oy = (0.0, blocks_h + BLOCK_GAP) if arr.sum_below else (blocks_w + BLOCK_GAP, 0.0)
    output_y = (oy + rows) + max(1, t.sum_rows) + rows + GAP  # the total's row, the sum's lines, Y[o]'s title
    if arr.finals_beside:  # the finished maps right of Y[o], under their own title
        fx, top = ox + max(geo.out_w, t.output_title_w) + BLOCK_GAP, output_y + rows
    else:
        fx, top = ox, output_y + geo.out_h + BLOCK_GAP + 2 * rows
    last_row = (geo.c_out - 1) // arr.maps_per_row
    width = max(blocks_w, ox + t.sum_w, ox + t.output_title_w, fx + t.finals_title_w,
                fx + arr.maps_per_row * (geo.out_w + GAP) - GAP)
    height = max(blocks_h, top + last_row * (geo.out_h + GAP + rows) + geo.out_h)
    room_h = (room.height * (PHONE_SCREENS if room.narrow else 1)) or math.inf  # a height of 0: no limit
    cell_px = min(room.width / (width + 2 * PAD), room_h / (height + 2 * PAD), cap)
    return _Extent(ox, oy, output_y, fx, top, width, height, cell_px)


def _layout(table: StepTable, arr: _Arrangement, t: _TextRoom, e: _Extent, per_line: int,
            order: tuple[int, ...]) -> _Layout:
    """Place the blocks, then the sum column: the total and the written-out sum, Y[o], the finished maps."""
    geo = table.geometry
    rows = t.title_rows
    total = _Box(e.ox, e.oy + rows, 1, 1)
    output = _Box(e.ox, e.output_y, geo.out_w, geo.out_h)
    finals = [_Box(e.fx + col * (geo.out_w + GAP), e.top + row * (geo.out_h + GAP + rows), geo.out_w, geo.out_h)
              for row, col in (divmod(k, arr.maps_per_row) for k in range(geo.c_out))]
    blocks = _blocks(table, arr, rows, order)
    inputs, kernels, products, partials = (list(panels) for panels in zip(*blocks, strict=True))
    return _Layout(inputs, kernels, products, partials, total, output, finals, e.width, e.height, rows, e.cell_px,
                   per_line)


def _arrangements(table: StepTable, room: Room) -> list[_Arrangement]:
    geo = table.geometry
    narrow = room.narrow
    return [_Arrangement(*a) for a in itertools.product(
        range(1, min(geo.c_in, 1 if narrow else 4) + 1),  # blocks per row
        range(1, min(geo.c_out, 4) + 1),  # finished maps per row
        (True,) if narrow else (False, True),  # stacked blocks
        (True,) if narrow else (False, True),  # sum column under the blocks
        (False, True),  # finished maps beside Y[o]
    )]


@dataclass(frozen=True)
class _TextSizes:
    """What the diagram's text needs: the same for every arrangement, so worked out once."""

    sum_chars: int  # characters of the widest one-cell sum
    sum_units: int  # the written-out sum's longest line, in character widths
    sum_lines: int
    total_title: str
    output_title: str
    finals_title: str

    @classmethod
    def of(cls, table: StepTable, decimals: int, per_line: int) -> _TextSizes:
        geo = table.geometry
        return cls(_sum_chars(table, decimals), _sum_units(table, decimals, per_line), _sum_lines(table, per_line),
                   text("fig_total_bias" if geo.has_bias else "fig_total", o=geo.c_out - 1),
                   text("fig_output", o=geo.c_out - 1, h=geo.out_h, w=geo.out_w), text("fig_finals", c_o=geo.c_out))


def _settled(table: StepTable, room: Room, arr: _Arrangement, decimals: int, sizes: _TextSizes,
             cap: float) -> tuple[_TextRoom, _Extent, _Type]:
    """Room for titles and the written-out sum (fixed pixels) that matches the arrangement's own cell size."""
    t = _TextRoom()
    extent = _extent(table, room, arr, t, cap)
    for _ in range(3):
        kind, cell = _type_for(extent.cell_px, decimals, sizes.sum_chars, room), extent.cell_px
        t = _TextRoom(
            title_rows=kind.title * LINE_EM / cell,
            sum_w=max(1.2 + _chars_px(sizes.sum_units, kind.sum) / cell,
                      _text_px(sizes.total_title, kind.title) / cell),
            sum_rows=sizes.sum_lines * kind.sum * LINE_EM / cell,
            output_title_w=_text_px(sizes.output_title, kind.title) / cell,
            finals_title_w=_text_px(sizes.finals_title, kind.title) / cell,
        )
        extent = _extent(table, room, arr, t, cap)
    return t, extent, _type_for(extent.cell_px, decimals, sizes.sum_chars, room)


_Tried = tuple[_Arrangement, _TextRoom, _Extent, _Type]


def _best_layout(table: StepTable, room: Room, decimals: int, order: tuple[int, ...]) -> tuple[_Layout, _Type]:
    """The arrangement with the biggest cells in the room; among nearly-biggest ones, the shortest on screen.

    Where that leaves numbers under the floor (in presentation mode `digit_floor`; with a text size above 1, that
    many times the fitted digits), the shortest arrangement that keeps them at the floor within the room's width,
    if it is at most MAX_SCREENS × zoom rooms tall: the diagram then scrolls. A scrolling diagram keeps the sum
    column beside the blocks where it can, so the first blocks' windows, their Σ and the written sum are seen
    together. The blocks are placed in `order`.
    """
    per_line = PHONE_TERMS_PER_LINE if room.narrow else TERMS_PER_LINE
    sizes = _TextSizes.of(table, decimals, per_line)
    tried = [(arr, *_settled(table, room, arr, decimals, sizes, MAX_CELL_PX)) for arr in _arrangements(table, room)]
    biggest = max(extent.cell_px for _, _, extent, _ in tried)
    chosen = min((entry for entry in tried if entry[2].cell_px >= 0.98 * biggest), key=_on_screen)
    floor = max(digit_floor(room) if room.present else 0,
                math.ceil(chosen[3].digits * room.zoom) if room.zoom > 1 else 0)
    if floor and not _keeps(chosen[3], floor):
        need = _cell_for(floor, decimals, sizes.sum_chars)
        tall = replace(room, height=0)  # the width alone limits the cells; they stop growing at the floor's
        scrolled = [entry for entry in ((arr, *_settled(table, tall, arr, decimals, sizes, need))
                                        for arr in _arrangements(table, room))
                    if _keeps(entry[3], floor)
                    and entry[2].height * entry[2].cell_px <= MAX_SCREENS * room.zoom * room.height]
        chosen = min(scrolled, key=lambda entry: (entry[0].sum_below, _on_screen(entry)), default=chosen)
    arr, t, extent, kind = chosen
    return _layout(table, arr, t, extent, per_line, order), kind


def _on_screen(entry: _Tried) -> tuple[float, float]:
    """How tall, then how wide, an arrangement is on screen, in pixels."""
    extent = entry[2]
    return extent.height * extent.cell_px, extent.width * extent.cell_px


def _keeps(kind: _Type, floor: int) -> bool:
    """Whether every number (the cells' and the one-cell sums') is at least `floor` pixels."""
    return kind.numbers and min(kind.digits, kind.sums) >= floor


def _cell_for(floor: int, decimals: int, sum_chars: int) -> float:
    """The smallest cell whose numbers are `floor` pixels: `_font_for` inverted (cells and sums may drop one
    decimal)."""
    dropped = 1 if decimals else 0
    chars = max(3 + decimals - dropped, sum_chars - dropped)
    return max(floor / 0.45, CHAR_EM * floor * chars + 3) + 0.01


# ---- type ----


def _type_for(cell_px: float, decimals: int, sum_chars: int, room: Room = Room()) -> _Type:
    """Fonts for a cell size: digits as large as fit (all decimals, else one fewer), titles and sum to match.

    With fewer decimals the digits are larger: in presentation mode a decimal is dropped where that lifts the
    digits to the room's floor.
    """
    numbers, digits, shown = False, MIN_DIGIT_PX, decimals
    floor = digit_floor(room)
    options = (decimals, decimals - 1) if decimals else (0,)
    for shown in options:
        digits = _font_for(3 if shown == 0 else 3 + shown, cell_px)  # "-12", "-0.5", "-0.53"
        if digits >= max(floor, MIN_DIGIT_PX) or (digits >= MIN_DIGIT_PX and shown == options[-1]):
            numbers = True
            break
    sums = _font_for(sum_chars - (decimals - shown), cell_px)  # the sums carry as many decimals as the cells
    title = int(min(26 * room.zoom, max(13, 0.36 * cell_px)))
    least_sum = PRESENT_SUM_PX if room.present else 15
    return _Type(digits, shown, numbers, sums if numbers and sums >= MIN_DIGIT_PX else 0, title,
                 max(round(1.15 * digits), title + 2, least_sum))  # the sum is the hero: larger than the digits


def _font_for(chars: int, cell_px: float) -> int:
    """The largest font (up to 0.45 of the cell and MAX_DIGIT_PX) whose `chars` characters fit across a cell."""
    return int(min(MAX_DIGIT_PX, 0.45 * cell_px, (cell_px - 3) / (CHAR_EM * chars)))


def _sum_chars(table: StepTable, decimals: int) -> int:
    """Characters of the widest one-cell sum (partial sums and outputs), sign included."""
    values = np.concatenate([table.partial_sums.ravel(), table.outputs.ravel()])
    return max(len(f"{v:.{decimals}f}") for v in (values.min(), values.max()))


def _sum_lines(table: StepTable, per_line: int) -> int:
    n_terms = table.geometry.c_in + table.geometry.has_bias
    return 1 + math.ceil(n_terms / per_line)


def _sum_units(table: StepTable, decimals: int, per_line: int) -> int:
    """How wide the written-out sum is, in character widths: its longest line ("= " and up to `per_line` terms)."""
    geo = table.geometry
    widest = max(len(_term(v, decimals)) for v in (table.partial_sums.min(), table.partial_sums.max()))
    n_terms = min(geo.c_in + geo.has_bias, per_line)
    bias_label = len(text("fig_bias_term", value="")) if geo.has_bias else 0
    return 2 + n_terms * widest + 3 * (n_terms - 1) + bias_label


def _chars_px(chars: int, font: int) -> float:
    """About how wide `chars` characters are in a `font`-pixel font."""
    return CHAR_EM * font * chars


def _text_px(label: str, font: int) -> float:
    """About how wide `label` is in a `font`-pixel font (plus a little room after it); a CJK character is about
    one em wide, others CHAR_EM."""
    wide = sum(1 for ch in label if ord(ch) >= 0x2E80)
    return _chars_px(len(label) - wide + 1, font) + WIDE_EM * font * wide


# ---- traces ----


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


def _heatmap(
    box: _Box | None, z: list, coloraxis: str | None, hover: str, font: int, fmt: str, **extra: Any
) -> dict:
    """A heatmap trace on a box (cell centres from x0/dx) or, with box None, on explicit edges in `extra`."""
    return heatmap_panel(None if box is None else (box.x, box.y), z, coloraxis, hover, font, fmt, **extra)


def _outline_trace(boxes: list[_Box], color: str = style.GRID_LINE, width: float = 1) -> dict[str, Any]:
    """Fixed outlines (thin grid lines by default) drawn as one line trace, so the frames never repeat them."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    for b in boxes:
        xs += [b.x, b.x + b.w, b.x + b.w, b.x, b.x, None]
        ys += [b.y, b.y, b.y + b.h, b.y + b.h, b.y, None]
    return {"type": "scatter", "mode": "lines", "x": xs, "y": ys, "hoverinfo": "skip",
            "line": {"color": color, "width": width}}


def _title(box: _Box, label: str, font: int, color: str = style.LABEL_COLOUR, rows_up: float = 0) -> dict:
    """A panel title just above `box` (or `rows_up` title rows higher), left-aligned with it."""
    return panel_title(box.x, box.y - rows_up, label, font, color)


def _fits_text(label: str, font: int, cells_wide: float, cell_px: float) -> bool:
    return _text_px(label, font) <= cells_wide * cell_px


def _input_traces(table: StepTable, o: int, lay: _Layout, kind: _Type, decimals: int) -> list[dict]:
    """Every channel's padded input (the padding ring a grey trace of its own) and kernel slice K[o, c]."""
    geo = table.geometry
    H_p, W_p = geo.padded_shape
    p_h, p_w = geo.padding
    fmt, digits = f"%{{z:.{kind.decimals}f}}", kind.digits if kind.numbers else 0
    ring = np.zeros((H_p, W_p))
    ring[p_h : p_h + geo.h, p_w : p_w + geo.w] = np.nan  # (H_p, W_p): 0 on the padding ring, empty inside
    data = []
    for c in range(geo.c_in):
        inside = np.where(np.isnan(ring), table.X_padded[c], np.nan)  # the real input; the ring is its own trace
        data.append(_heatmap(lay.inputs[c], cells(inside, decimals), "coloraxis", f"X[{c}] = %{{z}}", digits, fmt))
        if p_h or p_w:
            data.append(_heatmap(lay.inputs[c], cells(ring, 0), None, text("fig_padding_hover"), digits, "%{z}",
                                 colorscale=[[0, style.PAD_CELL_FILL], [1, style.PAD_CELL_FILL]], showscale=False,
                                 textfont={"size": digits, "color": style.PAD_CELL_TEXT} if digits else None))
    for c in geo.input_channels(o):  # with groups, only the slices the layer has: K[o, k] meets X[first + k]
        data.append(_heatmap(lay.kernels[c], cells(table.K[o, c], decimals), "coloraxis",
                             _kernel_name(table, o, c) + (f" · X[{c}]" if geo.groups > 1 else "") + " = %{z}",
                             digits, fmt))
    return data


def _kernel_name(table: StepTable, o: int, c: int) -> str:
    """The layer's name for the slice of output o's kernel that meets input channel c: K[o, c - first seen]."""
    return text("fig_kernel_flipped" if table.flipped else "fig_kernel", o=o,
                c=c - table.geometry.input_channels(o).start)


def _output_traces(table: StepTable, o: int, lay: _Layout, kind: _Type, decimals: int) -> list[dict]:
    """Y[o] (covered, cell by cell, until its step) and every output channel's finished map."""
    fmt, digits = f"%{{z:.{kind.decimals}f}}", kind.digits if kind.numbers else 0
    output_maps = table.output_maps()  # (c_o, h_o, w_o)
    data = [_heatmap(lay.output, cells(output_maps[o], decimals), "coloraxis3", f"Y[{o}] = %{{z}}", digits, fmt)]
    data += [_heatmap(box, cells(output_maps[k], decimals), "coloraxis4", f"final Y[{k}] = %{{z}}", digits, fmt)
             for k, box in enumerate(lay.finals)]
    return data


def _outline_traces(table: StepTable, o: int, lay: _Layout) -> list[dict]:
    """Thin grid outlines, the followed channel's finished map outlined, each Σ cell in its channel's colour."""
    geo = table.geometry
    p_h, p_w = geo.padding
    seen = geo.input_channels(o)
    data = [_outline_trace([*(lay.kernels[c] for c in seen), *(lay.products[c] for c in seen), lay.total,
                            lay.output, *lay.finals] + [_Box(b.x + p_w, b.y + p_h, geo.w, geo.h) for b in lay.inputs])]
    data.append(_outline_trace([lay.finals[o]], style.WINDOW, 2))
    data += [_outline_trace([box], _channel_colour(c), 3) for c, box in enumerate(lay.partials) if c in seen]
    return data


def _unseen_wash(table: StepTable, o: int, lay: _Layout) -> list[dict]:
    """With groups, a pale wash over the inputs that output channel o does not see (they get no kernel slice)."""
    geo = table.geometry
    boxes = [lay.inputs[c] for c in range(geo.c_in) if c not in geo.input_channels(o)]
    if not boxes:
        return []
    xs: list[float | None] = []
    ys: list[float | None] = []
    for b in boxes:  # one closed rectangle per panel, parted by gaps, filled one by one
        xs += [b.x - 0.2, b.x + b.w + 0.2, b.x + b.w + 0.2, b.x - 0.2, b.x - 0.2, None]
        ys += [b.y - 0.2, b.y - 0.2, b.y + b.h + 0.2, b.y + b.h + 0.2, b.y - 0.2, None]
    return [{"type": "scatter", "mode": "lines", "x": xs, "y": ys, "fill": "toself", "fillcolor": style.UNSEEN_WASH,
             "line": {"width": 0}, "hoverinfo": "skip", "name": "unseen"}]


def _channel_colour(c: int) -> str:
    return style.CHANNEL_COLOURS[c % len(style.CHANNEL_COLOURS)]


def _titles(table: StepTable, o: int, lay: _Layout, kind: _Type) -> list[dict]:
    """Panel titles, shrunk (down to MIN_TITLE_PX) until they fit over their panels; where they still do not, one
    short title per block. Channel titles in colour; with groups, the channels output o does not see have only
    their input's title, in grey."""
    geo = table.geometry
    seen = geo.input_channels(o)
    font, products = _panel_titles(table, o, lay, kind.title)
    annotations = []
    for c in range(geo.c_in):
        colour = _channel_colour(c) if c in seen else style.UNSEEN_TEXT
        if c not in seen:
            annotations.append(_title(lay.inputs[c], text("fig_input", c=c), font or kind.title, colour))
        elif font:
            annotations += [_title(lay.inputs[c], text("fig_input", c=c), font, colour),
                            _title(lay.kernels[c], _kernel_name(table, o, c), font),
                            _title(lay.products[c], products, font),
                            _title(lay.partials[c], "Σ", font, colour)]
        else:  # panels narrower than their titles: one short title over the block
            block = "fig_block_flipped" if table.flipped else "fig_block"
            annotations.append(_title(lay.inputs[c], text(block, o=o, c=c, k=c - seen.start), kind.title, colour))
    font = kind.title
    annotations += [_title(box, text("fig_final", o=k), font) for k, box in enumerate(lay.finals)]
    annotations += [
        _title(lay.finals[0], text("fig_finals", c_o=geo.c_out), font, rows_up=lay.title_rows),
        _title(lay.output, text("fig_output", o=o, h=geo.out_h, w=geo.out_w), font),
        _title(lay.total, text("fig_total_bias" if geo.has_bias else "fig_total", o=o), font),
    ]
    return annotations


def _panel_titles(table: StepTable, o: int, lay: _Layout, font: int) -> tuple[int, str]:
    """The largest font, from `font` down to MIN_TITLE_PX, whose panel titles fit over their panels, and the
    products' title: the full one where it fits at some size, else the short one; (0, "") if none fits."""
    geo = table.geometry
    widest_kernel = _kernel_name(table, o, geo.input_channels(o).stop - 1)
    for products in (text("fig_products"), text("fig_products_short")):
        labels = ((text("fig_input", c=geo.c_in - 1), geo.padded_shape[1]), (widest_kernel, geo.k_w),
                  (products, geo.k_w))
        for size in range(font, MIN_TITLE_PX - 1, -1):
            if all(_fits_text(label, size, w + GAP, lay.cell_px) for label, w in labels):
                return size, products
    return 0, ""


# ---- what changes at each step ----


def _equation(partials: np.ndarray, bias: float | None, total: float, decimals: int, seen: range,
              per_line: int = TERMS_PER_LINE) -> str:
    """'= 3 + 14 + (−6) (+ 2 bias) = 11' written out, each channel's term in its colour, `per_line` terms a line.

    Only the channels in `seen` (the followed output's group) are terms; with one group, every channel.
    """
    terms = [f'<span style="color:{_channel_colour(c)}">{_term(partials[c], decimals)}</span>' for c in seen]
    if bias is not None:
        terms.append(text("fig_bias_term", value=_term(bias, decimals)))
    lines = [" + ".join(terms[i : i + per_line]) for i in range(0, len(terms), per_line)]
    return "= " + "<br>+ ".join(lines) + f"<br>= <b>{total:.{decimals}f}</b>".replace("-", "−")


def _term(v: float, decimals: int) -> str:
    """A term of the written-out sum: negative ones in brackets, with a true minus sign."""
    return f"{v:.{decimals}f}" if v >= 0 else f"({v:.{decimals}f})".replace("-", "−")


def _window_path(table: StepTable, lay: _Layout, step: int, seen: range) -> str:
    """Outline the window in every input channel it reads (`seen`; each cell it reads, when dilated) and the
    output cell."""
    geo = table.geometry
    (r0, c0), (span_h, span_w) = table.window_origin[step].tolist(), geo.span  # Python ints format faster
    parts = []
    for box in (lay.inputs[c] for c in seen):
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


def _step_shapes(table: StepTable, lay: _Layout, step: int, seen: range) -> list[dict[str, Any]]:
    """The two shapes that move: the pending cover over Y[o] and the window outlines."""
    return [
        {"type": "path", "path": _pending_path(table, lay, step), "fillcolor": style.PENDING_FILL,
         "line": {"width": 0}},
        {"type": "path", "path": _window_path(table, lay, step, seen), "line": {"color": style.WINDOW, "width": 3}},
    ]


def _animated(table: StepTable, o: int, lay: _Layout, kind: _Type, decimals: int) -> tuple[list[dict], list]:
    """The traces that change at each step (as they stand at step 0) and every frame.

    Each spans every channel's panel on explicit cell edges, so a frame holds c_i/g + 3 items: one products
    heatmap per channel output o sees (a joined one would carry ~16 % empty cells between panels), one heatmap with
    every partial sum, the output value and the written-out sum.
    """
    geo = table.geometry
    n = table.n_steps
    fmt = f"%{{z:.{kind.decimals}f}}"
    bias = float(table.bias[o]) if geo.has_bias else None
    if kind.numbers:
        products: list = cells(table.products[:, o], decimals)  # (n, c_i, k_h, k_w)
    else:  # no numbers: 8-bit colour levels cut 8×32×32 (7×7) from 3.2 MB to 2.1 MB
        products = _colour_levels(table.products[:, o], symmetric_range(table.products[:, o]))
    partial_sums = table.partial_sums[:, o].copy()  # (n, c_i)
    partial_sums[:, [c not in geo.input_channels(o) for c in range(geo.c_in)]] = np.nan  # no Σ outside o's group
    partials = cells(_scatter_into(lay.partials, partial_sums[:, :, None, None]), decimals)
    totals = cells(table.outputs[:, o, None, None], decimals)  # (n, 1, 1)
    seen = geo.input_channels(o)
    equations = [_equation(table.partial_sums[s, o], bias, table.outputs[s, o], decimals, seen, lay.per_line)
                 for s in range(n)]

    def step_data(s: int) -> list[dict]:
        return [*({"type": "heatmap", "z": products[s][c]} for c in seen),
                {"type": "heatmap", "z": partials[s]}, {"type": "heatmap", "z": totals[s]},
                {"type": "scatter", "text": [equations[s]]}]

    total_x, total_y = lay.total.edges()
    sums = kind.sums
    traces = [
        *(_heatmap(box, [], "coloraxis2", text("fig_products_hover"), kind.digits if kind.numbers else 0, fmt,
                   **({} if kind.numbers else {"hoverinfo": "skip", "hovertemplate": None}))
          for box in (lay.products[c] for c in seen)),
        _heatmap(None, [], "coloraxis3", text("fig_partial_hover"), sums, fmt,
                 x=_joined_edges(lay.partials, "x"), y=_joined_edges(lay.partials, "y")),
        _heatmap(None, [], "coloraxis3", text("fig_total_hover", o=o), sums, fmt, x=total_x, y=total_y),
        {"type": "scatter", "mode": "text", "x": [lay.total.x + 1.2], "y": [lay.total.y], "text": [""],
         "textposition": "bottom right", "hoverinfo": "skip",
         "textfont": {"size": kind.sum, "color": style.LABEL_COLOUR}},
    ]
    for trace, start in zip(traces, step_data(0), strict=True):
        trace.update(start)
    frames = [{"name": str(s), "data": step_data(s), "layout": {"shapes": _step_shapes(table, lay, s, seen)}}
              for s in range(n)]
    return traces, frames


# ---- the figure ----


def _colour_axes(table: StepTable, o: int, numbers: bool) -> dict[str, dict]:
    """Colour ranges, centred at 0: inputs and weights share one; products another; sums and outputs a third."""
    values = symmetric_range(table.X_padded, table.K[o], table.bias[o : o + 1])
    products = symmetric_range(table.products[:, o]) if numbers else 127.0  # colour levels: see `_animated`
    sums = symmetric_range(table.partial_sums[:, o], table.outputs[:, o])
    finals = symmetric_range(table.outputs)  # every output channel, so that their colours compare
    axis = {"colorscale": style.CELL_SCALE, "showscale": False}
    return {name: {**axis, "cmin": -limit, "cmax": limit} for name, limit in (
        ("coloraxis", values), ("coloraxis2", products), ("coloraxis3", sums), ("coloraxis4", finals))}


def _figure_layout(lay: _Layout, kind: _Type) -> dict[str, Any]:
    """Axes in cells (fixed: no zoom, no pan), sized in pixels so that every cell is a `cell_px` square."""
    return cells_layout(lay.width, lay.height, lay.cell_px, kind.title, PAD)


def animation_figure(
    table: StepTable,
    out_channel: int,
    *,
    decimals: int,
    frame_ms: int = 700,
    room: Room | None = None,
    origin: tuple[int, int] = (0, 0),
) -> dict[str, Any]:
    """The animated correlation for output channel `out_channel`, as a Plotly figure dict drawn at step 0.

    `decimals` is how many decimals the numbers in the cells carry (0 for integer data); `frame_ms` is the time
    a step stays on screen when playing (kept in `layout.meta` for the player); `room` is the screen area the
    diagram may fill (the player measures it; by default a 900×560 px column). `origin` is the (row, col) of the
    table's first output cell in a larger map (a picture's region), for the player's step line. The last frame
    holds the last output value, and the output map Y[out_channel] is the finished correlation.
    """
    geo = table.geometry
    o = out_channel
    if not 0 <= o < geo.c_out:
        raise ValueError(f"Output channel {o} does not exist: there are {geo.c_out} (0 to {geo.c_out - 1}).")
    seen = geo.input_channels(o)  # with groups, the channels output o sees come first, the faded ones after
    order = (*seen, *(c for c in range(geo.c_in) if c not in seen))
    lay, kind = _best_layout(table, room or Room(), decimals, order)
    data = [*_input_traces(table, o, lay, kind, decimals), *_output_traces(table, o, lay, kind, decimals)]
    outputs = {str(len(data) + k): [geo.out_h, geo.out_w] for k in range(-geo.c_out - 1, 0)}  # Y[o], then finals
    data += _outline_traces(table, o, lay)
    animated, frames = _animated(table, o, lay, kind, decimals)
    first_animated = len(data)
    data += animated
    if lay.cell_px < 8:  # white lines between cells of a few pixels would drown the colours
        for trace in data:
            if trace["type"] == "heatmap":
                trace.update(xgap=0, ygap=0)
    layout = _figure_layout(lay, kind)
    layout.update(_colour_axes(table, o, kind.numbers))
    layout["annotations"] = _titles(table, o, lay, kind)
    layout["shapes"] = frames[0]["layout"]["shapes"]
    traces = list(range(first_animated, len(data)))
    data += _unseen_wash(table, o, lay)  # on top of the animated products, which it fades
    for frame in frames:
        frame["traces"] = traces
    layout["meta"] = {
        "frame_ms": frame_ms, "n_steps": table.n_steps, "out_w": geo.out_w, "numbers": kind.numbers,
        "cell_px": round(lay.cell_px, 1), "digit_px": kind.digits if kind.numbers else 0,
        "animated_traces": traces, "output_traces": outputs, "origin": list(origin),
        "sum_px": kind.sum,
    }
    return {"data": data, "layout": layout, "frames": frames}
