"""A Streamlit client without a browser: the websocket protocol the frontend speaks, for load tests and soak tests.

One `Session` is one browser tab. It connects to `/_stcore/stream` (subprotocol `streamlit`), asks for a script
run the way the frontend does (`BackMsg.rerun_script` carrying the page's query string and the widget states),
and reads `ForwardMsg`s until `script_finished`. Widget ids are learnt from the elements the server sends (an id
with a user key ends in `-<key>`), so a widget change is `session.change("h", 7)`. As the browser does, every run
it asks for carries the values of the widgets it has set so far (a button's click only once), and the query string
the server last wrote to the address bar (`page_info_changed`).

What is timed is what a student waits for:
- page open: from opening the websocket until the first run has finished (the server's `script_finished`);
- re-run: from sending the widget change until that run has finished.

A tab left open (`await session.live()`) also does what the browser does between a user's changes: it reads every
message the server sends (a background reader) and runs each `st.fragment(run_every=...)` of the page on its own
timer. The fragment protocol of Streamlit 1.67, as its frontend (App.tsx `handleAutoRerun`) speaks it:
- a full run that draws a fragment with `run_every` sends `ForwardMsg.auto_rerun {interval, fragment_id}`; the
  browser starts a `setInterval(interval)` for that fragment id (kept if it already runs at that interval);
- each tick sends `BackMsg.rerun_script` with the query string, *all* widget states, `fragment_id` and
  `is_auto_rerun = true`, whether or not the previous fragment run has finished (the server coalesces);
- the server answers with a run whose `new_session` and `script_finished` carry `metadata.run.fragment_ids` (empty
  for a full run), deltas with `delta.fragment_id`, and the status FINISHED_FRAGMENT_RUN_SUCCESSFULLY;
- every full run's `new_session` clears all the timers (`cleanupAutoReruns`): the run's `auto_rerun` messages
  start them again, so their phase restarts with every full run; `stop_auto_rerun` clears some;
- `st.rerun(scope="app")` inside a fragment run needs nothing from the browser: the server ends the fragment run
  (FINISHED_EARLY_FOR_RERUN) and starts a full run by itself (`new_session` with no fragment ids);
- a run's `script_finished` can be lost: when a timer's request reaches the server just after a full run's
  ScriptRunner has stopped but before the event loop has handled that run's end, AppSession starts a new
  ScriptRunner and ignores the old one's events ("non-current ScriptRunner"). The next `new_session` then follows
  the full run's deltas directly; such a run is recorded with the status NO_SCRIPT_FINISHED.
- a form drawn inside a fragment is submitted as the frontend's `WidgetStateManager.submitForm` does it: one
  `rerun_script` with *all* widget states, the submit button's trigger and the `fragment_id` of the fragment that
  drew the button (not an auto rerun); the answer is a fragment run.
Each run seen is kept in `runs` (full or fragment; asked for by a change or a form, by a timer, or started by the
server), each change of a watched component's data (`watch`) in `component_changes`, with its arrival time, and
the first arrival of each text (markdown, text, alert) holding a watched phrase (`watch_texts`) in `texts_seen`.

Loopback only, bounded: every wait has a timeout, and a run counts as failed if it times out, ends in anything but
FINISHED_SUCCESSFULLY, or shows an exception element.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import urllib.request
from dataclasses import dataclass, field
from typing import Any

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

_FINISHED = ForwardMsg.ScriptFinishedStatus
_WIDGET_PREFIX = "$$ID-"
_TRIGGERS = ("button",)  # widgets whose value is a click: sent once as a trigger, never kept
NO_FINISH = "NO_SCRIPT_FINISHED"  # a run's status when the next run began before its script_finished came


@dataclass
class RunResult:
    seconds: float
    ok: bool
    error: str = ""
    exceptions: int = 0
    texts: list[str] = field(default_factory=list)  # markdown bodies, for tests that look at what was drawn
    fragment: bool = False  # the run was a fragment run (a form inside a fragment)


@dataclass
class RunRecord:
    """One script run the session saw, from its `new_session` to its `script_finished` (perf_counter seconds)."""

    fragment: bool  # a fragment run (its fragment ids in the metadata), else a full run
    cause: str  # "client" (a change or the page open), "auto" (a run_every timer), "server" (nothing asked for it)
    started: float
    finished: float = float("nan")
    status: str = ""
    exceptions: int = 0


@dataclass
class ComponentChange:
    """A watched component's data as it changed: when it arrived, and in what kind of run."""

    at: float  # perf_counter
    key: str
    data: bytes
    fragment: bool


class Session:
    """One browser tab's websocket session; use `await Session.open(...)`, then `change(...)`, then `close()`."""

    def __init__(self, base_url: str, cookie: str | None = None):
        self.ws_url = base_url.replace("http://", "ws://", 1).rstrip("/") + "/_stcore/stream"
        self.cookie = cookie
        self.widget_ids: dict[str, str] = {}  # user key -> widget id
        self.widget_types: dict[str, str] = {}  # user key -> element type (number_input, ...)
        self.component_data: dict[str, bytes] = {}  # user key -> the data a component (the player) was last handed
        self.form_submitters: dict[str, str] = {}  # form id -> its submit button's widget id
        self.form_fragments: dict[str, str] = {}  # form id -> the fragment that drew its submit button ("": none)
        self.plotly_specs: dict[str, str] = {}  # user key (or element id) -> the plotly chart's spec JSON, last sent
        self.query_string = ""
        self.session_id = ""
        self.watch: set[str] = set()  # component keys whose data changes are logged in component_changes
        self.component_changes: list[ComponentChange] = []
        self.watch_texts: tuple[str, ...] = ()  # lower-case phrases: texts holding one are noted in texts_seen
        self.texts_seen: dict[str, tuple[float, bool]] = {}  # text -> (first arrival, in a fragment run)
        self.runs: list[RunRecord] = []
        self.auto_reruns: dict[str, float] = {}  # fragment id -> interval (s), as the server announced them
        self.auto_sent: list[float] = []  # when each timer tick's fragment rerun was sent (perf_counter)
        self._states: dict[str, WidgetState] = {}  # widget id -> the value this tab set (sent with every run)
        self._ws: Any = None
        self._current: RunRecord | None = None
        self._texts: list[str] = []
        self._asked_full = 0  # full runs asked for and not yet started
        self._asked_fragment = 0  # fragment runs asked for by a form and not yet started
        self._drawn: set[str] = set()  # the widget ids drawn in the current full run
        self._done: asyncio.Future[RunRecord] | None = None  # the next full run's end, while a change waits (live)
        self._done_after = 0.0  # ... of a run started after this time (perf_counter)
        self._done_fragment = False  # ... a fragment run's (a form inside a fragment), not a full run's
        self._reader: asyncio.Task[None] | None = None
        self._timers: dict[str, asyncio.Task[None]] = {}
        self.closed_error = ""  # why the live reader stopped, if it did
        self.trace: list[tuple[float, str]] | None = None  # a list: every message but a delta is noted in it
        self.sent: list[tuple[float, str]] = []  # what this tab asked for, and when (perf_counter)

    @classmethod
    async def open(cls, base_url: str, query_string: str = "", *, timeout: float = 120.0,
                   cookie: str | None = None) -> tuple[Session, RunResult]:
        """Connect and run the page once, as a browser tab opening `base_url/?query_string` does."""
        session = cls(base_url, cookie)
        start = time.perf_counter()
        try:
            headers = {"Cookie": cookie} if cookie else None
            session._ws = await asyncio.wait_for(
                websockets.connect(session.ws_url, subprotocols=["streamlit"], max_size=None,
                                   additional_headers=headers, open_timeout=timeout, ping_interval=None),
                timeout)
        except (OSError, TimeoutError, websockets.WebSocketException) as err:
            return session, RunResult(time.perf_counter() - start, False, f"connect: {err!r}"[:300])
        session.query_string = query_string
        result = await session._request({}, timeout, start)
        return session, result

    async def change(self, key: str, value: Any, *, timeout: float = 120.0) -> RunResult:
        """Set the widget with user key `key` to `value` and wait until the re-run it triggers has finished.
        A button (`value` True) is clicked."""
        return await self.change_many({key: value}, timeout=timeout)

    async def change_many(self, values: dict[str, Any], *, timeout: float = 120.0) -> RunResult:
        """Set several widgets in one run (as a form's submission does) and wait until it has finished."""
        start = time.perf_counter()
        missing = [key for key in values if key not in self.widget_ids]
        if missing:
            return RunResult(0.0, False, f"no widget with key {missing[0]!r} on the page")
        return await self._request({self.widget_ids[key]: (self.widget_types[key], value)
                                    for key, value in values.items()}, timeout, start)

    async def submit_form(self, form_id: str, values: dict[str, Any], *, timeout: float = 120.0) -> RunResult:
        """Fill in a form's widgets (by user key) and click its submit button (found by the form's id), and wait
        for the run it asks for: a full run, or for a form inside a fragment a run of that fragment (live only)."""
        start = time.perf_counter()
        submit = self.form_submitters.get(form_id)
        missing = [key for key in values if key not in self.widget_ids]
        if submit is None or missing:
            return RunResult(0.0, False, f"no form {form_id!r} or no widget {missing} on the page")
        widgets = {self.widget_ids[key]: (self.widget_types[key], value) for key, value in values.items()}
        widgets[submit] = ("button", True)
        fragment_id = self.form_fragments.get(form_id, "")
        if fragment_id and self._reader is None:
            return RunResult(0.0, False, f"form {form_id!r} is in a fragment: submit it from a live tab")
        return await self._request(widgets, timeout, start, fragment_id)

    async def live(self) -> None:
        """Keep the tab open as a browser does: read every message and run the page's fragments on their timers."""
        if self._reader is None and self._ws is not None:
            self._reader = asyncio.create_task(self._read_forever())
            for fragment_id, interval in self.auto_reruns.items():
                self._start_timer(fragment_id, interval)

    async def close(self) -> None:
        for task in [*self._timers.values(), *([self._reader] if self._reader else [])]:
            task.cancel()
        self._timers.clear()
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._ws.close(), 10)
        if self._reader is not None:
            with contextlib.suppress(BaseException):
                await self._reader

    # ---- asking for runs ----

    def _rerun_message(self, widgets: dict[str, tuple[str, Any]], fragment_id: str = "", auto: bool = False) -> bytes:
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query_string
        state.page_script_hash = ""
        if fragment_id:
            state.fragment_id = fragment_id
            state.is_auto_rerun = auto
        sent = dict(self._states)
        for widget_id, (kind, value) in widgets.items():
            widget = WidgetState(id=widget_id)
            if kind in _TRIGGERS:
                widget.trigger_value = bool(value)
            elif isinstance(value, bool):
                widget.bool_value = value
            elif isinstance(value, int):
                widget.int_value = value
            elif isinstance(value, float):
                widget.double_value = value
            elif isinstance(value, dict):  # a component's state (components v2), as its JavaScript sends it
                widget.json_value = json.dumps(value)
            else:
                widget.string_value = str(value)
            sent[widget_id] = widget
            if kind not in _TRIGGERS:
                self._states[widget_id] = widget
        state.widget_states.widgets.extend(sent.values())
        if self.trace is not None:
            names = ",".join(widget_id.rsplit("-", 1)[-1] for widget_id in widgets)
            self.sent.append((time.perf_counter(), f"fragment {fragment_id[:8]} {names}".rstrip() if fragment_id
                              else f"full {names}"))
        return msg.SerializeToString()

    async def _request(self, widgets: dict[str, tuple[str, Any]], timeout: float, start: float,
                       fragment_id: str = "") -> RunResult:
        """Ask for a full run (or, live, a run of fragment `fragment_id`) with these widget values and wait until it
        has finished."""
        try:
            if self._reader is not None:
                return await self._request_live(widgets, timeout, start, fragment_id)
            self._asked_full += 1
            await self._ws.send(self._rerun_message(widgets))
            async with asyncio.timeout(timeout):
                while True:
                    msg = ForwardMsg()
                    msg.ParseFromString(await self._ws.recv())
                    run = self._handle(msg)
                    if run is not None and not run.fragment and run.status != "FINISHED_EARLY_FOR_RERUN":
                        return self._result(run, start)
        except TimeoutError:
            return RunResult(time.perf_counter() - start, False, f"timed out after {timeout:.0f} s",
                             self._current.exceptions if self._current else 0, list(self._texts))
        except (OSError, websockets.WebSocketException) as err:
            return RunResult(time.perf_counter() - start, False, f"connection: {err!r}"[:300])

    async def _request_live(self, widgets: dict[str, tuple[str, Any]], timeout: float, start: float,
                            fragment_id: str = "") -> RunResult:
        if self._reader is not None and self._reader.done():
            return RunResult(0.0, False, f"connection: {self.closed_error}"[:300])
        loop = asyncio.get_running_loop()
        self._done = done = loop.create_future()
        self._done_after = time.perf_counter()
        self._done_fragment = bool(fragment_id)
        if fragment_id:  # the first fragment run that starts after this is taken for it (the server queues a
            self._asked_fragment += 1  # form's run behind a timer's fragment run that is under way)
        else:
            self._asked_full += 1
        await self._ws.send(self._rerun_message(widgets, fragment_id))
        try:
            run = await asyncio.wait_for(done, timeout)
        except TimeoutError:
            return RunResult(time.perf_counter() - start, False, f"timed out after {timeout:.0f} s")
        finally:
            if self._done is done:
                self._done = None
        return self._result(run, start)

    def _result(self, run: RunRecord, start: float) -> RunResult:
        wanted = "FINISHED_FRAGMENT_RUN_SUCCESSFULLY" if run.fragment else "FINISHED_SUCCESSFULLY"
        ok = run.status == wanted and run.exceptions == 0
        error = "" if ok else f"status {run.status}, {run.exceptions} exception(s)"
        return RunResult(time.perf_counter() - start, ok, error, run.exceptions, list(self._texts), run.fragment)

    def _start_timer(self, fragment_id: str, interval: float) -> None:
        if fragment_id not in self._timers and interval > 0:
            self._timers[fragment_id] = asyncio.create_task(self._tick(fragment_id, interval))

    async def _tick(self, fragment_id: str, interval: float) -> None:
        """The browser's setInterval: a rerun of the fragment every `interval` s, not waiting for the last one."""
        start = time.perf_counter()
        beat = 0
        while True:
            beat += 1
            await asyncio.sleep(max(0.0, start + beat * interval - time.perf_counter()))
            self.auto_sent.append(time.perf_counter())
            try:
                await self._ws.send(self._rerun_message({}, fragment_id, auto=True))
            except (OSError, websockets.WebSocketException):
                return

    # ---- reading ----

    async def _read_forever(self) -> None:
        try:
            while True:
                msg = ForwardMsg()
                msg.ParseFromString(await self._ws.recv())
                run = self._handle(msg)
                if (run is not None and run.fragment == self._done_fragment
                        and run.status != "FINISHED_EARLY_FOR_RERUN" and run.started >= self._done_after
                        and self._done is not None and not self._done.done()):
                    self._done.set_result(run)
        except (OSError, websockets.WebSocketException) as err:
            self.closed_error = repr(err)
            for task in self._timers.values():
                task.cancel()
            if self._done is not None and not self._done.done():
                self._done.set_exception(ConnectionError(self.closed_error))

    def _handle(self, msg: ForwardMsg) -> RunRecord | None:
        """Take in one message as the browser does; return the run it finished, if it finished one."""
        kind = msg.WhichOneof("type")
        now = time.perf_counter()
        if self.trace is not None and kind != "delta":
            detail = {"new_session": lambda: ",".join(msg.metadata.run.fragment_ids)[:8] or "full",
                      "script_finished": lambda: _FINISHED.Name(msg.script_finished)}.get(kind, lambda: "")()
            self.trace.append((now, f"{kind} {detail}".strip()))
        ended = None
        if kind == "new_session":
            self.session_id = msg.new_session.initialize.session_id or self.session_id
            if self._current is not None:  # a run the server never said was over (its script_finished was lost)
                ended, self._current = self._current, None
                ended.finished, ended.status = now, NO_FINISH
                self.runs.append(ended)
            fragment = bool(msg.metadata.run.fragment_ids)
            if fragment and self._asked_fragment > 0:  # a form's run (the server may coalesce a tick into it)
                cause = "client"
                self._asked_fragment -= 1
            elif fragment:  # the server coalesces waiting ticks, or runs them one by one: any tick sent counts
                cause = "auto" if self.auto_sent else "server"
            else:
                self._drawn = set()
                cause = "client" if self._asked_full > 0 else "server"
                self._asked_full = max(0, self._asked_full - 1)
                self._texts = []
                self._clear_timers(list(self._timers))  # cleanupAutoReruns: this run's auto_rerun starts them again
                self.auto_reruns.clear()
            self._current = RunRecord(fragment, cause, now)
            return ended
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            exception = self._learn(msg.delta.new_element, msg.delta.fragment_id, now)
            if self._current is not None:
                self._current.exceptions += exception
        elif kind == "auto_rerun":
            fragment_id, interval = msg.auto_rerun.fragment_id, msg.auto_rerun.interval
            if fragment_id and self.auto_reruns.get(fragment_id) != interval:
                self._clear_timers([fragment_id])
                self.auto_reruns[fragment_id] = interval
                if self._reader is not None:
                    self._start_timer(fragment_id, interval)
        elif kind == "stop_auto_rerun":
            self._clear_timers(list(msg.stop_auto_rerun.fragment_ids))
            for fragment_id in msg.stop_auto_rerun.fragment_ids:
                self.auto_reruns.pop(fragment_id, None)
        elif kind == "page_info_changed":
            self.query_string = msg.page_info_changed.query_string  # the address bar the next run is asked with
        elif kind == "script_finished":
            run = self._current or RunRecord(bool(msg.metadata.run.fragment_ids), "server", now)
            run.finished, run.status = now, _FINISHED.Name(msg.script_finished)
            self.runs.append(run)
            self._current = None
            if not run.fragment and run.status == "FINISHED_SUCCESSFULLY":  # the browser forgets the widgets gone
                self._states = {wid: state for wid, state in self._states.items() if wid in self._drawn}
            return run
        return None

    def _clear_timers(self, fragment_ids: list[str]) -> None:
        for fragment_id in fragment_ids:
            task = self._timers.pop(fragment_id, None)
            if task is not None:
                task.cancel()

    def _learn(self, element: Any, fragment_id: str = "", now: float = 0.0) -> int:
        """Remember widget ids by user key, collect markdown text, the watched texts and what the watched components
        were handed; return 1 for an exception element."""
        kind = element.WhichOneof("type")
        if kind == "exception":
            return 1
        in_fragment = bool(fragment_id)
        body = getattr(element, kind, None)
        if kind == "markdown":
            self._texts.append(body.body)
        if (kind in ("markdown", "text", "alert") and self.watch_texts and body.body not in self.texts_seen
                and any(phrase in body.body.lower() for phrase in self.watch_texts)):
            self.texts_seen[body.body] = (now, in_fragment)
        if kind == "bidi_component" and (body.bytes or body.json):
            key = str(body.id).split("-", 2)[-1]
            data = bytes(body.bytes) if body.bytes else body.json.encode()
            if key in self.watch and self.component_data.get(key) != data:
                self.component_changes.append(ComponentChange(now, key, data, in_fragment))
            self.component_data[key] = data
        if kind == "plotly_chart":
            self.plotly_specs[str(body.id).split("-", 2)[-1] if body.id else str(len(self.plotly_specs))] = body.spec
        if kind == "button" and body.is_form_submitter and body.form_id:
            self.form_submitters[body.form_id] = body.id
            self.form_fragments[body.form_id] = fragment_id
        widget_id = getattr(body, "id", "")
        if isinstance(widget_id, str) and widget_id.startswith(_WIDGET_PREFIX) and widget_id.count("-") >= 2:
            key = widget_id.split("-", 2)[2]
            self.widget_ids[key] = widget_id
            self.widget_types[key] = kind
            self._drawn.add(widget_id)
        return 0


def first_cookie(base_url: str, timeout: float = 30.0) -> str | None:
    """GET the page as a browser does first, and return the cookie the server set (a proxy's stickiness cookie)."""
    with urllib.request.urlopen(base_url.rstrip("/") + "/", timeout=timeout) as response:
        cookies = [value.split(";", 1)[0] for name, value in response.getheaders() if name.lower() == "set-cookie"]
    return "; ".join(cookies) or None
