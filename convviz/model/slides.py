"""Slides: the animation's frames, drawn by the browser as PNG pictures, made into a GIF and a zip (Pillow).

The browser renders each step of the figure the page draws (plotly.js's own `toImage`, in the Chromium or Firefox
the page already runs in: nothing to download, no renderer on the server) and hands the pictures over as base64
PNG. Here they are checked (each a PNG of the slide's size, a bounded number of them) and packed: every step's
PNG at 2× density in a zip for beamer, and the animation as a looping GIF at 1×, one frame per step.
"""

from __future__ import annotations

import base64
import binascii
import io
import zipfile
from collections.abc import Sequence

from PIL import Image

SLIDE_SIZES = ("960x540", "1280x720", "1920x1080")  # 16:9 slides, as PowerPoint, Keynote and beamer make them
DEFAULT_SLIDE = "1280x720"
DENSITY = 2  # the PNGs' pixels per CSS pixel (a 1280×720 slide is a 2560×1440 picture)
MAX_STEPS = 150  # a GIF of more steps is refused with a sentence: bigger settings belong in the HTML file
MAX_PNG_BYTES = 4_000_000  # one step's picture (a 1920×1080 slide at 2× is ~0.5 MB)
MAX_GIF_COLOURS = 128  # the diagram has a few dozen colours; fewer keep the GIF small


class SlideError(ValueError):
    """What the browser handed over is not a slide's pictures (the sentence says what)."""


def slide_size(name: str) -> tuple[int, int]:
    """(width, height) of a slide size's name, 1280x720 -> (1280, 720)."""
    width, height = (int(n) for n in name.split("x"))
    return width, height


def decode_pngs(encoded: object, width: int, height: int) -> list[bytes]:
    """The base64 PNGs the browser sent, each checked to be a PNG of width·DENSITY × height·DENSITY pixels."""
    if not isinstance(encoded, list | tuple) or not encoded or len(encoded) > MAX_STEPS:
        raise SlideError(f"expected 1 to {MAX_STEPS} pictures")
    pngs = []
    for item in encoded:
        if not isinstance(item, str) or len(item) > MAX_PNG_BYTES * 4 // 3 + 4:
            raise SlideError("a picture is not text of a bounded size")
        try:
            data = base64.b64decode(item.removeprefix("data:image/png;base64,"), validate=True)
        except (binascii.Error, ValueError):
            raise SlideError("a picture is not base64") from None
        if not data.startswith(b"\x89PNG\r\n\x1a\n"):
            raise SlideError("a picture is not a PNG")
        try:
            with Image.open(io.BytesIO(data), formats=["PNG"]) as picture:  # the header, then every chunk's CRC
                size = picture.size
                picture.verify()
        except Exception:
            raise SlideError("a picture is not a readable PNG") from None
        if size != (width * DENSITY, height * DENSITY):
            raise SlideError(f"a picture is {size}, not {(width * DENSITY, height * DENSITY)}")
        pngs.append(data)
    return pngs


def gif(pngs: Sequence[bytes], frame_ms: int) -> bytes:
    """The steps as a looping GIF at 1× (each picture halved), `frame_ms` a frame, the last held twice as long."""
    frames = []
    for data in pngs:
        try:
            with Image.open(io.BytesIO(data), formats=["PNG"]) as picture:
                small = picture.convert("RGB").reduce(DENSITY)  # 2× -> 1×, each pixel the mean of a 2×2 block
        except Exception:
            raise SlideError("a picture's pixels do not decode") from None
        frames.append(small.quantize(MAX_GIF_COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE))
    durations = [frame_ms] * len(frames)
    durations[-1] = 2 * frame_ms
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], duration=durations, loop=0,
                   optimize=True, disposal=1)
    return out.getvalue()


def png_zip(pngs: Sequence[bytes], name: str) -> bytes:
    """Every step's PNG, `name`_001.png, ..., in a zip (stored: PNGs do not compress further)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for n, data in enumerate(pngs, 1):
            archive.writestr(f"{name}_{n:03d}.png", data)
    return out.getvalue()
