"""The 1×1 explorer in Streamlit's AppTest: its controls, presets, edits and links never raise, the pixel's output
on screen is W·x, and the matrix-product path agrees with the general path within the tolerance."""

from __future__ import annotations

import base64
import dataclasses
import json
import re
from pathlib import Path

import numpy as np
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from test_app import link_notices

from convviz.model import mixing

APP = str(Path(__file__).resolve().parents[1] / "app.py")
VIEW = "1×1 convolution"
PIXEL_LINE = re.compile(r"Pixel \((\d+), (\d+)\): x = X\[:, \d+, \d+\] = \(([^)]*)\), y = W·x = \(([^)]*)\)")


def open_view(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["view"] = VIEW
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def shown_pixel(at: AppTest) -> tuple[int, int, np.ndarray, np.ndarray]:
    """The pixel line under the row/column inputs: (row, col, x, y) as the page writes them."""
    lines = [m for m in (PIXEL_LINE.search(md.value) for md in at.markdown) if m]
    assert len(lines) == 1
    row, col, x, y = lines[0].groups()
    return int(row), int(col), np.array([float(v) for v in x.split(",")]), np.array([float(v) for v in y.split(",")])


def current_w(at: AppTest) -> np.ndarray:
    return np.array(at.session_state["mix_matrix_state"]["W"])


def settings(at: AppTest) -> dict[str, int]:
    return {key: int(at.number_input(key=f"mix_{key}").value) for key in ("c_in", "c_out", "h", "w", "seed")}


def assert_output_is_w_times_x(at: AppTest, W: np.ndarray | None = None) -> None:
    """The displayed y equals W·x for the displayed pixel, with W and X recomputed here independently."""
    s = settings(at)
    W = current_w(at) if W is None else W
    X = mixing.input_image(s["c_in"], s["h"], s["w"], s["seed"])
    row, col, x, y = shown_pixel(at)
    assert (row, col) == (at.number_input(key="mix_row").value, at.number_input(key="mix_col").value)
    assert np.array_equal(x, X[:, row, col])
    assert np.allclose(y, W @ X[:, row, col], rtol=1e-3, atol=1e-3)  # the page writes 4 significant digits
    figure = pixel_chart(at)
    names = [trace.get("name") for trace in figure["data"]]
    y_trace = figure["data"][names.index("y")]
    assert np.allclose(np.ravel(decode(y_trace["z"])), W @ X[:, row, col], atol=1e-3)


def assert_paths_agree(at: AppTest) -> None:
    agree = [s.value for s in at.success if "max |Y_1×1 − Y_general|" in s.value]
    assert len(agree) == 1, [e.value for e in at.error]
    diff, tol = re.search(r"= (\S+) ≤ tolerance (\S+?)\.?$", agree[0]).groups()
    assert float(diff) <= float(tol)


def decode(z: object) -> np.ndarray:
    """Plotly may ship arrays as {"dtype", "bdata", "shape"} (base64); plain lists pass through."""
    if isinstance(z, dict) and "bdata" in z:
        array = np.frombuffer(base64.b64decode(z["bdata"]), dtype=np.dtype(z["dtype"]))
        return array.reshape([int(n) for n in str(z.get("shape", len(array))).split(",")])
    return np.array(z, dtype=float)


def charts(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def pixel_chart(at: AppTest) -> dict:
    found = [c for c in charts(at) if any(t.get("name") == "pick-X" for t in c["data"])]
    assert len(found) == 1
    return found[0]


# ---- opening the view ----


def test_view_opens_with_its_figures_and_the_checks():
    at = open_view()
    assert_clean(at)
    assert len(at.get("plotly_chart")) == 3  # W, one pixel (animated), the matrix product
    assert len(pixel_chart(at)["frames"]) == 16
    assert_output_is_w_times_x(at, mixing.preset_matrix("random", 3, 3, 0))
    assert_paths_agree(at)
    assert at.dataframe[1].value.shape[0] == 4  # bottleneck table: direct, 1×1, k×k, total


# ---- presets and sizes ----


@pytest.mark.parametrize("preset", mixing.PRESETS)
def test_every_preset_shows_w_times_x_and_agrees(preset):
    at = open_view()
    at.radio(key="mix_preset").set_value(preset).run()
    assert_clean(at)
    assert np.allclose(current_w(at), mixing.preset_matrix(preset, 3, 3, 0))
    assert_output_is_w_times_x(at)
    assert_paths_agree(at)


@pytest.mark.parametrize(
    "changes",
    [
        {"mix_c_in": 1, "mix_c_out": 1, "mix_h": 1, "mix_w": 1},
        {"mix_c_in": 8, "mix_c_out": 8, "mix_h": 16, "mix_w": 16},
        {"mix_c_in": 5, "mix_c_out": 2, "mix_seed": 9999},
    ],
)
def test_sizes_from_smallest_to_largest(changes):
    at = open_view()
    for key, value in changes.items():
        at.number_input(key=key).set_value(value).run()
        assert_clean(at)
    assert_output_is_w_times_x(at)
    assert_paths_agree(at)


def test_choosing_a_pixel_updates_the_numbers():
    at = open_view()
    before = shown_pixel(at)
    at.number_input(key="mix_row").set_value(3).run()
    at.number_input(key="mix_col").set_value(2).run()
    assert_clean(at)
    assert shown_pixel(at)[:2] == (3, 2) and not np.array_equal(shown_pixel(at)[3], before[3])
    assert_output_is_w_times_x(at)
    assert pixel_chart(at)["layout"]["sliders"][0]["active"] == 3 * 4 + 2


def test_pixel_is_clamped_when_the_picture_shrinks():
    at = open_view()
    at.number_input(key="mix_row").set_value(3).run()
    at.number_input(key="mix_col").set_value(3).run()
    at.number_input(key="mix_h").set_value(2).run()
    at.number_input(key="mix_w").set_value(1).run()
    assert_clean(at)
    assert (at.number_input(key="mix_row").value, at.number_input(key="mix_col").value) == (1, 0)
    assert_output_is_w_times_x(at)


def test_grey_without_three_inputs_explains_and_offers_a_fix():
    at = open_view(mix_c_in="5", mix_preset="grey")
    assert_clean(at)
    assert any("needs 3 input channels" in w.value for w in at.warning)
    assert np.allclose(current_w(at)[:, :3], mixing.LUMA) and not current_w(at)[:, 3:].any()
    at.button(key="mix_grey_fix").click().run()
    assert_clean(at)
    assert at.number_input(key="mix_c_in").value == 3 and not at.warning
    assert np.allclose(current_w(at), [mixing.LUMA] * 3)


def test_k_and_bias_change_the_cost_tables():
    at = open_view()
    at.select_slider(key="mix_k").set_value(5).run()
    assert_clean(at)
    table = at.dataframe[0].value
    assert list(table["parameters"]) == ["9", "225"]  # 3·3 and 3·3·5²
    assert any("25× the parameters" in md.value for md in at.markdown)
    at.checkbox(key="mix_bias").check().run()
    assert_clean(at)
    assert list(at.dataframe[0].value["parameters"]) == ["12", "228"]
    at.select_slider(key="mix_k").set_value(1).run()
    assert_clean(at)
    assert any("rank at most 64" in i.value for i in at.info)


# ---- editing W: the last good matrix rule ----


@pytest.mark.parametrize(
    "bad",
    [
        "1, 0, 0\n0, one, 0\n0, 0, 1",
        "nan, 0, 0\n0, 1, 0\n0, 0, 1",
        "1, 0, 0\n0, inf, 0\n0, 0, -inf",
        "1e400, 0, 0\n0, 1, 0\n0, 0, 1",
        "1, 0\n0, 1",
        "1, 0, 0\n0, 1, 0\n0, 0, 1\n1, 1, 1",
        "",
    ],
)
def test_a_bad_edit_gets_a_message_and_keeps_the_last_good_matrix(bad):
    at = open_view()
    good = "1, 2, 0\n0, 1, 0\n0, 0, -1"
    at.text_area(key="mix_W_text").input(good).run()
    assert_clean(at)
    assert not at.error and np.array_equal(current_w(at), [[1, 2, 0], [0, 1, 0], [0, 0, -1]])
    assert dict(at.query_params)["mix_W"] == "1,2,0;0,1,0;0,0,-1"  # the edit travels with the link
    at.text_area(key="mix_W_text").input(bad).run()
    assert_clean(at)
    assert len(at.error) == 1 and "keeps its last good value" in at.error[0].value
    assert np.array_equal(current_w(at), [[1, 2, 0], [0, 1, 0], [0, 0, -1]])  # the last good edit, not the preset
    assert dict(at.query_params)["mix_W"] == "1,2,0;0,1,0;0,0,-1"
    assert_output_is_w_times_x(at, np.array([[1, 2, 0], [0, 1, 0], [0, 0, -1]]))
    assert_paths_agree(at)


def test_reset_goes_back_to_the_preset():
    at = open_view()
    at.text_area(key="mix_W_text").input("1 1 1\n1 1 1\n1 1 1").run()
    at.button(key="mix_reset").click().run()
    assert_clean(at)
    assert np.array_equal(current_w(at), mixing.preset_matrix("random", 3, 3, 0))
    assert "mix_W" not in dict(at.query_params)


def test_changing_the_preset_replaces_an_edit():
    at = open_view()
    at.text_area(key="mix_W_text").input("1 1 1\n1 1 1\n1 1 1").run()
    at.radio(key="mix_preset").set_value("identity").run()
    assert_clean(at)
    assert np.array_equal(current_w(at), np.eye(3)) and "mix_W" not in dict(at.query_params)
    assert at.text_area(key="mix_W_text").value == "1, 0, 0\n0, 1, 0\n0, 0, 1"


# ---- links ----


def test_a_link_with_an_edited_matrix_reproduces_it():
    at = open_view(mix_c_out="2", mix_W="0,0,1;0.5,0.5,0")
    assert_clean(at)
    assert np.array_equal(current_w(at), [[0, 0, 1], [0.5, 0.5, 0]])
    assert_output_is_w_times_x(at)


@pytest.mark.parametrize("bad", ["nan,0,0;0,1,0;0,0,1", "1,0;0,1", "x", "1e999,0,0;0,1,0;0,0,1"])
def test_a_link_with_a_bad_matrix_gets_a_notice_and_the_preset(bad):
    at = open_view(mix_W=bad)
    assert_clean(at)
    assert any("mix_W" in notice for notice in link_notices(at))
    assert np.array_equal(current_w(at), mixing.preset_matrix("random", 3, 3, 0))
    assert "mix_W" not in dict(at.query_params)


def test_hostile_links_are_cleaned_not_raised():
    at = open_view(
        mix_c_in="1e400",
        mix_c_out="-3",
        mix_h="abc",
        mix_w="99",
        mix_seed="nan",
        mix_preset="sepia",
        mix_row="15",
        mix_col="2.5",
        mix_k="4",
        mix_bias="maybe",
    )
    assert_clean(at)
    assert len(link_notices(at)) == 10  # the notices say what was changed, one per key
    s = settings(at)
    assert (s["c_in"], s["c_out"], s["h"], s["w"]) == (3, 1, 4, 16)
    assert at.number_input(key="mix_row").value == 3  # 15 is beyond h = 4: the last row
    assert_output_is_w_times_x(at)


def test_the_edit_box_shows_the_last_good_matrix_after_a_visit_to_the_other_tab():
    at = open_view()
    at.text_area(key="mix_W_text").input("1 2 0\n0 1 0\n0 0 -1").run()
    # The student clicks the other tab (AppTest cannot click a tab: it sets the tabs' state, the open label).
    at.session_state["view_tabs_en"] = at.query_params["view"] = "Multi-channel correlation"
    at.run()
    assert_clean(at)
    assert any(c.key == "player" for c in at.get("bidi_component"))  # the main screen's player
    assert not any(t.key == "mix_W_text" for t in at.text_area)
    at.session_state["view_tabs_en"] = at.query_params["view"] = VIEW  # and comes back
    at.run()
    assert_clean(at)
    assert at.text_area(key="mix_W_text").value == "1, 2, 0\n0, 1, 0\n0, 0, -1"
    assert np.array_equal(current_w(at), [[1, 2, 0], [0, 1, 0], [0, 0, -1]])


def test_when_the_two_paths_disagree_the_page_says_so(monkeypatch: pytest.MonkeyPatch):
    # The check is not decoration: were the matrix product wrong, the page would show it in red.
    def disagreeing(X, W):
        return dataclasses.replace(real_check(X, W), max_abs_diff=1.0)  # far beyond its tolerance

    real_check = mixing.matmul_check
    monkeypatch.setattr(mixing, "matmul_check", disagreeing)
    try:
        at = open_view(mix_seed="9871")  # a setting no other test caches
        assert_clean(at)
        assert not any("agree" in s.value for s in at.success)
        assert any("disagrees: max |Y_1×1 − Y_general| = 1 >" in e.value for e in at.error), [e.value for e in at.error]
    finally:
        st.cache_data.clear()  # the patched answer must not outlive this test
