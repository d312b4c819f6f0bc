"""The pooling tab: the window slides over every channel on its own, each keeps its maximum or its mean, and the
channels are never added up (the exact contrast to the main tab). Each control's key is its URL parameter
(prefixed `pool_`); the figure plays in the same player as the main tab's.

With a picture (`pool_values=image`) the page shows every channel beside its pooled map, and the player animates a
small region of them (`pool_region`, chosen by a click); the lecture kit below gives the code for the setting.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import streamlit as st

from convviz.core.pooling import MODES, Mode, pool2d, pool_geometry
from convviz.figures.animation import Room
from convviz.figures.pooling import pooled_picture_figure, pooling_figure
from convviz.i18n.strings import current_language, speaking, text
from convviz.model import images
from convviz.model.codegen import arrays_zip, pool_code
from convviz.model.images import Region
from convviz.model.link import SPEEDS_MS, picture_size, read_region
from convviz.model.pool_steps import POOL_VALUES, PoolTable, pool_input, pool_picture, pool_table, region_input
from convviz.ui import class_room, image_view, link_state
from convviz.ui.common import PLAIN_ARGS, show_figure
from convviz.ui.player import figure_payload, layout_choices, tab_player
from convviz.ui.slides import lecture_slides
from convviz.ui.width_probe import chart_width

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
    image: str = images.PICTURES[0]  # with values "image": the picture, grey or colour (c, h, w its own)
    grey: bool = False

    @property
    def step(self) -> int:
        return self.stride or self.k

    @property
    def picture(self) -> bool:
        return self.values == "image"


def _input(setting: PoolSetting) -> np.ndarray:
    """The whole X (c, h, w): the picture's channels, or the chosen kind of numbers."""
    if setting.picture:
        return pool_picture(setting.image, setting.grey)
    return pool_input(setting.values, setting.channels, setting.h, setting.w, setting.seed)


@st.cache_data(max_entries=16, show_spinner=False, hash_funcs=PLAIN_ARGS)
def _pooled(setting: PoolSetting) -> tuple[np.ndarray, np.ndarray]:
    """X (c, h, w) and its pooling Y (c, h_o, w_o) by the core's pool2d (TensorFlow's pooling ops)."""
    X = _input(setting)
    return X, pool2d(X, setting.k, stride=setting.step, padding=setting.padding, mode=setting.mode).numpy()


@st.cache_resource(max_entries=16, show_spinner=False, hash_funcs=PLAIN_ARGS)
def _table(setting: PoolSetting, region: Region | None = None) -> PoolTable:
    """The player's steps: over the whole input, or over a picture's region (its crop, NaN on the padding)."""
    if region is None:
        return pool_table(_input(setting), setting.k, stride=setting.step, padding=setting.padding,
                          mode=setting.mode)
    crop = region_input(_input(setting), region, setting.k, setting.step, setting.padding)
    return pool_table(crop, setting.k, stride=setting.step, mode=setting.mode)


@st.cache_resource(max_entries=32, show_spinner=False, hash_funcs=PLAIN_ARGS)
def _figure(setting: PoolSetting, region: Region | None, room: Room, language: str) -> tuple[bytes, str]:
    origin = (0, 0) if region is None else (region.row, region.col)
    with speaking(language):
        return figure_payload(pooling_figure(_table(setting, region), decimals=_decimals(setting), room=room,
                                             origin=origin))


@st.cache_resource(max_entries=16, show_spinner=False, hash_funcs=PLAIN_ARGS)
def _usual(setting: PoolSetting, region: Region | None, rooms: tuple[Room, ...],
           language: str) -> list[tuple[Room, bytes, str]]:
    return layout_choices(rooms, lambda room: _figure(setting, region, room, language))


@st.cache_data(max_entries=64, show_spinner=False, hash_funcs=PLAIN_ARGS)
def _check_against_tf(setting: PoolSetting, region: Region | None = None) -> float:
    """Largest |step table − the core's pool2d (TensorFlow's pooling ops)| over the output (a picture: over the
    region's cells of the whole picture's pooling)."""
    Y = _pooled(setting)[1]
    if region is not None:
        Y = Y[:, region.row : region.row + region.rows, region.col : region.col + region.cols]
    return float(np.abs(_table(setting, region).output_maps() - Y).max())


def _decimals(setting: PoolSetting) -> int:
    return 2 if setting.values in ("random", "image") else 0


def _controls() -> tuple[PoolSetting, int]:
    number = link_state.number
    with st.sidebar:
        st.header(text("pool_sidebar_title"))
        values = link_state.choice("pool_values", text("values"), st.radio,
                                   labels=lambda kind: text(f"pool_choice_{kind}"))
        mode = link_state.choice("pool_mode", text("pool_mode"), st.radio, horizontal=True,
                                 labels=lambda kind: text(f"pool_mode_{kind}"))
        picture = values == "image"
        image, grey = _picture_controls() if picture else (images.PICTURES[0], False)
        channels, h, w = _picture_shape(image, grey) if picture else (number("pool_c", text("pool_c")), 0, 0)
        left, right = st.columns(2)
        with left:
            h = h if picture else number("pool_h", text("h"))
            k = number("pool_k", text("pool_k"))
        with right:
            w = w if picture else number("pool_w", text("w"))
            stride = number("pool_stride", text("pool_stride"), help=text("pool_stride_help"))
        padding = number("pool_padding", text("pool_padding"), high=k // 2, help=text("pool_padding_help"))
        seed = 0 if picture else number("pool_seed", text("seed"), disabled=values == "book")
        speed = link_state.choice("speed", text("speed"), st.select_slider,
                                  labels=lambda name: text(f"choice_speed_{name}"))
    assert mode in MODES and values in POOL_VALUES  # the link's checked options
    return PoolSetting(values, channels, h, w, k, stride, padding, mode, seed, image, grey), SPEEDS_MS[speed]


def _picture_controls() -> tuple[str, bool]:
    """The picture (shipped or drawn) and grey or colour; another picture forgets the region picked on this one."""
    shown_before = link_state.values()["pool_image"]
    image = link_state.choice("pool_image", text("img_picture"), st.selectbox,
                              labels=lambda option: text(f"choice_image_{option}"))
    if image != shown_before:
        link_state.set_value("pool_region", "")
    grey = link_state.toggle("pool_grey", text("img_grey"), help=text("img_grey_help"))
    return image, grey


def _picture_shape(image: str, grey: bool) -> tuple[int, int, int]:
    return (1 if grey else 3, *picture_size(image))


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
    region = _picture_part(setting) if setting.picture else None
    table = _table(setting, region)
    _play(setting, table, frame_ms, region)
    st.markdown(text("pool_counts", c=geo.channels, h_o=geo.out_h, w_o=geo.out_w, h=setting.h, w=setting.w,
                     k=setting.k, s=setting.step, p=setting.padding))
    st.caption(text(f"pool_rule_{setting.mode}"))
    diff = _check_against_tf(setting, region)
    if diff <= 1e-5:
        st.success(text("pool_check_ok", diff=diff))
    else:  # pragma: no cover - the step table and TensorFlow agree on every setting (tests/test_pooling.py)
        st.error(text("pool_check_bad", diff=diff))
    _lecture_kit(setting, region, frame_ms)


def _picture_part(setting: PoolSetting) -> Region:
    """The picture's channels beside their pooled maps, the region chosen on them (`pool_region`, or where the
    pooled maps vary most), and its title; returns the region for the player."""
    X, Y = _pooled(setting)  # (c, h, w), (c, h_o, w_o)
    _, out_h, out_w = Y.shape
    st.markdown(text("pool_img_intro", k=setting.k, s=setting.step, h=setting.h, w=setting.w, h_o=out_h, w_o=out_w))
    picked = read_region(link_state.values()["pool_region"])
    row, col = images.busiest_region(Y) if picked is None else picked
    region = images.clamp_region(row, col, out_h, out_w)
    if picked is not None:  # a window or stride changed since it was picked: the link says where it is now
        link_state.set_value("pool_region", f"{region.row},{region.col}")
    mode_name = text(f"pool_img_mode_{setting.mode}")
    figure = pooled_picture_figure(images.load_picture(setting.image), X, Y, k=setting.k, stride=setting.step,
                                   padding=setting.padding, region=region, mode_name=mode_name,
                                   width=chart_width("pool_img_width"))
    on_pick = functools.partial(image_view.pick_region, "pool_pick", "pool_region", out_h, out_w, setting.step,
                                setting.padding, setting.k)  # a click centres the region on that pixel
    show_figure(figure, key="pool_pick", on_select=on_pick, selection_mode="points", width="stretch")
    st.subheader(text("img_region_title", row=region.row, col=region.col, rows=region.rows, cols=region.cols))
    return region


def _lecture_kit(setting: PoolSetting, region: Region | None, frame_ms: int) -> None:
    """The code that reproduces the pooled numbers, and X and Y as files; drawn only when opened."""
    kit = st.expander(text("pool_kit_title"), key="pool_kit_open", on_change="rerun")
    if kit.open:
        X, Y = _pooled(setting)
        rgb = images.load_picture(setting.image) if setting.picture else None
        with kit:
            st.markdown(text("pool_kit_code"))
            st.code(pool_code(X, k=setting.k, stride=setting.step, padding=setting.padding, mode=setting.mode,
                              title=_link(setting), rgb=rgb, grey=setting.grey), language="python")
            st.download_button(text("pool_kit_download"), arrays_zip({"X": X, "Y": Y}),
                               file_name="convviz_pooling.zip", mime="application/zip", key="pool_kit_zip")
            language = current_language()
            lecture_slides(lambda room: _figure(setting, region, room, language),
                           step=link_state.values()["pool_step"], frame_ms=frame_ms, key="pool_kit",
                           name="convviz_pooling")


def _link(setting: PoolSetting) -> str:
    """The setting as the query string of a link that opens it."""
    keys = {"pool_values": setting.values, "pool_mode": setting.mode, "pool_k": setting.k,
            "pool_stride": setting.stride, "pool_padding": setting.padding}
    if setting.picture:
        keys |= {"pool_image": setting.image, "pool_grey": str(setting.grey).lower()}
    else:
        keys |= {"pool_c": setting.channels, "pool_h": setting.h, "pool_w": setting.w, "pool_seed": setting.seed}
    return "?view=Pooling&" + "&".join(f"{key}={value}" for key, value in keys.items())


def _play(setting: PoolSetting, table: PoolTable, frame_ms: int, region: Region | None) -> None:
    """The player, as on the main tab: its step kept in the link (`pool_step`), laid out for the browser's room."""
    st.subheader(text("pool_title", mode=text(f"pool_mode_{setting.mode}")))
    language = current_language()
    tab_player(PLAYER_KEY, "pool_step", table.n_steps, frame_ms,
               payload_for=lambda room: _figure(setting, region, room, language),
               usual_for=lambda rooms: _usual(setting, region, rooms, language),
               lead=class_room.lead)
