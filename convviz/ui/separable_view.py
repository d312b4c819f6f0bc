"""The separable view: one full k×k layer beside a depthwise k×k layer followed by a 1×1 layer, on the same input.

Sections, top to bottom: the sizes; the 1×1 layer's W (presets and edits as on the 1×1 tab); what each route
costs, with the ratio 1/c_o + 1/k² worked out; both outputs; and why (b) is a restricted form of (a).

Every control's key starts with `sep_` and is also its URL parameter; an edited W travels as `sep_W=1,0;0,1`.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np
import streamlit as st

from convviz.core.geometry import Geometry
from convviz.core.lazy import LazyModule
from convviz.figures.mixing import matrix_figure
from convviz.figures.separable import kernels_figure, maps_figure
from convviz.i18n.strings import current_language, speaking, text
from convviz.model import mixing, separable
from convviz.ui import link_state
from convviz.ui.common import PLAIN_ARGS, show_figure
from convviz.ui.matrix_edit import MatrixEdit
from convviz.ui.width_probe import chart_width

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = LazyModule("pandas")  # ~0.6 s to import: only tables need it, not the first page

STATE = "sep_matrix_state"  # session_state: {"basis", "W", "custom", "error"}; W is the last good matrix
TEXT_KEY = "sep_W_text"  # the text area holding the editable W (not in the link: `sep_W` is)
URL_MATRIX = "sep_W"
MATRIX = MatrixEdit(STATE, TEXT_KEY, URL_MATRIX)  # W: a preset or the last good edit


@dataclass(frozen=True)
class Sizes:
    c_in: int
    c_out: int
    h: int
    w: int
    k: int
    seed: int


# ---- cached pure work (numbers and NumPy in, NumPy or dicts out) ----


@st.cache_data(max_entries=64, show_spinner=False, hash_funcs=PLAIN_ARGS)
def _inputs(sizes: Sizes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """X (c_i, h, w), K (c_o, c_i, k, k), D (c_i, 1, k, k)."""
    K, D = separable.kernels(sizes.c_in, sizes.c_out, sizes.k, sizes.seed)
    return mixing.input_image(sizes.c_in, sizes.h, sizes.w, sizes.seed), K, D


@st.cache_data(max_entries=64, show_spinner=False, hash_funcs=PLAIN_ARGS)
def _result(sizes: Sizes, W: np.ndarray) -> separable.SeparableResult:
    X, K, D = _inputs(sizes)
    return separable.separable_layers(X, K, D, W)


@st.cache_data(max_entries=64, show_spinner=False, hash_funcs=PLAIN_ARGS)
def _maps_figure(sizes: Sizes, W: np.ndarray, language: str, width: int) -> dict[str, Any]:
    with speaking(language):  # built in the language the cache is keyed by
        return maps_figure(_inputs(sizes)[0], _result(sizes, W), width)


@st.cache_data(max_entries=64, show_spinner=False, hash_funcs=PLAIN_ARGS)
def _kernels_figure(sizes: Sizes, W: np.ndarray, language: str, width: int) -> dict[str, Any]:
    with speaking(language):  # built in the language the cache is keyed by
        return kernels_figure(_inputs(sizes)[1], _result(sizes, W).K_equivalent, width)


# ---- the view ----


def render_separable_view() -> None:
    """The whole separable view."""
    st.header(text("sep_title"))
    st.markdown(text("sep_intro"))
    sizes = _sizes_ui()
    W = _matrix_ui(sizes)
    _cost_ui(sizes)
    _maps_ui(sizes, W)


def _sizes_ui() -> Sizes:
    st.subheader(text("sep_controls"))
    cols = st.columns([1, 1, 1, 1, 1.4, 1])
    with cols[0]:
        c_in = link_state.number("sep_c_in", text("sep_c_in"))
    with cols[1]:
        c_out = link_state.number("sep_c_out", text("sep_c_out"))
    with cols[2]:
        h = link_state.number("sep_h", text("sep_h"))
    with cols[3]:
        w = link_state.number("sep_w", text("sep_w"))
    with cols[4]:
        k = link_state.choice("sep_k", text("sep_k"), st.select_slider, options=separable.K_OPTIONS,
                              help=text("sep_k_help"))
    with cols[5]:
        seed = link_state.number("sep_seed", text("sep_seed"), help=text("sep_seed_help"))
    return Sizes(c_in, c_out, h, w, int(k), seed)


# ---- W: presets, the last good matrix, edits (read and checked by convviz/model/mixing.py) ----


def _matrix_ui(sizes: Sizes) -> np.ndarray:
    st.subheader(text("sep_matrix_heading"))
    left, middle, right = st.columns([1.0, 1.3, 1.2])
    with left:
        preset = link_state.choice("sep_preset", text("sep_preset"), st.selectbox,
                                   labels=lambda name: text(f"choice_preset_{name}"), help=text("mix_preset_help"))
        st.caption(text(f"mix_preset_{preset}"))
    state = MATRIX.state(preset, sizes.c_out, sizes.c_in, sizes.seed)
    W = np.asarray(state["W"], dtype=np.float64)  # (c_o, c_i): the last good matrix
    with middle:
        show_figure(matrix_figure(W), key="sep_W_chart", width="stretch")
    with right:
        label = text("sep_edit", c_in=sizes.c_in, c_out=sizes.c_out)
        MATRIX.editor(label, state, preset, sizes.c_out, reset_key="sep_reset")
    return W


# ---- costs ----


def _fraction(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}" if value.denominator != 1 else str(value.numerator)


def _cost_row(name: str, geo: Geometry) -> dict[str, str]:
    """One table row: the layer, its kernel shape and groups, parameters with their formula, multiply–adds."""
    kernel = (geo.c_out, geo.group_in, geo.k_h, geo.k_w)
    k2 = "" if geo.k_h == 1 else f"·{geo.k_h}²"
    formula = f"{geo.c_out}·{geo.group_in}{k2}"
    return {
        text("mix_cost_layer"): name,
        text("mix_cost_kernel"): f"({', '.join(map(str, kernel))})",
        text("sep_cost_groups"): str(geo.groups),
        text("mix_cost_params"): f"{geo.params:,}",
        text("mix_cost_params_formula"): formula,
        text("mix_cost_mult_adds"): f"{geo.mult_adds:,}  ({formula}·{geo.out_h}·{geo.out_w})",
    }


def _cost_ui(sizes: Sizes) -> None:
    st.subheader(text("sep_cost_heading"))
    cost = separable.separable_cost(sizes.c_in, sizes.c_out, sizes.h, sizes.w, sizes.k)
    c_in, c_out, k = sizes.c_in, sizes.c_out, sizes.k
    rows = [
        _cost_row(text("sep_cost_full", c_in=c_in, c_out=c_out, k=k), cost.full),
        _cost_row(text("sep_cost_depthwise", c_in=c_in, k=k), cost.depthwise),
        _cost_row(text("sep_cost_pointwise", c_in=c_in, c_out=c_out), cost.pointwise),
        {
            text("mix_cost_layer"): text("sep_cost_total"),
            text("mix_cost_kernel"): "",
            text("sep_cost_groups"): "",
            text("mix_cost_params"): f"{cost.params:,}",
            text("mix_cost_params_formula"): "",
            text("mix_cost_mult_adds"): f"{cost.mult_adds:,}",
        },
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    st.markdown(
        text(
            "sep_ratio",
            c_out=sizes.c_out,
            k2=sizes.k**2,
            formula=_fraction(cost.formula_ratio),
            formula_float=f"{float(cost.formula_ratio):.4g}",
            params_b=cost.params,
            params_a=cost.full.params,
            params_ratio=_fraction(cost.params_ratio),
            params_float=f"{float(cost.params_ratio):.4g}",
            mult_b=cost.mult_adds,
            mult_a=cost.full.mult_adds,
            mult_ratio=_fraction(cost.mult_adds_ratio),
            mult_float=f"{float(cost.mult_adds_ratio):.4g}",
        )
    )
    st.caption(text("sep_ratio_why"))
    if cost.params_ratio < 1:
        st.success(text("sep_saving", times=f"{float(1 / cost.params_ratio):.3g}"))
    else:
        st.info(text("sep_no_saving", times=f"{float(cost.params_ratio):.3g}"))


# ---- both outputs, and what (b) is ----


def _maps_ui(sizes: Sizes, W: np.ndarray) -> None:
    st.subheader(text("sep_maps_heading"))
    st.caption(text("sep_maps_help"))
    width = chart_width("sep_width")  # both charts are laid out for the column's width
    show_figure(_maps_figure(sizes, W, current_language(), width), key="sep_maps_chart", width="stretch")

    st.subheader(text("sep_lowrank_heading"))
    result = _result(sizes, W)
    st.markdown(text("sep_lowrank", ranks=", ".join(map(str, result.full_ranks))))
    verdict = text(
        "sep_check_ok" if result.agrees else "sep_check_bad",
        diff=f"{result.equivalent_diff:.3g}",
        tol=f"{result.tolerance:.3g}",
    )
    if result.agrees:
        st.success(verdict)
    else:
        st.error(verdict)
    show_figure(_kernels_figure(sizes, W, current_language(), width), key="sep_kernels_chart", width="stretch")
