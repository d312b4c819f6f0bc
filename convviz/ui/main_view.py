"""The main screen: the animated multi-channel correlation, its numbers, and every output channel.

Each control's key is its URL parameter. Work that depends only on the setting is cached per server, so every
student who opens the same link shares it.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import streamlit as st

from convviz.core import reference
from convviz.core.correlation import convolve2d_multi_in_out, corr2d_multi_in_out
from convviz.core.geometry import Geometry, conv_geometry
from convviz.core.lazy import LazyModule
from convviz.figures.animation import Room, animation_figure
from convviz.i18n.strings import current_language, speaking, text
from convviz.model.codegen import arrays_zip, setting_code
from convviz.model.link import SPEEDS_MS, fixed_shapes, group_options
from convviz.model.setting import VALUE_KINDS, Setting, make_tensors
from convviz.model.steps import StepTable, step_table
from convviz.ui import class_room, image_view, link_state
from convviz.ui.common import PLAIN_ARGS
from convviz.ui.image_view import PictureInput
from convviz.ui.player import (
    figure_payload,
    laid_out,
    layout_choices,
    offline_html,
    player,
    read_state,
)
from convviz.ui.slides import lecture_slides

if TYPE_CHECKING:
    import tensorflow as tf
else:
    tf = LazyModule("tensorflow")  # the first page draws its diagram before TensorFlow's ~3 s import

PLAYER_KEY = "player"
# The offline file's layouts: the rooms its page leaves at 1024×768, 1280×720, 1366×768, 1440×900 and 1920×1080
# (less its margins, title and controls); the file picks the one for the window it is opened in.
OFFLINE_ROOMS = tuple(Room(w, h, present=True) for w, h in (
    (992, 656), (1248, 608), (1328, 656), (1408, 784), (1888, 976)))


# ---- cached work, pure functions of the setting ----


@st.cache_resource(max_entries=16, show_spinner=False, hash_funcs=PLAIN_ARGS)
def _steps(setting: Setting) -> StepTable:
    s = setting.effective()
    X, K, bias = make_tensors(setting)
    return step_table(X, K, bias, stride=s.stride, padding=s.padding, dilation=s.dilation, groups=s.groups,
                      flip=s.flip)


@st.cache_resource(max_entries=32, show_spinner=False, hash_funcs=PLAIN_ARGS)
def _animation(setting: Setting, out: int, room: Room, language: str) -> tuple[bytes, str]:
    """The animated figure for a room, as the player's JSON bytes and their revision.

    The figure is built in `language`, the argument the cache is keyed by: a cached figure is never served in the
    other language.
    """
    with speaking(language):
        return figure_payload(animation_figure(_steps(setting), out, decimals=_decimals(setting), room=room))


@st.cache_resource(max_entries=32, show_spinner=False, hash_funcs=PLAIN_ARGS)
def _usual_layouts(setting: Setting, out: int, rooms: tuple[Room, ...], language: str) -> list[tuple[Room, bytes, str]]:
    """The animated figure for each of the usual screens' rooms (see `layout_choices`): one cache look-up a run
    instead of one per room."""
    return layout_choices(rooms, lambda room: _animation(setting, out, room, language))


@st.cache_data(max_entries=64, show_spinner=False, hash_funcs=PLAIN_ARGS)
def _check_against_tf(setting: Setting) -> tuple[float, float]:
    """Largest |core − tf.nn.conv2d| over the output, and the tolerance it is held to."""
    s = setting.effective()
    X, K, bias = make_tensors(setting)
    layer = convolve2d_multi_in_out if s.flip else corr2d_multi_in_out
    Y = layer(X, K, bias, stride=s.stride, padding=s.padding, dilation=s.dilation, groups=s.groups).numpy()
    p = s.padding
    K_slid = K[..., ::-1, ::-1] if s.flip else K  # TensorFlow's conv2d correlates: true convolution flips K first
    Y_tf = tf.nn.conv2d(  # a filter c_i/g deep: TensorFlow runs the groups itself
        X.transpose(1, 2, 0)[None],  # (1, h, w, c_i)
        K_slid.transpose(2, 3, 1, 0),  # (k_h, k_w, c_i/g, c_o)
        strides=s.stride,
        padding=[[0, 0], [p, p], [p, p], [0, 0]],
        dilations=s.dilation,
    ).numpy()[0].transpose(2, 0, 1)  # (c_o, h_o, w_o)
    if bias is not None:
        Y_tf = Y_tf + bias[:, None, None]
    tolerance = 1e-5 * max(1.0, float(np.abs(Y_tf).max()))
    return float(np.abs(Y - Y_tf).max()), tolerance


def _decimals(setting: Setting) -> int:
    return 2 if setting.values == "random" else 0


# ---- controls ----


def _controls() -> tuple[Setting, int, int, PictureInput | None]:
    """Draw the sidebar; return the setting, the output channel followed, the playback ms per step, and the
    picture with its kernels when the values come from one."""
    number = link_state.number
    with st.sidebar:
        st.header(text("sidebar_title"))
        values = link_state.choice("values", text("values"), st.radio, labels=lambda kind: text(f"choice_{kind}"),
                                   captions=[text(f"values_{kind}") for kind in VALUE_KINDS])
        picture = image_view.picture_controls() if values == "image" else None
        fixed = picture.shapes if picture else fixed_shapes(link_state.values())
        if values == "textbook":
            st.caption(text("textbook_fixed"))
        left, right = st.columns(2)
        with left:
            c_in = number("c_in", text("c_in"), fixed=fixed.get("c_in"))
            h = number("h", text("h"), fixed=fixed.get("h"))
            kh = number("kh", text("kh"), fixed=fixed.get("kh"))
        with right:
            c_out = number("c_out", text("c_out"), fixed=fixed.get("c_out"))
            w = number("w", text("w"), fixed=fixed.get("w"))
            kw = number("kw", text("kw"), fixed=fixed.get("kw"))
        stride = number("stride", text("stride"))
        padding = number("padding", text("padding"))
        dilation = number("dilation", text("dilation"))
        bias = link_state.toggle("bias", text("bias"))
        flip = link_state.toggle("flip", text("flip"), help=text("flip_help"))
        seed = number("seed", text("seed"), disabled=values == "textbook" and not bias)  # pictures: random kernel
        groups = _groups(c_in, c_out, fixed=bool(fixed))
        setting = Setting(c_in, c_out, h, w, kh, kw, stride, padding, dilation, bias, values, seed, groups, flip)
        out = number("out", text("out"), high=setting.effective().c_out - 1)
        speed = link_state.choice("speed", text("speed"), st.select_slider,
                                  labels=lambda name: text(f"choice_speed_{name}"))
        st.caption(text(f"speed_{speed}"))
        st.caption(text("sidebar_share"))
    return setting, out, SPEEDS_MS[speed], picture


def _groups(c_in: int, c_out: int, fixed: bool) -> int:
    """The number of groups: the divisors of c_i that divide c_o too (1 when the values fix the shapes)."""
    options = (1,) if fixed else group_options(c_in, c_out)
    if link_state.values()["groups"] not in options:  # the channel counts changed under it
        link_state.set_value("groups", 1)
        st.session_state["groups"] = 1
    groups = int(link_state.bound("groups", lambda: st.selectbox(text("groups"), options, key="groups",
                                                                  disabled=fixed, help=text("groups_help"))))
    if groups == c_in > 1:
        st.caption(text("groups_depthwise"))
    return groups


# ---- the page ----


def _geometry(setting: Setting) -> tuple[Geometry | None, str]:
    """The setting's geometry, or None and the sentence that says why it is impossible."""
    s = setting.effective()
    try:
        return conv_geometry(s.x_shape, s.k_shape, stride=s.stride, padding=s.padding, dilation=s.dilation,
                             bias=s.bias, groups=s.groups), ""
    except ValueError:
        return None, _why_not(s)


def _why_not(s: Setting) -> str:
    """Why the one setting the controls can make impossible is: a window wider than the padded input.

    (Said here, in the page's language; the core's own sentence is for Python users. Groups are offered only where
    they divide both channel counts, so they never make a setting impossible.)
    """
    axis, size, k = next((axis, size, k) for axis, size, k in (("height", s.h, s.kh), ("width", s.w, s.kw))
                         if s.dilation * (k - 1) + 1 > size + 2 * s.padding)
    return text("impossible_fit", axis=text(f"axis_{axis}"), k=k, d=s.dilation, span=s.dilation * (k - 1) + 1,
                padded=size + 2 * s.padding, size=size, p=s.padding)


def _formula(geo: Geometry) -> None:
    (s_h, s_w), (p_h, p_w), (d_h, d_w) = geo.stride, geo.padding, geo.dilation
    rows = []
    for name, size, k, s, p, d, out in (("h", geo.h, geo.k_h, s_h, p_h, d_h, geo.out_h),
                                        ("w", geo.w, geo.k_w, s_w, p_w, d_w, geo.out_w)):
        rows.append(
            rf"{name}_o = \left\lfloor \frac{{{name} + 2p - d(k_{name} - 1) - 1}}{{s}} \right\rfloor + 1"
            rf" = \left\lfloor \frac{{{size} + 2\cdot{p} - {d}\cdot({k} - 1) - 1}}{{{s}}} \right\rfloor + 1 = {out}"
        )
    st.latex(r"\begin{aligned}" + r"\\[4pt]".join(rows) + r"\end{aligned}")


def _counts(geo: Geometry) -> None:
    """Output shape, parameters and multiply–adds, each with its formula and the numbers put in.

    One Markdown block: three `st.metric`s in columns cost ~80 ms of browser time on every control change.
    """
    grouped = geo.groups > 1  # each output channel multiplies c_i/g input channels, not c_i
    per_group, channels = ("(c\\_i/g)", f"({geo.c_in}/{geo.groups})") if grouped else ("c\\_i", f"{geo.c_in}")
    weights = f"{geo.c_out}·{channels}·{geo.k_h}·{geo.k_w}" + (f" + {geo.c_out}" if geo.has_bias else "")
    products = f"{geo.c_out}·{geo.out_h}·{geo.out_w}·{channels}·{geo.k_h}·{geo.k_w}"
    st.markdown(text("counts", shape=f"{geo.c_out} × {geo.out_h} × {geo.out_w}", per_group=per_group,
                     bias_term=text("counts_bias_term") if geo.has_bias else "",
                     weights=weights, params=f"{geo.params:,}", products=products, mult_adds=f"{geo.mult_adds:,}"))


def render_main_view() -> None:
    """Draw the main screen: controls in the sidebar, the animation and its numbers in the page."""
    setting, out, frame_ms, picture = _controls()
    st.markdown(text("intro_flipped" if setting.flip else "intro"))
    geo, reason = _geometry(setting)
    if geo is None:
        st.error(text("impossible", reason=reason))
        st.info(text("impossible_hint"))
    elif picture is not None:
        region, corner = image_view.picture_page(picture, setting, geo, out)
        cells = class_room.Cells(out, lambda s: float(region.outputs[s, out]), lambda s: (
            corner.row + region.output_position(s)[0], corner.col + region.output_position(s)[1]), decimals=2)
        _play(region.n_steps, lambda room: figure_payload(animation_figure(region, out, decimals=2, room=room,
                                                                     origin=(corner.row, corner.col))), out, frame_ms,
              cells=cells)
        _counts(geo)
    else:
        _animation_section(setting, geo, out, frame_ms)
        _lecture_kit(setting, out, frame_ms)


def _lecture_kit(setting: Setting, out: int, frame_ms: int) -> None:
    """The code that reproduces the numbers on screen, the arrays as files, and the animation as one HTML file
    that plays with no network; drawn only when opened."""
    kit = st.expander(text("kit_title"), key="kit_open", on_change="rerun")
    if kit.open:
        s = setting.effective()
        X, K, bias = make_tensors(setting)  # K: (c_o, c_i/g, k_h, k_w), the grouped layer's own kernel
        with kit:
            st.markdown(text("kit_code"))
            st.code(setting_code(X, K, bias, stride=s.stride, padding=s.padding, dilation=s.dilation,
                                 groups=s.groups, flip=s.flip, title=_link(setting)), language="python")
            layer = convolve2d_multi_in_out if s.flip else corr2d_multi_in_out
            Y = layer(X, K, bias, stride=s.stride, padding=s.padding, dilation=s.dilation, groups=s.groups).numpy()
            arrays = {"X": X, "K": K, **({} if bias is None else {"bias": bias}), "Y": Y}
            st.download_button(text("kit_download"), arrays_zip(arrays), file_name="convviz_arrays.zip",
                               mime="application/zip", key="kit_zip")
            figures = [(room, *_animation(setting, out, room, current_language())) for room in OFFLINE_ROOMS]
            title = text("kit_offline_title", o=out, c_in=s.c_in, h=s.h, w=s.w, kh=s.kh, kw=s.kw)
            st.download_button(text("kit_offline"), offline_html(figures, frame_ms=frame_ms, title=title),
                               file_name="convviz_animation.html", mime="text/html", key="kit_html",
                               help=text("kit_offline_help"))
            lecture_slides(lambda room: _animation(setting, out, room, current_language()),
                           step=link_state.values()["step"], frame_ms=frame_ms, key="kit", name="convviz")


def _link(setting: Setting) -> str:
    """The setting as the query string of a link that opens it."""
    return "?" + "&".join(f"{key}={str(getattr(setting, key)).lower()}" for key in (
        "values", "c_in", "c_out", "h", "w", "kh", "kw", "stride", "padding", "dilation", "bias", "seed", "groups",
        "flip"))


def _play(n_steps: int, payload_for: Callable[[Room], tuple[bytes, str]], out: int, frame_ms: int,
          usual_for: Callable[[tuple[Room, ...]], list[tuple[Room, bytes, str]]] | None = None, *,
          cells: class_room.Cells) -> None:
    """The player: the diagram, its one step control, and the step kept in the link whenever it rests.

    `payload_for(room)` is the animated figure laid out for the room the page gives it (see `figure_payload`);
    with `usual_for(rooms)` (the figure for several rooms, cached) a browser new to the page gets the usual
    screens' layouts. In class mode the room leads the player (`class_room.lead`); `cells` says what its steps
    compute, for the class's question.
    """
    link_step = link_state.values()["step"]
    if link_step > n_steps - 1:  # a picture's region has fewer cells than the link's step
        link_state.set_value("step", n_steps - 1)
        link_step = n_steps - 1
    state = read_state(st.session_state.get(PLAYER_KEY), n_steps, link_step)
    lead = class_room.lead(state.step, n_steps, cells)
    title_column, present_column, zoom_column = st.columns([4, 1.4, 1], vertical_alignment="bottom")
    title_column.subheader(text("animation_title", o=out))
    with present_column:
        present = link_state.toggle("present", text("present"))
    with zoom_column:  # the teacher's text size: larger numbers, the diagram scrolling where it must
        zoom = float(link_state.choice("zoom", text("zoom"), st.selectbox, help=text("zoom_help")))
    # Only a setting too heavy for the usual screens' layouts is laid out for a laptop's room first.
    room, payload, revision, choices = laid_out(state.room, zoom=zoom, present=present, payload_for=payload_for,
                                                usual_for=usual_for)
    player(payload, revision, step=lead.step, frame_ms=frame_ms, room=room, present=present,
           note=text("numbers_hidden"), key=PLAYER_KEY, choices=choices, lead=lead)
    link_state.set_value("step", lead.step)  # a copied link opens on the step the player rests on


def _animation_section(setting: Setting, geo: Geometry, out: int, frame_ms: int) -> None:
    language = current_language()
    table = _steps(setting)
    _play(table.n_steps, lambda room: _animation(setting, out, room, language), out, frame_ms,
          usual_for=lambda rooms: _usual_layouts(setting, out, rooms, language),
          cells=class_room.Cells(out, lambda s: float(table.outputs[s, out]), table.output_position,
                                 decimals=_decimals(setting)))
    _counts(geo)

    diff, tolerance = _check_against_tf(setting)
    if diff <= tolerance:
        st.success(text("check_ok", diff=diff, tol=tolerance))
    else:
        st.error(text("check_bad", diff=diff, tol=tolerance))
    st.caption(text("true_convolution" if setting.flip else "not_convolution"))
    # Closed panels draw nothing: their contents (typeset formula, highlighted code) would cost every re-run.
    formula = st.expander(text("formula_title"), key="formula_open", on_change="rerun")
    if formula.open:
        with formula:
            _formula(geo)
    how = st.expander(text("how_title"), key="how_open", on_change="rerun")
    if how.open:
        with how:
            st.markdown(text("how_text"))
            source = "\n\n".join(inspect.getsource(f) for f in (
                reference.corr2d_loop, reference.corr2d_multi_in_loop, reference.corr2d_multi_in_out_loop))
            st.code(source, language="python")
