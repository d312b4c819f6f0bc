"""The stacked layers tab as Streamlit runs it (AppTest): its link keys and notices, the one layer's check, ReLU's
difference, the kit's script, and every control's range."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from convviz.core.stacking import Layer
from convviz.i18n.strings import text
from convviz.model.codegen import stack_code
from convviz.model.link import VIEWS
from convviz.model.stack_steps import field_formula, stack_inputs, stack_table, steps_count
from tests.conftest import assert_scripts_print, int_bounds, player_figure, run_view


def run_stack(**query: str) -> AppTest:
    return run_view("stack", **query)


def last_maps(at: AppTest) -> np.ndarray:
    spec = player_figure(at, "st_player")
    return np.array([spec["data"][int(i)]["z"] for i in spec["layout"]["meta"]["output_traces"]], float)


def notices(at: AppTest) -> list[str]:
    return [t.value[2:] for t in at.text if t.value.startswith("• ")]


def test_the_default_row_is_two_3x3_layers_one_5x5_layer_and_a_field_of_5():
    at = run_stack()
    assert not at.exception and not notices(at)
    assert at.query_params["view"] == VIEWS[5]
    layers = [Layer(2, 3), Layer(1, 3)]
    X, kernels = stack_inputs("integers", 1, 7, 7, layers, 0)
    np.testing.assert_array_equal(last_maps(at), stack_table(X, layers, kernels).maps[-1])
    formula, size = field_formula(layers)
    assert text("st_field", n=2, formula=formula, r=5) in [m.value for m in at.markdown] and size == 5
    assert text("st_one", c_out=1, c_in=1, k=5, s=1, p=0) in [m.value for m in at.markdown]
    assert len(at.success) == 1 and at.success[0].value.startswith(text("st_one_same", diff=0.0)[:30])
    assert not at.warning


def test_relu_and_later_padding_say_where_the_one_layer_differs():
    relu = run_stack(st_relu="true", st_values="random")
    assert not relu.exception and not relu.success
    assert len(relu.warning) == 1 and "ReLU" in relu.warning[0].value
    padded = run_stack(st_p2="1")
    assert not padded.exception and len(padded.warning) == 1 and "Padding" in padded.warning[0].value


def test_a_row_that_cannot_run_says_which_numbers_do_not_fit():
    at = run_stack(st_h="3", st_w="3", st_k1="3", st_k2="3")  # 3×3 → 1×1, and a 3×3 kernel cannot fit it
    assert not at.exception
    assert len(at.error) == 1 and "does not fit" in at.error[0].value


def test_link_values_out_of_range_are_clamped_with_a_notice():
    at = run_stack(st_step="80")
    assert at.query_params["st_step"] == "8" and len(notices(at)) == 1  # 3×3 cells in the last map
    at = run_stack(st_layers="4")
    assert len(notices(at)) == 1 and "st_layers" in notices(at)[0]


def test_three_layers_draw_three_layers_controls_and_the_step_rests_in_the_link():
    at = run_stack(st_layers="3", st_k3="1")
    assert not at.exception
    assert at.number_input(key="st_k3").value == 1
    at.session_state["st_player"] = {"step": 0, "room": None}
    at.run()
    assert "st_step" not in at.query_params  # the default step is not written
    at.session_state["st_player"] = {"step": 4, "room": None}
    at.run()
    assert at.query_params["st_step"] == "4"


def test_the_lecture_kit_prints_the_pages_last_map():
    at = run_stack(st_relu="true")
    at.session_state["st_kit_open"] = True
    at.run()
    (code,) = [c.value for c in at.code]
    assert "relu = True" in code and "?view=stack&" in code
    cases = [([Layer(2, 3), Layer(1, 3)], False), ([Layer(2, 3, 2, 1), Layer(2, 2, 1, 0, 2), Layer(1, 2)], True)]
    scripts, expected = [], []
    for layers, relu in cases:
        X, kernels = stack_inputs("random", 2, 9, 9, layers, 4)
        scripts.append(stack_code(X, kernels, tuple(layers), relu=relu, title="test"))
        expected.append(stack_table(X, layers, kernels, relu=relu).maps[-1])
    assert_scripts_print(scripts, expected)



@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.fixed_dictionaries({key: st.integers(*int_bounds(key)) for key in (
    "st_c0", "st_h", "st_w", "st_seed", "st_c1", "st_k1", "st_s1", "st_p1", "st_d1", "st_c2", "st_k2", "st_s2",
    "st_p2", "st_d2", "st_c3", "st_k3", "st_s3", "st_p3", "st_d3")}),
    st.sampled_from(["2", "3"]), st.booleans(), st.sampled_from(["integers", "random"]))
def test_every_setting_draws_the_row_tf_computes_or_says_why_not(numbers, count, relu, values):
    at = run_stack(**{k: str(v) for k, v in numbers.items()}, st_layers=count, st_relu=str(relu).lower(),
                   st_values=values)
    assert not at.exception and not notices(at)
    layers = [Layer(numbers[f"st_c{n}"], numbers[f"st_k{n}"], numbers[f"st_s{n}"], numbers[f"st_p{n}"],
                    numbers[f"st_d{n}"]) for n in range(1, int(count) + 1)]
    if steps_count(numbers["st_c0"], numbers["st_h"], numbers["st_w"], layers) == 0:
        assert len(at.error) == 1
        return
    X, kernels = stack_inputs(values, numbers["st_c0"], numbers["st_h"], numbers["st_w"], layers, numbers["st_seed"])
    np.testing.assert_allclose(last_maps(at), stack_table(X, layers, kernels, relu=relu).maps[-1], atol=0.006)
    assert len(at.success) + len(at.warning) == 1


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_tab_speaks_both_languages(language: str):
    at = run_stack(lang=language)
    assert not at.exception
    assert text("st_title", language, n=2) in [h.value for h in at.subheader]
    assert text("tab_stack", language) in [tab.label for tab in at.tabs]
