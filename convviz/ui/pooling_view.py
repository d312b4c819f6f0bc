"""The pooling tab: the window slides over every channel on its own, each keeps its maximum or its mean, and the
channels are never added up (the exact contrast to the main tab). Each control's key is its URL parameter
(prefixed `pool_`); the figure plays in the same player as the main tab's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from convviz.core.pooling import MODES, Mode, pool2d, pool_geometry
from convviz.figures.animation import Room
from convviz.figures.pooling import pooling_figure
from convviz.i18n.strings import current_language, speaking, text
from convviz.model.link import SPEEDS_MS
from convviz.model.pool_steps import POOL_VALUES, PoolTable, pool_input, pool_table
from convviz.ui import link_state
from convviz.ui.player import (
    figure_payload,
    laid_out,
    layout_choices,
    player,
    read_state,
)

PLAYER_KEY = "pool_player"


@dataclass(frozen=True)
class PoolSetting:
    """The pooling tab's controls (stride 0: the window's own size)."""

    values: str = "integers"
    channels: int = 2
    h: int = 4
    w: int = 4
    k: int = 2
    stride: int = 0
    padding: int = 0
    mode: Mode = "max"
    seed: int = 0

    @property
    def step(self) -> int:
        return self.stride or self.k


@st.cache_resource(max_entries=16, show_spinner=False)
def _table(setting: PoolSetting) -> PoolTable:
    X = pool_input(setting.values, setting.channels, setting.h, setting.w, setting.seed)
    return pool_table(X, setting.k, stride=setting.step, padding=setting.padding, mode=setting.mode)


@st.cache_resource(max_entries=32, show_spinner=False)
def _figure(setting: PoolSetting, room: Room, language: str) -> tuple[bytes, str]:
    with speaking(language):
        return figure_payload(pooling_figure(_table(setting), decimals=_decimals(setting), room=room))


@st.cache_resource(max_entries=16, show_spinner=False)
def _usual(setting: PoolSetting, rooms: tuple[Room, ...], language: str) -> list[tuple[Room, bytes, str]]:
    return layout_choices(rooms, lambda room: _figure(setting, room, language))


@st.cache_data(max_entries=64, show_spinner=False)
def _check_against_tf(setting: PoolSetting) -> float:
    """Largest |step table − the core's pool2d (TensorFlow's pooling ops)| over the output."""
    X = pool_input(setting.values, setting.channels, setting.h, setting.w, setting.seed)
    Y = pool2d(X, setting.k, stride=setting.step, padding=setting.padding, mode=setting.mode).numpy()
    return float(np.abs(_table(setting).output_maps() - Y).max())


def _decimals(setting: PoolSetting) -> int:
    return 2 if setting.values == "random" else 0


def _controls() -> tuple[PoolSetting, int]:
    number = link_state.number
    with st.sidebar:
        st.header(text("pool_sidebar_title"))
        values = link_state.choice("pool_values", text("values"), st.radio,
                                   labels=lambda kind: text(f"pool_choice_{kind}"))
        mode = link_state.choice("pool_mode", text("pool_mode"), st.radio, horizontal=True,
                                 labels=lambda kind: text(f"pool_mode_{kind}"))
        channels = number("pool_c", text("pool_c"))
        left, right = st.columns(2)
        with left:
            h = number("pool_h", text("h"))
            k = number("pool_k", text("pool_k"))
        with right:
            w = number("pool_w", text("w"))
            stride = number("pool_stride", text("pool_stride"), help=text("pool_stride_help"))
        padding = number("pool_padding", text("pool_padding"), high=k // 2, help=text("pool_padding_help"))
        seed = number("pool_seed", text("seed"), disabled=values == "book")
        speed = link_state.choice("speed", text("speed"), st.select_slider,
                                  labels=lambda name: text(f"choice_speed_{name}"))
    assert mode in MODES and values in POOL_VALUES  # the link's checked options
    return PoolSetting(values, channels, h, w, k, stride, padding, mode, seed), SPEEDS_MS[speed]


def render_pooling_view() -> None:
    """Draw the pooling tab: controls in the sidebar, the animation and its words in the page."""
    setting, frame_ms = _controls()
    st.markdown(text("pool_intro"))
    try:
        geo = pool_geometry((setting.channels, setting.h, setting.w), setting.k, stride=setting.step,
                            padding=setting.padding)
    except ValueError:
        st.error(text("pool_impossible", k=setting.k, h=setting.h, w=setting.w, p=setting.padding))
        return
    table = _table(setting)
    _play(setting, table, frame_ms)
    st.markdown(text("pool_counts", c=geo.channels, h_o=geo.out_h, w_o=geo.out_w, h=setting.h, w=setting.w,
                     k=setting.k, s=setting.step, p=setting.padding))
    st.caption(text(f"pool_rule_{setting.mode}"))
    diff = _check_against_tf(setting)
    if diff <= 1e-5:
        st.success(text("pool_check_ok", diff=diff))
    else:  # pragma: no cover - the step table and TensorFlow agree on every setting (tests/test_pooling.py)
        st.error(text("pool_check_bad", diff=diff))


def _play(setting: PoolSetting, table: PoolTable, frame_ms: int) -> None:
    """The player, as on the main tab: its step kept in the link (`pool_step`), laid out for the browser's room."""
    link_step = min(link_state.values()["pool_step"], table.n_steps - 1)
    state = read_state(st.session_state.get(PLAYER_KEY), table.n_steps, link_step)
    st.subheader(text("pool_title", mode=text(f"pool_mode_{setting.mode}")))
    present = link_state.values()["present"]
    language = current_language()
    room, payload, revision, choices = laid_out(
        state.room, zoom=float(link_state.values()["zoom"]), present=present,
        payload_for=lambda room: _figure(setting, room, language),
        usual_for=lambda rooms: _usual(setting, rooms, language))
    player(payload, revision, step=state.step, frame_ms=frame_ms, room=room, present=present,
           note=text("numbers_hidden"), key=PLAYER_KEY, choices=choices)
    link_state.set_value("pool_step", state.step)
