"""The main screen as Streamlit runs it (AppTest): what a teacher sees for a setting, and that no input breaks it."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf
from streamlit.testing.v1 import AppTest

from convviz.figures.animation import animation_figure
from convviz.i18n.strings import text
from convviz.model.setting import Setting, make_tensors
from convviz.model.steps import step_table
from convviz.ui.common import drawn_once
from convviz.ui.player import ROOM_LIMITS, figure_payload, read_state

APP = str(Path(__file__).resolve().parents[1] / "app.py")
TIMEOUT = 120  # the first run imports TensorFlow; a loaded 2-core machine makes that slow

NUMBER_BOUNDS = {  # key: (low, high), as the issue specifies them
    "c_in": (1, 8), "c_out": (1, 8), "h": (1, 32), "w": (1, 32), "kh": (1, 7), "kw": (1, 7),
    "stride": (1, 4), "padding": (0, 3), "dilation": (1, 3), "seed": (0, 2**31 - 1),
}


def run_app(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def link_notices(at: AppTest) -> list[str]:
    """The notices about the link, one per problem, as the page shows them (plain text)."""
    return [t.value[2:] for t in at.text if t.value.startswith("• ")]


def decode(value):
    """A figure array as NumPy: plain nested lists, or Plotly's base64 typed arrays."""
    if isinstance(value, dict) and "bdata" in value:
        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]).newbyteorder("<"))
        return array.reshape([int(n) for n in str(value["shape"]).split(",")]) if "shape" in value else array
    return np.array(value, dtype=float)


def player_data(at: AppTest) -> dict:
    """What the page hands the player component: the figure, the step it opens on, the room, the labels."""
    return json.loads(next(c for c in at.get("bidi_component") if c.key == "player").proto.bytes)


LAPTOP_ROOM = [816, 384]  # the room the player measures on a 1280×720 screen (convviz.ui.player.USUAL_ROOMS)


def chart(at: AppTest) -> dict:
    """The animated figure the player draws (AppTest runs no JavaScript: this is the data it would draw). A first
    run hands it the usual screens' layouts (AppTest's browser has no room): this is a 1280×720 laptop's."""
    data = player_data(at)
    if data.get("choices"):
        return next(data["layouts"][c["layout"]] for c in data["choices"] if c["room"] == LAPTOP_ROOM)
    return data["figure"]


def trace_by_hover(figure: dict, prefix: str) -> dict:
    return next(t for t in figure["data"] if t.get("hovertemplate", "").startswith(prefix))


def expected_output(X: np.ndarray, K: np.ndarray, stride=1, padding=0, dilation=1) -> np.ndarray:
    """An independent reference: tf.nn.conv2d on NHWC, back to (c_o, h_o, w_o)."""
    Y = tf.nn.conv2d(X.transpose(1, 2, 0)[None].astype(np.float32), K.transpose(2, 3, 1, 0).astype(np.float32),
                     strides=stride, padding=[[0, 0], [padding] * 2, [padding] * 2, [0, 0]], dilations=dilation)
    return Y.numpy()[0].transpose(2, 0, 1)


def test_defaults_render_without_exception_and_every_control_is_found_by_key():
    at = run_app()
    assert not at.exception
    for key in NUMBER_BOUNDS:
        assert at.number_input(key=key).value is not None  # each control answers to its URL key
    assert at.radio(key="values").value == "integers"
    assert at.toggle(key="bias").value is False
    assert at.number_input(key="out").value == 0
    assert len(at.get("bidi_component")) == 1  # the player, with every channel's finished output map
    assert player_data(at)["step"] == 0
    assert at.success, "the check against tf.nn.conv2d is shown and passes"


def test_the_animation_has_one_frame_per_output_position():
    at = run_app(h="7", w="9", kh="3", kw="2", stride="2", padding="1")
    figure = chart(at)
    h_o, w_o = (7 + 2 - 3) // 2 + 1, (9 + 2 - 2) // 2 + 1  # the book's formula with these numbers
    assert len(figure["frames"]) == figure["layout"]["meta"]["n_steps"] == h_o * w_o
    # Frames carry the moving parts only: never an input map again.
    animated = figure["layout"]["meta"]["animated_traces"]
    assert all(len(frame["data"]) == len(animated) for frame in figure["frames"])


def test_textbook_mode_shows_the_chapters_numbers():
    at = run_app(values="textbook")
    assert not at.exception
    X = np.array([[[0, 1, 2], [3, 4, 5], [6, 7, 8]], [[1, 2, 3], [4, 5, 6], [7, 8, 9]]])
    K = np.array([[[0, 1], [2, 3]], [[1, 2], [3, 4]]])
    Y = expected_output(X, np.stack([K, K + 1, K + 2]))
    np.testing.assert_array_equal(Y[0], [[56, 72], [104, 120]])  # the book's printed answer
    animation = chart(at)
    np.testing.assert_array_equal(decode(trace_by_hover(animation, "Y[0]")["z"]), [[56, 72], [104, 120]])
    assert len(at.get("bidi_component")) == 1  # the finished maps of every channel are in the same figure
    for o in range(3):  # K, K + 1, K + 2 give three output channels
        np.testing.assert_array_equal(decode(trace_by_hover(animation, f"final Y[{o}]")["z"]), Y[o])
    # At the last step the written-out sum adds the two partial sums to the output value.
    last = animation["frames"][-1]["data"]
    assert "<b>120</b>" in last[-1]["text"][0]


def test_following_another_output_channel_shows_its_kernel_and_output():
    at = run_app(values="textbook", out="2")
    animation = chart(at)
    K = np.array([[[0, 1], [2, 3]], [[1, 2], [3, 4]]])
    np.testing.assert_array_equal(decode(trace_by_hover(animation, "K[2,1]")["z"]), K[1] + 2)
    np.testing.assert_array_equal(decode(trace_by_hover(animation, "Y[2]")["z"]), [[96, 128], [192, 224]])


def test_a_link_with_a_step_opens_the_player_on_that_step():
    at = run_app(step="5")
    assert player_data(at)["step"] == 5
    at = run_app(step="40")  # the defaults have 16 steps: the last one, with a notice
    assert player_data(at)["step"] == 15 and at.query_params["step"] == "15"
    assert link_notices(at) == ["“step=40” is outside 0–15 or not whole, so 15 is used."]


def test_the_step_the_player_rests_on_goes_into_the_url():
    at = run_app()
    assert "step" not in at.query_params
    at.session_state["player"] = {"step": 7, "room": None}  # what the browser reports when paused on step 7
    at.run()
    assert not at.exception and at.query_params["step"] == "7"
    at.number_input(key="h").set_value(5).run()  # 3×4 = 12 steps: step 7 still exists and is kept
    assert at.query_params["step"] == "7" and player_data(at)["step"] == 7
    at.number_input(key="h").set_value(3).run()  # 1×4 = 4 steps: the last one
    assert at.query_params["step"] == "3" and player_data(at)["step"] == 3


def test_the_diagram_is_laid_out_for_the_room_the_browser_reports():
    at = run_app()
    small = chart(at)["layout"]
    at.session_state["player"] = {"step": 0, "room": [1456, 768]}  # a 1920×1080 screen with the sidebar open
    at.run()
    data = player_data(at)
    big = data["figure"]["layout"]
    assert data["room"] == [1456, 768]
    assert big["width"] <= 1456 and big["height"] <= 768
    assert big["meta"]["digit_px"] >= 16 > small["meta"]["digit_px"]


def test_the_browsers_report_is_checked_before_use():
    assert read_state({"step": 3, "room": [800, 500]}, 16, 0).step == 3
    assert read_state({"step": 99}, 16, 0).step == 15  # clamped to the steps there are
    assert read_state({"step": -4}, 16, 2).step == 0
    assert read_state({"step": "7"}, 16, 2).step == 2  # not a number: the link's step
    assert read_state({"step": True}, 16, 2).step == 2
    assert read_state(None, 16, 4) == read_state("junk", 16, 4)
    assert read_state(None, 16, 4).room is None
    (_, w_high), (h_low, _) = ROOM_LIMITS
    room = read_state({"room": [10**9, -5]}, 16, 0).room
    assert room is not None and (room.width, room.height) == (w_high, h_low)
    for bad in ([1], ["a", "b"], "800x600", [800, None]):
        assert read_state({"room": bad}, 16, 0).room is None


def test_a_broken_plotly_install_gets_a_message_not_a_traceback(tmp_path, monkeypatch):
    import convviz.ui.player as player_module

    missing = tmp_path / "plotly.min.js"
    monkeypatch.setattr(player_module, "PLOTLY_JS", missing)
    monkeypatch.setattr(player_module.serve_plotly_js, "__defaults__", (missing,))
    at = run_app()
    assert not at.exception
    assert any(str(missing) in w.value for w in at.warning)


def test_products_and_sums_in_each_frame_add_up_to_the_output_map():
    at = run_app(c_in="2", c_out="1", h="4", w="5", bias="true", seed="3")
    figure = chart(at)
    output_map = decode(trace_by_hover(figure, "Y[0]")["z"])
    assert len(figure["frames"]) == output_map.size
    totals, bias_terms = [], set()
    for frame in figure["frames"]:  # data: products of channel 0, of channel 1, partial sums, output value, sum
        products = [decode(frame["data"][c]["z"]) for c in range(2)]
        partials = decode(frame["data"][2]["z"])
        partials = partials[~np.isnan(partials)]  # the two channels' cells, without the gap between them
        np.testing.assert_array_equal(partials, [p.sum() for p in products])  # Σ of each window × kernel
        total = decode(frame["data"][3]["z"])[0, 0]
        totals.append(total)
        bias_terms.add(total - partials.sum())
    np.testing.assert_array_equal(np.array(totals).reshape(output_map.shape), output_map)  # lands in Y[0]
    assert len(bias_terms) == 1  # one bias, the same for every output value of channel 0


@pytest.mark.parametrize("key", sorted(NUMBER_BOUNDS))
def test_every_control_at_its_bounds_renders_without_exception(key):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    for value in NUMBER_BOUNDS[key]:
        at.number_input(key=key).set_value(value).run()
        assert not at.exception, f"{key}={value}: {at.exception}"
        # Either the animation is drawn, or a clear message says why the kernel does not fit.
        assert at.get("bidi_component") or any("does not fit" in e.value for e in at.error)


def test_all_largest_settings_at_once_render():
    largest = {"c_in": "8", "c_out": "8", "h": "32", "w": "32", "kh": "7", "kw": "7", "padding": "3",
               "values": "random", "bias": "true", "out": "7"}
    at = run_app(**largest)
    assert not at.exception
    figure = chart(at)
    assert len(figure["frames"]) == 32 * 32
    for settings in ({"stride": "4", "dilation": "3"}, {"h": "1", "w": "1", "kh": "1", "kw": "1", "padding": "0"}):
        at = run_app(**{**largest, **settings})
        assert not at.exception


def test_impossible_geometry_gets_a_message_not_a_traceback():
    at = run_app(h="3", w="3", kh="5", kw="5", padding="0")
    assert not at.exception
    assert not at.get("bidi_component")
    message = " ".join(e.value for e in at.error)
    assert "does not fit" in message and "5" in message and "3" in message  # names the constraint and numbers


def test_malformed_url_values_are_clamped_or_ignored_with_a_notice():
    at = run_app(h="1e400", c_in="abc", kh="99", values="zzz", bias="maybe", out="9", seed="-5", step="nan")
    assert not at.exception
    assert at.number_input(key="h").value == 6  # ignored: back to the default
    assert at.number_input(key="c_in").value == 3
    assert at.number_input(key="kh").value == 7  # clamped to the largest kernel
    assert at.radio(key="values").value == "integers"
    assert at.number_input(key="out").value == 1  # clamped to the last of the 2 output channels
    assert at.number_input(key="seed").value == 0
    notices = " ".join(link_notices(at))
    for key in ("h", "c_in", "kh", "values", "bias", "out", "seed", "step"):
        assert f"“{key}=" in notices, f"no notice for {key}"
    # kh became 7 on a 6-high input: the page says the kernel does not fit, and keeps working.
    assert any("does not fit" in e.value for e in at.error)
    at.number_input(key="kh").set_value(3).run()
    assert not at.exception and at.get("bidi_component")


def test_a_shared_link_reproduces_the_setting():
    at = run_app(c_in="2", c_out="4", h="5", w="7", kh="2", kw="3", stride="2", padding="1", dilation="1",
                 values="random", seed="42", out="3", bias="true")
    assert not at.exception
    assert [at.number_input(key=k).value for k in ("c_in", "c_out", "h", "w", "kh", "kw", "stride", "padding")] == [
        2, 4, 5, 7, 2, 3, 2, 1]
    assert at.number_input(key="out").value == 3 and at.toggle(key="bias").value is True
    assert at.radio(key="values").value == "random"


def test_closed_panels_draw_nothing_and_open_ones_show_the_formula_and_the_loops():
    at = run_app(h="7", w="9", kh="3", kw="2", stride="2", padding="1")
    assert [e.label for e in at.expander] == ["Output size", "How it is computed", text("kit_title")]
    assert not at.latex and not at.code  # closed: nothing typeset or highlighted on every re-run
    at.session_state["formula_open"] = True
    at.session_state["how_open"] = True
    at.run()
    assert not at.exception
    formula = at.latex[0].value
    # h_o = ⌊(7 + 2·1 − 1·(3 − 1) − 1) / 2⌋ + 1 = 4 and w_o = ⌊(9 + 2·1 − 1·(2 − 1) − 1) / 2⌋ + 1 = 5
    assert "= 4" in formula and "= 5" in formula and "{7 + 2" in formula and "{9 + 2" in formula
    assert "def corr2d_multi_in_out_loop" in at.code[0].value


def test_the_players_copy_of_a_figure_says_when_it_changed():
    def figure(seed: int) -> dict:
        X, K, bias = make_tensors(Setting(seed=seed))
        return animation_figure(step_table(X, K, bias), 0, decimals=0)

    first, again, other = figure(0), figure(0), figure(1)
    payload, revision = figure_payload(first)
    assert revision == figure_payload(again)[1] != figure_payload(other)[1]  # the player redraws only on a change
    assert json.loads(payload) == json.loads(json.dumps(first))  # the same figure, as JSON


def test_the_browser_copy_of_a_plotly_chart_says_when_its_data_changed():
    # drawn_once serves the charts still drawn by st.plotly_chart (the 1×1 tab); any figure dict will do.
    def figure(seed: int) -> dict:
        X, K, bias = make_tensors(Setting(seed=seed))
        return animation_figure(step_table(X, K, bias), 0, decimals=0)

    first, again, other = figure(0), figure(0), figure(1)
    sent = drawn_once(first)
    assert sent["layout"]["datarevision"] == drawn_once(again)["layout"]["datarevision"]
    assert sent["layout"]["datarevision"] != drawn_once(other)["layout"]["datarevision"]
    assert json.loads(sent["layout"]["meta"]) == first["layout"]["meta"]  # the same facts, as a string
    assert isinstance(first["layout"]["meta"], dict) and "datarevision" not in first["layout"]  # not mutated


def test_fewer_output_channels_move_the_followed_channel_into_range():
    at = run_app(out="1")
    assert at.number_input(key="out").value == 1
    at.number_input(key="c_out").set_value(1).run()
    assert not at.exception and at.number_input(key="out").value == 0
    assert trace_by_hover(chart(at), "K[0,0]")  # the player follows output channel 0


def test_the_counts_show_their_formulas_with_the_numbers_put_in():
    at = run_app(c_in="3", c_out="2", h="6", w="6", kh="3", kw="3", bias="true")
    counts = next(m.value for m in at.markdown if "Parameters" in m.value)
    assert "2 × 4 × 4" in counts  # c_o × h_o × w_o
    assert "2·3·3·3 + 2 = 56" in counts  # c_o·c_i·k_h·k_w + c_o
    assert "2·4·4·3·3·3 = 864" in counts  # c_o·h_o·w_o·c_i·k_h·k_w
    at.toggle(key="bias").set_value(False).run()
    counts = next(m.value for m in at.markdown if "Parameters" in m.value)
    assert "2·3·3·3 = 54" in counts and "+ c\\_o" not in counts


# ---- true convolution (`flip`) ----


def test_flip_turns_the_layer_into_true_convolution_and_says_why_libraries_skip_it():
    at = run_app(values="textbook", flip="true")
    assert not at.exception
    animation = chart(at)
    titles = [a["text"] for a in animation["layout"]["annotations"]]
    assert text("fig_kernel_flipped", o=0, c=0) in titles
    X, K, _ = make_tensors(Setting(values="textbook"))
    Y = expected_output(X, K[..., ::-1, ::-1].copy())  # TensorFlow on the kernel flipped in both axes
    for o in range(3):
        np.testing.assert_array_equal(decode(trace_by_hover(animation, f"final Y[{o}]")["z"]), Y[o])
    assert not np.array_equal(Y, expected_output(X, K))  # the flip changes the numbers of the chapter's example
    assert text("true_convolution") in [c.value for c in at.caption]
    assert text("intro_flipped") in [m.value for m in at.markdown]
    assert len(at.success) == 1 and not at.error  # the page's own check against tf.nn.conv2d holds


def test_flip_reaches_the_lecture_kit_and_pictures():
    at = run_app(flip="true")
    at.session_state["kit_open"] = True
    at.run()
    code = next(c.value for c in at.code if "import tensorflow" in c.value)
    assert "K = K[..., ::-1, ::-1].copy()" in code and "flip=true" in code
    picture = run_app(values="image", flip="true")
    assert not picture.exception
    assert text("fig_kernel_flipped", o=0, c=0) in [a["text"] for a in chart(picture)["layout"]["annotations"]]
