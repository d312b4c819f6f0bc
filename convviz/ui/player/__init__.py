"""The player: a Streamlit component (components v2, mounted in the page, no iframe) for the animated figure.

Its JavaScript (player.js) draws the figure it is handed with plotly.js, steps through the figure's frames (Play,
Pause, back, forward, a slider, the arrow keys and space, a click on an output cell), and reports to Python the
step it comes to rest on and the room the page gives the diagram. Python keeps the step in the URL (`step`) and
lays the diagram out for the room. The boundary is two values each way, checked by `read_state`.

plotly.js is plotly's own cartesian bundle (`plotly/`: the npm package plotly.js-cartesian-dist-min, the version the
plotly Python package bundles, with its licence): the heatmap and scatter traces the player draws, in 1.5 MB where
the full bundle in the plotly package is 4.8 MB, which a browser took 1.3–1.6 s to parse on a class's first page.
It is served from that folder, which holds nothing else, through the route Streamlit gives a declared (v1)
component's files (`serve_plotly_js`): the app needs no `static/` folder, and static serving stays off, so nothing
else in the checkout is ever served.
"""

from __future__ import annotations

import functools
import hashlib
import html
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import orjson
import streamlit as st
from streamlit.components.v1 import declare_component

from convviz.figures import style
from convviz.figures.animation import Room
from convviz.i18n.strings import current_language, text
from convviz.ui import link_state

HERE = Path(__file__).resolve().parent
PLOTLY_JS = HERE / "plotly" / "plotly-cartesian.min.js"
PLOTLY_VERSION = "cartesian-4.1.1"  # names the copy in the browser's cache (tests/test_plotly_serving.py checks it)
PLOTLY_ROUTE = "plotly"  # Streamlit serves a component's folder at component/<module>.<name>/
PLOTLY_SRC = f"component/{__name__}.{PLOTLY_ROUTE}/{PLOTLY_JS.name}"  # relative to the page, as player.js loads it
ROOM_LIMITS = ((240, 4000), (200, 3000))  # (low, high) for the width and the height, in CSS pixels
ROOM_COOKIE = "convviz_room"  # "width,height": the room player.js last measured in this browser
# The rooms player.js measures on the classroom screens (the column's width, and on a wide screen the height under
# the page's top, in its 16 px steps), in Chromium with the sidebar as it opens; presentation mode hides it. A run
# that knows nothing of the browser's room (its first, in a browser new to the page) sends a layout for each of its
# kind's rooms, and the player draws the one for its window: the page opens in one run, not two. Measured at
# 390×844 and 360×740 (phones: only the width counts), 1024×768 (a narrow column), 1280×720, 1280×800, 1366×768 and
# 1920×1080, in both languages; tests/test_runs_browser.py counts the runs of a first open on these screens.
USUAL_ROOMS: dict[bool, tuple[tuple[int, int], ...]] = {  # keyed by presentation mode
    False: ((560, 768), (816, 384), (816, 464), (896, 464), (1456, 784)),
    True: ((976, 496), (1232, 448), (1232, 528), (1312, 496), (1872, 816)),
}
PHONE_ROOMS = {False: (320, 736), True: (304, 736)}  # 390 and 360 px wide phones, within the player's slack
CHOICES_BUDGET = 400_000  # bytes: a setting whose layouts weigh more opens in two runs instead (its one layout)


@dataclass(frozen=True)
class Lead:
    """Class mode's hold on a player: move to `step` once per `seq`, blank the output cell of step `hide`, lock
    the controls. The default leads nowhere."""

    step: int = 0
    seq: int | None = None
    hide: int | None = None
    locked: bool = False
    report: bool = False  # the player tells Python the step it was led to (a run): for the teacher's own lead


@dataclass(frozen=True)
class PlayerState:
    """What the browser last reported: the step the player rests on and the room it gives the diagram."""

    step: int
    room: Room | None


def read_state(raw: Any, n_steps: int, url_step: int) -> PlayerState:
    """The player's state as reported by the browser, checked: a step within 0..n_steps-1, a bounded room.

    Anything malformed (a string, a boolean, NaN or an infinity, a list of the wrong length) falls back to the
    link's step and the default room; numbers out of range are clamped.
    """
    state = raw if isinstance(raw, dict) else {}
    step = state.get("step", url_step)
    if not isinstance(step, int) or isinstance(step, bool):
        step = url_step
    return PlayerState(min(max(step, 0), n_steps - 1), checked_room(state.get("room")))


def checked_room(room: Any) -> Room | None:
    """A room from the browser: two finite numbers, clamped to ROOM_LIMITS; anything else is None."""
    if not (isinstance(room, list) and len(room) == 2
            and all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in room)):
        return None
    (w_low, w_high), (h_low, h_high) = ROOM_LIMITS
    return Room(int(min(max(room[0], w_low), w_high)), int(min(max(room[1], h_low), h_high)))


def room_from_cookie(raw: object) -> Room | None:
    """The room player.js kept in its cookie ("width,height"), checked like any report; None if there is none."""
    parts = raw[:32].split(",") if isinstance(raw, str) else []
    try:
        numbers = [float(part) for part in parts]
    except ValueError:
        return None
    return checked_room(numbers)


def serve_plotly_js(source: Path = PLOTLY_JS) -> bool:
    """Have Streamlit serve `source`'s folder (plotly.js's bundle and its licence) at PLOTLY_SRC's route; False
    when the bundle is missing (a broken checkout).

    A component is registered with the server by the script run that declares it, so the player declares it on
    every run, before its JavaScript asks for the file.
    """
    if not source.is_file():
        return False
    declare_component(PLOTLY_ROUTE, path=source.parent)
    return True


@functools.cache
def _assets() -> tuple[str, str]:
    return loader_js() + (HERE / "player.js").read_text(encoding="utf-8"), (HERE / "player.css").read_text(
        encoding="utf-8")


@functools.cache
def loader_js() -> str:
    """loader.js: reading a component's data, and loading plotly.js once per page (for every component that draws)."""
    return (HERE / "loader.js").read_text(encoding="utf-8") + "\n"


def _labels() -> dict[str, str]:
    return {key: text(f"player_{key}") for key in (
        "play", "pause", "prev", "next", "prev_help", "next_help", "slider", "step", "diagram")}


def _rerun() -> None:
    """The player's values arrive with the re-run; nothing to do in the callback."""


def figure_payload(figure: dict[str, Any]) -> tuple[bytes, str]:
    """The figure as JSON bytes and a short revision that changes whenever they do (cache these per setting)."""
    payload = orjson.dumps(figure)
    return payload, hashlib.blake2b(payload, digest_size=8).hexdigest()


def usual_rooms(room: Room, phone: bool) -> tuple[Room, ...]:
    """The rooms of the usual screens, for a browser whose own room is not known: a phone's, or (for any other
    browser) the desktops' and a phone's; each with `room`'s text size and presentation mode."""
    sizes = (PHONE_ROOMS[room.present],) if phone else (*USUAL_ROOMS[room.present], PHONE_ROOMS[room.present])
    return tuple(replace(room, width=w, height=h) for w, h in sizes)


def is_phone(user_agent: object) -> bool:
    """Whether the browser says it is a phone (its User-Agent header); anything that is not text is not one."""
    return isinstance(user_agent, str) and any(mark in user_agent for mark in ("Mobi", "iPhone", "Android"))


def browser_is_phone() -> bool:
    """Whether this session's browser says it is a phone (`is_phone` of its User-Agent)."""
    return is_phone(st.context.headers.get("User-Agent"))


def layout_choices(rooms: Sequence[Room], payload_for: Callable[[Room], tuple[bytes, str]],
                   budget: int = CHOICES_BUDGET) -> list[tuple[Room, bytes, str]]:
    """The figure laid out for each room, as (room, payload, revision); none when they would weigh over `budget`
    bytes (judged by the first: a room changes where things are, not how many)."""
    first = payload_for(rooms[0])
    if len(first[0]) * len(rooms) > budget:
        return []
    return [(rooms[0], *first), *((room, *payload_for(room)) for room in rooms[1:])]


def laid_out(reported: Room | None, *, zoom: float, present: bool, payload_for: Callable[[Room], tuple[bytes, str]],
             usual_for: Callable[[tuple[Room, ...]], list[tuple[Room, bytes, str]]] | None = None,
             ) -> tuple[Room, bytes, str, list[tuple[Room, bytes, str]]]:
    """The room to lay a figure out for and what to hand `player`: (room, payload, revision, choices).

    The room is the one the player reported in this session, else the one kept in this browser's cookie; either
    way the page open is one run. A browser new to the page gets the usual screens' layouts (`usual_for(rooms)`,
    cached), and the player draws its own; without `usual_for` (or a room known) it gets one layout.
    """
    measured = reported or room_from_cookie(st.context.cookies.get(ROOM_COOKIE))
    room = replace(measured or Room(), zoom=zoom, present=present)
    choices = [] if measured or usual_for is None else usual_for(usual_rooms(room, phone=browser_is_phone()))
    payload, revision = (b"null", "") if choices else payload_for(room)
    return room, payload, revision, choices


def tab_player(key: str, step_key: str, n_steps: int, frame_ms: int, *,
               payload_for: Callable[[Room], tuple[bytes, str]],
               usual_for: Callable[[tuple[Room, ...]], list[tuple[Room, bytes, str]]],
               lead: Callable[[int, int], Lead] | None = None) -> Room:
    """A tab's player as the main tab's: its step kept in the link (`step_key`) whenever it rests, its figure laid
    out for the browser's room (`laid_out`); the room the tab's other diagrams may be laid out for (before the
    player has measured one, the first of the browser's usual rooms). `lead(reported step, n_steps)` is class
    mode's hold on it (`class_room.lead`)."""
    link_step = min(link_state.values()[step_key], n_steps - 1)
    state = read_state(st.session_state.get(key), n_steps, link_step)
    led = lead(state.step, n_steps) if lead else Lead(step=state.step)
    present = link_state.values()["present"]
    room, payload, revision, choices = laid_out(state.room, zoom=float(link_state.values()["zoom"]), present=present,
                                                payload_for=payload_for, usual_for=usual_for)
    player(payload, revision, step=led.step, frame_ms=frame_ms, room=room, present=present,
           note=text("numbers_hidden"), key=key, choices=choices, lead=led)
    link_state.set_value(step_key, led.step)
    return choices[0][0] if choices else room


def player(
    payload: bytes, revision: str, *, step: int, frame_ms: int, room: Room, present: bool, note: str,
    key: str = "player", choices: Sequence[tuple[Room, bytes, str]] = (), lead: Lead = Lead(),
) -> None:
    """Mount the player with a figure (from `figure_payload`), opening at `step` on its first mount.

    With `choices` (from `layout_choices`) the figure comes laid out for several rooms instead, and the player
    draws the one that serves its window (`payload` and `revision` are then not sent). `lead` is class mode's.
    """
    if not serve_plotly_js():
        st.warning(text("player_no_plotly", path=str(PLOTLY_JS)))
    js, css = _assets()
    component = st.components.v2.component("convviz.player", js=js, css=css, isolate_styles=False)
    data = player_data(payload, revision, step=step, frame_ms=frame_ms, room=room, present=present, note=note,
                       lead=lead)
    if choices:
        data = choices_data(choices, player_data(b"null", "", step=step, frame_ms=frame_ms, room=room,
                                                 present=present, note=note, lead=lead))
    component(data=data, key=key, default={"step": step, "room": None}, on_step_change=_rerun,
              on_room_change=_rerun, on_wake_change=_rerun, width="stretch")


# The beacon: an invisible component a follower's page redraws between full runs (in class mode's fragment) to hand
# the player the teacher's step. It announces its data as a window event the player listens for (player.js).
_BEACON_JS = """
export default function ({ data }) {
  const lead = typeof data === "string" ? JSON.parse(data) : data;
  if (lead) window.dispatchEvent(new CustomEvent("convviz:lead", { detail: lead }));
}
"""


def lead_beacon(seq: int, step: int, *, hide: int | None, beat: int, key: str = "lead_beacon") -> None:
    """Lead the page's player without running the page again: to `step` once per `seq` (-1: no lead), the output
    cell of step `hide` blanked and the controls locked (None: neither). `beat` grows with every poll: the player
    asks for a full run when the beats stop (player.js, WATCHDOG_MS): a poll lost in a race can end the polling."""
    beacon = st.components.v2.component("convviz.lead", js=_BEACON_JS)
    beacon(data={"seq": seq, "step": step, "hide": hide, "locked": hide is not None, "beat": beat}, key=key)


def player_data(payload: bytes, revision: str, *, step: int, frame_ms: int, room: Room, present: bool,
                note: str, lead: Lead = Lead()) -> bytes:
    """What the player's JavaScript is handed: the figure's JSON bytes and the few values around them."""
    small = orjson.dumps({
        "revision": revision, "step": step, "frame_ms": frame_ms, "room": [room.width, room.height],
        "present": present, "note": note, "labels": _labels(), "inspect_colour": style.INSPECT,
        "plotly_version": PLOTLY_VERSION, "plotly_src": PLOTLY_SRC,
        "lead": None if lead.seq is None else {"seq": lead.seq, "step": lead.step, "report": lead.report},
        "hide": lead.hide,
        "locked": lead.locked,
    })
    return b'{"figure":' + payload + b"," + small[1:]  # the cached figure bytes are not serialised again


def choices_data(choices: Sequence[tuple[Room, bytes, str]], data: bytes) -> bytes:
    """`data` (from `player_data`) with the figure's layouts for several rooms: each distinct layout once (near
    rooms often get the same one) under `layouts`, and each room with its revision and its layout's index under
    `choices`."""
    distinct: dict[str, int] = {}
    payloads: list[bytes] = []
    for _, payload, revision in choices:
        if revision not in distinct:
            distinct[revision] = len(payloads)
            payloads.append(payload)
    rooms = orjson.dumps([{"room": [room.width, room.height], "revision": revision, "layout": distinct[revision]}
                          for room, _, revision in choices])
    return b'{"layouts":[' + b",".join(payloads) + b'],"choices":' + rooms + b"," + data[1:]


def offline_html(figures: Sequence[tuple[Room, bytes, str]], *, frame_ms: int, title: str) -> bytes:
    """One HTML file that plays the animation with no network: plotly.js, the player and the figure inside it.

    `figures` are the figure laid out for a few rooms, as (room, payload, revision): with no Python behind it, the
    player picks the layout that fits the window it is opened in, and again whenever the window is resized. The
    player's own script runs as it does in the app, handed the same data; the step it reports goes nowhere. About
    1.5 MB of it is plotly.js (the defaults' figure adds ~25 kB per room).
    """
    js, css = _assets()
    module = js.replace("export default function (component)", "const convvizPlayer = function (component)", 1)
    data = choices_data(figures, player_data(b"null", "", step=0, frame_ms=frame_ms, room=figures[0][0],
                                             present=False, note=""))
    data = b'{"offline":true,' + data[1:]  # no Python behind it: the player refits on every resize
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
