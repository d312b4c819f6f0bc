"""Class mode: the teacher's page leads, the students' pages follow, and the class predicts the next value.

`?room=new` opens a room in the room store (convviz/rooms/store.py) and puts the teacher's link,
`?room=CODE&key=SECRET`, in the address bar; students open `?room=CODE`, shown on the teacher's page as text and
as a QR code. After each run the teacher's page publishes what it shows: the link's values (the step among them)
and the open question. A student's page reads the room every POLL_S seconds; when the teacher has published
since, it runs again and, while it follows, takes the teacher's values (the widgets are seeded anew from them) and
leads its player to the teacher's step. A student who changes a control or steps the player explores on their own
until they switch "follow" back on.

A question ("predict the next value") is asked at the teacher's step s about step s + 1: every page of the room
blanks that output cell and locks its player until the teacher reveals it; then the teacher's page draws the
class's guesses (a histogram, the true value marked) and each student's page says whether theirs was right.

Only the page whose link holds the room's secret drives the room and sees the guesses; a wrong key gives a
student's page with a notice. Nothing of a room lives in one process's memory (CONVVIZ_ROOMS names the store).
"""

from __future__ import annotations

import io
import os
import secrets
import sqlite3
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import redis
import segno
import streamlit as st

from convviz.figures.guesses import guesses_figure, is_right
from convviz.i18n.strings import current_language, speaking, text
from convviz.model import link
from convviz.model.link import STEP_KEYS, VIEW_ALIASES, VIEWS, Values, quote
from convviz.rooms.store import Answer, RedisRooms, SqliteRooms, checked_code, open_rooms
from convviz.rooms.store import Room as StoredRoom
from convviz.ui import link_state
from convviz.ui.common import show_figure
from convviz.ui.player import Lead, lead_beacon

ROOMS_ENV = "CONVVIZ_ROOMS"  # a SQLite file (the default, in the temporary folder) or a redis:// URL
DEFAULT_FILE = "convviz-rooms.sqlite3"
POLL_S = 0.8  # a student's page reads the room this often: it follows the teacher within a second (p95 ~0.8 s)
TEACHER_POLL_S = 2.0  # the teacher's count of students and answers
SEEN_EVERY_S = 4.0  # a student's page says it is there this often (the store counts those seen in 10 s)
JOIN_KEY = "class_join_open"  # the teacher's panel with the students' link and its QR code, open or closed
STATE = "_class"  # session_state: this page's Seat
FOLLOW_KEY = "class_follow"
GUESS_KEY = "class_guess"
# Each page keeps its own: its language, its way into the room, and how it shows the diagram (a projector's
# presentation mode and text size are not a phone's).
OWN_KEYS = ("lang", "room", "key", "present", "zoom")
# The session keys a page's own widgets keep beside the link's (a follower's are seeded anew from the teacher's).
WIDGET_STATE = ("kernels_pick", "mix_matrix_state", "mix_W_text", "sep_matrix_state", "sep_W_text")
STORE_ERRORS = (sqlite3.Error, redis.RedisError, OSError)
STEP_KEYS_SET = frozenset(STEP_KEYS.values())

Rooms = SqliteRooms | RedisRooms


@dataclass
class Seat:
    """This page's place in a room, kept in its session between runs."""

    code: str
    key: str  # the room's secret on the teacher's page, "" on a student's
    student: str = field(default_factory=lambda: secrets.token_hex(8))  # anonymous, this page only
    follow: bool = True
    applied: int = -1  # the room's version this page last took (a student's) or published (the teacher's)
    lead_step: int = 0
    leads: int = 0  # how many times this page's player was led (the lead's seq: each lead is taken once)
    lead_pending: bool = False  # the teacher's: the player was led to the answer and has not said it is there
    reported: int | None = None  # the player's step as it stood when this page was last led
    reported_view: str = ""  # the view whose player that was
    taken: dict[str, str] | None = None  # a follower's: the teacher's link values last taken (as published)
    snapshot: Values | None = None  # a follower's shared values as they were after the teacher's were taken
    question: dict[str, Any] | None = None  # the room's question, as published
    truth: float | None = None  # the teacher's: the true value of the open question
    asked_with: Values | None = None  # the teacher's: the shared values the open question was asked with
    ask: bool = False  # the teacher's: a question was asked and is made in this run
    asked_at: int = 0  # the teacher's: the step the question was asked at (the players wait there)
    published: dict[str, Any] | None = None  # the teacher's: what the room holds
    seen_at: float = 0.0
    answer_verdict: str = ""  # a student's: what became of their last guess
    beats: int = 0  # a student's: polls so far (the beacon carries it: the player knows the page still polls)
    rerun: bool = False  # the follow switch must be drawn again: the page left the teacher in this run

    @property
    def teacher(self) -> bool:
        return bool(self.key)

    def open_question(self) -> dict[str, Any] | None:
        return self.question if self.question and self.question.get("revealed") is False else None


# ---- the store ----


@st.cache_resource(max_entries=4, show_spinner=False)
def _store(where: str) -> Rooms:
    return open_rooms(where)


def store() -> Rooms:
    """The room store every process of this deployment shares (CONVVIZ_ROOMS, else a file in the temp folder)."""
    return _store(os.environ.get(ROOMS_ENV) or os.path.join(tempfile.gettempdir(), DEFAULT_FILE))


def current() -> Seat | None:
    seat = st.session_state.get(STATE)
    return seat if isinstance(seat, Seat) else None


# ---- joining, on every run before the widgets ----


def join() -> Seat | None:
    """This page's seat in the room its link names (opening one for `room=new`), or None outside class mode.

    A student's page that follows takes the teacher's newest values here, before any widget is drawn; so does a
    teacher's page when another page holding the key (a reload, a second tab, a phone as a remote) led the room.
    """
    values = link_state.values()
    raw, key = values["room"], values["key"]
    seat = current()
    if seat is None or (raw, key) != (seat.code, seat.key):
        st.session_state.pop(STATE, None)
        seat = _take_seat(raw, key) if raw else None
        link_state.set_value("room", seat.code if seat else "")
        link_state.set_value("key", seat.key if seat else "")
        if seat is None:
            return None
        st.session_state[STATE] = seat
    if seat.teacher:
        _teacher_catch_up(seat)
    else:
        _catch_up(seat)
    return seat


def _teacher_catch_up(seat: Seat) -> None:
    """A teacher's page takes what another page of the teacher's published since: the lesson goes on from there."""
    try:
        room = store().room(seat.code, time.time())
    except STORE_ERRORS:
        return
    if room is None or room.version <= seat.applied:
        return
    seat.applied, seat.published = room.version, room.state
    query = room.state.get("values")
    if isinstance(query, dict):
        _take_values(seat, query)
        seat.lead_step, seat.leads, seat.lead_pending = _step_of(query), seat.leads + 1, True
    question = _question(room.state)
    if question != seat.question:  # its true value and setting are worked out again (`_teacher_lead`)
        seat.question, seat.truth, seat.asked_with = question, None, None
        seat.asked_at = _whole((question or {}).get("at"), 0)


def _take_seat(raw: str, key: str) -> Seat | None:
    """A seat in the room `raw` names: a new room's teacher's, the teacher's for the right key, else a student's."""
    now = time.time()
    try:
        rooms = store()
        if raw.strip().lower() == "new":
            opened, secret = rooms.open_room(now)
            return Seat(opened, secret)
        code = checked_code(raw)
        if code is None or rooms.room(code, now) is None:
            link_state.add_notice("class_no_room", raw=quote(raw))
            return None
        teacher = rooms.is_teacher(code, key)
    except STORE_ERRORS:
        link_state.add_notice("class_store_down")
        return None
    if key and not teacher:
        link_state.add_notice("class_wrong_key", code=code)
    return Seat(code, key if teacher else "")


def _catch_up(seat: Seat) -> None:
    """A student's page, on a full run: take the room's newest publication (its values only while following)."""
    try:
        room = store().room(seat.code, time.time())
    except STORE_ERRORS:
        return
    if room is not None:
        take_news(seat, room, full_run=True)


def take_news(seat: Seat, room: StoredRoom, *, full_run: bool) -> bool:
    """Take what the teacher published since this page last looked: the question (a new one puts the page back
    on the teacher's diagram), the step, and on a full run the setting. True when the setting changed and this is
    no full run: the whole page must run to take it."""
    if room.version <= seat.applied:
        return False
    question, query = _question(room.state), room.state.get("values")
    if question and question.get("revealed") is False and question.get("id") != (seat.question or {}).get("id"):
        seat.follow = True  # a new question: everyone looks at the teacher's diagram
        seat.answer_verdict = ""
    seat.question = question
    if seat.follow and isinstance(query, dict):
        if seat.taken is None or _but_steps(query) != _but_steps(seat.taken):
            if not full_run:
                return True
            _take_values(seat, query)
        seat.lead_step, seat.leads = _step_of(query), seat.leads + 1
    seat.applied = room.version
    return False


def _question(state: dict[str, Any]) -> dict[str, Any] | None:
    question = state.get("question")
    return question if isinstance(question, dict) else None


def _but_steps(values: Mapping[str, Any]) -> dict[str, Any]:
    """A link's values but the players' steps (the lead's business, not a new setting)."""
    return {key: value for key, value in values.items() if key not in STEP_KEYS_SET}


def _step_of(query: dict[str, Any]) -> int:
    """The published step of the published view's player (the link leaves out step 0 and the main view's name);
    anything but a whole number is 0."""
    view = VIEW_ALIASES.get(str(query.get("view", VIEWS[0])).strip().lower(), VIEWS[0])
    raw = str(query.get(STEP_KEYS.get(view, "step"), "0"))
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 8 else 0


def _take_values(seat: Seat, query: dict[str, Any]) -> None:
    """Seed this page from the teacher's link values (read like any link), keeping its own language and room."""
    raw = {str(key): [str(value)] for key, value in query.items() if key not in OWN_KEYS}
    own = link_state.values()
    values, _ = link.parse(raw, own["lang"])
    values.update({key: own[key] for key in OWN_KEYS})
    link_state.replace_values(values, WIDGET_STATE)
    seat.taken, seat.snapshot = {str(key): str(value) for key, value in query.items()}, None


def _shared(values: Values) -> Values:
    """The values a room shares: all but each page's own."""
    return {key: value for key, value in values.items() if key not in OWN_KEYS}


# ---- the player's lead, from the main view ----


@dataclass(frozen=True)
class Cells:
    """What the main view's player steps through, for the class's question: the followed output channel `out`,
    its value at step s (`value_at`, written with `decimals` places) and the cell (row, col) step s computes."""

    out: int
    value_at: Callable[[int], float]
    cell_at: Callable[[int], tuple[int, int]]
    decimals: int


def lead(reported: int, n_steps: int, cells: Cells | None = None) -> Lead:
    """How the room leads the open view's player, given the step its browser reported (outside a room: no
    lead). `cells` is the main view's: the class's question is asked there; the other views' players follow."""
    seat = current()
    if seat is None:
        return Lead(step=reported)
    if seat.teacher:
        return _teacher_lead(seat, reported, n_steps, cells)
    if not seat.follow:
        return Lead(step=reported)
    view = link_state.values()["view"]
    if view != seat.reported_view:  # another view's player: what the last one reported says nothing of it
        seat.reported, seat.reported_view = None, view
    if seat.reported is not None and reported not in (seat.reported, seat.lead_step):  # the student stepped
        _explore(seat)
        return Lead(step=reported)
    seat.reported = reported
    asked = seat.open_question()
    hide = asked["step"] if asked and isinstance(asked.get("step"), int) else None
    return Lead(step=min(max(seat.lead_step, 0), n_steps - 1), seq=seat.leads or None, hide=hide,
                locked=hide is not None)


def _teacher_lead(seat: Seat, reported: int, n_steps: int, cells: Cells | None) -> Lead:
    if cells is not None:  # the main view: the class's question is made and worked out here
        _make_question(seat, reported, n_steps, cells)
    _withdraw_if_changed(seat)  # (another view withdraws an open question: it was the main view's)
    asked = seat.open_question()
    if asked:
        return Lead(step=seat.asked_at, hide=asked["step"], locked=True)
    if seat.lead_pending and reported != seat.lead_step:  # revealed: the player moves to the answer, and says so
        return Lead(step=seat.lead_step, seq=seat.leads, report=True)
    seat.lead_pending = False
    return Lead(step=reported, seq=seat.leads or None)


def _make_question(seat: Seat, reported: int, n_steps: int, cells: Cells) -> None:
    if seat.ask:  # "predict the next value": asked at this step about the next (at the last step: the first)
        seat.ask = False
        step = reported + 1 if reported + 1 < n_steps else 0
        seat.question = {"id": int(time.time() * 1000), "step": step, "at": reported, "revealed": False,
                         "decimals": cells.decimals, "out": cells.out, "cell": list(cells.cell_at(step))}
        seat.asked_at, seat.truth, seat.asked_with = reported, None, None
    asked = seat.open_question()
    if asked and seat.asked_with is None:  # asked in this run, or by another page of the teacher's
        seat.truth = float(cells.value_at(min(max(_whole(asked.get("step"), 0), 0), n_steps - 1)))
        seat.asked_with = _shared({**link_state.values(), "step": seat.asked_at})


def _explore(seat: Seat) -> None:
    seat.follow = False
    seat.rerun = True


# ---- publishing and leaving the teacher, at the end of every run ----


def settle(seat: Seat | None) -> None:
    """After the page is drawn: the teacher's page publishes what it shows if that changed; a follower who changed
    a setting explores on their own from now on."""
    if seat is None:
        return
    if seat.teacher:
        _publish(seat)
    elif seat.follow:
        shared = _but_steps(_shared(link_state.values()))
        if seat.snapshot is None:
            seat.snapshot = shared
        elif shared != seat.snapshot:
            _explore(seat)
    if seat.rerun:
        seat.rerun = False
        st.rerun()  # draw the follow switch as it now stands


def _withdraw_if_changed(seat: Seat) -> None:
    """A question belongs to the setting it was asked with: once the teacher changes it (or the tab), it is gone."""
    if seat.open_question() and _shared({**link_state.values(), "step": seat.asked_at}) != seat.asked_with:
        seat.question, seat.truth = None, None


def _publish(seat: Seat) -> None:
    values = link_state.values()
    _withdraw_if_changed(seat)
    query = link.to_query({**values, "lang": "en", "room": "", "key": ""}, "en")
    state = {"values": query, "question": seat.question}
    if state == seat.published:
        return
    try:
        version = store().publish(seat.code, seat.key, state, time.time())
    except STORE_ERRORS:
        st.warning(text("class_store_down"))
        return
    if version is None:
        st.warning(text("class_publish_failed"))
        return
    seat.published, seat.applied = state, version


# ---- the panels ----


def panel(seat: Seat | None, slot: Any) -> None:
    """Class mode's part of the page in `slot` (a container above the tabs): the teacher's room and question, or
    a student's."""
    if seat is None:
        return
    with slot:
        if seat.teacher:
            _teacher_panel(seat)
        else:
            _student_panel(seat)


def students_link(code: str, page_url: str | None) -> str:
    """The link students open: this page's address (`st.context.url`) with only the room's code, never the key."""
    parts = urlsplit(page_url or "")
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", f"room={code}", ""))


@st.cache_data(max_entries=16, show_spinner=False)
def qr_png(url: str) -> bytes:
    """The link as a QR code (PNG), in large modules with the quiet zone a phone's camera needs."""
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=10, border=4)
    return out.getvalue()


def _teacher_panel(seat: Seat) -> None:
    url = students_link(seat.code, st.context.url)
    if JOIN_KEY not in st.session_state:
        st.session_state[JOIN_KEY] = True  # open at first, for the class to join; the teacher closes it
    join_panel = st.expander(text("class_teacher_title", code=seat.code), key=JOIN_KEY, on_change="rerun")
    if join_panel.open:
        with join_panel:
            words, picture = st.columns(2)
            with words:
                st.markdown(text("class_teacher_intro"))
                st.code(url, language=None)  # plain text, with a copy button
                st.caption(text("class_teacher_key"))
            picture.image(qr_png(url), width="stretch", caption=text("class_qr_caption"))
    asked = seat.open_question()
    count_column, ask_column, end_column = st.columns([2, 2, 1.4], vertical_alignment="center")
    with count_column:
        _teacher_live(seat, current_language())
    if asked is None:
        ask_column.button(text("class_ask"), key="class_ask", on_click=_ask, help=text("class_ask_help"),
                          type="primary")
    else:
        ask_column.button(text("class_reveal"), key="class_reveal", on_click=_reveal, type="primary")
        end_column.button(text("class_cancel"), key="class_cancel", on_click=_cancel)
    if asked is not None:
        st.info(_where(asked, "class_asked"))
    elif seat.question and seat.question.get("revealed") is True:
        _guesses(seat)


def _where(question: dict[str, Any], sentence: str) -> str:
    """The sentence naming the asked cell: Y[o] at (i, j)."""
    cell = question.get("cell")
    row, col = cell if isinstance(cell, list) and len(cell) == 2 else (0, 0)
    return text(sentence, o=_whole(question.get("out"), 0), i=_whole(row, 0), j=_whole(col, 0))


def _whole(value: object, default: int) -> int:
    """A whole number from the room's state (written by a teacher's page, read by every other), else `default`."""
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _ask() -> None:
    seat = current()
    assert seat is not None and seat.teacher  # the button is on the teacher's page only
    seat.ask = True
    st.session_state[JOIN_KEY] = False  # the diagram, not the QR code, is what the class looks at now
    if link_state.values()["view"] != link.VIEWS[0]:
        link_state.set_value("view", link.VIEWS[0])
        link_state.forget_tabs()  # the tabs open on the main view


def _reveal() -> None:
    seat = current()
    assert seat is not None and seat.question is not None
    seat.question = {**seat.question, "revealed": True, "value": seat.truth}
    seat.lead_step, seat.leads, seat.lead_pending = seat.question["step"], seat.leads + 1, True


def _cancel() -> None:
    seat = current()
    assert seat is not None
    seat.question, seat.truth = None, None


def _answers(seat: Seat) -> list[float]:
    question = seat.question or {}
    try:
        return store().answers(seat.code, seat.key, _whole(question.get("id"), -1)) or []
    except STORE_ERRORS:
        return []


@st.fragment(run_every=TEACHER_POLL_S)
def _teacher_live(seat: Seat, language: str) -> None:
    """Every 2 s: how many students are in the room and how many have answered the open question; and the whole
    page again when another page of the teacher's led the room since. (A fragment's own run is outside the page's
    `speaking` block: it names its language.)"""
    now = time.time()
    try:
        rooms = store()
        present = rooms.students(seat.code, now)
        room = rooms.room(seat.code, now)
    except STORE_ERRORS:
        st.caption(text("class_store_down", language))
        return
    if room is not None and room.version > seat.applied:  # pragma: no cover - only a fragment's own run finds
        st.rerun(scope="app")  # news here (a full run caught up in `join`), and AppTest runs whole pages
    with speaking(language):
        line = text("class_present", count=present)
        if seat.open_question():
            line += " · " + text("class_answers", count=len(_answers(seat)))
        st.markdown(line)


def _guesses(seat: Seat) -> None:
    question = seat.question or {}
    guesses = _answers(seat)
    truth, decimals = float(question.get("value") or 0.0), _whole(question.get("decimals"), 0)
    right = sum(is_right(guess, truth, decimals) for guess in guesses)
    figure = guesses_figure(guesses, truth, decimals, title=text("class_guesses_title", right=right,
                                                                  count=len(guesses)),
                            truth_label=text("class_truth"), x_title=text("class_guess_axis"),
                            y_title=text("class_count_axis"))
    show_figure(figure, key="class_guesses")


def _student_panel(seat: Seat) -> None:
    with st.container(border=True):
        left, right = st.columns([3, 2], vertical_alignment="center")
        left.markdown(text("class_student_title", code=seat.code))
        st.session_state[FOLLOW_KEY] = seat.follow
        right.toggle(text("class_follow"), key=FOLLOW_KEY, on_change=_on_follow, help=text("class_follow_help"))
        if not seat.follow:
            st.caption(text("class_exploring"))
        _student_live(seat, current_language())


def _on_follow() -> None:
    seat = current()
    assert seat is not None
    seat.follow = bool(st.session_state[FOLLOW_KEY])
    if seat.follow:  # take the teacher's newest at once
        seat.applied, seat.reported, seat.taken = -1, None, None


def _guess_form(seat: Seat, asked: dict[str, Any]) -> None:
    st.markdown(_where(asked, "class_predict"))
    with st.form("class_guess_form", border=False):
        box, button, _ = st.columns([2, 1, 2], vertical_alignment="bottom")
        guess = box.number_input(text("class_guess"), value=None, step=1.0, format="%g", key=GUESS_KEY)
        sent = button.form_submit_button(text("class_send"), type="primary")
    if sent:
        seat.answer_verdict = _send(seat, asked, guess)
    if seat.answer_verdict:
        st.text(text(f"class_verdict_{seat.answer_verdict}"))


def _send(seat: Seat, asked: dict[str, Any], guess: float | None) -> str:
    if guess is None:
        return Answer.INVALID.value
    try:
        verdict = store().answer(seat.code, _whole(asked.get("id"), -1), seat.student, float(guess), time.time())
    except STORE_ERRORS:
        return "down"
    return verdict.value


def _my_result(seat: Seat) -> None:
    question = seat.question or {}
    try:
        mine = store().my_answer(seat.code, _whole(question.get("id"), -1), seat.student)
    except STORE_ERRORS:
        return
    value = question.get("value")
    if not isinstance(value, int | float):
        return
    decimals = _whole(question.get("decimals"), 0)
    shown = f"{value:.{decimals}f}"
    if mine is None:
        st.text(text("class_result_none", value=shown))
    elif is_right(mine, value, decimals):
        st.success(text("class_result_right", value=shown, guess=f"{mine:g}"), icon=":material/check_circle:")
    else:
        st.info(text("class_result_wrong", value=shown, guess=f"{mine:g}"))


def poll(seat: Seat, rooms: Rooms, now: float) -> bool:
    """A student's page looks at its room: it says it is there (every SEEN_EVERY_S) and takes the teacher's news;
    True when that is a new setting, which needs the whole page to run (a step or a question does not)."""
    if now - seat.seen_at >= SEEN_EVERY_S:
        rooms.seen(seat.code, seat.student, now)
        seat.seen_at = now
    room = rooms.room(seat.code, now)
    return room is not None and take_news(seat, room, full_run=False)


@st.fragment(run_every=POLL_S)
def _student_live(seat: Seat, language: str) -> None:
    """Every POLL_S seconds, on a student's page: `poll`; the question, the guess form or the result; and the
    beacon that hands the player the teacher's step, the hidden cell and the lock (and says the page still polls).
    (A fragment's own run is outside the page's `speaking` block: it names its language.)"""
    try:
        news = poll(seat, store(), time.time())
    except STORE_ERRORS:
        news = False
    if news:  # pragma: no cover - only a fragment's own run finds a new setting here (a full run caught up in
        st.rerun(scope="app")  # `join`), and AppTest runs whole pages: tests/test_class_browser.py sees it
    seat.beats += 1
    asked = seat.open_question()
    with speaking(language):
        if asked is not None:
            _guess_form(seat, asked)
        elif seat.question and seat.question.get("revealed") is True:
            _my_result(seat)
    hide = _whole(asked.get("step"), 0) if asked and seat.follow else None
    lead_beacon(seat.leads if seat.follow else -1, seat.lead_step, hide=hide, beat=seat.beats)
