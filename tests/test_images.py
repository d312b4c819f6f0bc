"""Pictures as input channels and the kernel library: what ships loads, uploads are checked, kernels do their job."""

from __future__ import annotations

import io

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from convviz.core.correlation import corr2d_multi_in_out
from convviz.model import images, kernels
from convviz.model.images import ImageError, as_channels, decode_upload, load_picture


def encoded(image: Image.Image, fmt: str = "PNG", **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def conv2d(X: np.ndarray, K: np.ndarray) -> np.ndarray:
    """tf.nn.conv2d, 'valid', channel-first in and out: the independent reference."""
    Y = tf.nn.conv2d(X.transpose(1, 2, 0)[None], K.transpose(2, 3, 1, 0), strides=1, padding="VALID")
    return Y.numpy()[0].transpose(2, 0, 1)


# ---- the pictures that ship ----


@pytest.mark.parametrize("name", images.PICTURES)
def test_every_picture_loads_as_bounded_rgb(name: str):
    rgb = load_picture(name)
    assert rgb.dtype == np.uint8 and rgb.ndim == 3 and rgb.shape[2] == 3
    assert max(rgb.shape[:2]) <= images.MAX_SIDE
    assert rgb.std() > 10, "a picture, not a flat colour"


def test_every_shipped_picture_has_its_source_and_licence_beside_it():
    sources = (images.PICTURES_DIR / "SOURCES.md").read_text()
    for name in images.SHIPPED:
        row = next(line for line in sources.splitlines() if line.startswith(f"| `{name}.png`"))
        assert "public domain" in row or "CC0" in row


def test_an_unknown_picture_is_refused_with_the_names_that_exist():
    with pytest.raises(ValueError, match="There is no picture called “dog”: choose one of cat, astronaut"):
        load_picture("dog")


def test_rgb_is_three_input_channels_and_grey_is_one():
    rgb = load_picture("cat")
    X = as_channels(rgb, grey=False)
    assert X.shape == (3, *rgb.shape[:2]) and X.dtype == np.float32
    np.testing.assert_allclose(X[1], rgb[:, :, 1] / 255, atol=1e-6)  # channel 1 is green
    grey = as_channels(rgb, grey=True)
    assert grey.shape == (1, *rgb.shape[:2])
    np.testing.assert_allclose(grey[0], rgb @ np.array([0.299, 0.587, 0.114]) / 255, atol=1e-5)


# ---- the kernel library ----


@pytest.mark.parametrize("name", kernels.NAMES)
def test_every_kernel_becomes_a_kernel_over_the_input_channels(name: str):
    K = kernels.kernel_stack((name, "identity"), c_in=3, seed=0)
    assert K.shape == (2, 3, 3, 3) and K.dtype == np.float32
    if name == "random":
        assert not np.allclose(K[0, 0], K[0, 1]), "a fresh slice per channel"
    else:
        for c in range(3):  # the same slice on every channel, divided by c_i
            np.testing.assert_allclose(K[0, c], kernels.LIBRARY[name] / 3, atol=1e-7)


def test_blurs_keep_brightness_and_identity_gives_back_the_channel_average():
    X = as_channels(load_picture("coffee"), grey=False)  # (3, h, w)
    for name in ("box_blur", "gaussian_blur"):
        assert kernels.kernel_stack((name,), 3, 0).sum() == pytest.approx(1.0)
    Y = corr2d_multi_in_out(X, kernels.kernel_stack(("identity",), 3, 0)).numpy()
    np.testing.assert_allclose(Y[0], X.mean(axis=0)[1:-1, 1:-1], atol=1e-6)


def test_sobel_x_on_a_vertical_edge_gives_the_textbook_response():
    # Dark on the left, bright on the right: a vertical edge between columns 3 and 4.
    X = np.zeros((1, 6, 8), np.float32)
    X[0, :, 4:] = 1.0
    K = kernels.kernel_stack(("sobel_x", "sobel_y"), c_in=1, seed=0)  # (2, 1, 3, 3)
    Y = corr2d_multi_in_out(X, K).numpy()  # (2, 4, 6)
    # Windows centred on columns 3 and 4 straddle the edge: 1 + 2 + 1 = 4; everywhere else the rows cancel.
    expected = np.zeros((4, 6))
    expected[:, 2:4] = 4.0
    np.testing.assert_array_equal(Y[0], expected)
    np.testing.assert_array_equal(Y[1], np.zeros((4, 6)))  # sobel_y sees no horizontal edge
    np.testing.assert_allclose(Y, conv2d(X, K), atol=1e-6)


def test_kernel_names_from_a_link_keep_the_known_ones_and_say_which_were_dropped():
    names, notices = kernels.parse_names("sobel_x, blurry,,laplacian")  # an empty name between commas is skipped
    assert names == ("sobel_x", "laplacian")
    assert notices == [("img_kernel_unknown", {"name": "blurry", "names": ", ".join(kernels.NAMES)})]
    assert kernels.parse_names("nothing")[0] == kernels.DEFAULT
    names, notices = kernels.parse_names(",".join(["identity"] * 10))
    assert len(names) == kernels.MAX_KERNELS and ("img_kernel_too_many", {"limit": 8, "count": 10}) in notices


# ---- uploads ----


def test_a_good_upload_is_kept_in_memory_and_scaled_down_with_a_note():
    rgb = np.random.default_rng(0).integers(0, 255, (300, 200, 3), dtype=np.uint8)
    picture = decode_upload(encoded(Image.fromarray(rgb)))
    assert picture.rgb.shape == (128, 85, 3)
    assert picture.notes == ("Scaled down from 200×300 to 85×128 pixels, so that every step stays quick to draw.",)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP", "GIF"])
def test_every_accepted_format_decodes(fmt: str):
    rgb = np.zeros((20, 30, 3), np.uint8)
    rgb[:, 15:] = 200
    picture = decode_upload(encoded(Image.fromarray(rgb), fmt))
    assert picture.rgb.shape == (20, 30, 3)
    assert abs(int(picture.rgb[10, 25, 0]) - 200) < 12 and picture.rgb[10, 5, 0] < 12  # lossy formats come close


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"hello, this is text", "This file is not a picture that can be read here: upload a PNG, JPEG, WEBP, GIF"),
        (encoded(Image.new("RGB", (8, 8)), "BMP"), "not a picture that can be read here"),  # a format not offered
        (b"\x00" * (images.MAX_UPLOAD_BYTES + 1), "The file is 5.0 MB; pictures up to 5 MB are accepted."),
    ],
)
def test_files_that_are_not_usable_pictures_get_a_sentence(data: bytes, message: str):
    with pytest.raises(ImageError, match=message.replace("(", r"\(").replace(".", r"\.")):
        decode_upload(data)


def test_a_truncated_file_gets_a_sentence():
    rgb = np.random.default_rng(1).integers(0, 255, (64, 64, 3), dtype=np.uint8)
    data = encoded(Image.fromarray(rgb))
    with pytest.raises(ImageError, match="could not be read to its end"):
        decode_upload(data[: len(data) // 2])


def test_a_decompression_bomb_is_refused_from_its_header():
    bomb = encoded(Image.new("L", (7000, 7000)))  # 49 million pixels in a few tens of kB
    assert len(bomb) < images.MAX_UPLOAD_BYTES
    with pytest.raises(ImageError, match="7000×7000 pixels, more than the 40,000,000 accepted"):
        decode_upload(bomb)


def test_unusual_pictures_are_converted_with_a_note():
    cmyk = decode_upload(encoded(Image.new("CMYK", (10, 10), (0, 255, 255, 0)), "JPEG"))
    assert "CMYK colours converted to RGB." in cmyk.notes and cmyk.rgb[5, 5, 0] > 200 > cmyk.rgb[5, 5, 1]

    deep = Image.fromarray(np.full((10, 10), 65535, np.uint16))  # 16-bit grey, white
    sixteen = decode_upload(encoded(deep))
    assert "16 bits per pixel reduced to 8." in sixteen.notes and sixteen.rgb.min() == 255

    palette = decode_upload(encoded(Image.new("RGB", (10, 10), (255, 0, 0)).convert("P")))
    assert "Palette colours expanded to RGB." in palette.notes and tuple(palette.rgb[0, 0]) == (255, 0, 0)

    see_through = Image.new("RGBA", (10, 10), (0, 0, 0, 0))
    alpha = decode_upload(encoded(see_through))
    assert "Transparent parts are shown on white." in alpha.notes and alpha.rgb.min() == 255


def test_an_animation_uses_its_first_frame():
    frames = [Image.new("RGB", (12, 12), colour) for colour in ((250, 0, 0), (0, 0, 250))]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:])
    picture = decode_upload(buffer.getvalue())
    assert "The file holds 2 frames; the first one is used." in picture.notes
    assert picture.rgb[0, 0, 0] > 200 and picture.rgb[0, 0, 2] < 50


# ---- the region the step player animates, and the full-size maps ----


@pytest.mark.parametrize(("stride", "padding", "dilation"), [(1, 1, 1), (2, 0, 1), (1, 3, 2), (3, 2, 3)])
def test_a_regions_input_gives_exactly_the_full_maps_cells(stride: int, padding: int, dilation: int):
    X = as_channels(load_picture("shapes"), grey=False)  # (3, 96, 96)
    K = kernels.kernel_stack(("sobel_x", "random"), 3, seed=4)
    full = corr2d_multi_in_out(X, K, stride=stride, padding=padding, dilation=dilation).numpy()
    span = dilation * 2 + 1
    for y, x in ((0, 0), (50, 40), (95, 95)):  # a click in a corner, the middle, the other corner
        region = images.region_around(y, x, full.shape[1], full.shape[2], stride, padding, span)
        assert region.rows == region.cols == images.REGION
        crop = images.region_input(X, region, stride, padding, span)
        part = corr2d_multi_in_out(crop, K, stride=stride, dilation=dilation).numpy()
        n = images.REGION
        np.testing.assert_allclose(part, full[:, region.row : region.row + n, region.col : region.col + n], atol=1e-5)


def test_a_click_centres_the_region_on_the_cell_whose_window_is_under_it():
    region = images.region_around(40, 60, 126, 126, stride=1, padding=0, span=3)
    half = images.REGION // 2
    assert (region.row + half, region.col + half) == (39, 59)  # output (39, 59)'s window is centred on (40, 60)
    assert images.clamp_region(-5, 500, 8, 30, size=12) == images.Region(0, 18, 8, 12)  # a small map: all its rows
    assert images.clamp_region(-5, 500, 3, 30) == images.Region(0, 26, 3, 4)


def test_feature_maps_are_valid_and_small_enough_to_send():
    import json

    import plotly.graph_objects as go

    from convviz.figures.images import feature_maps_figure

    rgb = load_picture("astronaut")  # 128 × 128
    X = as_channels(rgb, grey=False)
    names = ("identity", "box_blur", "gaussian_blur", "sharpen", "outline", "sobel_x", "sobel_y", "laplacian")
    Y = corr2d_multi_in_out(X, kernels.kernel_stack(names, 3, 0), padding=1).numpy()
    region = images.clamp_region(10, 20, 128, 128)
    for absolute in (False, True):
        figure = feature_maps_figure(rgb, X, Y, names, absolute=absolute, region=region, stride=1, padding=1, span=3)
        go.Figure(figure)
        assert len(json.dumps(figure)) < 1_000_000  # the budget: 1 MB
        titles = [a["text"] for a in figure["layout"]["annotations"]]
        assert titles[:4] == ["the picture", "X[0] (R)", "X[1] (G)", "X[2] (B)"]
        limit = np.abs(Y[5]).max()
        assert titles[4 + 5] == (f"|Y[5]|: sobel_x (0 to {limit:.3g})" if absolute else f"Y[5]: sobel_x (±{limit:.3g})")
        # The region is outlined once on the picture and once on each of the 8 maps.
        assert len(figure["layout"]["shapes"]) == 1 + 8
    grey = as_channels(rgb, grey=True)
    figure = feature_maps_figure(rgb, grey, Y[:1], names[:1], absolute=False, region=region, stride=1, padding=1,
                                 span=3)
    assert [a["text"] for a in figure["layout"]["annotations"]][:2] == ["the picture", "X[0] (grey)"]


def test_the_default_region_is_where_the_output_varies_most():
    Y = np.zeros((2, 20, 30))
    Y[1, 12:14, 21:23] = [[1, -1], [-1, 1]]  # the one place that varies, in the second output channel
    row, col = images.busiest_region(Y)
    assert row <= 12 and row + images.REGION >= 14 and col <= 21 and col + images.REGION >= 23  # the block holds it
    assert images.busiest_region(np.zeros((1, 9, 9))) == (0, 0)  # a flat output: the first block
    assert images.busiest_region(np.ones((3, 2, 3))) == (0, 0)  # a map smaller than a region: all of it
    # On a picture: the shapes' edges, not the flat grey around them (the old default, the centre, was flat).
    X = images.as_channels(load_picture("shapes"), grey=True)
    Y = corr2d_multi_in_out(X, kernels.kernel_stack(("sobel_x",), 1, 0)).numpy()  # (1, 94, 94)
    row, col = images.busiest_region(Y)
    block = Y[0, row : row + images.REGION, col : col + images.REGION]
    assert block.var() > 0 and block.var() >= Y[0, 45:49, 45:49].var()
