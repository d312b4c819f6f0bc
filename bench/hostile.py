"""Hostile and heavy uploads, made by code (nothing binary is committed): the files that crashed the page or
swelled the server in issue 19, for tests/test_upload.py and bench/bench_upload.py.

Each maker returns the file's bytes. The PNGs are written chunk by chunk with zlib, so that making a 20000×20000
picture never holds it in memory.
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable

import numpy as np
from PIL import Image

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def chunk(kind: bytes, data: bytes) -> bytes:
    """One PNG chunk: length, type, data, CRC."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_of_zeros(width: int, height: int, bit_depth: int, colour_type: int, *, extra: bytes = b"") -> bytes:
    """A PNG whose every pixel is 0, compressed row by row; `extra` chunks go before the pixel data."""
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[colour_type]
    row = b"\x00" * (1 + -(-width * channels * bit_depth // 8))  # filter byte 0, then the row's bytes
    packer = zlib.compressobj(9)
    parts = [packer.compress(row) for _ in range(height)]
    idat = b"".join(parts) + packer.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return PNG_SIGNATURE + chunk(b"IHDR", ihdr) + extra + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def encoded(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def ordinary_picture(width: int = 640, height: int = 480) -> Image.Image:
    """A photo-like picture: smooth gradients and some noise, so that every format has real data to hold."""
    rows, cols = np.mgrid[0:height, 0:width]
    rgb = np.stack([cols * 255 // width, rows * 255 // height, (rows + cols) % 256], axis=-1)
    rgb = rgb + np.random.default_rng(0).integers(0, 30, rgb.shape)
    return Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8))


def one_bit_bomb() -> bytes:
    """A 20000×20000 1-bit PNG, all black: 400 million pixels in about 48 kB."""
    return png_of_zeros(20000, 20000, 1, 0)


def lying_png_header() -> bytes:
    """45 bytes: a PNG signature, a header that declares 2³¹×2³¹ pixels, and the end; no pixel data."""
    ihdr = struct.pack(">IIBBBBB", 2**31, 2**31, 8, 2, 0, 0, 0)
    return PNG_SIGNATURE + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


def lying_gif_header() -> bytes:
    """A GIF whose screen and first image say 65535×65535, with a few bytes of picture data."""
    screen = b"GIF89a" + struct.pack("<HHBBB", 65535, 65535, 0x80, 0, 0) + b"\x00\x00\x00\xff\xff\xff"
    image = b"\x2c" + struct.pack("<HHHHB", 0, 0, 65535, 65535, 0) + b"\x02\x02\x44\x01\x00"
    return screen + image + b"\x3b"


def _text_bomb(kind: bytes) -> bytes:
    """A chunk whose compressed text (zTXt) or colour profile (iCCP) unpacks to 200 MB of zeros."""
    packer = zlib.compressobj(9)
    zeros = b"\x00" * (1 << 20)
    body = b"".join(packer.compress(zeros) for _ in range(200)) + packer.flush()
    return chunk(kind, b"bomb\x00\x00" + body)


def ztxt_bomb() -> bytes:
    """An ordinary 64×64 PNG carrying a zTXt chunk that unpacks to 200 MB."""
    return png_of_zeros(64, 64, 8, 2, extra=_text_bomb(b"zTXt"))


def iccp_bomb() -> bytes:
    """An ordinary 64×64 PNG carrying an iCCP colour profile that unpacks to 200 MB."""
    return png_of_zeros(64, 64, 8, 2, extra=_text_bomb(b"iCCP"))


def half_webp() -> bytes:
    """The first half of an ordinary 640×480 WebP."""
    data = encoded(ordinary_picture(), "WEBP", quality=80)
    return data[: len(data) // 2]


def jpeg_head() -> bytes:
    """The first 64 bytes of an ordinary JPEG."""
    return encoded(ordinary_picture(), "JPEG", quality=85)[:64]


def webp_head() -> bytes:
    """The first 64 bytes of an ordinary WebP."""
    return encoded(ordinary_picture(), "WEBP", quality=80)[:64]


def deep_grey_png() -> bytes:
    """A 6300×6300 16-bit grey PNG of about 77 kB: 40 million pixels, 79 MB once decoded."""
    return png_of_zeros(6300, 6300, 16, 0)


def big_rgba_png() -> bytes:
    """A 6300×6300 RGBA PNG: Pillow would hold 159 MB for it."""
    return png_of_zeros(6300, 6300, 8, 6)


def _big(width: int, height: int, mode: str = "RGB") -> Image.Image:
    """A large picture with content (a gradient tiled from a small one), made without a full-size NumPy array."""
    return ordinary_picture(256, 256).convert(mode).resize((width, height), Image.Resampling.NEAREST)


def largest_rgba_png() -> bytes:
    """The largest RGBA PNG accepted: 5000×5000 (25 million pixels at 4 bytes, the 100 MB budget)."""
    return png_of_zeros(5000, 5000, 8, 6)


def largest_webp() -> bytes:
    """A lossless WebP just under its limit: 2500×2500 (6.25 million pixels, four 4-byte copies while decoding)."""
    return encoded(_big(2500, 2500), "WEBP", lossless=True, quality=0, method=0)


def largest_gif() -> bytes:
    """A 6300×6300 GIF: 40 million palette pixels of 1 byte."""
    return encoded(_big(6300, 6300, "L").convert("P"), "GIF")


def largest_baseline_jpeg() -> bytes:
    """A 7680×5200 baseline JPEG (39.9 million pixels), decoded at 1/8 of each side."""
    return encoded(_big(7680, 5200), "JPEG", quality=50)


def largest_progressive_jpeg() -> bytes:
    """A 4000×4000 progressive JPEG (16 million pixels): libjpeg keeps every DCT coefficient at full size."""
    return encoded(_big(4000, 4000), "JPEG", quality=50, progressive=True)


# The eight files of issue 19 that reached the page as an error box, then the two that swelled the server.
HOSTILE: dict[str, Callable[[], bytes]] = {
    "20000×20000 1-bit PNG": one_bit_bomb,
    "PNG header declaring 2³¹×2³¹": lying_png_header,
    "GIF header declaring 65535×65535": lying_gif_header,
    "PNG with a zTXt bomb": ztxt_bomb,
    "PNG with an iCCP bomb": iccp_bomb,
    "first half of a WebP": half_webp,
    "first 64 bytes of a JPEG": jpeg_head,
    "first 64 bytes of a WebP": webp_head,
}
HEAVY: dict[str, Callable[[], bytes]] = {
    "6300×6300 16-bit grey PNG": deep_grey_png,
    "6300×6300 RGBA PNG": big_rgba_png,
}
# The largest file of each kind that the pixel limits let through: what one decode can cost at most.
LARGEST: dict[str, Callable[[], bytes]] = {
    "5000×5000 RGBA PNG": largest_rgba_png,
    "2500×2500 lossless WebP": largest_webp,
    "6300×6300 GIF": largest_gif,
    "7680×5200 baseline JPEG": largest_baseline_jpeg,
    "4000×4000 progressive JPEG": largest_progressive_jpeg,
}
