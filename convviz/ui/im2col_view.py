"""The im2col tab: a k×k convolution as one matrix product, K_mat @ im2col(X), one column of the unfolded X a step.
Each control's key is its URL parameter (prefixed `col_`); the product plays in the same player as the main tab's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from convviz.core.correlation import corr2d_multi_in_out, corr2d_multi_in_out_1x1
from convviz.figures.animation import Room
from convviz.figures.im2col import unfold_figure
from convviz.i18n.strings import current_language, speaking, text
from convviz.model.codegen import arrays_zip, im2col_code
from convviz.model.im2col_steps import (
    COL_VALUES,
    UnfoldTable,
    dilation_high,
    k_high,
    padding_high,
    unfold_inputs,
    unfold_table,
)
from convviz.model.link import SPEEDS_MS
from convviz.ui import class_room, link_state
from convviz.ui.common import PLAIN_ARGS
from convviz.ui.player import figure_payload, layout_choices, tab_player
from convviz.ui.slides import lecture_slides

PLAYER_KEY = "col_player"


@dataclass(frozen=True)
class UnfoldSetting:
    """The im2col tab's controls."""

    values: str = "book"
    c_in: int = 2
    c_out: int = 2
    h: int = 3
    w: int = 3
    k: int = 2
    stride: int = 1
    padding: int = 0
    dilation: int = 1
    seed: int = 0

    @property
    def decimals(self) -> int:
        return 2 if self.values == "random" else 0

    def inputs(self) -> tuple[np.ndarray, np.ndarray]:
        """X (c_i, h, w) and K (c_o, c_i, k, k)."""
        return unfold_inputs(self.values, self.c_in, self.c_out, self.h, self.w, self.k, self.seed)


@st.cache_resource(max_entries=16, show_spinner=False, hash_funcs=PLAIN_ARGS)
def _table(setting: UnfoldSetting) -> UnfoldTable:
    X, K = setting.inputs()
    return unfold_table(X, K, stride=setting.stride, padding=setting.padding, dilation=setting.dilation)


@st.cache_resource(max_entries=32, show_spinner=False, hash_funcs=PLAIN_ARGS)
def _figure(setting: UnfoldSetting, room: Room, language: str) -> tuple[bytes, str]:
    with speaking(language):
        return figure_payload(unfold_figure(_table(setting), decimals=setting.decimals, room=room))


@st.cache_resource(max_entries=16, show_spinner=False, hash_funcs=PLAIN_ARGS)
def _usual(setting: UnfoldSetting, rooms: tuple[Room, ...], language: str) -> list[tuple[Room, bytes, str]]:
    return layout_choices(rooms, lambda room: _figure(setting, room, language))


@st.cache_data(max_entries=64, show_spinner=False, hash_funcs=PLAIN_ARGS)
def _checks(setting: UnfoldSetting) -> tuple[float, float | None]:
    """Largest |K_mat @ im2col(X) − the core's corr2d_multi_in_out|, and, for a 1×1 kernel, the same against
    corr2d_multi_in_out_1x1 (None otherwise)."""
    X, K = setting.inputs()
    geometry = {"stride": setting.stride, "padding": setting.padding, "dilation": setting.dilation}
    Y = _table(setting).output_maps()
    diff = float(np.abs(Y - corr2d_multi_in_out(X, K, **geometry).numpy()).max())
    if setting.k != 1:
        return diff, None
    return diff, float(np.abs(Y - corr2d_multi_in_out_1x1(X, K, **geometry).numpy()).max())


def _controls() -> tuple[UnfoldSetting, int]:
    number = link_state.number
    with st.sidebar:
        st.header(text("col_sidebar_title"))
        values = link_state.choice("col_values", text("values"), st.radio,
                                   labels=lambda kind: text(f"col_choice_{kind}"))
        left, right = st.columns(2)
        with left:
            c_in = number("col_c_in", text("col_c_in"))
            h = number("col_h", text("h"))
        with right:
            c_out = number("col_c_out", text("col_c_out"))
            w = number("col_w", text("w"))
        k = number("col_k", text("col_k"), high=k_high(h, w), help=text("col_k_help"))
        left, right = st.columns(2)
        with left:
            stride = number("col_stride", text("col_stride"))
        with right:
            padding = number("col_padding", text("col_padding"), high=padding_high(k), help=text("col_padding_help"))
        dilation = number("col_dilation", text("col_dilation"), high=dilation_high(h, w, k, padding),
                          help=text("col_dilation_help"))
        seed = number("col_seed", text("seed"), disabled=values == "book")
        speed = link_state.choice("speed", text("speed"), st.select_slider,
                                  labels=lambda name: text(f"choice_speed_{name}"))
    assert values in COL_VALUES  # the link's checked options
    return UnfoldSetting(values, c_in, c_out, h, w, k, stride, padding, dilation, seed), SPEEDS_MS[speed]


def render_im2col_view() -> None:
    """Draw the im2col tab: controls in the sidebar, the product in the player, its cost and its check, the code."""
    setting, frame_ms = _controls()
    st.markdown(text("col_intro"))
    table = _table(setting)
    geo = table.geometry
    rows, n = table.X_col.shape
    _play(table, setting, frame_ms)
    st.markdown(text("col_shapes", c_in=geo.c_in, c_out=geo.c_out, k=setting.k, rows=rows, h_o=geo.out_h,
                     w_o=geo.out_w, n=n))
    unfolded, held = table.X_col.size, table.X.size
    st.markdown(text("col_memory", c_in=geo.c_in, k=setting.k, h_o=geo.out_h, w_o=geo.out_w, h=geo.h, w=geo.w,
                     unfolded=unfolded, held=held, ratio=unfolded / held, kk=setting.k * setting.k))
    diff, diff_1x1 = _checks(setting)
    if diff <= 1e-4:
        st.success(text("col_check_ok", diff=diff))
    else:  # pragma: no cover - the product and TensorFlow's conv2d agree on every setting (tests/test_im2col.py)
        st.error(text("col_check_bad", diff=diff))
    if diff_1x1 is None:
        st.markdown(text("col_one_by_one"))
    else:
        st.markdown(text("col_one_by_one_here", diff=diff_1x1))
    _kit(setting, frame_ms)


def _kit(setting: UnfoldSetting, frame_ms: int) -> None:
    """The code that prints the page's numbers, and the arrays; drawn only when opened."""
    kit = st.expander(text("kit_title"), key="col_kit_open", on_change="rerun")
    if kit.open:
        X, K = setting.inputs()
        table = _table(setting)
        with kit:
            st.markdown(text("kit_code"))
            st.code(im2col_code(X, K, stride=setting.stride, padding=setting.padding, dilation=setting.dilation,
                                title=_link(setting)), language="python")
            st.download_button(text("kit_download"),
                               arrays_zip({"X": X, "K": K, "X_col": table.X_col, "K_mat": table.K_mat,
                                           "Y": table.output_maps()}),
                               file_name="convviz_im2col.zip", mime="application/zip", key="col_kit_zip")
            language = current_language()
            lecture_slides(lambda room: _figure(setting, room, language), step=link_state.values()["col_step"],
                           frame_ms=frame_ms, key="col_kit", name="convviz_im2col")


def _link(setting: UnfoldSetting) -> str:
    """The setting as the query string of a link that opens it."""
    fields = ("values", "c_in", "c_out", "h", "w", "k", "stride", "padding", "dilation", "seed")
    return "?view=im2col&" + "&".join(f"col_{key}={getattr(setting, key)}" for key in fields)


def _play(table: UnfoldTable, setting: UnfoldSetting, frame_ms: int) -> Room:
    """The player, as on the main tab, with its step in the link (`col_step`)."""
    st.subheader(text("col_title"))
    language = current_language()
    return tab_player(PLAYER_KEY, "col_step", table.n_steps, frame_ms,
                      payload_for=lambda room: _figure(setting, room, language),
                      usual_for=lambda rooms: _usual(setting, rooms, language),
                      lead=class_room.lead)
