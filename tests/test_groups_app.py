"""Groups on the main screen (AppTest): the followed channel sees only its group, and the counts shrink by g."""

from __future__ import annotations

import numpy as np
import tensorflow as tf
from test_app import chart, decode, link_notices, run_app, trace_by_hover

from convviz.model.setting import Setting, make_tensors


def counts(at) -> str:
    return next(m.value for m in at.markdown if "Parameters" in m.value)


def test_the_followed_channel_sees_only_its_groups_inputs():
    at = run_app(c_in="4", c_out="2", groups="2", out="1", bias="true")
    assert not at.exception
    assert at.success, "the check against tf.nn.conv2d (run grouped) passes"
    figure = chart(at)
    # Σ of channels 0 and 1 (not in output 1's group) are blank; 2 and 3 are drawn, and add up to the output.
    X, K, bias = make_tensors(Setting(c_in=4, c_out=2, groups=2, bias=True))
    Y = tf.nn.conv2d(X.transpose(1, 2, 0)[None], K.transpose(2, 3, 1, 0), strides=1, padding="VALID")
    Y = Y.numpy()[0].transpose(2, 0, 1) + bias[:, None, None]  # (2, 4, 4), by TensorFlow's own groups
    np.testing.assert_allclose(decode(trace_by_hover(figure, "Y[1]")["z"]), Y[1])
    first = figure["frames"][0]["data"]  # products of channels 2 and 3 (the group's), partial sums, output, sum
    partials = decode(first[2]["z"])
    seen = partials[~np.isnan(partials)]
    assert seen.size == 2  # two Σ cells: channels 2 and 3
    assert first[-1]["text"][0].count("<span") == 2  # two terms in the written sum, then the bias
    assert np.isclose(seen.sum() + bias[1], decode(first[3]["z"])[0, 0])
    # The layer's kernel is (c_o, c_i/g, k_h, k_w): output 1 has two slices, K[1,0] meets X[2] and K[1,1] X[3].
    kernels = [t for t in figure["data"] if t.get("hovertemplate", "").startswith("K[")]
    assert [t["hovertemplate"].split(" = ")[0] for t in kernels] == ["K[1,0] · X[2]", "K[1,1] · X[3]"]
    np.testing.assert_allclose(decode(kernels[0]["z"]), K[1, 0])
    assert {a["text"] for a in figure["layout"]["annotations"]} >= {"K[1,0]", "K[1,1]"}
    # The washed-out inputs: one fill over each unseen channel's input; it has no kernel, products nor Σ.
    wash = next(t for t in figure["data"] if t.get("name") == "unseen")
    assert wash["fill"] == "toself" and wash["x"].count(None) == 2


def test_the_counts_show_the_groups():
    at = run_app(c_in="4", c_out="2", groups="2", bias="true")
    assert "2·(4/2)·3·3 + 2 = 38" in counts(at)  # c_o·(c_i/g)·k_h·k_w + c_o
    assert "2·4·4·(4/2)·3·3 = 576" in counts(at)
    at.selectbox(key="groups").set_value(1).run()
    assert "2·4·3·3 + 2 = 74" in counts(at)


def test_only_common_divisors_are_offered_and_g_equal_c_in_is_depthwise():
    at = run_app(c_in="4", c_out="8")
    assert at.selectbox(key="groups").options == ["1", "2", "4"]
    at.selectbox(key="groups").set_value(4).run()
    assert any("depthwise" in c.value for c in at.caption)


def test_a_group_count_that_does_not_divide_gets_a_notice():
    at = run_app(c_in="4", c_out="4", groups="3")
    assert link_notices(at) == [
        "“groups=3” does not divide both c_i = 4 and c_o = 4 (choose from 1, 2, 4), so 1 is used."]
    assert at.selectbox(key="groups").value == 1 and not at.exception


def test_changing_the_channels_under_the_groups_falls_back_to_one():
    at = run_app(c_in="4", c_out="4", groups="4")
    at.number_input(key="c_in").set_value(3).run()
    assert not at.exception
    assert at.selectbox(key="groups").value == 1 and at.success


def test_textbook_and_pictures_keep_one_group():
    for values in ("textbook", "image"):
        at = run_app(values=values, groups="2")
        assert at.selectbox(key="groups").options == ["1"] and at.selectbox(key="groups").disabled
