"""Pictures as input channels: the shipped ones, the ones drawn by code, and a user's upload, checked and bounded.

A picture is an (h, w, 3) uint8 RGB array of at most MAX_SIDE pixels on its long side. `as_channels` turns it into
the input X (c_i, h, w) in 0..1: its three colour channels, or one grey channel. Uploads are decoded in memory with
Pillow, and refused with a sentence from `convviz/i18n/strings.py` (an `ImageError`) when they cannot be a picture.
"""

from __future__ import annotations

import concurrent.futures
import contextvars
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
MAX_UPLOAD_BYTES = 5_000_000  # 5 MB: the app refuses larger files with its own sentence, in the page's language
# The server's own limit (`server.maxUploadSize` in .streamlit/config.toml, in units of 1,000,000 bytes) is the same
# number of bytes. A file over it is stopped in the browser before the uploader sees it (convviz/ui/upload_guard.py),
# and the page says why with `img_err_too_large`, in its own language; tests/test_upload.py holds the numbers together.
SERVER_UPLOAD_MB = MAX_UPLOAD_BYTES // 1_000_000
MAX_UPLOAD_PIXELS = 40_000_000  # checked from the header, before decoding: a decompression bomb never unpacks
MAX_DECODE_BYTES = 100_000_000  # the pixel memory one decode may hold (the full-size picture as Pillow keeps it)
STRIP_PIXELS = 1 << 20  # pixels per strip when the picture is converted and reduced, a strip at a time
# Decodes run on one thread of their own, one at a time: four students uploading at once wait their turn (each
# decode takes under a second), and the memory a decode leaves with the C allocator is reused by the next one instead
# of being kept once per session thread (four sessions' threads kept 282 MB after four 79 MB decodes; one thread 94).
DECODES_AT_ONCE = 1
_DECODER = concurrent.futures.ThreadPoolExecutor(DECODES_AT_ONCE, thread_name_prefix="convviz-decode")
_SIXTEEN_BIT = ("I;16", "I;16B", "I;16L", "I;16N", "I")  # 16-bit grey (PNG), scaled down to 8 bits
# The modes Pillow gives these four formats, and the bytes each pixel takes in memory once decoded.
_BYTES_PER_PIXEL = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16B": 2, "I;16L": 2, "I;16N": 2, "I": 4, "LA": 4,
                    "PA": 4, "RGB": 4, "RGBA": 4, "RGBX": 4, "CMYK": 4, "YCbCr": 4}
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

    This is the one boundary for uploads: whatever Pillow raises on a hostile or broken file ends here as an
    ImageError whose sentence names the reason (too many pixels, not a picture, cut short, damaged, an unusual
    colour format), never Pillow's own message. Only the first frame of an animation is used; transparency is laid
    on white; CMYK, 16-bit, grey and palette pictures are converted; the result is scaled down to MAX_SIDE. Each of
    these is named in `notes`. Decodes run one at a time in a process, on a thread of their own, each within
    MAX_DECODE_BYTES of pixel memory.
    """
    if not data:
        raise ImageError(text("img_err_empty"))
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImageError(text("img_err_too_large", size=f"{len(data) / 1e6:.1f}", limit=MAX_UPLOAD_BYTES // 10**6))
    context = contextvars.copy_context()  # the page's language goes with the work to the decoding thread
    return _DECODER.submit(context.run, _decode_or_refuse, data).result()


def _decode_or_refuse(data: bytes) -> Picture:
    """The one boundary: any error a decoder raises on the file becomes an ImageError with the reason's sentence."""
    try:
        return _decode(data)
    except ImageError:
        raise
    except Image.DecompressionBombError:  # Pillow's own check, from the header, over 2 × MAX_IMAGE_PIXELS
        raise ImageError(text("img_err_bomb", limit=f"{MAX_UPLOAD_PIXELS:,}")) from None
    except UnidentifiedImageError:
        raise ImageError(text("img_err_not_image", formats=", ".join(UPLOAD_FORMATS))) from None
    except (EOFError, OSError) as err:
        if isinstance(err, EOFError) or "truncated" in str(err).lower() or _cut_short(data):
            raise ImageError(text("img_err_truncated")) from None
        raise ImageError(text("img_err_broken")) from None
    except Exception:  # hostile data reaches any decoder's error (ValueError, SyntaxError, struct.error, ...):
        raise ImageError(text("img_err_broken")) from None  # each is a damaged file to the user, none reaches the page


def _cut_short(data: bytes) -> bool:
    """Whether a WebP file (a RIFF container) is shorter than its own header says: libwebp only says it failed."""
    return data[:4] == b"RIFF" and len(data) < 8 + int.from_bytes(data[4:8], "little")


def _decode(data: bytes) -> Picture:
    """The decode itself: the header checked against the pixel budget first, then the pixels at reduced size."""
    with Image.open(io.BytesIO(data), formats=UPLOAD_FORMATS) as image:  # reads the header only
        width, height = image.size
        if image.mode not in _BYTES_PER_PIXEL:
            raise ImageError(text("img_err_mode"))
        if image.format == "JPEG":  # libjpeg decodes at 1/2, 1/4 or 1/8 size, no smaller than MAX_SIDE
            image.draft(None, (MAX_SIDE, MAX_SIDE))
        limit = pixel_limit(image, width * height)
        if width * height > limit:  # before any pixel is decoded: a decompression bomb never unpacks
            raise ImageError(text("img_err_too_many_pixels", w=width, h=height, limit=f"{limit:,}"))
        notes = []
        frames = getattr(image, "n_frames", 1)  # counted from the frames' headers; it comes back to the first
        if frames > 1:
            notes.append(text("img_note_first_frame", frames=frames))
        image.load()
        rgb, mode_notes = _to_rgb(image)
    notes += mode_notes
    rgb.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    if max(width, height) > MAX_SIDE:
        notes.append(text("img_note_scaled", w0=width, h0=height, w=rgb.size[0], h=rgb.size[1]))
    return Picture(np.asarray(rgb, dtype=np.uint8), tuple(notes))


def pixel_limit(image: Image.Image, pixels: int) -> int:
    """The most pixels this opened (not yet decoded) picture may have: MAX_UPLOAD_PIXELS, or fewer where each pixel
    costs more memory than MAX_DECODE_BYTES allows.

    Pillow holds 1, 2 or 4 bytes per pixel by mode. With its WebP decoder the frame is in memory about four times
    over (libwebp's canvas, the bytes handed over, the image: 131 MB measured for 8.3 million pixels). A progressive
    JPEG keeps every DCT coefficient (2 bytes per sample) whatever the draft size; a baseline one decodes at the
    draft size.
    """
    cost = float(_BYTES_PER_PIXEL[image.mode])
    if image.format == "WEBP":
        cost *= 4
    elif image.format == "JPEG":
        cost *= image.size[0] * image.size[1] / max(pixels, 1)  # the draft's share of the header's pixels
        if image.info.get("progressive"):
            cost += 2 * len(image.getbands())
    return min(MAX_UPLOAD_PIXELS, int(MAX_DECODE_BYTES / cost))


def _to_rgb(image: Image.Image) -> tuple[Image.Image, list[str]]:
    """The decoded picture as 8-bit RGB, reduced by a whole factor to at most about 2 × MAX_SIDE, with a note for
    each conversion a user might not expect.

    The work is done a strip of rows at a time (about STRIP_PIXELS each): no full-size copy is ever made, in
    Pillow or in NumPy, beyond the decoded picture itself.
    """
    mode = image.mode
    notes = []
    if mode in _SIXTEEN_BIT:
        notes.append(text("img_note_16bit"))
    elif mode == "CMYK":
        notes.append(text("img_note_cmyk"))
    elif mode == "P":
        notes.append(text("img_note_palette"))
    alpha = mode in ("RGBA", "LA", "PA") or (mode == "P" and "transparency" in image.info)
    if alpha:
        notes.append(text("img_note_alpha"))
    width, height = image.size
    factor = max(1, max(width, height) // (2 * MAX_SIDE))
    rows = max(1, STRIP_PIXELS // width // factor) * factor  # a whole number of reduced rows per strip
    out = Image.new("RGB", (-(-width // factor), -(-height // factor)))
    for top in range(0, height, rows):
        strip = _strip_rgb(image.crop((0, top, width, min(top + rows, height))), alpha)
        out.paste(strip.reduce(factor) if factor > 1 else strip, (0, top // factor))
    return out, notes


def _strip_rgb(strip: Image.Image, alpha: bool) -> Image.Image:
    """A strip of rows as 8-bit RGB: 16-bit grey scaled to 0..255, transparency laid on white."""
    if strip.mode in _SIXTEEN_BIT:
        deep = np.clip(np.asarray(strip), 0, 65535).astype(np.uint32)  # (rows, w): a strip, never the picture
        strip = Image.fromarray(((deep + 128) // 257).astype(np.uint8), "L")  # round(v / 257): 65535 -> 255
    if alpha:
        rgba = strip.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        strip = Image.alpha_composite(white, rgba)
    return strip.convert("RGB")


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
