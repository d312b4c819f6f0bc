"""Links a teacher shares or a student mistypes: each wrong piece gets one notice a user can act on.

Also what the controls show in textbook mode, and that the bias toggle visibly changes the sums.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import streamlit as st
from test_app import chart, player_data, run_app, trace_by_hover

from convviz.i18n.strings import text
from convviz.model.setting import NUMBER_KINDS, TEXTBOOK_SHAPES, Setting, make_tensors
from convviz.ui.common import unknown_key_notice

SHAPE_KEYS = ("c_in", "c_out", "h", "w", "kh", "kw")


def notices(at) -> list[str]:
    """The notice box's items, one per value the page changed."""
    return [line[2:] for w in at.warning for line in w.value.splitlines() if line.startswith("- ")]


def test_a_typoed_key_is_named_with_the_nearest_setting_and_removed_from_the_link():
    at = run_app(k_h="5", h="8")
    assert not at.exception
    assert notices(at) == ["`k_h` is not a setting; did you mean `kh`? It was removed from the link."]
    assert "k_h" not in at.query_params
    assert at.number_input(key="h").value == 8  # the rest of the link still applies


@pytest.mark.parametrize(("typed", "nearest"), [("K_H", "kh"), ("stirde", "stride"), ("chanels", None),
                                                ("mix_cin", "mix_c_in"), ("View", "view"), ("sep_kk", "sep_k")])
def test_the_nearest_key_is_a_real_one_or_none(typed: str, nearest: str | None):
    from convviz.ui import main_view, mixing_view, separable_view

    notice = unknown_key_notice(typed, ("view", *main_view.URL_KEYS, *mixing_view.URL_KEYS, *separable_view.URL_KEYS))
    assert f"`{typed}` is not a setting" in notice
    if nearest is None:
        assert "did you mean" not in notice
    else:
        assert f"did you mean `{nearest}`?" in notice


def test_streamlits_own_link_keys_are_left_alone():
    at = run_app(embed="true")
    assert not at.exception and not at.warning
    assert at.query_params["embed"] == ["true"] or at.query_params["embed"] == "true"


def test_an_unknown_view_gets_a_notice_and_the_main_screen():
    at = run_app(view="nonsense")
    assert not at.exception
    assert len(notices(at)) == 1 and notices(at)[0].startswith("`view=nonsense` is not one of")
    assert at.get("bidi_component"), "the main screen's player is drawn"


def test_an_output_channel_out_of_range_gets_one_notice_about_the_number_typed():
    at = run_app(out="9")
    assert notices(at) == ["`out=9` is outside 0–1 or not whole, so 1 is used."]
    assert at.number_input(key="out").value == 1


def test_a_step_out_of_range_gets_one_notice_and_the_last_step():
    at = run_app(step="99")  # the defaults have 16 steps
    assert notices(at) == ["`step=99` is outside 0–15 or not whole, so 15 is used."]
    assert player_data(at)["step"] == 15


def test_the_notices_cover_both_tabs():
    at = run_app(view="1×1 convolution", mix_c_inn="4", mix_h="99", mix_row="20")
    assert not at.exception
    assert notices(at) == [
        "`mix_c_inn` is not a setting; did you mean `mix_c_in`? It was removed from the link.",
        "`mix_h=99` is outside 1–16 or not whole, so 16 is used.",
        "`mix_row=20` is outside 0–15 or not whole, so 15 is used.",  # one notice, against the picture's 16 rows
    ]


def test_textbook_mode_greys_the_shape_inputs_and_shows_the_shapes_it_uses():
    at = run_app(values="textbook", c_in="5", h="9")
    assert not at.exception
    for key in SHAPE_KEYS:
        widget = at.number_input(key=key)
        assert widget.disabled and widget.value == TEXTBOOK_SHAPES[key], key
    caption = " ".join(c.value for c in at.caption)
    assert "2 input channels of 3×3, a 2×2 kernel, 3 output channels" in caption  # agrees with the inputs


def test_leaving_textbook_mode_gives_back_the_users_own_shapes():
    at = run_app(c_in="5", h="9", kw="2")
    at.radio(key="values").set_value("textbook").run()
    assert [at.number_input(key=k).value for k in SHAPE_KEYS] == [TEXTBOOK_SHAPES[k] for k in SHAPE_KEYS]
    at.radio(key="values").set_value("random").run()
    assert not at.exception
    assert [at.number_input(key=k).value for k in ("c_in", "h", "kw")] == [5, 9, 2]
    assert not any(at.number_input(key=k).disabled for k in SHAPE_KEYS)


@pytest.mark.parametrize("values", NUMBER_KINDS)
@pytest.mark.parametrize("seed", [0, 1, 7])
def test_the_bias_is_never_zero_so_the_toggle_visibly_changes_every_sum(values: str, seed: int):
    X, K, bias = make_tensors(Setting(bias=True, values=values, seed=seed, c_out=8))
    assert bias is not None and np.all(bias != 0)
    X_off, K_off, _ = make_tensors(Setting(bias=False, values=values, seed=seed, c_out=8))
    np.testing.assert_array_equal(X, X_off)  # the toggle adds a bias and changes nothing else
    np.testing.assert_array_equal(K, K_off)


def test_at_the_default_seed_the_written_sum_shows_a_nonzero_bias_term():
    at = run_app(bias="true")
    figure = chart(at)
    _, _, bias = make_tensors(Setting(bias=True))
    assert bias is not None
    equation = figure["frames"][0]["data"][-1]["text"][0]  # "= 3 + 14 + (−6)<br>+ (−1)<br>= <b>10</b>"
    bias_term = f"{bias[0]:.0f}" if bias[0] > 0 else f"({bias[0]:.0f})".replace("-", "−")
    # The last term added is the bias, named as such.
    assert bias[0] != 0 and equation.split("<br>= ")[0].endswith(text("fig_bias_term", value=bias_term))
    assert trace_by_hover(figure, "Y[0]")  # and the map still draws


@pytest.mark.parametrize("query", [{"dilation": "2"}, {"dilation": "3", "h": "12", "w": "12"},
                                   {"dilation": "2", "padding": "3", "values": "random", "c_in": "4"}])
def test_dilated_settings_draw_with_every_cell_the_window_reads_outlined(query: dict[str, str]):
    at = run_app(**query)  # these once crashed the page: a misspelt method in the window outline
    assert not at.exception
    figure = chart(at)
    window = figure["layout"]["shapes"][1]["path"]  # one rectangle per input channel and per cell read, plus Y's cell
    d, c_in = int(query["dilation"]), int(query.get("c_in", 3))
    assert window.count("M") == c_in * (1 + 3 * 3) + 1, f"dilation {d}"


def test_the_readme_lists_every_key_a_link_can_carry():
    from convviz.ui import main_view, mixing_view, separable_view

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    table = readme.split("## Every key a link can carry")[1].split("\n## ")[0]
    listed = {key for row in table.splitlines() if row.startswith("| `")
              for key in re.findall(r"`([a-zA-Z_0-9]+)`", row.split("|")[1])}
    listed |= {f"kernel_{o}" for o in range(1, 7)}  # the table writes `kernel_0` … `kernel_7`
    assert listed == {"view", "lang", *main_view.URL_KEYS, *mixing_view.URL_KEYS, *separable_view.URL_KEYS}


def test_when_the_core_disagrees_with_tf_the_page_says_so(monkeypatch: pytest.MonkeyPatch):
    # The green check is earned: were the core's answer off by one, the page would say so in red.
    from convviz.ui import main_view

    real = main_view.corr2d_multi_in_out
    monkeypatch.setattr(main_view, "corr2d_multi_in_out", lambda *args, **kwargs: real(*args, **kwargs) + 1)
    try:
        at = run_app(seed="987654")  # a setting no other test caches
        assert not at.exception and not at.success
        assert any(e.value.startswith("Disagrees with `tf.nn.conv2d`: largest difference 1.0e+00") for e in at.error)
    finally:
        st.cache_data.clear()  # the patched answer must not outlive this test


def test_a_followed_channel_beyond_fewer_output_channels_moves_to_the_last_one():
    at = run_app(c_out="4", out="3")
    at.number_input(key="c_out").set_value(2).run()
    assert not at.exception
    assert at.number_input(key="out").value == 1
    assert trace_by_hover(chart(at), "Y[1]")  # the figure follows channel 1


def test_textbook_mode_keeps_its_shapes_across_reruns():
    at = run_app(values="textbook", c_in="5")
    at.toggle(key="bias").set_value(True).run()  # another change while in textbook mode
    assert not at.exception
    assert [at.number_input(key=k).value for k in SHAPE_KEYS] == [TEXTBOOK_SHAPES[k] for k in SHAPE_KEYS]
    at.radio(key="values").set_value("integers").run()
    assert at.number_input(key="c_in").value == 5  # the link's own number comes back
