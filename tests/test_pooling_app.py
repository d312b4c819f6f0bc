"""The pooling tab as Streamlit runs it (AppTest): its link keys, notices, numbers, and every control's range."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from convviz.core.pooling import pool2d
from convviz.i18n.strings import text
from convviz.model.pool_steps import pool_input
from tests.conftest import int_bounds, player_figure, run_view


def run_pooling(**query: str) -> AppTest:
    return run_view("Pooling", **query)


def figure(at: AppTest) -> dict:
    return player_figure(at, "pool_player")


def output_maps(spec: dict) -> np.ndarray:
    return np.array([spec["data"][int(i)]["z"] for i in spec["layout"]["meta"]["output_traces"]], float)


def notices(at: AppTest) -> list[str]:
    return [t.value[2:] for t in at.text if t.value.startswith("• ")]


def test_the_books_example_pools_each_channel_on_its_own():
    at = run_pooling(pool_values="book", pool_k="3", pool_padding="1", pool_stride="2")
    assert not at.exception and not notices(at)
    np.testing.assert_array_equal(output_maps(figure(at)), [[[5, 7], [13, 15]], [[6, 8], [14, 16]]])  # d2l's
    assert text("pool_intro") in [m.value for m in at.markdown]
    assert len(at.success) == 1 and not at.error
    assert text("pool_rule_max") in [c.value for c in at.caption]


def test_average_pooling_counts_the_padding_as_zeros():
    at = run_pooling(pool_values="book", pool_k="2", pool_padding="1", pool_mode="avg", pool_c="1")
    X = pool_input("book", 1, 4, 4, 0)
    np.testing.assert_allclose(output_maps(figure(at)), pool2d(X, 2, padding=1, mode="avg").numpy(), atol=0.005)
    assert output_maps(figure(at))[0, 0, 0] == 0  # the corner window holds one real 0 and three padded zeros


def test_link_values_that_do_not_fit_are_clamped_or_explained():
    at = run_pooling(pool_k="2", pool_padding="2")
    assert at.number_input(key="pool_padding").value == 1
    assert len(notices(at)) == 1 and "pool_padding" in notices(at)[0]
    impossible = run_pooling(pool_k="4", pool_h="1", pool_w="1")
    assert not impossible.exception
    assert [e.value for e in impossible.error] == [text("pool_impossible", k=4, h=1, w=1, p=0)]
    stepped = run_pooling(pool_step="999")
    assert stepped.query_params["pool_step"] == "3" and len(notices(stepped)) == 1


def test_the_step_rests_in_the_link():
    at = run_pooling()
    at.session_state["pool_player"] = {"step": 2, "room": None}
    at.run()
    assert at.query_params["pool_step"] == "2"



@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.fixed_dictionaries({key: st.integers(*int_bounds(key)) for key in (
    "pool_c", "pool_h", "pool_w", "pool_k", "pool_stride", "pool_seed")}),
    st.sampled_from(["max", "avg"]), st.sampled_from(["integers", "random", "book"]), st.integers(0, 2))
def test_every_pooling_setting_renders_the_numbers_tf_computes_or_explains(numbers, mode, values, padding):
    padding = min(padding, numbers["pool_k"] // 2)
    at = run_pooling(**{k: str(v) for k, v in numbers.items()}, pool_mode=mode, pool_values=values,
                     pool_padding=str(padding))
    assert not at.exception and not notices(at)
    k, stride = numbers["pool_k"], numbers["pool_stride"] or numbers["pool_k"]
    X = pool_input(values, numbers["pool_c"], numbers["pool_h"], numbers["pool_w"], numbers["pool_seed"])
    try:
        Y = pool2d(X, k, stride=stride, padding=padding, mode=mode).numpy()
    except ValueError:
        assert len(at.error) == 1
        return
    np.testing.assert_allclose(output_maps(figure(at)), Y, atol=0.006)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_tab_speaks_both_languages(language: str):
    at = run_pooling(lang=language)
    assert not at.exception
    assert text("pool_title", language, mode=text("pool_mode_max", language)) in [h.value for h in at.subheader]


# ---- a picture as pooling's input ----


def pooled_picture(name: str, grey: bool, k: int, stride: int, padding: int, mode: str) -> np.ndarray:
    from convviz.model.pool_steps import pool_picture

    return pool2d(pool_picture(name, grey), k, stride=stride, padding=padding, mode=mode).numpy()


def test_a_picture_shows_beside_its_pooled_maps_and_its_region_plays():
    at = run_pooling(pool_values="image", pool_image="shapes", pool_region="20,30", pool_mode="avg")
    assert not at.exception and not notices(at)
    assert [c.key for c in at.get("plotly_chart")] == ["pool_pick"]
    assert [c.key for c in at.get("bidi_component")] == ["pool_img_width", "pool_player"]  # the width probe, player
    assert {n.key for n in at.number_input} == {"pool_k", "pool_stride", "pool_padding"}  # the picture's own c, h, w
    assert at.selectbox(key="pool_image").value == "shapes" and at.toggle(key="pool_grey").value is False
    spec = figure(at)
    Y = pooled_picture("shapes", False, 2, 2, 0, "avg")
    np.testing.assert_allclose(output_maps(spec), Y[:, 20:24, 30:34], atol=0.005)  # 2 decimals of the picture's
    assert spec["layout"]["meta"]["origin"] == [20, 30]  # the step line names cells in the whole map
    assert text("img_region_title", row=20, col=30, rows=4, cols=4) in [h.value for h in at.subheader]
    assert text("pool_img_intro", k=2, s=2, h=96, w=96, h_o=48, w_o=48) in [m.value for m in at.markdown]
    assert len(at.success) == 1  # the region's steps agree with TensorFlow on the whole picture
    chart = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert [t["type"] for t in chart["data"]].count("heatmap") == 6


def test_without_a_region_the_player_starts_where_the_pooled_maps_vary_most():
    from convviz.model.images import busiest_region

    at = run_pooling(pool_values="image", pool_image="stripes", pool_grey="true", pool_mode="max", pool_k="3",
                     pool_stride="1", pool_padding="1")
    assert not at.exception
    Y = pooled_picture("stripes", True, 3, 1, 1, "max")
    row, col = busiest_region(Y)
    np.testing.assert_allclose(output_maps(figure(at)), Y[:, row : row + 4, col : col + 4], atol=0.005)
    assert "pool_region" not in at.query_params  # nothing picked: the link stays short


def test_another_picture_forgets_the_region_and_a_new_window_keeps_it_inside():
    at = run_pooling(pool_values="image", pool_image="shapes", pool_region="44,44")
    at.selectbox(key="pool_image").set_value("cat").run()
    assert not at.exception and "pool_region" not in at.query_params
    at = run_pooling(pool_values="image", pool_image="shapes", pool_region="44,44")
    at.number_input(key="pool_stride").set_value(4).run()  # 24 pooled rows: the region moves inside them
    assert not at.exception and at.query_params["pool_region"] == "20,20"
    at = run_pooling(pool_values="image", pool_region="x")
    assert notices(at) == [text("link_pool_bad_region", raw="x")]


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["cat", "astronaut", "coffee", "shapes", "stripes"]), st.booleans(), st.integers(1, 4),
       st.integers(0, 4), st.integers(0, 2), st.sampled_from(["max", "avg"]), st.integers(0, 130), st.integers(0, 130))
def test_every_picture_setting_plays_the_cells_tf_computes(name, grey, k, stride, padding, mode, row, col):
    from convviz.model.images import clamp_region

    padding = min(padding, k // 2)
    at = run_pooling(pool_values="image", pool_image=name, pool_grey=str(grey).lower(), pool_k=str(k),
                     pool_stride=str(stride), pool_padding=str(padding), pool_mode=mode, pool_region=f"{row},{col}")
    assert not at.exception
    Y = pooled_picture(name, grey, k, stride or k, padding, mode)
    region = clamp_region(row, col, Y.shape[1], Y.shape[2])
    cells = Y[:, region.row : region.row + region.rows, region.col : region.col + region.cols]
    np.testing.assert_allclose(output_maps(figure(at)), cells, atol=0.006)
    assert at.query_params["pool_region"] == f"{region.row},{region.col}"


def test_the_picture_page_speaks_chinese():
    at = run_pooling(lang="zh", pool_values="image", pool_image="cat", pool_grey="true")
    assert not at.exception and not notices(at)
    h, w = 85, 128  # the cat
    assert text("pool_img_intro", "zh", k=2, s=2, h=h, w=w, h_o=h // 2, w_o=w // 2) in [m.value for m in at.markdown]
    chart = json.loads(at.get("plotly_chart")[0].proto.spec)
    titles = [a["text"].replace("<br>", "") for a in chart["layout"]["annotations"]]
    assert text("pool_img_pooled", "zh", c=0, mode=text("pool_img_mode_max", "zh"), h=h // 2, w=w // 2) in titles
