"""A Streamlit client without a browser: the websocket protocol the frontend speaks, for load tests and soak tests.

One `Session` is one browser tab. It connects to `/_stcore/stream` (subprotocol `streamlit`), asks for a script
run the way the frontend does (`BackMsg.rerun_script` carrying the page's query string and the widget states),
and reads `ForwardMsg`s until `script_finished`. Widget ids are learnt from the elements the server sends (an id
with a user key ends in `-<key>`), so a widget change is `session.change("h", 7)`.

What is timed is what a student waits for:
- page open: from opening the websocket until the first run has finished (the server's `script_finished`);
- re-run: from sending the widget change until that run has finished.

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

_FINISHED = ForwardMsg.ScriptFinishedStatus
_WIDGET_PREFIX = "$$ID-"


@dataclass
class RunResult:
    seconds: float
    ok: bool
    error: str = ""
    exceptions: int = 0
    texts: list[str] = field(default_factory=list)  # markdown bodies, for tests that look at what was drawn


class Session:
    """One browser tab's websocket session; use `await Session.open(...)`, then `change(...)`, then `close()`."""

    def __init__(self, base_url: str, cookie: str | None = None):
        self.ws_url = base_url.replace("http://", "ws://", 1).rstrip("/") + "/_stcore/stream"
        self.cookie = cookie
        self.widget_ids: dict[str, str] = {}  # user key -> widget id
        self.widget_types: dict[str, str] = {}  # user key -> element type (number_input, ...)
        self.component_data: dict[str, bytes] = {}  # user key -> the data a component (the player) was last handed
        self.query_string = ""
        self.session_id = ""
        self._ws: Any = None

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
        result = await session._run({}, timeout, start)
        return session, result

    async def change(self, key: str, value: Any, *, timeout: float = 120.0) -> RunResult:
        """Set the widget with user key `key` to `value` and wait until the re-run it triggers has finished."""
        start = time.perf_counter()
        if key not in self.widget_ids:
            return RunResult(0.0, False, f"no widget with key {key!r} on the page")
        return await self._run({key: value}, timeout, start)

    async def close(self) -> None:
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._ws.close(), 10)

    def _rerun_message(self, widgets: dict[str, Any]) -> bytes:
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query_string
        state.page_script_hash = ""
        for key, value in widgets.items():
            widget = state.widget_states.widgets.add()
            widget.id = self.widget_ids[key]
            if isinstance(value, bool):
                widget.bool_value = value
            elif isinstance(value, int):
                widget.int_value = value
            elif isinstance(value, float):
                widget.double_value = value
            elif isinstance(value, dict):  # a component's state (components v2), as its JavaScript sends it
                widget.json_value = json.dumps(value)
            else:
                widget.string_value = str(value)
        return msg.SerializeToString()

    async def _run(self, widgets: dict[str, Any], timeout: float, start: float) -> RunResult:
        texts: list[str] = []
        exceptions = 0
        try:
            await self._ws.send(self._rerun_message(widgets))
            async with asyncio.timeout(timeout):
                while True:
                    msg = ForwardMsg()
                    msg.ParseFromString(await self._ws.recv())
                    kind = msg.WhichOneof("type")
                    if kind == "new_session":
                        self.session_id = msg.new_session.initialize.session_id or self.session_id
                    elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                        exceptions += self._learn(msg.delta.new_element, texts)
                    elif kind == "script_finished":
                        status = msg.script_finished
                        if status == _FINISHED.FINISHED_EARLY_FOR_RERUN:
                            continue  # a run superseded by ours; ours follows
                        ok = status == _FINISHED.FINISHED_SUCCESSFULLY and exceptions == 0
                        error = "" if ok else f"status {_FINISHED.Name(status)}, {exceptions} exception(s)"
                        return RunResult(time.perf_counter() - start, ok, error, exceptions, texts)
        except TimeoutError:
            return RunResult(time.perf_counter() - start, False, f"timed out after {timeout:.0f} s", exceptions, texts)
        except (OSError, websockets.WebSocketException) as err:
            return RunResult(time.perf_counter() - start, False, f"connection: {err!r}"[:300], exceptions, texts)

    def _learn(self, element: Any, texts: list[str]) -> int:
        """Remember widget ids by user key, collect markdown text; return 1 for an exception element."""
        kind = element.WhichOneof("type")
        if kind == "exception":
            return 1
        body = getattr(element, kind, None)
        if kind == "markdown":
            texts.append(body.body)
        if kind == "bidi_component" and body.bytes:
            self.component_data[str(body.id).split("-", 2)[-1]] = bytes(body.bytes)
        widget_id = getattr(body, "id", "")
        if isinstance(widget_id, str) and widget_id.startswith(_WIDGET_PREFIX) and widget_id.count("-") >= 2:
            key = widget_id.split("-", 2)[2]
            self.widget_ids[key] = widget_id
            self.widget_types[key] = kind
        return 0


def first_cookie(base_url: str, timeout: float = 30.0) -> str | None:
    """GET the page as a browser does first, and return the cookie the server set (a proxy's stickiness cookie)."""
    with urllib.request.urlopen(base_url.rstrip("/") + "/", timeout=timeout) as response:
        cookies = [value.split(";", 1)[0] for name, value in response.getheaders() if name.lower() == "set-cookie"]
    return "; ".join(cookies) or None
