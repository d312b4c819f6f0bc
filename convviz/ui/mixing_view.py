"""The 1×1 explorer: a 1×1 convolution is a fully connected layer applied at every pixel (it only mixes channels).

Sections, top to bottom: the sizes and the input; the mixing matrix W (presets, heatmap, editable text); one
pixel's y = W · x, animated over every pixel; the whole layer as one matrix product, checked against the general
path; and what it costs beside a k×k layer, with a worked bottleneck example.

Every control's key starts with `mix_` and is also its URL parameter. An edited W travels in the URL as
`mix_W=1,0,0;0,1,0`; it is checked like any other URL value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import streamlit as st

from convviz.core.lazy import LazyModule
from convviz.figures.mixing import PIXEL_FRAME_MS, matmul_figure, matrix_figure, pixel_figure, pixel_from_selection
from convviz.i18n.strings import current_language, speaking, text
from convviz.model import mixing
from convviz.model.codegen import arrays_zip
from convviz.ui import link_state
from convviz.ui.common import show_figure
from convviz.ui.matrix_edit import MatrixEdit
from convviz.ui.player import figure_payload
from convviz.ui.slides import lecture_slides
from convviz.ui.width_probe import chart_width, laid_out_width

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = LazyModule("pandas")  # ~0.6 s to import: only tables need it, not the first page

K_OPTIONS = (1, 3, 5, 7)  # odd only: a padding of (k - 1) / 2 keeps the picture's size
BOTTLENECK = {"channels": 256, "reduced": 64, "h": 28, "w": 28}  # the classic worked example
STATE = "mix_matrix_state"  # session_state: {"basis", "W", "custom", "error"}; W is the last good matrix
TEXT_KEY = "mix_W_text"  # the text area holding the editable W
URL_MATRIX = "mix_W"  # URL parameter of an edited W
MATRIX = MatrixEdit(STATE, TEXT_KEY, URL_MATRIX)  # W: a preset or the last good edit


@dataclass(frozen=True)
class Sizes:
    c_in: int
    c_out: int
    h: int
    w: int
    seed: int


# ---- cached pure work (NumPy in, NumPy or dicts out) ----


@st.cache_data(max_entries=64, show_spinner=False)
def _input_image(c_in: int, h: int, w: int, seed: int) -> np.ndarray:
    return mixing.input_image(c_in, h, w, seed)


@st.cache_data(max_entries=64, show_spinner=False)
def _pixel_steps(X: np.ndarray, W: np.ndarray) -> mixing.PixelSteps:
    return mixing.pixel_steps(X, W)


@st.cache_data(max_entries=64, show_spinner=False)
def _pixel_figure(X: np.ndarray, W: np.ndarray, row: int, col: int, language: str, width: int) -> dict[str, Any]:
    with speaking(language):  # built in the language the cache is keyed by
        return pixel_figure(X, W, _pixel_steps(X, W), row, col, width)


@st.cache_data(max_entries=64, show_spinner=False)
def _matmul_check(X: np.ndarray, W: np.ndarray) -> mixing.MatmulCheck:
    return mixing.matmul_check(X, W)


@st.cache_data(max_entries=64, show_spinner=False)
def _matmul_figure(X: np.ndarray, W: np.ndarray, row: int, col: int, language: str, width: int) -> dict[str, Any]:
    with speaking(language):  # built in the language the cache is keyed by
        return matmul_figure(X, W, _matmul_check(X, W), row, col, width)


# ---- the view ----


def render_mixing_view() -> None:
    """The whole 1×1 explorer."""
    st.header(text("mix_title"))
    st.markdown(text("mix_intro"))
    sizes = _sizes_ui()
    X = _input_image(sizes.c_in, sizes.h, sizes.w, sizes.seed)
    W = _matrix_ui(sizes)
    row, col = _pixel_ui(sizes, X, W)
    _matmul_ui(sizes, X, W, row, col)
    _cost_ui(sizes)
    _slides(X, W, row, col, sizes.w)


def _slides(X: np.ndarray, W: np.ndarray, row: int, col: int, w: int) -> None:
    """The pixel animation as slides (a GIF, a pixel's PNG, every pixel's PNG), drawn only when opened."""
    kit = st.expander(text("mix_slides_open"), key="mix_kit_open", on_change="rerun")
    if kit.open:
        language = current_language()
        with kit:
            lecture_slides(lambda room: figure_payload(_pixel_figure(X, W, row, col, language, room.width)),
                           step=row * w + col, frame_ms=PIXEL_FRAME_MS, key="mix_kit", name="convviz_1x1")


def _sizes_ui() -> Sizes:
    st.subheader(text("mix_controls"))
    cols = st.columns(5)
    with cols[0]:
        c_in = link_state.number("mix_c_in", text("mix_c_in"))
    with cols[1]:
        c_out = link_state.number("mix_c_out", text("mix_c_out"))
    with cols[2]:
        h = link_state.number("mix_h", text("mix_h"))
    with cols[3]:
        w = link_state.number("mix_w", text("mix_w"))
    with cols[4]:
        seed = link_state.number("mix_seed", text("mix_seed"), help=text("mix_seed_help"))
    st.caption(text("mix_input_note"))
    return Sizes(c_in, c_out, h, w, seed)


# ---- W: presets, the last good matrix, edits ----


def _matrix_ui(sizes: Sizes) -> np.ndarray:
    st.subheader(text("mix_matrix_heading"))
    left, middle, right = st.columns([1.1, 1.3, 1.2])
    with left:
        preset = link_state.choice("mix_preset", text("mix_preset"), st.radio,
                                   labels=lambda name: text(f"choice_preset_{name}"),
                                   captions=[text(f"mix_preset_{name}") for name in mixing.PRESETS],
                                   help=text("mix_preset_help"))
        if preset == "grey" and sizes.c_in != 3:
            fallback = text("mix_grey_fallback_more" if sizes.c_in > 3 else "mix_grey_fallback_fewer")
            st.warning(text("mix_grey_needs_rgb", c_in=sizes.c_in, fallback=fallback))
            st.button(text("mix_grey_fix"), key="mix_grey_fix", on_click=_use_three_inputs)
    state = MATRIX.state(preset, sizes.c_out, sizes.c_in, sizes.seed)
    W = np.asarray(state["W"], dtype=np.float64)  # (c_o, c_i): the last good matrix
    with middle:
        show_figure(matrix_figure(W), key="mix_W_chart", width="stretch")
    with right:
        MATRIX.editor(text("mix_edit", c_in=sizes.c_in), state, preset, sizes.c_out, reset_key="mix_reset")
    return W


def _use_three_inputs() -> None:
    st.session_state["mix_c_in"] = 3


# ---- one pixel ----


def _on_pick() -> None:
    """A click on the chart picks its pixel: copy it into the row and column inputs before they are drawn."""
    h, w = st.session_state.get("mix_h", 1), st.session_state.get("mix_w", 1)
    picked = pixel_from_selection(st.session_state.get("mix_pick"), h, w)
    # A cleared selection (a double-click) keeps the pixel shown.
    row, col = picked or (st.session_state.get("mix_row", 0), st.session_state.get("mix_col", 0))
    st.session_state["mix_row"], st.session_state["mix_col"] = row, col


def _pixel_ui(sizes: Sizes, X: np.ndarray, W: np.ndarray) -> tuple[int, int]:
    st.subheader(text("mix_pixel_heading"))
    st.caption(text("mix_pixel_help"))
    cols = st.columns([1, 1, 4])
    with cols[0]:
        row = link_state.number("mix_row", text("mix_row"), high=sizes.h - 1)
    with cols[1]:
        col = link_state.number("mix_col", text("mix_col"), high=sizes.w - 1)
    steps = _pixel_steps(X, W)
    n = steps.index(row, col)
    x_text = ", ".join(mixing.number_text(v) for v in steps.inputs[n])
    y_text = ", ".join(mixing.number_text(v) for v in steps.outputs[n])
    with cols[2]:
        st.markdown(text("mix_pixel_numbers", row=row, col=col, x=x_text, y=y_text))
    st.latex(_product_latex(W, steps.inputs[n], steps.outputs[n]))
    show_figure(
        _pixel_figure(X, W, row, col, current_language(), chart_width("mix_width")),
        key="mix_pick",
        on_select=_on_pick,
        selection_mode="points",
        width="stretch",
    )
    return row, col


def _bmatrix(rows: list[list[str]]) -> str:
    return r"\begin{bmatrix}" + r" \\ ".join(" & ".join(row) for row in rows) + r"\end{bmatrix}"


def _product_latex(W: np.ndarray, x: np.ndarray, y: np.ndarray) -> str:
    """y = W x with the numbers: W (c_o × c_i) times x (c_i) equals y (c_o)."""
    w_rows = [[mixing.number_text(v) for v in row] for row in W]
    x_rows = [[mixing.number_text(v)] for v in x]
    y_rows = [[mixing.number_text(v)] for v in y]
    parts = [(w_rows, "W"), (x_rows, "x")]
    product = " ".join(rf"\underbrace{{{_bmatrix(rows)}}}_{{{name}}}" for rows, name in parts)
    return product + rf" = \underbrace{{{_bmatrix(y_rows)}}}_{{y}}"


# ---- the whole layer ----


def _matmul_ui(sizes: Sizes, X: np.ndarray, W: np.ndarray, row: int, col: int) -> None:
    st.subheader(text("mix_matmul_heading"))
    n = sizes.h * sizes.w
    st.markdown(text("mix_matmul_help", row=row, col=col, p=row * sizes.w + col))
    st.markdown("**" + text("mix_matmul_shapes", c_out=sizes.c_out, c_in=sizes.c_in, n=n, h=sizes.h, w=sizes.w) + "**")
    width = laid_out_width("mix_width")  # the pixel chart's probe measures the column
    show_figure(_matmul_figure(X, W, row, col, current_language(), width), key="mix_matmul_chart", width="stretch")
    check = _matmul_check(X, W)
    verdict = text("mix_check_ok" if check.agrees else "mix_check_bad", c_out=sizes.c_out, c_in=sizes.c_in,
                   diff=f"{check.max_abs_diff:.3g}", tol=f"{check.tolerance:.3g}")
    if check.agrees:
        st.success(verdict)
    else:
        st.error(verdict)
    st.caption(text("mix_check_note"))
    arrays = {"W": W, "X": X, "Y": check.Y_1x1}  # (c_o, c_i), (c_i, h, w), (c_o, h, w)
    st.download_button(text("kit_download_mix"), arrays_zip(arrays), file_name="convviz_1x1_arrays.zip",
                       mime="application/zip", key="mix_zip")


# ---- costs ----


def _cost_ui(sizes: Sizes) -> None:
    st.subheader(text("mix_cost_heading"))
    cols = st.columns([2, 1])
    with cols[0]:
        k_text = link_state.choice("mix_k", text("mix_k"), st.select_slider, options=K_OPTIONS,
                                   help=text("mix_k_help"))
    with cols[1]:
        bias = bool(link_state.bound("mix_bias", lambda: st.checkbox(text("mix_bias"), key="mix_bias",
                                                                      help=text("mix_bias_help"))))
    k = int(k_text)
    one = mixing.layer_geometry(sizes.c_in, sizes.c_out, sizes.h, sizes.w, 1, bias)
    wide = mixing.layer_geometry(sizes.c_in, sizes.c_out, sizes.h, sizes.w, k, bias)
    table = pd.DataFrame(
        [
            _cost_row(text("mix_cost_1x1", c_in=sizes.c_in, c_out=sizes.c_out), one),
            _cost_row(text("mix_cost_kxk", k=k, c_in=sizes.c_in, c_out=sizes.c_out), wide),
        ]
    )
    st.dataframe(table, hide_index=True, width="stretch")
    weights_ratio = wide.mult_adds / one.mult_adds
    st.markdown(text("mix_cost_ratio", h=sizes.h, w=sizes.w, k=k, k2=k * k, ratio=f"{weights_ratio:g}"))
    if bias:
        st.caption(text("mix_cost_ratio_bias", ratio=f"{wide.params / one.params:.3g}"))

    st.markdown("#### " + text("mix_bottleneck_heading"))
    example = mixing.bottleneck(k=k, bias=bias, **BOTTLENECK)
    c, mid = BOTTLENECK["channels"], BOTTLENECK["reduced"]
    st.markdown(text("mix_bottleneck_intro", k=k, c=c, mid=mid, h=BOTTLENECK["h"], w=BOTTLENECK["w"]))
    rows = [
        _cost_row(text("mix_bottleneck_direct", k=k, c=c), example.direct),
        _cost_row(text("mix_bottleneck_reduce", c=c, mid=mid), example.reduce),
        _cost_row(text("mix_bottleneck_expand", k=k, c=c, mid=mid), example.expand),
        {
            text("mix_cost_layer"): text("mix_bottleneck_total"),
            text("mix_cost_kernel"): "",
            text("mix_cost_params"): f"{example.params:,}",
            text("mix_cost_params_formula"): "",
            text("mix_cost_mult_adds"): f"{example.mult_adds:,}",
        },
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    st.success(
        text(
            "mix_bottleneck_saving",
            params_ratio=f"{example.params_saving:.2f}",
            mult_ratio=f"{example.mult_adds_saving:.2f}",
            direct_params=f"{example.direct.params:,}",
            bottleneck_params=f"{example.params:,}",
            direct_mult=f"{example.direct.mult_adds:,}",
            bottleneck_mult=f"{example.mult_adds:,}",
        )
    )
    if k == 1:
        st.info(text("mix_bottleneck_k1", c=c, mid=mid))


def _cost_row(name: str, geo: Any) -> dict[str, str]:
    """One table row: the layer, its kernel shape, parameters with their formula, multiply–adds."""
    k2 = "" if geo.k_h == 1 else f"·{geo.k_h}²"
    bias = f" + {geo.c_out}" if geo.has_bias else ""
    return {
        text("mix_cost_layer"): name,
        text("mix_cost_kernel"): f"({geo.c_out}, {geo.c_in}, {geo.k_h}, {geo.k_w})",
        text("mix_cost_params"): f"{geo.params:,}",
        text("mix_cost_params_formula"): f"{geo.c_out}·{geo.c_in}{k2}{bias}",
        text("mix_cost_mult_adds"): f"{geo.mult_adds:,}  ({geo.c_out}·{geo.c_in}{k2}·{geo.out_h}·{geo.out_w})",
    }
