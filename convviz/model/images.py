"""Pictures as input channels: the shipped ones, the ones drawn by code, and a user's upload, checked and bounded.

A picture is an (h, w, 3) uint8 RGB array of at most MAX_SIDE pixels on its long side. `as_channels` turns it into
the input X (c_i, h, w) in 0..1: its three colour channels, or one grey channel. Uploads are decoded in memory with
Pillow, and refused with a sentence from `convviz/i18n/strings.py` (an `ImageError`) when they cannot be a picture.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from convviz.i18n.strings import text

PICTURES_DIR = Path(__file__).resolve().parent / "pictures"
SHIPPED = ("cat", "astronaut", "coffee")  # PNG files beside this module; sources and licences in SOURCES.md
DRAWN = ("shapes", "stripes")  # drawn by `_draw`: clean edges, for edge kernels
PICTURES = SHIPPED + DRAWN
MAX_SIDE = 128  # pictures are scaled down to this many pixels on their long side
MAX_UPLOAD_BYTES = 5 * 1024 * 1024  # the app refuses larger files (server.maxUploadSize is 5 MB too)
MAX_UPLOAD_PIXELS = 40_000_000  # checked from the header, before decoding: a decompression bomb never unpacks
UPLOAD_FORMATS = ("PNG", "JPEG", "WEBP", "GIF")
LUMA = np.array([0.299, 0.587, 0.114])  # ITU-R BT.601 weights of R, G and B


class ImageError(ValueError):
    """An upload that cannot be used, with a sentence that tells the user why."""


@dataclass(frozen=True)
class Picture:
    """An RGB picture ready to be input channels, and what was done to it on the way (sentences for the user)."""

    rgb: np.ndarray  # (h, w, 3) uint8
    notes: tuple[str, ...] = ()


def load_picture(name: str) -> np.ndarray:
    """The shipped or drawn picture `name` as (h, w, 3) uint8."""
    if name in DRAWN:
        return _draw(name)
    if name not in SHIPPED:
        raise ValueError(text("img_err_unknown", name=name[:20], names=", ".join(PICTURES)))
    with Image.open(PICTURES_DIR / f"{name}.png") as image:
        return np.asarray(image.convert("RGB"))


def _draw(name: str) -> np.ndarray:
    """A 96×96 picture with clean edges: a square, a disc and a triangle on grey, or vertical and diagonal stripes."""
    size = 96
    rows, cols = np.mgrid[0:size, 0:size]  # (size, size) each
    rgb = np.full((size, size, 3), 90, np.uint8)
    if name == "shapes":
        rgb[16:48, 12:44] = (230, 60, 50)  # a red square: vertical and horizontal edges
        rgb[(rows - 60) ** 2 + (cols - 66) ** 2 <= 20**2] = (250, 220, 60)  # a yellow disc: edges at every angle
        rgb[(rows >= 54) & (rows <= 88) & (np.abs(cols - 26) <= (rows - 54) // 2 + 1)] = (60, 120, 230)  # triangle
    else:  # stripes
        rgb[(cols // 8) % 2 == 0] = 235  # vertical stripes 8 px wide on the left half...
        diagonal = ((rows + cols) // 8) % 2 == 0
        rgb[:, size // 2 :][diagonal[:, size // 2 :]] = (40, 40, 40)  # ...diagonal ones on the right
    return rgb


def decode_upload(data: bytes) -> Picture:
    """Decode an uploaded file in memory into a bounded RGB picture, or raise ImageError saying why not.

    Only the first frame of an animation is used; transparency is laid on white; CMYK, 16-bit, grey and palette
    pictures are converted; the result is scaled down to MAX_SIDE. Each of these is named in `notes`.
    """
    if not data:
        raise ImageError(text("img_err_empty"))
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImageError(text("img_err_too_large", size=f"{len(data) / 2**20:.1f}", limit=MAX_UPLOAD_BYTES // 2**20))
    try:
        image = Image.open(io.BytesIO(data), formats=UPLOAD_FORMATS)  # reads the header only
    except UnidentifiedImageError:
        raise ImageError(text("img_err_not_image", formats=", ".join(UPLOAD_FORMATS))) from None
    width, height = image.size
    if width * height > MAX_UPLOAD_PIXELS:  # before any pixel is decoded
        raise ImageError(text("img_err_too_many_pixels", w=width, h=height, limit=f"{MAX_UPLOAD_PIXELS:,}"))
    notes = []
    frames = getattr(image, "n_frames", 1)
    if frames > 1:
        notes.append(text("img_note_first_frame", frames=frames))
    try:
        image.load()
    except (OSError, SyntaxError, ValueError) as err:  # truncated or corrupt data
        raise ImageError(text("img_err_broken", problem=str(err)[:120])) from None
    rgb, mode_notes = _to_rgb(image)
    notes += mode_notes
    if max(rgb.size) > MAX_SIDE:
        before = rgb.size
        rgb.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
        notes.append(text("img_note_scaled", w0=before[0], h0=before[1], w=rgb.size[0], h=rgb.size[1]))
    return Picture(np.asarray(rgb, dtype=np.uint8), tuple(notes))


def _to_rgb(image: Image.Image) -> tuple[Image.Image, list[str]]:
    """The picture as 8-bit RGB, with a note for each conversion a user might not expect."""
    notes = []
    mode = image.mode
    if mode in ("I;16", "I;16B", "I;16L", "I"):  # 16-bit grey (PNG): scale 0..65535 down to 0..255
        notes.append(text("img_note_16bit"))
        grey = np.asarray(image, dtype=np.float64) / 257.0
        image = Image.fromarray(np.clip(np.round(grey), 0, 255).astype(np.uint8), "L")
    elif mode == "CMYK":
        notes.append(text("img_note_cmyk"))
    elif mode == "P":
        notes.append(text("img_note_palette"))
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        notes.append(text("img_note_alpha"))
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, rgba)
    return image.convert("RGB"), notes


def as_channels(rgb: np.ndarray, grey: bool) -> np.ndarray:
    """X (c_i, h, w) in 0..1 from an (h, w, 3) uint8 picture: R, G, B (c_i = 3), or one grey channel (c_i = 1)."""
    values = np.asarray(rgb, dtype=np.float32) / 255.0  # (h, w, 3)
    if grey:
        return (values @ LUMA.astype(np.float32))[np.newaxis]  # (h, w, 3) @ (3,) -> (1, h, w)
    return values.transpose(2, 0, 1)  # (h, w, 3) -> (3, h, w)


# ---- a region of the output, small enough to animate with numbers ----

# Output cells per side that the step player animates on a picture (the issue allows up to 12). At 4 the region's
# cells keep their numbers (2 decimals) on a projector, 1920×1080; at 12 they had none there. At 1280×720 with the
# sidebar open the player's room is too low for them even at 4: the page then says to hover or tap a cell.
REGION = 4


@dataclass(frozen=True)
class Region:
    """A block of output cells: top-left (row, col) and its size, inside an out_h × out_w map."""

    row: int
    col: int
    rows: int
    cols: int


def clamp_region(row: int, col: int, out_h: int, out_w: int, size: int = REGION) -> Region:
    """The size×size block (or the whole map, when smaller) whose top-left is nearest to (row, col)."""
    rows, cols = min(size, out_h), min(size, out_w)
    return Region(min(max(row, 0), out_h - rows), min(max(col, 0), out_w - cols), rows, cols)


def busiest_region(Y: np.ndarray, size: int = REGION) -> tuple[int, int]:
    """The top-left (row, col) of the size×size block of output cells where the output Y (c_o, h_o, w_o) varies
    most: the largest variance of the block's values, summed over the output channels (the first such block in
    row-major order on a tie, so a flat output gives (0, 0))."""
    rows, cols = min(size, Y.shape[1]), min(size, Y.shape[2])
    blocks = np.lib.stride_tricks.sliding_window_view(Y, (rows, cols), axis=(1, 2))  # (c_o, h_o-rows+1, w_o-cols+1,
    spread = blocks.var(axis=(3, 4)).sum(axis=0)  # rows, cols) -> (h_o - rows + 1, w_o - cols + 1)
    row, col = np.unravel_index(int(np.argmax(spread)), spread.shape)
    return int(row), int(col)


def region_around(y: float, x: float, out_h: int, out_w: int, stride: int, padding: int, span: int) -> Region:
    """The region centred on the output cell whose window is centred nearest to input pixel (y, x)."""
    i = round((y + padding - (span - 1) / 2) / stride)  # the window at output row i is centred on input row
    j = round((x + padding - (span - 1) / 2) / stride)  # i·s − p + (span − 1)/2
    return clamp_region(i - REGION // 2, j - REGION // 2, out_h, out_w)


def region_input(X: np.ndarray, region: Region, stride: int, padding: int, span: int) -> np.ndarray:
    """The part of X (c_i, h, w), zero-padded, that the region's windows read: correlating it with padding 0 and
    the same stride gives exactly the region's output cells."""
    X_padded = np.pad(X, ((0, 0), (padding, padding), (padding, padding)))  # (c_i, h + 2p, w + 2p)
    top, left = region.row * stride, region.col * stride
    return X_padded[:, top : top + (region.rows - 1) * stride + span, left : left + (region.cols - 1) * stride + span]
