"""Slides (convviz/model/slides.py): the browser's pictures checked, fuzzed as hostile reports, packed into a GIF
with one frame per step and a zip of PNGs."""

from __future__ import annotations

import base64
import io
import itertools
import random
import tracemalloc
import zipfile

import pytest
from PIL import Image, ImageDraw

from convviz.model.slides import (
    DENSITY,
    MAX_STEPS,
    SlideError,
    decode_pngs,
    gif,
    png_zip,
    slide_size,
)


def step_png(width: int, height: int, step: int) -> bytes:
    """A slide-sized picture with a black square at a place that moves with the step (as the window does)."""
    picture = Image.new("RGB", (width * DENSITY, height * DENSITY), "white")
    ImageDraw.Draw(picture).rectangle([40 * step, 40, 40 * step + 60, 100], fill="black")
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()


def encoded(pngs: list[bytes]) -> list[str]:
    return ["data:image/png;base64," + base64.b64encode(p).decode() for p in pngs]


def test_the_gif_has_one_frame_per_step_at_the_slides_size_and_its_frames_move():
    pngs = [step_png(320, 180, s) for s in range(5)]
    made = gif(decode_pngs(encoded(pngs), 320, 180), frame_ms=300)
    with Image.open(io.BytesIO(made)) as picture:
        assert picture.format == "GIF" and picture.size == (320, 180) and picture.n_frames == 5
        assert picture.info["loop"] == 0
        frames = []
        for n in range(picture.n_frames):
            picture.seek(n)
            frames.append(picture.convert("L").copy())
            assert picture.info["duration"] == (600 if n == 4 else 300)  # the last step is held longer
    for before, after in itertools.pairwise(frames):
        moved = [x for x in range(320) if before.getpixel((x, 35)) != after.getpixel((x, 35))]
        assert moved  # where the square was and where it went


def test_the_zip_holds_every_steps_png_in_order():
    pngs = [step_png(160, 90, s) for s in range(3)]
    with zipfile.ZipFile(io.BytesIO(png_zip(pngs, "convviz"))) as archive:
        assert archive.namelist() == ["convviz_001.png", "convviz_002.png", "convviz_003.png"]
        assert [archive.read(n) for n in archive.namelist()] == pngs


def test_slide_sizes_read_as_numbers():
    assert slide_size("1280x720") == (1280, 720) and slide_size("1920x1080") == (1920, 1080)


@pytest.mark.parametrize("report", [
    None, [], "not a list", [1, 2], ["%%%"], [base64.b64encode(b"GIF89a....").decode()], ["A" * 10_000_000],
    [base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40).decode()],
])
def test_a_report_that_is_no_slide_is_refused_in_a_sentence(report):
    with pytest.raises(SlideError):
        decode_pngs(report, 160, 90)


def test_pictures_of_another_size_or_too_many_are_refused():
    with pytest.raises(SlideError, match="not"):
        decode_pngs(encoded([step_png(100, 90, 0)]), 160, 90)
    with pytest.raises(SlideError, match=f"1 to {MAX_STEPS}"):
        decode_pngs(encoded([step_png(16, 9, 0)]) * (MAX_STEPS + 1), 16, 9)


def test_hostile_reports_never_raise_anything_else_nor_hold_much_memory():
    """Seeded random reports (lists of random text, random bytes as base64, PNG headers with random bodies)."""
    rng = random.Random(2026)
    tracemalloc.start()
    for _ in range(300):
        kind = rng.randrange(4)
        if kind == 0:
            report: object = ["".join(chr(rng.randrange(32, 0x3000)) for _ in range(rng.randrange(50)))]
        elif kind == 1:
            report = [base64.b64encode(rng.randbytes(rng.randrange(200))).decode()]
        elif kind == 2:
            report = [base64.b64encode(b"\x89PNG\r\n\x1a\n" + rng.randbytes(rng.randrange(300))).decode()]
        else:
            report = [rng.choice([None, 1.5, {}, [], b"x"])]
        with pytest.raises(SlideError):
            decode_pngs(report, 160, 90)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 50_000_000


def test_a_picture_whose_pixels_do_not_decode_makes_no_gif():
    good = step_png(160, 90, 0)
    broken = bytearray(good)
    start = broken.index(b"IDAT") + 8
    broken[start : start + 20] = bytes(20)  # the compressed pixels spoiled, the chunk's CRC left as it was
    with pytest.raises(SlideError):
        gif([bytes(broken)], frame_ms=100)


# ---- packing in the page (convviz/ui/slides.py): the browser's report, a busy server, a time limit ----


def report(request: str, pngs: list[bytes]) -> dict:
    return {"pictures": {"request": request, "images": encoded(pngs)}}


def test_packing_keeps_the_set_for_its_request_only(monkeypatch):
    from convviz.ui import slides as page

    shown: list[str] = []
    monkeypatch.setattr(page.st, "error", lambda message: shown.append(message))
    monkeypatch.setattr(page.st, "session_state", {})
    pngs = [step_png(160, 90, s) for s in range(2)]
    assert page._pack(report("other", pngs), "this", 160, 90, 100, "kit") is None  # another request's pictures
    assert page._pack(None, "this", 160, 90, 100, "kit") is None  # none yet
    made = page._pack(report("this", pngs), "this", 160, 90, 100, "kit")
    assert made is not None and made[0] == "this" and made[2] == pngs
    assert page.st.session_state["kit_slides_made"] == made
    assert page._pack(report("this", [b"not a png"]), "this", 160, 90, 100, "kit") is None
    assert shown == [page.text("slides_bad")]


def test_a_busy_or_slow_server_says_so_instead_of_waiting(monkeypatch):
    import threading

    from convviz.ui import slides as page

    told: list[str] = []
    monkeypatch.setattr(page.st, "info", lambda message: told.append(message))
    monkeypatch.setattr(page.st, "session_state", {})
    pngs = [step_png(160, 90, 0)]
    assert page._PACKING.acquire(timeout=1)  # someone else's set is being packed
    try:
        assert page._pack(report("r", pngs), "r", 160, 90, 100, "kit") is None
    finally:
        page._PACKING.release()
    release = threading.Event()
    monkeypatch.setattr(page, "PACK_SECONDS", 0.2)
    monkeypatch.setattr(page.slides, "gif", lambda *_: release.wait(5) and b"")  # a packing that takes too long
    try:
        assert page._pack(report("r", pngs), "r", 160, 90, 100, "kit") is None
    finally:
        release.set()
    assert told == [page.text("slides_busy")] * 2
