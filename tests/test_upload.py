"""Uploads at the one boundary the page calls (`decode_upload`): every file ends in a bounded picture or one of the
app's sentences, hostile files included, with the memory of a decode bounded; and the app's upload limit is the one
the server and the README state.
"""

from __future__ import annotations

import collections
import concurrent.futures
import io
import json
import re
import string
import subprocess
import sys
import time
import tracemalloc
import zlib

import numpy as np
import pytest
from PIL import Image

from bench import hostile
from convviz.i18n import strings, strings_zh
from convviz.model import images
from convviz.model.images import ImageError, Picture, decode_upload
from tests.conftest import REPO_ROOT

FUZZ_SEED = 19
FUZZ_PER_FORMAT = 1000  # 4,000 mutated files in all
PEAK_PYTHON_BYTES = 16 * 2**20  # NumPy and Python memory one decode may take (a strip at a time, never the picture)


def _sentence_pattern(template: str) -> re.Pattern[str]:
    """A sentence of the app's table with its {fields} as wildcards."""
    parts = [re.escape(literal) + (".+?" if field is not None else "")
             for literal, field, _, _ in string.Formatter().parse(template)]
    return re.compile("".join(parts) + "$", re.S)


REFUSALS = [_sentence_pattern(table[key]) for table in (strings.EN, strings_zh.ZH) for key in table
            if key.startswith("img_err_")]


def is_app_sentence(message: str) -> bool:
    return any(pattern.match(message) for pattern in REFUSALS)


def outcome(data: bytes) -> tuple[str, int]:
    """'picture' or 'refused' and the decode's peak of Python/NumPy memory; anything else raised fails the test."""
    tracemalloc.start()
    try:
        picture = decode_upload(data)
    except ImageError as err:
        assert is_app_sentence(str(err)), f"not one of the app's sentences: {err}"
        return "refused", tracemalloc.get_traced_memory()[1]
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert isinstance(picture, Picture)
    assert picture.rgb.dtype == np.uint8 and picture.rgb.ndim == 3 and picture.rgb.shape[2] == 3
    assert min(picture.rgb.shape[:2]) >= 1 and max(picture.rgb.shape[:2]) <= images.MAX_SIDE
    return "picture", peak


# ---- the fuzz: mutated PNG, JPEG, GIF and WebP files ----


def seeds() -> dict[str, list[bytes]]:
    """Small ordinary files of each format, in the modes students' files come in."""
    picture = hostile.ordinary_picture(48, 40)
    rgba = picture.convert("RGBA")
    rgba.putalpha(128)
    deep = Image.fromarray((np.arange(48 * 40, dtype=np.uint16).reshape(40, 48) * 30).astype(np.uint16))
    frames = io.BytesIO()
    picture.save(frames, format="GIF", save_all=True, append_images=[picture.rotate(90)])
    return {
        "PNG": [hostile.encoded(picture, "PNG"), hostile.encoded(rgba, "PNG"), hostile.encoded(deep, "PNG"),
                hostile.encoded(picture.convert("P"), "PNG"), hostile.encoded(picture.convert("L"), "PNG")],
        "JPEG": [hostile.encoded(picture, "JPEG"), hostile.encoded(picture, "JPEG", progressive=True),
                 hostile.encoded(picture.convert("L"), "JPEG"), hostile.encoded(picture.convert("CMYK"), "JPEG")],
        "GIF": [hostile.encoded(picture, "GIF"), frames.getvalue(),
                hostile.encoded(picture.convert("P"), "GIF", transparency=0)],
        "WEBP": [hostile.encoded(picture, "WEBP"), hostile.encoded(rgba, "WEBP", lossless=True),
                 hostile.encoded(picture, "WEBP", quality=30)],
    }


def with_fixed_crcs(data: bytes) -> bytes:
    """A mutated PNG with each intact chunk's checksum made right again, so the decoder reads past its CRC check."""
    out, at = bytearray(data[:8]), 8
    while at + 12 <= len(data):
        length = int.from_bytes(data[at : at + 4], "big")
        end = at + 8 + length
        if end + 4 > len(data):
            break
        body = data[at + 4 : end]
        out += data[at : end] + zlib.crc32(body).to_bytes(4, "big")
        at = end + 4
    return bytes(out + data[at:])


def mutate(data: bytes, rng: np.random.Generator) -> bytes:
    """One random change of the kinds that break decoders: flipped bytes (often in the header), a cut, a run of 0xFF
    or 0x00, a slice repeated, or random bytes inserted."""
    buffer = bytearray(data)
    kind = rng.integers(6)
    if kind == 0:  # flip a few bytes anywhere
        for _ in range(rng.integers(1, 9)):
            buffer[rng.integers(len(buffer))] ^= int(rng.integers(1, 256))
    elif kind == 1:  # flip a byte of the header (where sizes, modes and lengths live)
        buffer[rng.integers(min(64, len(buffer)))] = int(rng.integers(256))
    elif kind == 2:  # cut short
        del buffer[rng.integers(1, len(buffer)):]
    elif kind == 3:  # a run of 0xFF or 0x00
        at, length = rng.integers(len(buffer)), rng.integers(1, 16)
        buffer[at : at + length] = bytes([int(rng.choice([0, 255]))]) * length
    elif kind == 4:  # a slice repeated
        at, length = rng.integers(len(buffer)), rng.integers(1, 64)
        buffer[at:at] = buffer[at : at + length]
    else:  # random bytes inserted
        at = rng.integers(len(buffer))
        buffer[at:at] = rng.integers(0, 256, rng.integers(1, 32)).astype(np.uint8).tobytes()
    return bytes(buffer)


def test_every_mutated_file_ends_in_a_bounded_picture_or_one_of_the_apps_sentences():
    rng = np.random.default_rng(FUZZ_SEED)
    counts: collections.Counter[tuple[str, str]] = collections.Counter()
    worst_peak = 0
    started = time.perf_counter()
    for fmt, files in seeds().items():
        for i in range(FUZZ_PER_FORMAT):
            data = mutate(files[i % len(files)], rng)
            if fmt == "PNG" and i % 2:
                data = with_fixed_crcs(data)
            result, peak = outcome(data)  # an exception other than ImageError fails here, naming the file
            counts[fmt, result] += 1
            worst_peak = max(worst_peak, peak)
    seconds = time.perf_counter() - started
    summary = {f"{fmt} {result}": n for (fmt, result), n in sorted(counts.items())}
    print(f"\nfuzz: {sum(counts.values())} files in {seconds:.1f} s, worst peak {worst_peak / 2**20:.1f} MiB:",
          json.dumps(summary))
    assert sum(counts.values()) == 4 * FUZZ_PER_FORMAT >= 2000
    for fmt in ("PNG", "JPEG", "GIF", "WEBP"):  # the mutations reach both ends in every format
        assert counts[fmt, "picture"] > 0 and counts[fmt, "refused"] > 0, summary
    assert worst_peak < PEAK_PYTHON_BYTES


# ---- the files of issue 19 ----


@pytest.mark.parametrize(("name", "sentence"), [
    ("20000×20000 1-bit PNG", "img_err_bomb"),
    ("PNG header declaring 2³¹×2³¹", "img_err_bomb"),
    ("GIF header declaring 65535×65535", "img_err_bomb"),
    ("PNG with a zTXt bomb", "img_err_broken"),
    ("PNG with an iCCP bomb", "img_err_broken"),
    ("first half of a WebP", "img_err_truncated"),
    ("first 64 bytes of a JPEG", "img_err_truncated"),
    ("first 64 bytes of a WebP", "img_err_truncated"),
])
def test_each_hostile_file_gets_the_sentence_that_names_its_reason(name: str, sentence: str):
    data = hostile.HOSTILE[name]()
    assert len(data) <= images.MAX_UPLOAD_BYTES
    with pytest.raises(ImageError) as refused:
        decode_upload(data)
    assert _sentence_pattern(strings.EN[sentence]).match(str(refused.value))
    assert outcome(data)[1] < PEAK_PYTHON_BYTES


def test_a_refusal_from_the_decoding_thread_is_in_the_pages_language():
    with strings.speaking("zh"), pytest.raises(ImageError, match="图片无法完整读取：文件似乎被截断了"):
        decode_upload(hostile.jpeg_head())


def test_a_16_bit_picture_of_40_million_pixels_is_decoded_without_a_full_size_copy():
    data = hostile.deep_grey_png()
    result, peak = outcome(data)
    assert result == "picture"
    assert peak < PEAK_PYTHON_BYTES  # the old float64 copy alone was 317 MB
    picture = decode_upload(data)
    assert picture.rgb.shape == (128, 128, 3) and picture.rgb.max() == 0  # black stays black
    assert picture.notes[0] == "16 bits per pixel reduced to 8."


def test_a_picture_that_would_take_more_memory_than_one_decode_may_is_refused_before_decoding():
    # 6300×6300 RGBA: 159 MB as Pillow holds it, over MAX_DECODE_BYTES; the sentence says how many pixels are allowed.
    with pytest.raises(ImageError, match=r"6300×6300 pixels, more than the 25,000,000 accepted"):
        decode_upload(hostile.big_rgba_png())


def test_the_pixel_limit_follows_what_each_kind_of_file_costs_to_decode():
    def limit(data: bytes) -> int:
        with Image.open(io.BytesIO(data)) as image:
            pixels = image.size[0] * image.size[1]
            if image.format == "JPEG":
                image.draft(None, (images.MAX_SIDE, images.MAX_SIDE))
            return images.pixel_limit(image, pixels)

    photo = hostile.ordinary_picture(2048, 1536)
    assert limit(hostile.encoded(photo.convert("L"), "PNG")) == images.MAX_UPLOAD_PIXELS  # 1 byte per pixel
    assert limit(hostile.encoded(photo, "PNG")) == images.MAX_DECODE_BYTES // 4  # RGB is held in 4 bytes
    assert limit(hostile.encoded(photo, "WEBP")) == images.MAX_DECODE_BYTES // 16  # four copies while decoding
    assert limit(hostile.encoded(photo, "JPEG")) == images.MAX_UPLOAD_PIXELS  # decoded at 1/8 of each side
    # A progressive JPEG keeps 2 bytes per sample for every pixel, whatever size it is decoded at.
    assert limit(hostile.encoded(photo, "JPEG", progressive=True)) == int(images.MAX_DECODE_BYTES / (4 / 64 + 6))


def test_a_picture_in_an_unusual_colour_format_is_refused_with_a_sentence(monkeypatch: pytest.MonkeyPatch):
    # None of the four formats opens as 32-bit float; a TIFF does, so let one through to see it named, not crash.
    monkeypatch.setattr(images, "UPLOAD_FORMATS", ("TIFF",))
    with pytest.raises(ImageError, match="kind of colour cannot be shown here"):
        decode_upload(hostile.encoded(Image.new("F", (4, 4)), "TIFF"))


def test_an_error_no_decoder_was_expected_to_raise_still_ends_in_a_sentence(monkeypatch: pytest.MonkeyPatch):
    def broken(data: bytes) -> Picture:
        raise IndexError("list index out of range")  # e.g. a plugin reading past a table on hostile data

    monkeypatch.setattr(images, "_decode", broken)
    with pytest.raises(ImageError, match="data is damaged"):
        decode_upload(b"GIF89a")


def test_four_uploads_at_once_are_decoded_one_after_another(monkeypatch: pytest.MonkeyPatch):
    # Four students at once: the server holds one picture's pixels at a time, not four.
    decode, running, most = images._decode, [0], [0]

    def counted(data: bytes) -> Picture:
        running[0] += 1
        most[0] = max(most[0], running[0])
        time.sleep(0.05)  # long enough for the other threads to arrive while this one decodes
        try:
            return decode(data)
        finally:
            running[0] -= 1

    monkeypatch.setattr(images, "_decode", counted)
    data = hostile.encoded(hostile.ordinary_picture(64, 48), "PNG")
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        pictures = list(pool.map(decode_upload, [data] * 4))
    assert [p.rgb.shape for p in pictures] == [(48, 64, 3)] * 4
    assert most[0] == images.DECODES_AT_ONCE == 1


def test_a_decode_in_a_fresh_process_raises_its_rss_by_at_most_150_mb():
    # What the server's memory does for the 16-bit 6300×6300 PNG (it took 794 → 1,775 MB before): the peak RSS
    # (VmHWM, reset after the imports) minus the RSS before the decode, in a fresh process with TensorFlow loaded.
    result = subprocess.run([sys.executable, "bench/bench_upload.py", "--one", "6300×6300 16-bit grey PNG"],
                            cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, check=True)
    measured = json.loads(result.stdout.strip().splitlines()[-1])
    assert measured["outcome"] == "picture"
    assert measured["rise_mb"] <= 150


# ---- the upload limit: one number, stated and kept in every place ----


def test_the_server_and_the_app_have_one_upload_limit_and_the_apps_sentence_for_it():
    config = (REPO_ROOT / ".streamlit" / "config.toml").read_text()  # (tomllib is not in Python 3.10)
    server_mb = int(re.search(r"^\[server\][^\[]*^maxUploadSize\s*=\s*(\d+)\s*$", config, re.M | re.S).group(1))
    server_bytes = server_mb * 1_000_000  # Streamlit counts megabytes of 1,000,000 bytes
    assert server_mb == images.SERVER_UPLOAD_MB
    assert images.MAX_UPLOAD_BYTES == 5_000_000  # "up to 5 MB", as the README and the uploader's help say
    assert server_bytes == images.MAX_UPLOAD_BYTES  # one number: the browser's guard speaks first (upload_guard)
    # The app's own sentence, in the page's language, for a file over the limit: the guard's, and the decoder's own
    # for a file that would reach it some other way.
    just_over = b"\x89PNG\r\n\x1a\n" + bytes(images.MAX_UPLOAD_BYTES - 7)
    assert len(just_over) == server_bytes + 1
    with pytest.raises(ImageError, match=r"The file is 5\.0 MB; pictures up to 5 MB are accepted\."):
        decode_upload(just_over)
    with strings.speaking("zh"), pytest.raises(ImageError, match="只接受不超过 5 MB 的图片"):
        decode_upload(just_over)


def test_the_readme_states_the_apps_limit():
    readme = (REPO_ROOT / "README.md").read_text()
    assert "up to 5 MB" in readme
    assert "5 MB" in strings.EN["img_upload_help"].format(limit=images.MAX_UPLOAD_BYTES // 1_000_000)


def test_the_upload_sentences_are_plain_text_whatever_markdown_the_page_shows_them_in():
    # They carry no file name and no Pillow message, only numbers: nothing a file could turn into a link or a picture.
    keys = [key for key in strings.EN if key.startswith("img_err_") and key != "img_err_unknown"]
    assert len(keys) == 8
    for table in (strings.EN, strings_zh.ZH):
        for key in keys:
            sentence = table[key].format(size="5.5", limit="40,000,000", formats="PNG, JPEG, WEBP, GIF", w=1, h=2)
            assert not set(sentence) & set("`*_[]<>$#|~\\"), (key, sentence)
