"""Slides in the lecture kit: the animation as a GIF, the current step as a PNG, every step's PNG in a zip.

The pictures are drawn by the browser the page runs in, from the figure the page draws, laid out for the slide:
a hidden component (`convviz.slides`) renders each frame with plotly.js's `toImage` and hands the PNGs back; Python
checks them and packs them (convviz/model/slides.py). A server makes one slide set at a time, with a time limit,
so a request never stalls other students' pages for long.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import threading
from collections.abc import Callable
from typing import Any

import orjson
import streamlit as st

from convviz.figures import style
from convviz.figures.animation import Room
from convviz.i18n.strings import text
from convviz.model import slides
from convviz.ui.player import PLOTLY_SRC, PLOTLY_VERSION, loader_js, serve_plotly_js

PACK_SECONDS = 30  # packing a set takes ~2 s at the largest size; past this the page says the server is busy
_PACKING = threading.BoundedSemaphore(1)  # one slide set at a time per server process
_PACKER = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="convviz-slides")

_JS = """
// Each step of the figure, drawn as the player draws it, then taken as a PNG of the slide's size.
export default async function (component) {
  const { data, setStateValue, parentElement } = component;
  const d = decode(data);
  if (!d || !d.request || parentElement.__convvizSlides === d.request) return;
  parentElement.__convvizSlides = d.request;
  const Plotly = await loadPlotly(d.plotly_src, d.plotly_version);
  const fig = d.figure;
  const meta = typeof fig.layout.meta === "string" ? JSON.parse(fig.layout.meta) : fig.layout.meta;
  const holder = document.createElement("div");
  holder.style.cssText = `position:fixed;left:-20000px;top:0;width:${d.width}px;height:${d.height}px`;
  document.body.appendChild(holder);
  // A picture has no buttons: Plotly's own slider and Play (the 1×1 tab's figure) are left out.
  const layout = Object.assign({}, fig.layout, { width: d.width, height: d.height, sliders: [], updatemenus: [] });
  const images = [];
  try {
    for (const [s, frame] of fig.frames.entries()) {
      const traces = fig.data.slice();
      (frame.traces || meta.animated_traces || []).forEach((index, k) => {
        traces[index] = Object.assign({}, fig.data[index], frame.data[k]);
      });
      const drawn = Object.assign({}, layout, frame.layout || {});
      const line = stepLine(meta, s, d);
      if (line) drawn.annotations = (drawn.annotations || []).concat([line]);
      await Plotly.react(holder, traces, drawn, { staticPlot: true });
      images.push(await Plotly.toImage(holder, { format: "png", width: d.width, height: d.height, scale: d.scale }));
    }
  } finally {
    Plotly.purge(holder);
    holder.remove();
  }
  setStateValue("pictures", { request: d.request, images });
}

// The player's step line (player.js: stepLabel) in the slide's bottom right corner, for a figure of steps.
function stepLine(meta, s, d) {
  if (!meta || !meta.n_steps) return null;
  const w = meta.out_w || 1;
  const [row, col] = meta.origin || [0, 0];
  const text = (meta.step_label || d.step_label).replace("{s}", s + 1).replace("{n}", meta.n_steps)
    .replace("{i}", row + Math.floor(s / w)).replace("{j}", col + (s % w));
  return { text, xref: "paper", yref: "paper", x: 1 - 16 / d.width, y: 10 / d.height, xanchor: "right",
           yanchor: "bottom", showarrow: false,
           font: { size: Math.round(d.height / 40), color: d.caption_colour } };
}
"""


def lecture_slides(payload_for: Callable[[Room], tuple[bytes, str]], *, step: int, frame_ms: int, key: str,
                   name: str) -> None:
    """The slides part of a tab's lecture kit: a size, a button that makes the set, then its three downloads.

    `payload_for(room)` is the tab's animated figure laid out for a room (as the player gets it); `step` the step
    the player rests on (its PNG is offered on its own); `key` prefixes this part's widgets; `name` the files'.
    """
    st.markdown(text("slides_title"))
    size = st.segmented_control(text("slides_size"), slides.SLIDE_SIZES, default=slides.DEFAULT_SLIDE,
                                key=f"{key}_slide_size") or slides.DEFAULT_SLIDE
    width, height = slides.slide_size(size)
    payload, revision = payload_for(Room(width=width, height=height))
    request = hashlib.blake2b(f"{revision}/{size}/{frame_ms}".encode(), digest_size=8).hexdigest()
    if st.button(text("slides_make"), key=f"{key}_slides_make", help=text("slides_make_help")):
        # Each press asks anew (a press again redraws, should a browser's pictures have been lost on the way).
        tries = st.session_state.get(f"{key}_slides_tries", 0) + 1
        st.session_state[f"{key}_slides_tries"] = tries
        st.session_state[f"{key}_slides_asked"] = f"{request}.{tries}"
    asked = st.session_state.get(f"{key}_slides_asked", "")
    made = st.session_state.get(f"{key}_slides_made")
    if asked.startswith(f"{request}.") and not (made and made[0] == request):
        _draw_in_browser(payload, width, height, asked, key)
        made = _pack(st.session_state.get(f"{key}_slides"), asked, width, height, frame_ms, key, name)
        if made is None:
            st.caption(text("slides_drawing"))
    if made and made[0] == request:
        _, gif, pngs, zipped = made
        shown = min(step, len(pngs) - 1)  # the step the player rests on
        left, middle, right = st.columns(3)
        left.download_button(text("slides_gif"), gif, file_name=f"{name}.gif", mime="image/gif",
                             key=f"{key}_slides_gif")
        middle.download_button(text("slides_png", s=shown + 1), pngs[shown],
                               file_name=f"{name}_step_{shown + 1:03d}.png", mime="image/png", key=f"{key}_slides_png")
        right.download_button(text("slides_zip", n=len(pngs)), zipped, file_name=f"{name}_steps.zip",
                              mime="application/zip", key=f"{key}_slides_zip")
        st.caption(text("slides_made", mb=len(gif) / 1e6, n=len(pngs), w=width, h=height))


def _draw_in_browser(payload: bytes, width: int, height: int, request: str, key: str) -> None:
    """Mount the hidden component that draws the pictures (once per request)."""
    serve_plotly_js()
    component = st.components.v2.component("convviz.slides", js=loader_js() + _JS)  # decode, loadPlotly
    small = orjson.dumps({"request": request, "width": width, "height": height, "scale": slides.DENSITY,
                          "plotly_src": PLOTLY_SRC, "plotly_version": PLOTLY_VERSION,
                          "step_label": text("player_step"), "caption_colour": style.LABEL_COLOUR})
    component(data=b'{"figure":' + payload + b"," + small[1:], key=f"{key}_slides", default={"pictures": None},
              on_pictures_change=_rerun)


def _rerun() -> None:
    """The pictures arrive with the re-run."""


def _pack(state: Any, asked: str, width: int, height: int, frame_ms: int, key: str,
          name: str = "convviz") -> tuple[str, bytes, list[bytes], bytes] | None:
    """The browser's pictures for `asked` (a request and its try, "request.n") as (request, GIF, PNGs, the PNGs'
    zip), kept in the session; None while they have not come, or when they cannot be packed (the page then says
    why)."""
    pictures = (state or {}).get("pictures") if isinstance(state, dict) else None
    if not isinstance(pictures, dict) or pictures.get("request") != asked:
        return None
    try:
        pngs = slides.decode_pngs(pictures.get("images"), width, height)
    except slides.SlideError:
        st.error(text("slides_bad"))
        return None
    if not _PACKING.acquire(timeout=1):
        st.info(text("slides_busy"))
        return None
    try:
        gif = _PACKER.submit(slides.gif, pngs, frame_ms).result(timeout=PACK_SECONDS)
    except concurrent.futures.TimeoutError:
        st.info(text("slides_busy"))
        return None
    finally:
        _PACKING.release()
    made = (asked.rsplit(".", 1)[0], gif, pngs, slides.png_zip(pngs, name))
    st.session_state[f"{key}_slides_made"] = made
    return made
