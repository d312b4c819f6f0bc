"""The transposed convolution tab as Streamlit runs it (AppTest): its link keys, notices, numbers, the two other
readings of Y, the lecture kit's script, and every control's range."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from convviz.core.transposed import corr2d_transpose
from convviz.i18n.strings import text
from convviz.model.codegen import transposed_code
from convviz.model.link import VIEWS
from convviz.model.transposed_steps import padding_high, transpose_inputs
from tests.conftest import assert_scripts_print, int_bounds, player_figure, run_view


def run_transposed(view: str = "transposed", **query: str) -> AppTest:
    return run_view(view, **query)


def figure(at: AppTest) -> dict:
    return player_figure(at, "tr_player")


def finished_maps(spec: dict, c_out: int) -> np.ndarray:
    """The running sums of the last frame: the full output maps before cropping."""
    heatmaps = [d for d in spec["frames"][-1]["data"] if d["type"] == "heatmap"]
    return np.array([h["z"] for h in heatmaps[-c_out:]], float)


def static_figure(at: AppTest, key: str) -> dict:
    chart = next(c for c in at.get("plotly_chart") if key in c.proto.id)
    return json.loads(chart.proto.spec)


def notices(at: AppTest) -> list[str]:
    return [t.value[2:] for t in at.text if t.value.startswith("• ")]


def test_the_books_example_scatters_to_d2ls_answer():
    at = run_transposed()
    assert not at.exception and not notices(at)
    assert at.query_params["view"] == VIEWS[4]  # the short name opened the tab; the link names it in full
    np.testing.assert_array_equal(finished_maps(figure(at), 1), [[[0, 0, 1], [0, 4, 6], [4, 12, 9]]])
    assert text("tr_intro") in [m.value for m in at.markdown]
    assert [s.value for s in at.success] == [text("tr_check_ok", diff=0.0)]
    assert text("tr_title") in [h.value for h in at.subheader]
    meta = figure(at)["layout"]["meta"]
    assert meta["n_steps"] == 4 and meta["step_label"] == text("tr_player_step")


def test_padding_crops_and_the_other_readings_show_the_same_y():
    at = run_transposed(tr_values="book", tr_stride="2", tr_padding="1")
    assert not at.exception and not notices(at)
    X, K = transpose_inputs("book", 1, 1, 2, 2, 2, 0)
    Y = corr2d_transpose(X, K, stride=2, padding=1).numpy()
    assert text("tr_crop_note", p=1, full_h=4, full_w=4) in [c.value for c in at.caption]
    as_corr = static_figure(at, "tr_as_corr_figure")
    outputs = [d for d in as_corr["data"] if d.get("coloraxis") == "coloraxis2"]
    np.testing.assert_array_equal(np.array([d["z"] for d in outputs], float), Y)
    matrix = static_figure(at, "tr_matrix_figure")
    np.testing.assert_array_equal(np.array(matrix["data"][2]["z"], float)[:, 0], Y.reshape(-1))
    captions = [c.value for c in at.caption]
    assert text("tr_as_corr_check", diff=0.0) in captions and text("tr_matrix_check", diff=0.0) in captions


def test_a_large_setting_says_the_matrix_is_too_big_instead_of_drawing_it():
    at = run_transposed(tr_c_in="3", tr_c_out="3", tr_h="6", tr_w="6", tr_k="4", tr_stride="3")
    assert not at.exception
    assert [i.value for i in at.info] == [text("tr_matrix_big", rows=3 * 19 * 19, cols=3 * 36, max_rows=64,
                                               max_cols=36)]


@pytest.mark.parametrize("view", ["transposed", "Transposed", "Transposed convolution", " TRANSPOSED "])
def test_a_link_may_name_the_view_in_short(view: str):
    at = run_transposed(view)
    assert not at.exception and not notices(at)
    assert figure(at)["layout"]["meta"]["n_steps"] == 4  # the transposed tab's player, not the main tab's


@pytest.mark.parametrize(("short", "view"), [("pooling", VIEWS[3]), ("mixing", VIEWS[1]), ("1x1", VIEWS[1]),
                                             ("separable", VIEWS[2]), ("main", VIEWS[0])])
def test_every_view_has_a_short_name(short: str, view: str):
    from convviz.model.link import parse

    values, problems = parse({"view": [short]})
    assert values["view"] == view and not problems


def test_link_values_that_do_not_fit_are_clamped_with_a_notice():
    at = run_transposed(tr_k="2", tr_padding="3")
    assert at.number_input(key="tr_padding").value == 1
    assert len(notices(at)) == 1 and "tr_padding" in notices(at)[0]
    stepped = run_transposed(tr_step="99")
    assert stepped.query_params["tr_step"] == "3" and len(notices(stepped)) == 1


def test_the_step_rests_in_the_link():
    at = run_transposed()
    at.session_state["tr_player"] = {"step": 2, "room": None}
    at.run()
    assert at.query_params["tr_step"] == "2"


def test_the_lecture_kit_shows_the_script_for_the_page():
    at = run_transposed(tr_values="integers", tr_c_in="2", tr_stride="2")
    at.session_state["tr_kit_open"] = True
    at.run()
    code = [c.value for c in at.code]
    assert len(code) == 1 and "tf.nn.conv2d_transpose" in code[0] and "stride, padding = 2, 0" in code[0]
    assert "?view=transposed&tr_values=integers&tr_c_in=2" in code[0]


def test_the_kits_script_runs_alone_and_prints_the_cores_answer():
    cases = [("book", 1, 1, 2, 2, 2, 1, 0), ("integers", 2, 3, 3, 2, 3, 2, 1), ("random", 3, 2, 2, 4, 4, 3, 3)]
    expected, scripts = [], []
    for values, c_in, c_out, h, w, k, s, p in cases:
        X, K = transpose_inputs(values, c_in, c_out, h, w, k, 5)
        expected.append(corr2d_transpose(X, K, stride=s, padding=p).numpy())
        scripts.append(transposed_code(X, K, stride=s, padding=p, title=values))
    assert_scripts_print(scripts, expected)



@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.fixed_dictionaries({key: st.integers(*int_bounds(key)) for key in (
    "tr_c_in", "tr_c_out", "tr_h", "tr_w", "tr_k", "tr_stride", "tr_seed")}),
    st.sampled_from(["book", "integers", "random"]), st.integers(0, 3))
def test_every_setting_renders_the_numbers_tf_computes(numbers, values, padding):
    padding = min(padding, padding_high(numbers["tr_h"], numbers["tr_w"], numbers["tr_k"], numbers["tr_stride"]))
    at = run_transposed(**{k: str(v) for k, v in numbers.items()}, tr_values=values, tr_padding=str(padding))
    assert not at.exception and not notices(at)
    X, K = transpose_inputs(values, numbers["tr_c_in"], numbers["tr_c_out"], numbers["tr_h"], numbers["tr_w"],
                            numbers["tr_k"], numbers["tr_seed"])
    Y = corr2d_transpose(X, K, stride=numbers["tr_stride"], padding=padding).numpy()
    full = finished_maps(figure(at), numbers["tr_c_out"])
    cropped = full[:, padding : full.shape[1] - padding, padding : full.shape[2] - padding]
    np.testing.assert_allclose(cropped, Y, atol=0.011)
    assert len(at.success) == 1 and not at.error


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_tab_speaks_both_languages(language: str):
    at = run_transposed(lang=language)
    assert not at.exception
    assert text("tr_title", language) in [h.value for h in at.subheader]
    assert text("tr_as_corr_title", language) in [h.value for h in at.subheader]
    assert text("tab_transposed", language) in [tab.label for tab in at.tabs]
