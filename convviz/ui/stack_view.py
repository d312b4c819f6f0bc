"""The stacked layers tab: two or three layers in a row, the receptive field of any output cell in every layer
down to the input, and the one layer that does the same (or, with ReLU between, where and by how much it
differs). Each control's key is its URL parameter (prefixed `st_`); the layers play in the same player as the main
tab's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import streamlit as st

from convviz.core.stacking import Layer
from convviz.figures.animation import Room
from convviz.figures.stack import kernel_figure, stack_figure
from convviz.i18n.strings import current_language, speaking, text
from convviz.model.codegen import arrays_zip, stack_code
from convviz.model.link import SPEEDS_MS
from convviz.model.stack_steps import (
    ST_VALUES,
    Composed,
    StackTable,
    composed,
    field_formula,
    stack_inputs,
    stack_table,
)
from convviz.ui import class_room, link_state
from convviz.ui.common import PLAIN_ARGS, show_figure
from convviz.ui.player import figure_payload, layout_choices, tab_player
from convviz.ui.slides import lecture_slides

PLAYER_KEY = "st_player"


@dataclass(frozen=True)
class StackSetting:
    """The stacked layers tab's controls."""

    values: str = "integers"
    c_in: int = 1
    h: int = 7
    w: int = 7
    layers: tuple[Layer, ...] = (Layer(2, 3), Layer(1, 3))
    relu: bool = False
    seed: int = 0

    @property
    def decimals(self) -> int:
        return 2 if self.values == "random" else 0

    def inputs(self) -> tuple[np.ndarray, list[np.ndarray]]:
        return stack_inputs(self.values, self.c_in, self.h, self.w, self.layers, self.seed)


@st.cache_resource(max_entries=16, show_spinner=False, hash_funcs=PLAIN_ARGS)
def _table(setting: StackSetting) -> StackTable:
    X, kernels = setting.inputs()
    return stack_table(X, setting.layers, kernels, relu=setting.relu)


@st.cache_resource(max_entries=32, show_spinner=False, hash_funcs=PLAIN_ARGS)
def _figure(setting: StackSetting, room: Room, language: str) -> tuple[bytes, str]:
    with speaking(language):
        return figure_payload(stack_figure(_table(setting), decimals=setting.decimals, room=room))


@st.cache_resource(max_entries=16, show_spinner=False, hash_funcs=PLAIN_ARGS)
def _usual(setting: StackSetting, rooms: tuple[Room, ...], language: str) -> list[tuple[Room, bytes, str]]:
    return layout_choices(rooms, lambda room: _figure(setting, room, language))


@st.cache_resource(max_entries=16, show_spinner=False, hash_funcs=PLAIN_ARGS)
def _composed(setting: StackSetting) -> Composed:
    return composed(_table(setting))


@st.cache_resource(max_entries=32, show_spinner=False, hash_funcs=PLAIN_ARGS)
def _kernel_figure(setting: StackSetting, room: Room, language: str) -> dict[str, Any]:
    with speaking(language):
        return kernel_figure(_composed(setting), decimals=setting.decimals, room=room)


def _controls() -> tuple[StackSetting, int]:
    number = link_state.number
    with st.sidebar:
        st.header(text("st_sidebar_title"))
        values = link_state.choice("st_values", text("values"), st.radio,
                                   labels=lambda kind: text(f"st_choice_{kind}"))
        count = int(link_state.choice("st_layers", text("st_layers"), st.radio, horizontal=True))
        relu = link_state.toggle("st_relu", text("st_relu"), help=text("st_relu_help"))
        left, right = st.columns(2)
        with left:
            c_in = number("st_c0", text("st_c0"))
            h = number("st_h", text("h"))
        with right:
            seed = number("st_seed", text("seed"))
            w = number("st_w", text("w"))
        layers = []
        for n in range(1, count + 1):
            st.markdown(f"**{text('st_layer', n=n)}**")
            left, right = st.columns(2)
            with left:
                c_out = number(f"st_c{n}", text("st_c_out"))
                stride = number(f"st_s{n}", text("stride"))
                dilation = number(f"st_d{n}", text("dilation"))
            with right:
                k = number(f"st_k{n}", text("st_k"))
                padding = number(f"st_p{n}", text("padding"))
            layers.append(Layer(c_out, k, stride, padding, dilation))
        speed = link_state.choice("speed", text("speed"), st.select_slider,
                                  labels=lambda name: text(f"choice_speed_{name}"))
    assert values in ST_VALUES  # the link's checked options
    return StackSetting(values, c_in, h, w, tuple(layers), relu, seed), SPEEDS_MS[speed]


def render_stack_view() -> None:
    """Draw the stacked layers tab: controls in the sidebar, the layers and their fields, the one layer, the code."""
    setting, frame_ms = _controls()
    st.markdown(text("st_intro"))
    try:
        table = _table(setting)
    except ValueError as err:  # a layer whose kernel does not fit its input: the core's sentence, and which layer
        st.error(text("st_impossible", problem=str(err)))
        return
    room = _play(table, setting, frame_ms)
    formula, size = field_formula(setting.layers)
    st.markdown(text("st_field", n=len(setting.layers), formula=formula, r=size))
    _one_layer(setting, room)
    _kit(setting, table, frame_ms)


def _one_layer(setting: StackSetting, room: Room) -> None:
    """The one layer that does what the row does, and where (with padding after the first layer, or ReLU) they
    differ."""
    one = _composed(setting)
    k = one.K.shape[2]
    st.subheader(text("st_one_title"))
    st.markdown(text("st_one", c_out=one.K.shape[0], c_in=one.K.shape[1], k=k, s=one.stride, p=one.padding))
    differing = int((np.abs(one.difference) > 1e-3).sum())
    largest = float(np.abs(one.difference).max())
    if one.exact:
        st.success(text("st_one_same", diff=largest))
    elif setting.relu:
        st.warning(text("st_one_relu", n=differing, total=one.difference.size, diff=largest))
    else:
        st.warning(text("st_one_padding", n=differing, total=one.difference.size, diff=largest))
    show_figure(_kernel_figure(setting, room, current_language()), key="st_kernel_figure")


def _kit(setting: StackSetting, table: StackTable, frame_ms: int) -> None:
    """The code that prints the page's numbers, and the arrays; drawn only when opened."""
    kit = st.expander(text("kit_title"), key="st_kit_open", on_change="rerun")
    if kit.open:
        X, kernels = table.maps[0], list(table.kernels)
        with kit:
            st.markdown(text("kit_code"))
            st.code(stack_code(X, kernels, setting.layers, relu=setting.relu, title=_link(setting)),
                    language="python")
            arrays = {"X": X, **{f"K{n}": K for n, K in enumerate(kernels, 1)}, "Y": table.maps[-1]}
            st.download_button(text("kit_download"), arrays_zip(arrays), file_name="convviz_stack.zip",
                               mime="application/zip", key="st_kit_zip")
            language = current_language()
            lecture_slides(lambda room: _figure(setting, room, language), step=link_state.values()["st_step"],
                           frame_ms=frame_ms, key="st_kit", name="convviz_stack")


def _link(setting: StackSetting) -> str:
    """The setting as the query string of a link that opens it."""
    parts = [f"st_values={setting.values}", f"st_layers={len(setting.layers)}", f"st_c0={setting.c_in}",
             f"st_h={setting.h}", f"st_w={setting.w}", f"st_relu={str(setting.relu).lower()}",
             f"st_seed={setting.seed}"]
    for n, layer in enumerate(setting.layers, 1):
        parts += [f"st_c{n}={layer.c_out}", f"st_k{n}={layer.k}", f"st_s{n}={layer.stride}",
                  f"st_p{n}={layer.padding}", f"st_d{n}={layer.dilation}"]
    return "?view=stack&" + "&".join(parts)


def _play(table: StackTable, setting: StackSetting, frame_ms: int) -> Room:
    """The player, with its step in the link (`st_step`); the room for the other diagrams."""
    st.subheader(text("st_title", n=len(setting.layers)))
    language = current_language()
    return tab_player(PLAYER_KEY, "st_step", table.n_steps, frame_ms,
                      payload_for=lambda room: _figure(setting, room, language),
                      usual_for=lambda rooms: _usual(setting, rooms, language),
                      lead=class_room.lead)
