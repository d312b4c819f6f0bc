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
from convviz.model import link
from convviz.model.setting import NUMBER_KINDS, TEXTBOOK_SHAPES, Setting, make_tensors

SHAPE_KEYS = ("c_in", "c_out", "h", "w", "kh", "kw")


def notices(at) -> list[str]:
    """The notice box's items, one per problem, as plain text."""
    return [t.value[2:] for t in at.text if t.value.startswith("• ")]


def test_a_typoed_key_is_named_with_the_nearest_setting_and_removed_from_the_link():
    at = run_app(k_h="5", h="8")
    assert not at.exception
    assert notices(at) == ["“k_h” is not a setting; did you mean “kh”? It was removed from the link."]
    assert "k_h" not in at.query_params
    assert at.number_input(key="h").value == 8  # the rest of the link still applies


@pytest.mark.parametrize(("typed", "nearest"), [("K_H", "kh"), ("stirde", "stride"), ("chanels", None),
                                                ("mix_cin", "mix_c_in"), ("View", "view"), ("sep_kk", "sep_k")])
def test_the_nearest_key_is_a_real_one_or_none(typed: str, nearest: str | None):
    (notice,) = link.parse({typed: ["1"]})[1]
    assert dict(notice.values)["key"] == typed
    assert dict(notice.values).get("nearest") == nearest
    assert nearest is None or nearest in link.FIELDS


def test_streamlits_own_link_keys_are_left_alone():
    at = run_app(embed="true")
    assert not at.exception and not notices(at)
    assert at.query_params["embed"] == ["true"] or at.query_params["embed"] == "true"


def test_an_unknown_view_gets_a_notice_and_the_main_screen():
    at = run_app(view="nonsense")
    assert not at.exception
    assert len(notices(at)) == 1 and notices(at)[0].startswith("“view=nonsense” is not one of")
    assert at.get("bidi_component"), "the main screen's player is drawn"


def test_an_output_channel_out_of_range_gets_one_notice_about_the_number_typed():
    at = run_app(out="9")
    assert notices(at) == ["“out=9” is outside 0–1 or not whole, so 1 is used."]
    assert at.number_input(key="out").value == 1


def test_a_step_out_of_range_gets_one_notice_and_the_last_step():
    at = run_app(step="99")  # the defaults have 16 steps
    assert notices(at) == ["“step=99” is outside 0–15 or not whole, so 15 is used."]
    assert player_data(at)["step"] == 15


def test_the_notices_cover_both_tabs():
    at = run_app(view="1×1 convolution", mix_c_inn="4", mix_h="99", mix_row="20")
    assert not at.exception
    assert notices(at) == [
        "“mix_c_inn” is not a setting; did you mean “mix_c_in”? It was removed from the link.",
        "“mix_h=99” is outside 1–16 or not whole, so 16 is used.",
        "“mix_row=20” is outside 0–15 or not whole, so 15 is used.",  # one notice, against the picture's 16 rows
    ]


def test_textbook_mode_greys_the_shape_inputs_and_shows_the_shapes_it_uses():
    at = run_app(values="textbook", c_in="5", h="9")
    assert not at.exception
    assert notices(at) == ["“c_in=5” is not used: the textbook’s example fixes c_in at 2.",
                           "“h=9” is not used: the textbook’s example fixes h at 3."]
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
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    table = readme.split("## Every key a link can carry")[1].split("\n## ")[0]
    listed = {key for row in table.splitlines() if row.startswith("| `")
              for key in re.findall(r"`([a-zA-Z_0-9]+)`", row.split("|")[1])}
    listed |= {f"kernel_{o}" for o in range(1, 7)}  # the table writes `kernel_0` … `kernel_7`
    assert listed == set(link.FIELDS)


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
    at = run_app(c_in="5")
    at.radio(key="values").set_value("textbook").run()
    assert "c_in" not in at.query_params  # a textbook link carries no shapes: the example fixes them
    at.toggle(key="bias").set_value(True).run()  # another change while in textbook mode
    assert not at.exception
    assert [at.number_input(key=k).value for k in SHAPE_KEYS] == [TEXTBOOK_SHAPES[k] for k in SHAPE_KEYS]
    at.radio(key="values").set_value("integers").run()
    assert at.number_input(key="c_in").value == 5  # the user's own number comes back
    assert at.query_params["c_in"] == "5"


# ---- the link read once: notices that stay, every view's keys kept, plain text, bounded ----


def test_the_notice_stays_when_the_player_reports_its_room_and_goes_when_a_setting_changes():
    at = run_app(h="99", view="nope")
    first = notices(at)
    assert len(first) == 2
    at.session_state["player"] = {"step": 0, "room": [1456, 768]}  # the player's first report re-runs the page
    at.run()
    assert notices(at) == first, "the notice outlives the re-run the browser causes by itself"
    at.toggle(key="bias").set_value(True).run()  # the user changes a setting: the link's story is over
    assert notices(at) == []


def test_a_tab_switch_changes_the_view_and_nothing_else_in_the_link():
    at = run_app(h="8", values="random", out="1", c_out="3", present="true")
    before = {key: at.query_params[key] for key in at.query_params}
    at.session_state["view_tabs_en"] = text("tab_mixing")  # what a click on the 1×1 tab sends
    at.run()
    assert not at.exception and at.get("plotly_chart"), "the 1×1 tab is drawn"
    after = {key: at.query_params[key] for key in at.query_params}
    assert after == {**before, "view": "1×1 convolution"}
    at.number_input(key="mix_h").set_value(7).run()
    at.session_state["view_tabs_en"] = text("tab_main")
    at.run()
    assert {key: at.query_params[key] for key in at.query_params} == {**before, "mix_h": "7"}
    assert at.number_input(key="h").value == 8 and at.number_input(key="out").value == 1


def test_link_text_is_shown_as_plain_text_never_as_markup():
    hostile = {"h": "`![](//e.vil/h.png)`", "w": "`$\\text{HACKED}$", "k_h": "<img src=//e.vil/x>",
               "mix_W": "[LOGIN](//e.vil/x),0,0;0,1,0;0,0,1"}
    at = run_app(**hostile)
    assert not at.exception
    shown = " ".join(notices(at))
    assert "“h=`![](//e.vil/h.png)`”" in shown and "[LOGIN](//e.vil/x)" in shown  # as typed, in plain text
    markdown = " ".join(m.value for m in (*at.markdown, *at.warning, *at.caption, *at.info, *at.error))
    assert "e.vil" not in markdown and "HACKED" not in markdown, "no value from the link reaches Markdown"


def test_a_flood_of_unknown_keys_is_cleaned_in_one_step_and_its_notices_bounded():
    at = run_app(**{f"junk{i}": "1" for i in range(998)}, h="8")  # Streamlit ignores links of 1,000 keys or more
    assert not at.exception
    shown = notices(at)
    assert len(shown) == 11 and shown[-1] == "… and 988 more."
    assert dict(at.query_params) == {"h": "8"} or {k: at.query_params[k] for k in at.query_params} == {"h": "8"}
