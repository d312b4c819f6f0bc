"""A sweep of the separable tab's whole range: any sizes, kernel, seed and preset a link can carry give valid Plotly
figures with TensorFlow's numbers and the counts' ratio 1/c_o + 1/k², and open from a link without a notice.

Two depths, as in tests/test_sweep.py: the pure path (model → figure builders), many examples; the page itself
(AppTest, opened from a link), fewer, because each runs the whole script.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import plotly.graph_objects as go
import tensorflow as tf
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest
from test_app import APP, TIMEOUT

from convviz.figures.separable import kernels_figure, maps_figure
from convviz.i18n.strings import text
from convviz.model import mixing, separable
from convviz.model.link import SEPARABLE_FIELDS

BOUNDS = {s.key: (s.low, s.high) for s in SEPARABLE_FIELDS if hasattr(s, "low")}
SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large]


@st.composite
def separable_settings(draw: st.DrawFn) -> dict[str, object]:
    """Every control of the tab, each from its own whole range."""
    drawn: dict[str, object] = {key[4:]: draw(st.integers(low, high)) for key, (low, high) in BOUNDS.items()}
    drawn["k"] = draw(st.sampled_from(separable.K_OPTIONS))
    drawn["preset"] = draw(st.sampled_from(mixing.PRESETS))
    return drawn


LARGEST = {"c_in": 8, "c_out": 8, "h": 16, "w": 16, "k": 7, "seed": 9999, "preset": "random"}
SMALLEST = {"c_in": 1, "c_out": 1, "h": 1, "w": 1, "k": 1, "seed": 0, "preset": "identity"}


@settings(max_examples=60, deadline=None, suppress_health_check=SLOW)
@given(separable_settings())
@example(LARGEST)
@example(SMALLEST)
def test_every_separable_setting_draws_valid_figures_with_tensorflows_numbers(s: dict):
    c_in, c_out, h, w, k, seed = (int(s[key]) for key in ("c_in", "c_out", "h", "w", "k", "seed"))
    X = mixing.input_image(c_in, h, w, seed)
    K, D = separable.kernels(c_in, c_out, k, seed)
    W = mixing.preset_matrix(str(s["preset"]), c_out, c_in, seed)
    result = separable.separable_layers(X, K, D, W)
    nhwc = X.transpose(1, 2, 0)[np.newaxis].astype(np.float32)
    Y_a = tf.nn.conv2d(nhwc, K.transpose(2, 3, 1, 0).astype(np.float32), 1, "SAME").numpy()[0].transpose(2, 0, 1)
    Z = tf.nn.depthwise_conv2d(nhwc, D[:, 0].transpose(1, 2, 0)[..., np.newaxis].astype(np.float32),
                               [1, 1, 1, 1], "SAME").numpy()[0]  # (h, w, c_i)
    Y_b = np.einsum("oc,hwc->ohw", W, Z)
    scale = 1e-4 * max(1.0, float(np.abs(Y_a).max()), float(np.abs(Y_b).max()))
    np.testing.assert_allclose(result.Y_full, Y_a, atol=scale)
    np.testing.assert_allclose(result.Y_sep, Y_b, atol=scale)
    assert result.agrees  # (b) is the full layer with K[o, c] = W[o, c]·D[c]
    go.Figure(maps_figure(X, result))  # Plotly's own validation
    go.Figure(kernels_figure(K, result.K_equivalent))
    cost = separable.separable_cost(c_in, c_out, h, w, k)
    assert cost.params_ratio == cost.mult_adds_ratio == Fraction(1, c_out) + Fraction(1, k * k)


@settings(max_examples=12, deadline=None, suppress_health_check=SLOW)
@given(separable_settings())
def test_every_separable_setting_opened_from_a_link_renders(s: dict):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["view"] = text("tab_separable")
    for key, value in s.items():
        at.query_params[f"sep_{key}"] = str(value)
    at.run()
    assert not at.exception
    assert not [t.value for t in at.text if t.value.startswith("• ")]  # no notice about the link
    assert len(at.get("plotly_chart")) == 3  # W, both outputs, the two kernels
    assert any(m.value.startswith("**(b) ÷ (a)") for m in at.markdown)
    assert any(v.value.startswith("Checked: (b) equals") for v in at.success)
