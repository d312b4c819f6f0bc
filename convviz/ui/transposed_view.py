"""The transposed convolution tab: each input cell scatters a scaled copy of the kernel into every output map, then
the same numbers as an ordinary correlation and as a matrix. Each control's key is its URL parameter (prefixed
`tr_`); the scatter plays in the same player as the main tab's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import streamlit as st

from convviz.core.correlation import corr2d_multi_in_out
from convviz.core.transposed import corr2d_transpose
from convviz.figures.animation import Room
from convviz.figures.transposed import (
    MATRIX_MAX_COLS,
    MATRIX_MAX_ROWS,
    correlation_figure,
    matrix_figure,
    matrix_fits,
    scatter_figure,
)
from convviz.i18n.strings import current_language, speaking, text
from convviz.model.codegen import arrays_zip, transposed_code
from convviz.model.link import SPEEDS_MS
from convviz.model.transposed_steps import (
    TR_VALUES,
    TransposeTable,
    as_correlation,
    correlation_matrix,
    padding_high,
    transpose_inputs,
    transpose_table,
)
from convviz.ui import class_room, link_state
from convviz.ui.common import PLAIN_ARGS, show_figure
from convviz.ui.player import figure_payload, layout_choices, tab_player
from convviz.ui.slides import lecture_slides

PLAYER_KEY = "tr_player"


@dataclass(frozen=True)
class TransposeSetting:
    """The transposed convolution tab's controls."""

    values: str = "book"
    c_in: int = 1
    c_out: int = 1
    h: int = 2
    w: int = 2
    k: int = 2
    stride: int = 1
    padding: int = 0
    seed: int = 0

    @property
    def decimals(self) -> int:
        return 2 if self.values == "random" else 0

    def inputs(self) -> tuple[np.ndarray, np.ndarray]:
        """X (c_i, h, w) and K (c_i, c_o, k, k)."""
        return transpose_inputs(self.values, self.c_in, self.c_out, self.h, self.w, self.k, self.seed)


@st.cache_resource(max_entries=16, show_spinner=False, hash_funcs=PLAIN_ARGS)
def _table(setting: TransposeSetting) -> TransposeTable:
    X, K = setting.inputs()
    return transpose_table(X, K, stride=setting.stride, padding=setting.padding)


@st.cache_resource(max_entries=32, show_spinner=False, hash_funcs=PLAIN_ARGS)
def _figure(setting: TransposeSetting, room: Room, language: str) -> tuple[bytes, str]:
    with speaking(language):
        return figure_payload(scatter_figure(_table(setting), decimals=setting.decimals, room=room))


@st.cache_resource(max_entries=16, show_spinner=False, hash_funcs=PLAIN_ARGS)
def _usual(setting: TransposeSetting, rooms: tuple[Room, ...], language: str) -> list[tuple[Room, bytes, str]]:
    return layout_choices(rooms, lambda room: _figure(setting, room, language))


@st.cache_data(max_entries=64, show_spinner=False, hash_funcs=PLAIN_ARGS)
def _checks(setting: TransposeSetting) -> tuple[float, float]:
    """Largest |step table − TensorFlow's conv2d_transpose| and |TensorFlow's conv2d of Z with F − the same|."""
    table = _table(setting)
    Y = corr2d_transpose(table.X, table.K, stride=setting.stride, padding=setting.padding).numpy()
    same = as_correlation(table)
    Y_corr = corr2d_multi_in_out(same.Z, same.F).numpy()
    return float(np.abs(table.output_maps() - Y).max()), float(np.abs(Y_corr - Y).max())


@st.cache_resource(max_entries=32, show_spinner=False, hash_funcs=PLAIN_ARGS)
def _correlation_figure(setting: TransposeSetting, room: Room, language: str) -> dict[str, Any]:
    with speaking(language):
        return correlation_figure(_table(setting), decimals=setting.decimals, room=room)


@st.cache_resource(max_entries=32, show_spinner=False, hash_funcs=PLAIN_ARGS)
def _matrix_figure(setting: TransposeSetting, room: Room, language: str) -> tuple[dict[str, Any], float]:
    """Cᵀ with vec(X) and y = Cᵀ·vec(X), and the largest |y − the step table's Y|."""
    table = _table(setting)
    C = correlation_matrix(table)  # (c_i·h·w, c_o·h_o·w_o)
    x = table.X.reshape(-1)  # (c_i·h·w,)
    y = C.T @ x  # (c_o·h_o·w_o,)
    with speaking(language):
        figure = matrix_figure(C, x, y, decimals=setting.decimals, room=room)
    return figure, float(np.abs(y - table.output_maps().reshape(-1)).max())


def _controls() -> tuple[TransposeSetting, int]:
    number = link_state.number
    with st.sidebar:
        st.header(text("tr_sidebar_title"))
        values = link_state.choice("tr_values", text("values"), st.radio,
                                   labels=lambda kind: text(f"tr_choice_{kind}"))
        left, right = st.columns(2)
        with left:
            c_in = number("tr_c_in", text("tr_c_in"))
            h = number("tr_h", text("h"))
            k = number("tr_k", text("tr_k"))
        with right:
            c_out = number("tr_c_out", text("tr_c_out"))
            w = number("tr_w", text("w"))
            stride = number("tr_stride", text("tr_stride"), help=text("tr_stride_help"))
        padding = number("tr_padding", text("tr_padding"), high=padding_high(h, w, k, stride),
                         help=text("tr_padding_help"))
        seed = number("tr_seed", text("seed"), disabled=values == "book")
        speed = link_state.choice("speed", text("speed"), st.select_slider,
                                  labels=lambda name: text(f"choice_speed_{name}"))
    assert values in TR_VALUES  # the link's checked options
    return TransposeSetting(values, c_in, c_out, h, w, k, stride, padding, seed), SPEEDS_MS[speed]


def render_transposed_view() -> None:
    """Draw the transposed convolution tab: controls in the sidebar, the scatter, the two other views, the code."""
    setting, frame_ms = _controls()
    st.markdown(text("tr_intro"))
    table = _table(setting)  # the controls keep every setting valid
    geo = table.geometry
    room = _play(table, setting, frame_ms)
    st.markdown(text("tr_counts", c_in=geo.c_in, c_out=geo.c_out, h_o=geo.out_h, w_o=geo.out_w, h=geo.h, w=geo.w,
                     s=setting.stride, p=setting.padding, k=setting.k,
                     params=geo.c_in * geo.c_out * setting.k * setting.k))
    if setting.padding:
        st.caption(text("tr_crop_note", p=setting.padding, full_h=geo.full_h, full_w=geo.full_w))
    diff, diff_corr = _checks(setting)
    if diff <= 1e-4:
        st.success(text("tr_check_ok", diff=diff))
    else:  # pragma: no cover - the step table and TensorFlow agree on every setting (tests/test_transposed.py)
        st.error(text("tr_check_bad", diff=diff))
    st.subheader(text("tr_as_corr_title"))
    st.markdown(text("tr_as_corr", gap=setting.stride - 1, edge=setting.k - 1 - setting.padding))
    show_figure(_correlation_figure(setting, room, current_language()), key="tr_as_corr_figure")
    st.caption(text("tr_as_corr_check", diff=diff_corr))
    _matrix(table, setting, room)
    _kit(setting, frame_ms)


def _matrix(table: TransposeTable, setting: TransposeSetting, room: Room) -> None:
    """Cᵀ, vec(X) and y, when small enough to draw."""
    geo = table.geometry
    rows, cols = geo.c_out * geo.out_h * geo.out_w, geo.c_in * geo.h * geo.w
    st.subheader(text("tr_matrix_title"))
    if not matrix_fits(table):
        st.info(text("tr_matrix_big", rows=rows, cols=cols, max_rows=MATRIX_MAX_ROWS, max_cols=MATRIX_MAX_COLS))
        return
    figure, diff = _matrix_figure(setting, room, current_language())
    st.markdown(text("tr_matrix", s=setting.stride, p=setting.padding, rows=cols, cols=rows))
    show_figure(figure, key="tr_matrix_figure")
    st.caption(text("tr_matrix_check", diff=diff))


def _kit(setting: TransposeSetting, frame_ms: int) -> None:
    """The code that prints the page's numbers, and the arrays; drawn only when opened."""
    kit = st.expander(text("kit_title"), key="tr_kit_open", on_change="rerun")
    if kit.open:
        table = _table(setting)
        X, K = table.X, table.K
        with kit:
            st.markdown(text("kit_code"))
            st.code(transposed_code(X, K, stride=setting.stride, padding=setting.padding, title=_link(setting)),
                    language="python")
            st.download_button(text("kit_download"), arrays_zip({"X": X, "K": K, "Y": table.output_maps()}),
                               file_name="convviz_transposed.zip", mime="application/zip", key="tr_kit_zip")
            language = current_language()
            lecture_slides(lambda room: _figure(setting, room, language), step=link_state.values()["tr_step"],
                           frame_ms=frame_ms, key="tr_kit", name="convviz_transposed")


def _link(setting: TransposeSetting) -> str:
    """The setting as the query string of a link that opens it."""
    fields = ("values", "c_in", "c_out", "h", "w", "k", "stride", "padding", "seed")
    return "?view=transposed&" + "&".join(f"tr_{key}={getattr(setting, key)}" for key in fields)


def _play(table: TransposeTable, setting: TransposeSetting, frame_ms: int) -> Room:
    """The player, as on the main tab, with its step in the link (`tr_step`); the room for the other diagrams."""
    st.subheader(text("tr_title"))
    language = current_language()
    return tab_player(PLAYER_KEY, "tr_step", table.n_steps, frame_ms,
                      payload_for=lambda room: _figure(setting, room, language),
                      usual_for=lambda rooms: _usual(setting, rooms, language),
                      lead=class_room.lead)
