"""The separable tab in Streamlit's AppTest: it opens from a link, shows the counts and the ratio a teacher can
check by hand, draws both outputs with TensorFlow's numbers, edits W as the 1×1 tab does, and answers bad link
values with notices instead of tracebacks."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
import streamlit as st
import tensorflow as tf
from streamlit.testing.v1 import AppTest
from test_app import APP, TIMEOUT, decode

from convviz.figures.separable import tiled
from convviz.i18n.strings import text
from convviz.model import mixing, separable

VIEW = text("tab_separable")


def open_view(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["view"] = VIEW
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def notices(at: AppTest) -> list[str]:
    return [t.value[2:] for t in at.text if t.value.startswith("• ")]


def markdown(at: AppTest) -> str:
    return "\n".join(md.value for md in at.markdown)


def current_w(at: AppTest) -> np.ndarray:
    return np.array(at.session_state["sep_matrix_state"]["W"])


def maps_chart(at: AppTest) -> dict[str, np.ndarray]:
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    maps = next(c for c in charts if len(c["data"]) == 4)
    return {t["name"]: np.array([[np.nan if v is None else v for v in row] for row in decode_rows(t["z"])])
            for t in maps["data"]}


def decode_rows(z):
    return z if isinstance(z, list) else decode(z).tolist()


def test_defaults_render_every_section_and_every_control_is_found_by_key():
    at = open_view()
    assert_clean(at)
    assert at.query_params["view"] in (VIEW, [VIEW])
    for key in ("sep_c_in", "sep_c_out", "sep_h", "sep_w", "sep_seed"):
        assert at.number_input(key=key).value is not None
    assert at.select_slider(key="sep_k").value == 3
    assert at.selectbox(key="sep_preset").value == "random"
    assert len(at.get("plotly_chart")) == 3  # W, both outputs, the two kernels
    assert at.dataframe[0].value.shape == (4, 6)  # (a), (b)'s two layers, (b) in all
    assert any(s.value.startswith("Checked: (b) equals the full layer") for s in at.success)
    assert not notices(at)  # nothing in the link to correct


def test_four_channels_and_a_3x3_kernel_give_the_counts_worked_by_hand():
    at = open_view(sep_c_in="4", sep_c_out="4", sep_k="3", sep_h="6", sep_w="6")
    assert_clean(at)
    table = at.dataframe[0].value
    params = dict(zip(table.iloc[:, 0], table["parameters"], strict=True))
    # (a) 4·4·3² = 144; (b) 4·1·3² = 36 depthwise + 4·4 = 16 pointwise = 52.
    assert list(params.values()) == ["144", "36", "16", "52"]
    assert list(table["groups"]) == ["1", "4", "1", ""]
    # 1/c_o + 1/k² = 1/4 + 1/9 = 13/36 ≈ 0.3611; from the counts 52 ÷ 144 and 1,872 ÷ 5,184 (6·6 pixels).
    page = markdown(at)
    assert "= 1/4 + 1/9 = 13/36 ≈ 0.3611" in page
    assert "parameters 52 ÷ 144 = 13/36 ≈ 0.3611" in page
    assert "multiply–adds 1,872 ÷ 5,184 = 13/36 ≈ 0.3611" in page
    assert any("2.77× fewer" in s.value for s in at.success)  # 144 / 52


def test_a_1x1_kernel_makes_the_separable_route_dearer():
    at = open_view(sep_c_out="4", sep_k="1")
    assert_clean(at)
    assert "= 1/4 + 1/1 = 5/4 ≈ 1.25" in markdown(at)
    assert any("costs 1.25× as much" in i.value for i in at.info)


def test_both_outputs_on_screen_are_what_tensorflow_computes():
    at = open_view(sep_c_in="2", sep_c_out="3", sep_h="5", sep_w="4", sep_k="5", sep_seed="3")
    assert_clean(at)
    X = mixing.input_image(2, 5, 4, 3)
    K, D = separable.kernels(2, 3, 5, 3)
    W = mixing.preset_matrix("random", 3, 2, 3)
    nhwc = X.transpose(1, 2, 0)[np.newaxis].astype(np.float32)
    Y_a = tf.nn.conv2d(nhwc, K.transpose(2, 3, 1, 0).astype(np.float32), 1, "SAME").numpy()[0].transpose(2, 0, 1)
    Z = tf.nn.conv2d(nhwc, D.transpose(2, 3, 1, 0).astype(np.float32), 1, "SAME").numpy()  # depth 1: 2 groups
    Y_b = np.einsum("oc,hwc->ohw", W, Z[0])
    shown = maps_chart(at)
    a = next(z for name, z in shown.items() if name.startswith("(a)"))
    b = next(z for name, z in shown.items() if name.startswith("(b) step 2"))
    np.testing.assert_allclose(a, tiled(Y_a[np.newaxis]), atol=1e-3)
    np.testing.assert_allclose(b, tiled(Y_b[np.newaxis]), atol=1e-3)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"sep_h": "99"}, "“sep_h=99” is outside 1–16 or not whole, so 16 is used."),
        ({"sep_c_in": "abc"}, "“sep_c_in=abc” is not a number written in digits 0–9, so it was ignored."),
        ({"sep_seed": "1e400"}, "“sep_seed=1e400” is too large a number, so it was ignored."),
        ({"sep_k": "4"}, "“sep_k=4” is not one of 1, 3, 5, 7, so it was ignored."),
        ({"sep_preset": "sepia"}, "“sep_preset=sepia” is not one of identity, swap, grey, average, random, so it was"),
        ({"sep_cin": "4"}, "“sep_cin” is not a setting; did you mean “sep_c_in”? It was removed from the link."),
        ({"sep_W": "1,2;3"}, "“sep_W” in the link is not a 4×3 matrix (W needs 4 rows"),
    ],
)
def test_bad_link_values_get_one_notice_each_and_the_page_still_draws(query, expected):
    at = open_view(**query)
    assert_clean(at)
    assert len(notices(at)) == 1 and notices(at)[0].startswith(expected), notices(at)
    assert len(at.get("plotly_chart")) == 3
    for key in query:
        assert key not in at.query_params or at.query_params[key] != query[key]  # the link no longer carries it


def test_an_edited_w_in_the_link_is_used_and_kept():
    at = open_view(sep_c_in="2", sep_c_out="2", sep_W="1,0;0.5,-2")
    assert_clean(at)
    np.testing.assert_array_equal(current_w(at), [[1, 0], [0.5, -2]])
    assert at.text_area(key="sep_W_text").value == "1, 0\n0.5, -2"
    assert at.query_params["sep_W"] in ("1,0;0.5,-2", ["1,0;0.5,-2"])
    assert not notices(at)


def test_editing_w_keeps_good_edits_refuses_bad_ones_and_resets_to_the_preset():
    at = open_view(sep_c_in="2", sep_c_out="2", sep_preset="identity")
    at.text_area(key="sep_W_text").input("2 1\n0 -1").run()
    assert_clean(at)
    np.testing.assert_array_equal(current_w(at), [[2, 1], [0, -1]])
    assert "sep_W" in at.query_params  # the edit travels in the link
    at.text_area(key="sep_W_text").input("2 1\n0 x").run()
    assert any("“x” is not a number" in e.value for e in at.error)
    np.testing.assert_array_equal(current_w(at), [[2, 1], [0, -1]])  # the last good W stays
    at.button(key="sep_reset").click().run()
    assert_clean(at)
    np.testing.assert_array_equal(current_w(at), np.eye(2))
    assert "sep_W" not in at.query_params


def test_changing_the_channels_starts_again_from_the_preset():
    at = open_view(sep_c_in="2", sep_c_out="2", sep_W="1,1;1,1")
    at.number_input(key="sep_c_out").set_value(3).run()
    assert_clean(at)
    np.testing.assert_array_equal(current_w(at), mixing.preset_matrix("random", 3, 2, 0))
    assert "sep_W" not in at.query_params


def test_the_edit_box_shows_the_last_good_matrix_after_a_visit_to_another_tab():
    at = open_view(sep_c_in="2", sep_c_out="2")
    at.text_area(key="sep_W_text").input("1 2\n3 4").run()
    at.session_state["view_tabs_en"] = at.query_params["view"] = text("tab_main")  # AppTest cannot click a tab
    at.run()
    assert_clean(at)
    assert not any(t.key == "sep_W_text" for t in at.text_area)
    at.session_state["view_tabs_en"] = at.query_params["view"] = VIEW
    at.run()
    assert_clean(at)
    assert at.text_area(key="sep_W_text").value == "1, 2\n3, 4"


def test_when_route_b_disagrees_with_its_full_kernel_the_page_says_so(monkeypatch: pytest.MonkeyPatch):
    # The green check is earned: were the separable route's answer off, the page would say so in red.
    real = separable.separable_layers
    monkeypatch.setattr(separable, "separable_layers",
                        lambda *args: dataclasses.replace(real(*args), equivalent_diff=1.0))
    try:
        at = open_view(sep_seed="9876")  # a setting no other test caches
        assert_clean(at)
        assert not any(s.value.startswith("Checked") for s in at.success)
        assert any("disagree: max difference 1 >" in e.value for e in at.error), [e.value for e in at.error]
    finally:
        st.cache_data.clear()  # the patched answer must not outlive this test
