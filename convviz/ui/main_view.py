"""The main screen: the animated multi-channel correlation, its numbers, and every output channel.

Each control's key is its URL parameter. Work that depends only on the setting is cached per server, so every
student who opens the same link shares it.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, Literal

import numpy as np
import streamlit as st
import tensorflow as tf

from convviz.core import reference
from convviz.core.correlation import corr2d_multi_in_out
from convviz.core.geometry import Geometry, conv_geometry
from convviz.figures.animation import Room, animation_figure
from convviz.i18n.strings import current_language, text
from convviz.model.codegen import arrays_zip, setting_code
from convviz.model.setting import TEXTBOOK_SHAPES, VALUE_KINDS, Setting, make_tensors
from convviz.model.steps import StepTable, step_table
from convviz.ui import image_view
from convviz.ui.common import (
    BoolSetting,
    ChoiceSetting,
    IntSetting,
    adopt_url,
    drop_non_numbers,
    drop_url_value,
    set_url_value,
)
from convviz.ui.image_view import PictureInput
from convviz.ui.player import figure_payload, offline_html, player, read_state

SPEEDS_MS = {"slow": 1200, "normal": 700, "fast": 300, "fastest": 100}
MAX_STEPS = (32 + 2 * 3) ** 2  # the most output positions any setting has: 32×32 input, padding 3, 1×1 kernel
_DEFAULT = Setting()
URL_SETTINGS = (
    IntSetting("c_in", _DEFAULT.c_in, 1, 8),
    IntSetting("c_out", _DEFAULT.c_out, 1, 8),
    IntSetting("h", _DEFAULT.h, 1, 32),
    IntSetting("w", _DEFAULT.w, 1, 32),
    IntSetting("kh", _DEFAULT.kh, 1, 7),
    IntSetting("kw", _DEFAULT.kw, 1, 7),
    IntSetting("stride", _DEFAULT.stride, 1, 4),
    IntSetting("padding", _DEFAULT.padding, 0, 3),
    IntSetting("dilation", _DEFAULT.dilation, 1, 3),
    BoolSetting("bias", _DEFAULT.bias),
    ChoiceSetting("values", _DEFAULT.values, VALUE_KINDS),
    IntSetting("seed", _DEFAULT.seed, 0, 2**31 - 1),
    IntSetting("out", 0, 0, 7),
    ChoiceSetting("speed", "normal", tuple(SPEEDS_MS)),
    IntSetting("step", 0, 0, MAX_STEPS - 1),
    BoolSetting("present", False),
)
PLAYER_KEY = "player"
OFFLINE_ROOM = Room(1100, 700)
URL_KEYS = (*(s.key for s in URL_SETTINGS), "groups", *image_view.URL_KEYS)
_INT_SETTINGS = {s.key: s for s in URL_SETTINGS if isinstance(s, IntSetting)}
# Keys whose upper end depends on other controls: cleaned once, against the real bound, when their control is drawn.
_DEPENDENT_KEYS = frozenset({"out", "step"})
_SHAPE_KEYS = frozenset({"c_in", "c_out", "h", "w", "kh", "kw"})


# ---- cached work, pure functions of the setting ----


@st.cache_resource(max_entries=16, show_spinner=False)
def _steps(setting: Setting) -> StepTable:
    s = setting.effective()
    X, K, bias = make_tensors(setting)
    return step_table(X, K, bias, stride=s.stride, padding=s.padding, dilation=s.dilation, groups=s.groups)


@st.cache_resource(max_entries=32, show_spinner=False)
def _animation(setting: Setting, out: int, room: Room, language: str) -> tuple[bytes, str, bool]:
    """The animated figure for a room, as the player's JSON bytes, their revision, and whether numbers show.

    `language` keys the cache: the figure's titles are in the page's language (text() reads it).
    """
    return _payload(animation_figure(_steps(setting), out, decimals=_decimals(setting), room=room))


def _payload(figure: dict) -> tuple[bytes, str, bool]:
    return *figure_payload(figure), figure["layout"]["meta"]["numbers"]


@st.cache_data(max_entries=64, show_spinner=False)
def _check_against_tf(setting: Setting) -> tuple[float, float]:
    """Largest |core − tf.nn.conv2d| over the output, and the tolerance it is held to."""
    s = setting.effective()
    X, K, bias = make_tensors(setting)
    Y = corr2d_multi_in_out(X, K, bias, stride=s.stride, padding=s.padding, dilation=s.dilation,
                            groups=s.groups).numpy()
    p = s.padding
    Y_tf = tf.nn.conv2d(  # a filter c_i/g deep: TensorFlow runs the groups itself
        X.transpose(1, 2, 0)[None],  # (1, h, w, c_i)
        K.transpose(2, 3, 1, 0),  # (k_h, k_w, c_i/g, c_o)
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


def _number(key: str, notices: list[str], high: int | None = None, fixed: int | None = None, disabled: bool = False,
            **kwargs: Any) -> int:
    """A whole-number input bound to the URL parameter `key`, whose upper end may depend on other controls.

    With `fixed` (textbook mode) the input is greyed and shows that number; the user's own number comes back when
    the input is released.
    """
    spec = _INT_SETTINGS[key]
    high = max(spec.high if high is None else high, fixed or 0)  # a picture is wider than any hand-made input
    first_run = key not in st.session_state  # until the widget exists, the link seeds it
    if first_run and key in _DEPENDENT_KEYS:  # first run: a link may ask for more than exists
        notices += adopt_url([IntSetting(key, spec.default, spec.low, high)])
    elif st.session_state.get(key, spec.default) > high:  # a range that shrank: keep the widget valid
        st.session_state[key] = high
    stash = f"_user_{key}"  # the user's number while textbook mode shows its own
    if fixed is not None:
        if stash not in st.session_state:
            st.session_state[stash] = st.session_state.get(key, int(st.query_params.get(key, spec.default)))
        st.session_state[key] = fixed
        if first_run and st.query_params.get(key, str(fixed)) != str(fixed):  # the link's number would win
            set_url_value(key, str(fixed))
    elif stash in st.session_state:
        st.session_state[key] = st.session_state.pop(stash)
    # The default matters only before the widget has a value; passed later, Streamlit logs a needless warning.
    value: int | Literal["min"] = min(spec.default, high) if key not in st.session_state else "min"
    return int(st.number_input(text(key), spec.low, high, value, step=1, key=key,
                               bind="query-params", disabled=disabled or fixed is not None, **kwargs))


def _controls(notices: list[str]) -> tuple[Setting, int, int, PictureInput | None]:
    """Draw the sidebar; return the setting, the output channel followed, the playback ms per step, and the
    picture with its kernels when the values come from one."""
    with st.sidebar:
        st.header(text("sidebar_title"))
        values = st.radio(text("values"), VALUE_KINDS, index=VALUE_KINDS.index(_DEFAULT.values), key="values",
                          bind="query-params",
                          captions=[text(f"values_{kind}") for kind in VALUE_KINDS])
        picture = image_view.picture_controls(notices) if values == "image" else None
        fixed = TEXTBOOK_SHAPES if values == "textbook" else (picture.shapes if picture else {})
        if values == "textbook":
            st.caption(text("textbook_fixed"))
        left, right = st.columns(2)
        with left:
            c_in = _number("c_in", notices, fixed=fixed.get("c_in"))
            h = _number("h", notices, fixed=fixed.get("h"))
            kh = _number("kh", notices, fixed=fixed.get("kh"))
        with right:
            c_out = _number("c_out", notices, fixed=fixed.get("c_out"))
            w = _number("w", notices, fixed=fixed.get("w"))
            kw = _number("kw", notices, fixed=fixed.get("kw"))
        stride = _number("stride", notices)
        padding = _number("padding", notices)
        dilation = _number("dilation", notices)
        bias = st.toggle(text("bias"), key="bias", bind="query-params")
        seed = _number("seed", notices, disabled=values == "textbook" and not bias)  # pictures: the random kernel
        groups = _groups(c_in, c_out, notices, fixed=bool(fixed))
        setting = Setting(c_in, c_out, h, w, kh, kw, stride, padding, dilation, bias, values, seed, groups)
        out = _number("out", notices, high=setting.effective().c_out - 1)
        speed = st.select_slider(text("speed"), tuple(SPEEDS_MS), value="normal", key="speed", bind="query-params",
                                 format_func=lambda name: name)
        st.caption(text(f"speed_{speed}"))
        st.caption(text("sidebar_share"))
    return setting, out, SPEEDS_MS[speed], picture


def _groups(c_in: int, c_out: int, notices: list[str], fixed: bool) -> int:
    """The number of groups: the divisors of c_i that divide c_o too (1 when the values fix the shapes)."""
    options = (1,) if fixed else tuple(g for g in range(1, c_in + 1) if c_in % g == 0 and c_out % g == 0)
    if "groups" not in st.session_state:  # first run: the link's number must divide both channel counts
        raw = st.query_params.get("groups")
        if raw is not None and raw not in {str(g) for g in options}:
            notices.append(text("groups_url_bad", raw=raw[:20], c_in=c_in, c_out=c_out,
                                options=", ".join(map(str, options))))
            drop_url_value("groups")
    elif st.session_state["groups"] not in options:  # the channel counts changed under it
        st.session_state["groups"] = 1
    groups = int(st.selectbox(text("groups"), options, key="groups", bind="query-params", disabled=fixed,
                              help=text("groups_help")))
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


def render_main_view(notices: list[str]) -> None:
    """Draw the main screen: controls in the sidebar, the animation and its numbers in the page.

    `notices` are what the page found wrong in the link so far; this view adds its own and shows them all.
    """
    fresh = [s for s in (*URL_SETTINGS, *image_view.URL_SETTINGS) if s.key not in st.session_state]
    notices += adopt_url(s for s in fresh if s.key == "values")
    # Textbook values and pictures fix the shapes: their inputs show the fixed numbers, whatever the link says.
    fixed_shapes = st.query_params.get("values") in ("textbook", "image")
    notices += adopt_url(s for s in fresh if s.key != "values" and s.key not in _DEPENDENT_KEYS
                         and not (fixed_shapes and s.key in _SHAPE_KEYS))
    notices += drop_non_numbers(key for key in _DEPENDENT_KEYS if key not in st.session_state)
    setting, out, frame_ms, picture = _controls(notices)
    notice_slot = st.container()
    st.markdown(text("intro"))
    geo, reason = _geometry(setting)
    if geo is None:
        st.error(text("impossible", reason=reason))
        st.info(text("impossible_hint"))
    elif picture is not None:
        region = image_view.picture_page(picture, setting, geo, out, notices)
        _play(region.n_steps, lambda room: _payload(animation_figure(region, out, decimals=2, room=room)), out,
              frame_ms, notices)
        _counts(geo)
    else:
        _animation_section(setting, geo, out, frame_ms, notices)
        _lecture_kit(setting, out, frame_ms)
    if notices:
        notice_slot.warning(text("url_notice_title") + "\n\n" + "\n".join(f"- {n}" for n in notices))


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
                                 groups=s.groups, title=_link(setting)), language="python")
            Y = corr2d_multi_in_out(X, K, bias, stride=s.stride, padding=s.padding, dilation=s.dilation,
                                    groups=s.groups).numpy()
            arrays = {"X": X, "K": K, **({} if bias is None else {"bias": bias}), "Y": Y}
            st.download_button(text("kit_download"), arrays_zip(arrays), file_name="convviz_arrays.zip",
                               mime="application/zip", key="kit_zip")
            room = OFFLINE_ROOM  # a laptop's screen: the file cannot ask the page how large it is
            payload, revision, _ = _animation(setting, out, room, current_language())
            title = text("kit_offline_title", o=out, link=_link(setting))
            st.download_button(text("kit_offline"), offline_html(payload, revision, frame_ms=frame_ms, room=room,
                                                                 title=title),
                               file_name="convviz_animation.html", mime="text/html", key="kit_html",
                               help=text("kit_offline_help"))


def _link(setting: Setting) -> str:
    """The setting as the query string of a link that opens it."""
    return "?" + "&".join(f"{key}={str(getattr(setting, key)).lower()}" for key in (
        "values", "c_in", "c_out", "h", "w", "kh", "kw", "stride", "padding", "dilation", "bias", "seed", "groups"))


def _play(n_steps: int, payload_for: Callable[[Room], tuple[bytes, str, bool]], out: int, frame_ms: int,
          notices: list[str]) -> None:
    """The player: the diagram, its one step control, and the step kept in the URL whenever it rests.

    `payload_for(room)` is the animated figure laid out for the room the page gives it (see `_payload`).
    """
    if PLAYER_KEY not in st.session_state:  # first run: a link may ask for a step this setting does not have
        notices += adopt_url([IntSetting("step", 0, 0, n_steps - 1)])
    url_step = int(st.query_params.get("step", 0))
    state = read_state(st.session_state.get(PLAYER_KEY), n_steps, min(url_step, n_steps - 1))
    title_column, present_column = st.columns([3, 1], vertical_alignment="bottom")
    title_column.subheader(text("animation_title", o=out))
    present = present_column.toggle(text("present"), key="present", bind="query-params")
    room = state.room or Room()
    payload, revision, numbers = payload_for(room)
    player(payload, revision, step=state.step, frame_ms=frame_ms, room=room, present=present,
           note="" if numbers else text("numbers_hidden"), key=PLAYER_KEY)
    if str(state.step) != st.query_params.get("step", "0"):
        st.query_params["step"] = str(state.step)  # a copied link opens on the step the player rests on


def _animation_section(setting: Setting, geo: Geometry, out: int, frame_ms: int, notices: list[str]) -> None:
    language = current_language()
    _play(_steps(setting).n_steps, lambda room: _animation(setting, out, room, language), out, frame_ms, notices)
    _counts(geo)

    diff, tolerance = _check_against_tf(setting)
    if diff <= tolerance:
        st.success(text("check_ok", diff=diff, tol=tolerance))
    else:
        st.error(text("check_bad", diff=diff, tol=tolerance))
    st.caption(text("not_convolution"))
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
