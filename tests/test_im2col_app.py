"""The im2col tab as Streamlit runs it (AppTest): its link keys, the notices of values that do not fit, the numbers,
the memory cost and the checks, the lecture kit's script, both languages, and every control's range."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from convviz.core.correlation import corr2d_multi_in_out
from convviz.i18n.strings import text
from convviz.model.codegen import im2col_code
from convviz.model.im2col_steps import dilation_high, k_high, padding_high, unfold_inputs
from convviz.model.link import VIEWS, parse
from tests.conftest import assert_scripts_print, int_bounds, player_figure, run_view


def run_im2col(view: str = "im2col", **query: str) -> AppTest:
    return run_view(view, **query)


def figure(at: AppTest) -> dict:
    return player_figure(at, "col_player")


def finished_maps(spec: dict, c_out: int) -> np.ndarray:
    """The output maps of the last frame (after Y_flat's c_o rows)."""
    return np.array([d["z"] for d in spec["frames"][-1]["data"][c_out:]], float)


def notices(at: AppTest) -> list[str]:
    return [t.value[2:] for t in at.text if t.value.startswith("• ")]


def test_the_books_example_is_d2ls_and_the_page_states_the_cost_and_the_check():
    at = run_im2col()
    assert not at.exception and not notices(at)
    assert at.query_params["view"] == VIEWS[-1] == "im2col"
    np.testing.assert_array_equal(finished_maps(figure(at), 2), [[[56, 72], [104, 120]], [[76, 100], [148, 172]]])
    markdown = [m.value for m in at.markdown]
    assert text("col_intro") in markdown
    assert text("col_memory", c_in=2, k=2, h_o=2, w_o=2, h=3, w=3, unfolded=32, held=18, ratio=32 / 18,
                kk=4) in markdown  # 2·2·2·2·2 = 32 numbers against 2·3·3 = 18: 1.78 times
    assert "**1.78 times as many**" in text("col_memory", c_in=2, k=2, h_o=2, w_o=2, h=3, w=3, unfolded=32, held=18,
                                            ratio=32 / 18, kk=4)
    assert [s.value for s in at.success] == [text("col_check_ok", diff=0.0)]
    assert text("col_one_by_one") in markdown
    assert text("col_title") in [h.value for h in at.subheader]
    assert figure(at)["layout"]["meta"]["n_steps"] == 4


def test_a_1x1_kernel_is_checked_against_the_chapters_1x1_function():
    at = run_im2col(col_k="1", col_values="integers", col_stride="2")
    assert not at.exception and not notices(at)
    assert text("col_one_by_one_here", diff=0.0) in [m.value for m in at.markdown]
    assert text("col_one_by_one") not in [m.value for m in at.markdown]


@pytest.mark.parametrize("view", ["im2col", "IM2COL", " Im2Col "])
def test_a_link_may_name_the_view_in_short(view: str):
    values, problems = parse({"view": [view]})
    assert values["view"] == "im2col" and not problems


@pytest.mark.parametrize(("query", "key", "value"), [
    ({"col_h": "2", "col_k": "3"}, "col_k", 2),  # never wider than the input
    ({"col_k": "2", "col_padding": "2"}, "col_padding", 1),  # at most k - 1
    ({"col_k": "1", "col_padding": "1"}, "col_padding", 0),
    ({"col_h": "3", "col_k": "3", "col_dilation": "2"}, "col_dilation", 1),  # a window of 5 cells in 3
    ({"col_step": "99"}, "col_step", 3),  # 2×2 output positions
])
def test_link_values_that_do_not_fit_are_clamped_with_a_notice(query: dict[str, str], key: str, value: int):
    values, problems = parse({k: [v] for k, v in query.items()})
    assert values[key] == value and len(problems) == 1 and problems[0].args()["key"] == key
    at = run_im2col(**query)
    assert not at.exception
    assert len(notices(at)) == 1 and key in notices(at)[0]
    if key != "col_step":
        assert at.number_input(key=key).value == value


def test_a_dilated_window_that_fits_is_kept():
    values, problems = parse({"col_h": ["3"], "col_k": ["3"], "col_padding": ["1"], "col_dilation": ["2"]})
    assert values["col_dilation"] == 2 and not problems


def test_the_step_rests_in_the_link():
    at = run_im2col()
    at.session_state["col_player"] = {"step": 2, "room": None}
    at.run()
    assert at.query_params["col_step"] == "2"


def test_the_lecture_kit_shows_the_script_for_the_page():
    at = run_im2col(col_values="integers", col_c_in="3", col_stride="2", col_dilation="2", col_h="5")
    at.session_state["col_kit_open"] = True
    at.run()
    code = [c.value for c in at.code]
    assert len(code) == 1 and "tf.nn.conv2d" in code[0] and "stride, padding, dilation = 2, 0, 2" in code[0]
    assert "?view=im2col&col_values=integers&col_c_in=3" in code[0]
    assert "def im2col(X, k_h, k_w)" in code[0]


def test_the_kits_script_runs_alone_and_prints_the_cores_answer():
    cases = [("book", 2, 1, 3, 3, 2, 1, 0, 1), ("integers", 3, 2, 5, 4, 3, 2, 1, 2), ("random", 1, 3, 6, 6, 1, 3, 0, 1),
             ("random", 2, 2, 4, 6, 2, 1, 1, 2)]
    expected, scripts = [], []
    for values, c_in, c_out, h, w, k, s, p, d in cases:
        X, K = unfold_inputs(values, c_in, c_out, h, w, k, 5)
        expected.append(corr2d_multi_in_out(X, K, stride=s, padding=p, dilation=d).numpy())
        scripts.append(im2col_code(X, K, stride=s, padding=p, dilation=d, title=values))
    assert_scripts_print(scripts, expected)



@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.fixed_dictionaries({key: st.integers(*int_bounds(key)) for key in (
    "col_c_in", "col_c_out", "col_h", "col_w", "col_stride", "col_seed")}),
    st.sampled_from(["book", "integers", "random"]), st.integers(1, 3), st.integers(0, 2), st.integers(1, 2))
def test_every_setting_renders_the_numbers_tf_computes(numbers, values, k, padding, dilation):
    h, w = numbers["col_h"], numbers["col_w"]
    k = min(k, k_high(h, w))
    padding = min(padding, padding_high(k))
    dilation = min(dilation, dilation_high(h, w, k, padding))
    at = run_im2col(**{key: str(v) for key, v in numbers.items()}, col_values=values, col_k=str(k),
                    col_padding=str(padding), col_dilation=str(dilation))
    assert not at.exception and not notices(at)
    X, K = unfold_inputs(values, numbers["col_c_in"], numbers["col_c_out"], h, w, k, numbers["col_seed"])
    Y = corr2d_multi_in_out(X, K, stride=numbers["col_stride"], padding=padding, dilation=dilation).numpy()
    np.testing.assert_allclose(finished_maps(figure(at), numbers["col_c_out"]), Y, atol=0.011)
    assert len(at.success) == 1 and not at.error


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_tab_speaks_both_languages(language: str):
    at = run_im2col(lang=language)
    assert not at.exception
    assert text("col_title", language) in [h.value for h in at.subheader]
    assert text("col_intro", language) in [m.value for m in at.markdown]
    assert text("tab_im2col", language) in [tab.label for tab in at.tabs]


def test_the_memory_cost_counts_the_copied_zeros_of_the_padding():
    """2×2 input, 2×2 kernel, padding 1: 3×3 windows of 2·2·2 numbers each, 72 in X_col against X's 8: 9 times, more
    than k·k = 4, because the zeros around X are copied too."""
    at = run_im2col(col_h="2", col_w="2", col_padding="1")
    assert not at.exception and not notices(at)
    memory = text("col_memory", c_in=2, k=2, h_o=3, w_o=3, h=2, w=2, unfolded=72, held=8, ratio=9.0, kk=4)
    assert memory in [m.value for m in at.markdown] and "**9 times as many**" in memory
