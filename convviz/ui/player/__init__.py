"""The player: a Streamlit component (components v2, mounted in the page, no iframe) for the animated figure.

Its JavaScript (player.js) draws the figure it is handed with plotly.js, steps through the figure's frames (Play,
Pause, back, forward, a slider, the arrow keys and space, a click on an output cell), and reports to Python the
step it comes to rest on and the room the page gives the diagram. Python keeps the step in the URL (`step`) and
lays the diagram out for the room. The boundary is two values each way, checked by `read_state`.

plotly.js comes from the plotly Python package: `ensure_plotly_js` copies it into the app's `static/` folder,
which Streamlit serves (`server.enableStaticServing`); Streamlit refuses symlinks that leave that folder.
"""

from __future__ import annotations

import functools
import hashlib
import html
import importlib.metadata
import importlib.util
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import streamlit as st

from convviz.figures import style
from convviz.figures.animation import Room
from convviz.i18n.strings import current_language, text

HERE = Path(__file__).resolve().parent
APP_ROOT = HERE.parents[2]  # the folder holding app.py; Streamlit serves its static/ subfolder
_PLOTLY_PACKAGE = Path(str(getattr(importlib.util.find_spec("plotly"), "origin", ""))).parent  # not imported
PLOTLY_JS = _PLOTLY_PACKAGE / "package_data" / "plotly.min.js"
PLOTLY_VERSION = importlib.metadata.version("plotly")  # names the copy in the browser's cache
ROOM_LIMITS = ((240, 4000), (200, 3000))  # (low, high) for the width and the height, in CSS pixels


@dataclass(frozen=True)
class PlayerState:
    """What the browser last reported: the step the player rests on and the room it gives the diagram."""

    step: int
    room: Room | None


def read_state(raw: Any, n_steps: int, url_step: int) -> PlayerState:
    """The player's state as reported by the browser, checked: a step within 0..n_steps-1, a bounded room.

    Anything malformed falls back to the link's step and the default room.
    """
    state = raw if isinstance(raw, dict) else {}
    step = state.get("step", url_step)
    if not isinstance(step, int) or isinstance(step, bool):
        step = url_step
    room = state.get("room")
    checked = None
    if isinstance(room, list) and len(room) == 2 and all(isinstance(v, int | float) for v in room):
        (w_low, w_high), (h_low, h_high) = ROOM_LIMITS
        checked = Room(int(min(max(room[0], w_low), w_high)), int(min(max(room[1], h_low), h_high)))
    return PlayerState(min(max(step, 0), n_steps - 1), checked)


def ensure_plotly_js(static_dir: Path | None = None, source: Path = PLOTLY_JS) -> Path | None:
    """Copy plotly.js from the plotly package into `static_dir` (default: the app's static/) unless an identical
    copy is there; return it, or None when it cannot be written (a read-only checkout)."""
    static_dir = APP_ROOT / "static" if static_dir is None else static_dir
    target = static_dir / "plotly.min.js"
    try:
        if target.is_file() and target.stat().st_size == source.stat().st_size:
            return target
        static_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=static_dir, delete=False, suffix=".part") as part:
            shutil.copyfileobj(source.open("rb"), part)
        os.chmod(part.name, 0o644)  # a temporary file is private; the server may run as another user
        os.replace(part.name, target)  # atomic: a browser never gets half a file
    except OSError:
        return None
    return target


@functools.cache
def _assets() -> tuple[str, str]:
    return (HERE / "player.js").read_text(encoding="utf-8"), (HERE / "player.css").read_text(encoding="utf-8")


def _labels() -> dict[str, str]:
    return {key: text(f"player_{key}") for key in (
        "play", "pause", "prev", "next", "prev_help", "next_help", "slider", "step", "diagram")}


def _rerun() -> None:
    """The player's values arrive with the re-run; nothing to do in the callback."""


def figure_payload(figure: dict[str, Any]) -> tuple[bytes, str]:
    """The figure as JSON bytes and a short revision that changes whenever they do (cache these per setting)."""
    payload = orjson.dumps(figure)
    return payload, hashlib.blake2b(payload, digest_size=8).hexdigest()


def player(
    payload: bytes, revision: str, *, step: int, frame_ms: int, room: Room, present: bool, note: str,
    key: str = "player",
) -> None:
    """Mount the player with a figure (from `figure_payload`), opening at `step` on its first mount."""
    if ensure_plotly_js() is None:
        st.warning(text("player_no_plotly", path=str(APP_ROOT / "static")))
    js, css = _assets()
    component = st.components.v2.component("convviz.player", js=js, css=css, isolate_styles=False)
    data = player_data(payload, revision, step=step, frame_ms=frame_ms, room=room, present=present, note=note)
    component(data=data, key=key, default={"step": step, "room": None}, on_step_change=_rerun,
              on_room_change=_rerun, width="stretch")


def player_data(payload: bytes, revision: str, *, step: int, frame_ms: int, room: Room, present: bool,
                note: str) -> bytes:
    """What the player's JavaScript is handed: the figure's JSON bytes and the few values around them."""
    small = orjson.dumps({
        "revision": revision, "step": step, "frame_ms": frame_ms, "room": [room.width, room.height],
        "present": present, "note": note, "labels": _labels(), "inspect_colour": style.INSPECT,
        "plotly_version": PLOTLY_VERSION,
    })
    return b'{"figure":' + payload + b"," + small[1:]  # the cached figure bytes are not serialised again


def offline_html(figures: Sequence[tuple[Room, bytes, str]], *, frame_ms: int, title: str) -> bytes:
    """One HTML file that plays the animation with no network: plotly.js, the player and the figure inside it.

    `figures` are the figure laid out for a few rooms, as (room, payload, revision): with no Python behind it, the
    player picks the layout that fits the window it is opened in, and again whenever the window is resized. The
    player's own script runs as it does in the app, handed the same data; the step it reports goes nowhere. About
    4.8 MB of it is plotly.js (the defaults' figure adds ~25 kB per room).
    """
    js, css = _assets()
    module = js.replace("export default function (component)", "const convvizPlayer = function (component)", 1)
    data = player_data(b"null", "", step=0, frame_ms=frame_ms, room=figures[0][0], present=False, note="")
    layouts = b",".join(b'{"room":' + orjson.dumps([room.width, room.height]) + b',"revision":'
                        + orjson.dumps(revision) + b',"figure":' + payload + b"}"
                        for room, payload, revision in figures)
    data = b'{"figures":[' + layouts + b"]," + data[1:]
    script_safe = data.replace(b"</", b"<\\/")  # the JSON may not close the <script> element it sits in
    page = (
        f'<!doctype html><html lang="{current_language()}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{html.escape(title)}</title>'
        f"<style>body{{font-family:sans-serif;margin:0.5rem 1rem}}{css}</style></head><body>"
        f"<h1 style=\"font-size:1.1rem;margin:0 0 0.25rem\">{html.escape(title)}</h1><div id=\"convviz\"></div>"
    ).encode()
    return b"".join([
        page,
        b"<script>", PLOTLY_JS.read_bytes(), b"</script>",
        b'<script type="application/json" id="convviz-data">', script_safe, b"</script>",
        b'<script type="module">', module.encode(),
        b'\nconvvizPlayer({data: document.getElementById("convviz-data").textContent,'
        b' parentElement: document.getElementById("convviz"), setStateValue: () => {}});\n</script>',
        b"</body></html>",
    ])
