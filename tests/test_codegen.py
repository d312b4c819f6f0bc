"""The code panel's script runs as it is, with NumPy and TensorFlow only, and prints the numbers the page shows."""

from __future__ import annotations

import io
import re
import zipfile

import numpy as np
import pytest

from convviz.core.correlation import convolve2d_multi_in_out, corr2d_multi_in_out
from convviz.model.codegen import arrays_zip, setting_code
from convviz.model.setting import Setting, make_tensors
from tests.conftest import printed_array, run_alone, run_view

SWEEP = [  # the kinds of values, and each geometry option, at least once
    Setting(values="textbook"),
    Setting(values="textbook", bias=True, seed=3),
    Setting(),
    Setting(values="random", bias=True, seed=11, c_in=2, c_out=3, h=7, w=5),
    Setting(stride=2, padding=1, h=7, w=8),
    Setting(dilation=2, padding=2, kh=2, kw=3, c_out=1, bias=True),
    Setting(c_in=1, c_out=4, h=5, w=5, kh=1, kw=1, stride=3, padding=3, dilation=3, values="random"),
    Setting(c_in=4, c_out=2, groups=2),  # grouped: K (2, 2, 3, 3), each output sees two inputs
    Setting(c_in=4, c_out=8, groups=4, values="random", bias=True, stride=2, padding=1, h=7, w=7),
    Setting(c_in=3, c_out=3, groups=3, dilation=2, padding=2),  # depthwise
    Setting(flip=True, bias=True, stride=2, padding=1, kh=2, kw=3),  # true convolution
    Setting(c_in=4, c_out=2, groups=2, flip=True, values="random"),
]


def script_for(setting: Setting) -> tuple[str, np.ndarray]:
    s = setting.effective()
    X, K, bias = make_tensors(setting)
    layer = convolve2d_multi_in_out if s.flip else corr2d_multi_in_out
    Y = layer(X, K, bias, stride=s.stride, padding=s.padding, dilation=s.dilation, groups=s.groups).numpy()
    code = setting_code(X, K, bias, stride=s.stride, padding=s.padding, dilation=s.dilation, groups=s.groups,
                        flip=s.flip, title=str(s))
    return code, Y


def test_every_generated_script_runs_alone_and_prints_the_cores_answer():
    scripts, expected = zip(*(script_for(s) for s in SWEEP), strict=True)
    outputs = run_alone(list(scripts))  # one fresh interpreter with nothing of convviz imported
    for setting, output, Y in zip(SWEEP, outputs, expected, strict=True):
        shape, values = printed_array(output)
        assert shape == Y.shape, setting
        tolerance = 1e-4 * max(1.0, float(np.abs(Y).max()))  # printed with 4 decimals
        np.testing.assert_allclose(values, Y.ravel(), atol=tolerance, err_msg=str(setting))


def test_the_textbook_script_shows_the_chapters_tensors_and_answer():
    source, Y = script_for(Setting(values="textbook"))
    assert "X = np.array([[[0, 1, 2], [3, 4, 5], [6, 7, 8]], [[1, 2, 3], [4, 5, 6], [7, 8, 9]]]" in source
    assert "bias = None" in source and "stride, padding, dilation, groups = 1, 0, 1, 1" in source
    np.testing.assert_array_equal(Y[0], [[56, 72], [104, 120]])


def _literal_values(source: str, name: str) -> list[str]:
    """The numbers of the literal `name = np.array([...], ...)` in a script, as the script spells them."""
    line = next(line for line in source.splitlines() if line.startswith(f"{name} = np.array("))
    return re.findall(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?", line.split("(", 1)[1].rsplit("]", 1)[0])


@pytest.mark.parametrize("seed", [0, 7, 123])
def test_random_values_are_printed_the_shortest_way_that_reads_back_equal(seed):
    setting = Setting(values="random", bias=True, seed=seed, c_in=3, c_out=2)
    X, K, bias = make_tensors(setting)
    source, _ = script_for(setting)
    for name, array in (("X", X), ("K", K), ("bias", bias)):
        printed = _literal_values(source, name)
        assert len(printed) == array.size
        assert [np.float32(float(v)) for v in printed] == array.ravel().tolist(), name  # reads back equal
        assert all(len(v.lstrip("-")) <= 5 for v in printed), printed  # two decimals: no float32 noise
    assert "-0.800000011920929" not in setting_code(np.array([[[-0.8]]], np.float32), np.ones((1, 1, 1, 1)), None,
                                                    stride=1, padding=0, dilation=1, title="")


def test_a_grouped_setting_keeps_its_kernel_shape_and_passes_groups():
    source, Y = script_for(Setting(c_in=4, c_out=2, groups=2))
    assert "K: (c_o, c_i/g, k_h, k_w) = (2, 2, 3, 3) with g = groups" in source
    assert "stride, padding, dilation, groups = 1, 0, 1, 2" in source
    assert "Y = corr2d_multi_in_out(X, K, groups)" in source
    namespace: dict = {}
    loops = source.split("# The same layer in TensorFlow")[0]  # the loops, without the TensorFlow check
    exec(compile(loops, "<the grouped script>", "exec"), namespace)
    np.testing.assert_allclose(namespace["Y"], Y, atol=1e-4)  # the loops alone reproduce the core's grouped layer


def test_the_page_gives_a_grouped_setting_its_grouped_code():
    from test_app import run_app

    at = run_app(c_in="4", c_out="2", groups="2")
    at.session_state["kit_open"] = True
    at.run()
    assert not at.exception
    source, _ = script_for(Setting(c_in=4, c_out=2, groups=2))
    assert at.code[0].value.splitlines()[1:] == source.splitlines()[1:]


@pytest.mark.parametrize("bias", [None, np.array([1.5, -2.0], np.float32)])
def test_downloads_hold_every_array_as_npy_and_csv(bias):
    X, K, _ = make_tensors(Setting(c_out=2))
    arrays = {"X": X, "K": K, "Y": np.arange(6.0).reshape(2, 3)} | ({} if bias is None else {"bias": bias})
    with zipfile.ZipFile(io.BytesIO(arrays_zip(arrays))) as archive:
        assert sorted(archive.namelist()) == sorted(f"{n}.{ext}" for n in arrays for ext in ("npy", "csv"))
        for name, array in arrays.items():
            np.testing.assert_array_equal(np.load(io.BytesIO(archive.read(f"{name}.npy"))), array)
        assert archive.read("Y.csv").decode() == "0,1,2\n3,4,5\n"
        k_csv = archive.read("K.csv").decode()
        assert k_csv.startswith("# K[0, 0]\n") and k_csv.count("# K[") == 2 * 3  # one block per (o, c) slice
        first_block = k_csv.split("# K[0, 1]")[0].splitlines()[1:]
        np.testing.assert_array_equal(np.array([[float(v) for v in row.split(",")] for row in first_block]), K[0, 0])


def test_the_page_shows_the_code_for_its_setting_and_offers_the_arrays():
    from test_app import run_app

    at = run_app(values="textbook", bias="true", seed="3")
    assert not at.code, "closed: nothing drawn on every re-run"
    at.session_state["kit_open"] = True
    at.run()
    assert not at.exception
    source, _ = script_for(Setting(values="textbook", bias=True, seed=3))
    shown = at.code[0].value.splitlines()
    assert shown[1:] == source.splitlines()[1:]  # the very script the fresh-interpreter test runs
    assert shown[0] == "# convviz: ?values=textbook&c_in=2&c_out=3&h=3&w=3&kh=2&kw=2&stride=1&padding=0&dilation=1" \
                       "&bias=true&seed=3&groups=1&flip=false"  # the link that opens this setting
    assert [b.key for b in at.get("download_button")] == ["kit_zip", "kit_html"]  # the arrays, the offline animation


def test_the_1x1_tab_offers_w_x_and_y():
    from test_app import run_app

    at = run_app(view="1×1 convolution")
    assert not at.exception
    assert len(at.get("download_button")) == 1


# ---- the pooling tab's script (convviz/model/codegen.py `pool_code`) ----

POOL_SWEEP = [  # (values, c, h, w, k, stride, padding, mode, seed, picture, grey): every mode, padding, pictures
    ("book", 2, 4, 4, 2, 2, 0, "max", 0, None, False),
    ("book", 2, 4, 4, 3, 2, 1, "max", 0, None, False),  # d2l's padded example: [[5, 7], [13, 15]]
    ("book", 1, 4, 4, 2, 2, 1, "avg", 0, None, False),  # padded zeros counted in the mean
    ("random", 3, 7, 5, 3, 1, 1, "avg", 11, None, False),
    ("integers", 4, 12, 9, 4, 3, 2, "max", 5, None, False),
    ("integers", 1, 5, 5, 1, 4, 0, "avg", 2, None, False),
    ("image", 0, 0, 0, 2, 2, 0, "max", 0, "shapes", False),
    ("image", 0, 0, 0, 3, 2, 1, "avg", 0, "stripes", True),
]


def pool_script_for(case: tuple) -> tuple[str, np.ndarray]:
    from convviz.core.pooling import pool2d
    from convviz.model import images
    from convviz.model.codegen import pool_code
    from convviz.model.pool_steps import pool_input, pool_picture

    values, c, h, w, k, stride, padding, mode, seed, picture, grey = case
    X = pool_picture(picture, grey) if picture else pool_input(values, c, h, w, seed)
    Y = pool2d(X, k, stride=stride, padding=padding, mode=mode).numpy()
    rgb = images.load_picture(picture) if picture else None
    return pool_code(X, k=k, stride=stride, padding=padding, mode=mode, title=str(case), rgb=rgb, grey=grey), Y




def test_every_pooling_script_runs_alone_and_prints_the_cores_pooling():
    scripts, expected = zip(*(pool_script_for(case) for case in POOL_SWEEP), strict=True)
    for case, output, Y in zip(POOL_SWEEP, run_alone(list(scripts)), expected, strict=True):
        shape, values = printed_array(output)
        assert shape == Y.shape, case
        np.testing.assert_allclose(values, Y.ravel(), atol=1e-4 * max(1.0, float(np.abs(Y).max())), err_msg=str(case))


def test_the_pooling_script_is_the_books_loop_with_the_books_answer():
    source, Y = pool_script_for(POOL_SWEEP[1])
    assert "X = np.array([[[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11], [12, 13, 14, 15]], [[1, 2, 3, 4]" in source
    assert 'pool_size, stride, padding, mode = (3, 3), 2, 1, "max"' in source
    assert "tf.nn.max_pool2d" in source and 'padding="VALID"' in source
    np.testing.assert_array_equal(Y[0], [[5, 7], [13, 15]])
    namespace: dict = {}
    loops = source.split("# The same pooling in TensorFlow")[0]  # the loops alone, without TensorFlow
    exec(compile(loops, "<the pooling script>", "exec"), namespace)
    np.testing.assert_array_equal(namespace["Y"], Y)


def test_a_pictures_script_rebuilds_the_pages_x_from_its_pixels():
    source, _ = pool_script_for(POOL_SWEEP[-1])
    assert "base64.b64decode(" in source and ".reshape(96, 96, 3)" in source
    namespace: dict = {}
    exec(compile(source.split("pool_size, stride")[0].replace("import tensorflow as tf", ""), "<x>", "exec"),
         namespace)
    from convviz.model.pool_steps import pool_picture

    np.testing.assert_array_equal(namespace["X"], pool_picture("stripes", True))  # the very X the page pools


@pytest.mark.parametrize("query", [{"pool_values": "book", "pool_k": "3", "pool_padding": "1", "pool_stride": "2"},
                                   {"pool_values": "image", "pool_image": "stripes", "pool_grey": "true",
                                    "pool_mode": "avg"}])
def test_the_pooling_tab_shows_its_code_when_opened_and_offers_x_and_y(query):
    at = run_view("Pooling", **query)
    assert not at.code, "closed: nothing drawn on every re-run"
    at.session_state["pool_kit_open"] = True
    at.run()
    assert not at.exception
    shown = at.code[0].value
    assert shown.startswith("# convviz: ?view=Pooling&pool_values=" + query["pool_values"])
    case = (POOL_SWEEP[1] if query["pool_values"] == "book"
            else ("image", 0, 0, 0, 2, 2, 0, "avg", 0, "stripes", True))
    source, _ = pool_script_for(case)
    assert shown.splitlines()[1:] == source.splitlines()[1:]  # the script the fresh-interpreter test runs
    [download] = at.get("download_button")
    assert download.key == "pool_kit_zip"
