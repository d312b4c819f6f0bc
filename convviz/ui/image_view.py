"""Pictures on the main screen (`values=image`): the picture, its kernels, every feature map, and a region to animate.

The sidebar part (`picture_controls`) picks the picture (shipped, drawn, or uploaded: an upload is never in the
link), grey or colour, and one library kernel per output channel; it fixes the shapes the other inputs show. The page
part (`picture_page`) computes every output channel at full size with the TF core, draws them, lets the user edit
the followed channel's kernel (kept in the link as `kernel_<o>`) and choose the region (click, or `region=row,col`),
and returns that region's step table for the main screen's player to animate.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import streamlit as st

from convviz.core.correlation import convolve2d_multi_in_out, corr2d_multi_in_out
from convviz.core.geometry import Geometry
from convviz.core.lazy import LazyModule
from convviz.figures.images import feature_maps_figure
from convviz.i18n.strings import current_language, speaking, text
from convviz.model import images, kernels
from convviz.model.images import ImageError, Region
from convviz.model.link import EDIT_LIMIT, KERNEL_EDITS, edit_values, read_region
from convviz.model.mixing import matrix_to_param
from convviz.model.setting import Setting
from convviz.model.steps import StepTable, step_table
from convviz.ui import link_state
from convviz.ui.common import show_figure
from convviz.ui.upload_guard import upload_guard
from convviz.ui.width_probe import chart_width

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = LazyModule("pandas")  # ~0.6 s to import: only tables need it, not the first page

UPLOAD = "upload"
UPLOAD_SHOWN = "upload_shown"  # session_state: the file id of the upload last shown
REFUSAL_SEEN = "upload_refusal_seen"  # session_state: (time of the guard's last refusal, the file id held then)
KERNEL_PICK = "kernels_pick"  # the multiselect's key: the kernels' names (the link's `kernels` follows it)


@dataclass(frozen=True)
class PictureInput:
    """What the sidebar chose: the picture (h, w, 3) uint8, grey or colour, and one kernel name per output."""

    name: str
    rgb: np.ndarray
    grey: bool
    kernel_names: tuple[str, ...]
    notes: tuple[str, ...]

    @property
    def shapes(self) -> dict[str, int]:
        """The shapes this fixes on the main screen's inputs."""
        h, w = self.rgb.shape[:2]
        return {"c_in": 1 if self.grey else 3, "c_out": len(self.kernel_names), "h": h, "w": w, "kh": 3, "kw": 3}


# ---- cached work: pure functions of their arguments ----


@st.cache_data(max_entries=8, show_spinner=False)
def _decoded(data: bytes, language: str) -> images.Picture | str:
    """An upload decoded, or the sentence (in `language`, part of the cache key) that says why it cannot be used."""
    with speaking(language):
        try:
            return images.decode_upload(data)
        except ImageError as err:
            return str(err)


@st.cache_data(max_entries=16, show_spinner=False)
def _feature_maps(rgb: np.ndarray, grey: bool, names: tuple[str, ...], edits: tuple[tuple[float, ...] | None, ...],
                  seed: int, bias: bool, stride: int, padding: int, dilation: int,
                  flip: bool = False) -> tuple[np.ndarray, ...]:
    """X (c_i, h, w), K (c_o, c_i, 3, 3), the bias (c_o,) or an empty array, and Y (c_o, h_o, w_o) at full size
    (with `flip`, the true convolution: K as chosen, Y made with it flipped)."""
    X = images.as_channels(rgb, grey)
    K = kernels.kernel_stack(names, X.shape[0], seed)
    for o, edit in enumerate(edits):
        if edit is not None:  # the user's own slice, spread over the channels like a library kernel
            K[o] = np.broadcast_to(np.reshape(edit, (3, 3)) / X.shape[0], K[o].shape)
    b = np.round(np.random.default_rng(seed).uniform(-0.5, 0.5, len(names)), 2).astype(np.float32) if bias else None
    layer = convolve2d_multi_in_out if flip else corr2d_multi_in_out
    Y = layer(X, K, b, stride=stride, padding=padding, dilation=dilation).numpy()
    return X, K, np.zeros(0, np.float32) if b is None else b, Y


# ---- the sidebar ----


def picture_controls() -> PictureInput:
    """The picture, grey or colour, and the kernels; an upload that cannot be used falls back with a message."""
    # The options are the link's own values, described under the box in the page's language.
    shown_before = link_state.values()["image"]
    name = link_state.choice("image", text("img_picture"), st.selectbox,
                             labels=lambda option: text(f"choice_image_{option}"))
    if name != shown_before:  # a region picked on another picture means nothing on this one
        link_state.set_value("region", "")
    st.caption(text(f"img_pic_{name}"))
    grey = link_state.toggle("grey", text("img_grey"), help=text("img_grey_help"))
    rgb, picture_notes = _picture(name)
    picked = link_state.bound(
        "kernels", lambda: st.multiselect(text("img_kernels"), kernels.NAMES, key=KERNEL_PICK,
                                            format_func=lambda name: text(f"choice_kernel_{name}"),
                                            max_selections=kernels.MAX_KERNELS, help=text("img_kernels_help")),
        to_widget=lambda names: [name for name in names.split(",") if name], to_link=",".join,
        widget_key=KERNEL_PICK)
    chosen = tuple(picked) or kernels.DEFAULT[:1]
    if not picked:
        st.caption(text("img_kernels_none", name=chosen[0]))
    link_state.set_value("kernels", ",".join(chosen))
    return PictureInput(name, rgb, grey, chosen, picture_notes)


def _picture(name: str) -> tuple[np.ndarray, tuple[str, ...]]:
    """The chosen picture and notes about it; for an upload, the file's, or the first picture and why."""
    if name != UPLOAD:
        return images.load_picture(name), ()
    # Any file is let through (no `type=`): the app's own check names what is wrong, in the page's language, where
    # the uploader would refuse in English ("image/tiff files are not allowed"). A file over the size limit is
    # stopped in the browser by the guard, which the page then explains (the server's limit is the same number).
    upload = st.file_uploader(text("img_upload"), key="upload",
                              help=text("img_upload_help", limit=images.MAX_UPLOAD_BYTES // 10**6))
    refused = upload_guard("upload_guard", images.MAX_UPLOAD_BYTES)
    in_box = upload.file_id if upload is not None else None
    if refused is not None:
        if st.session_state.get(REFUSAL_SEEN, (None,))[0] != refused[1]:  # a new refusal: note what the box held
            st.session_state[REFUSAL_SEEN] = (refused[1], in_box)
        if st.session_state[REFUSAL_SEEN][1] == in_box:  # until another file is taken, the refusal stands
            st.error(text("img_err_too_large", size=f"{refused[0] / 1e6:.1f}",
                          limit=images.MAX_UPLOAD_BYTES // 10**6))
    if upload is None:
        return images.load_picture(images.PICTURES[0]), (text("img_upload_waiting"),)
    decoded = _decoded(upload.getvalue(), current_language())
    if isinstance(decoded, str):
        st.error(decoded)
        return images.load_picture(images.PICTURES[0]), (text("img_upload_refused"),)
    if st.session_state.get(UPLOAD_SHOWN) != upload.file_id:  # a new picture: its own busiest region, not the last
        st.session_state[UPLOAD_SHOWN] = upload.file_id
        link_state.set_value("region", "")
    return decoded.rgb, decoded.notes


# ---- the page ----


def picture_page(chosen: PictureInput, setting: Setting, geo: Geometry, out: int) -> tuple[StepTable, Region]:
    """Every feature map, the followed kernel's editor and the region; return the region's step table and the
    region (its corner places the player's cells in the full map)."""
    s = setting.effective()
    for note in chosen.notes:
        st.caption(note)
    st.markdown(text("img_how_kernel", c_in=geo.c_in))
    edits = tuple(edit_values(link_state.values()[KERNEL_EDITS[o]]) for o in range(len(chosen.kernel_names)))
    X, K, b, Y = _feature_maps(chosen.rgb, chosen.grey, chosen.kernel_names, edits, s.seed, s.bias, s.stride,
                               s.padding, s.dilation, s.flip)
    span = geo.span[0]
    region = _region(geo, Y)
    absolute = link_state.toggle("absolute", text("img_absolute"))
    figure = feature_maps_figure(chosen.rgb, X, Y, chosen.kernel_names, absolute=absolute, region=region,
                                 stride=s.stride, padding=s.padding, span=span, width=chart_width("img_width"))
    on_pick = functools.partial(pick_region, "img_pick", "region", geo.out_h, geo.out_w, s.stride, s.padding, span)
    show_figure(figure, key="img_pick", on_select=on_pick, selection_mode="points", width="stretch")
    _kernel_editor(K, out, chosen, geo.c_in)
    st.subheader(text("img_region_title", row=region.row, col=region.col, rows=region.rows, cols=region.cols))
    crop = images.region_input(X, region, s.stride, s.padding, span)
    return step_table(crop, K, b if b.size else None, stride=s.stride, dilation=s.dilation, flip=s.flip), region


def _region(geo: Geometry, Y: np.ndarray) -> Region:
    """The region the user picked (`region=row,col` in the link, its top-left output cell), kept inside the map;
    until one is picked, where the output varies most. A region outside a new picture's map moves without a notice
    (the link was checked when it was read)."""
    picked = read_region(link_state.values()["region"])
    row, col = images.busiest_region(Y) if picked is None else picked  # Y: (c_o, h_o, w_o)
    return images.clamp_region(row, col, geo.out_h, geo.out_w)


def pick_region(chart_key: str, link_key: str, out_h: int, out_w: int, stride: int, padding: int, span: int) -> None:
    """A click on the picture (the chart `chart_key`) centres the region on that pixel and puts it in the link
    (`link_key`); a cleared selection (double-click) keeps it."""
    selection = (st.session_state.get(chart_key) or {}).get("selection") or {}
    points = selection.get("points") or []
    custom = points[0].get("customdata") if points else None
    # Always true in a running app: Streamlit (1.67) calls on_select only for a selection with points (a
    # double-click clears the selection without a callback), and only the pick trace has selectable points. The
    # check keeps a malformed event from raising; no test can send one through the browser.
    if isinstance(custom, list | tuple) and len(custom) == 2:  # pragma: no branch
        region = images.region_around(float(custom[0]), float(custom[1]), out_h, out_w, stride, padding, span)
        link_state.set_value(link_key, f"{region.row},{region.col}")


def _kernel_editor(K: np.ndarray, out: int, chosen: PictureInput, c_in: int) -> None:
    """A 3×3 table of the followed channel's kernel slice (×c_i, as the library writes it); edits go in the link."""
    key = KERNEL_EDITS[out]
    st.markdown(text("img_edit_title", o=out, name=chosen.kernel_names[out]))
    shown = np.round(K[out, 0] * c_in, 4)  # (3, 3): the slice before it is divided over the channels
    digest = hashlib.blake2b(shown.tobytes(), digest_size=6).hexdigest()
    column = st.column_config.NumberColumn(min_value=-EDIT_LIMIT, max_value=EDIT_LIMIT, format="%.3g")
    edited = st.data_editor(pd.DataFrame(shown, columns=["0", "1", "2"]), key=f"img_editor_{out}_{digest}",
                            num_rows="fixed", hide_index=True, column_config=dict.fromkeys(("0", "1", "2"), column))
    values = np.nan_to_num(edited.to_numpy(dtype=float), nan=0.0)  # an emptied cell counts as 0
    if not np.array_equal(values, shown):
        link_state.set_value(key, matrix_to_param(np.clip(values, -EDIT_LIMIT, EDIT_LIMIT)))  # exact in the link
        st.rerun()
    if link_state.values()[key] and st.button(text("img_edit_reset"), key=f"img_reset_{out}"):
        link_state.set_value(key, "")
        st.rerun()
