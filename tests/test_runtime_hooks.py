"""convviz/ui/runtime_hooks.py: Streamlit no longer clears the Keras session after each script run, its sockets
send without Nagle's delay, and a run's messages wake the event loop once per batch.

The Keras probe is Keras' own public counter `keras.backend.get_uid(prefix)`: it counts up, and
`keras.backend.clear_session()` resets it. A run that leaves the counter going kept the session.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import sys
import threading
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import keras
import pytest
from streamlit.runtime.app_session import AppSession
from streamlit.runtime.scriptrunner import script_runner
from streamlit.testing.v1 import AppTest

from convviz.ui import runtime_hooks
from convviz.ui.runtime_hooks import batch_wakeups, keep_keras_session, send_without_delay

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PROBE = "convviz_keras_probe"


def _counter_survives(run: AppTest) -> bool:
    """Count twice, run the script, count again: True if the count went on (the session was not cleared)."""
    keras.backend.get_uid(PROBE)
    before = keras.backend.get_uid(PROBE)
    run.run()
    assert not run.exception
    return keras.backend.get_uid(PROBE) == before + 1


def test_a_run_of_the_app_keeps_the_keras_session() -> None:
    """app.py switches the clean-up off itself; if Streamlit changes the function the guard refuses, this fails."""
    assert _counter_survives(AppTest.from_file(APP, default_timeout=120))
    assert keep_keras_session() is True  # already switched off: idempotent


def test_without_the_hook_streamlit_clears_the_keras_session(monkeypatch: pytest.MonkeyPatch) -> None:
    """The control: Streamlit's own clean-up resets the counter, so the probe sees a clear (and the hook is needed).

    If a Streamlit release stops clearing Keras' session, this fails and the hook can go.
    """
    original = getattr(script_runner, "_convviz_replaced_cleanup", script_runner._clean_problem_modules)
    monkeypatch.setattr(script_runner, "_clean_problem_modules", original)
    assert not _counter_survives(AppTest.from_string("import streamlit as st\nst.write('hi')"))


def test_the_guard_leaves_an_unknown_clean_up_alone() -> None:
    def cleanup_that_does_more() -> None:
        print(sys.modules["keras"].backend.clear_session(), sys.modules["torch"].cuda.empty_cache())

    stand_in = types.ModuleType("stand_in")
    stand_in._clean_problem_modules = cleanup_that_does_more  # type: ignore[attr-defined]
    assert keep_keras_session(stand_in) is False
    assert stand_in._clean_problem_modules is cleanup_that_does_more
    assert keep_keras_session(types.ModuleType("no_cleanup_at_all")) is False


def test_the_known_clean_up_is_replaced_and_pyplot_figures_still_close(monkeypatch: pytest.MonkeyPatch) -> None:
    stand_in = types.ModuleType("stand_in")
    stand_in._clean_problem_modules = getattr(  # type: ignore[attr-defined]
        script_runner, "_convviz_replaced_cleanup", script_runner._clean_problem_modules)
    assert keep_keras_session(stand_in) is True
    closed = []
    pyplot = types.SimpleNamespace(close=closed.append)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", pyplot)
    stand_in._clean_problem_modules()  # type: ignore[attr-defined]
    assert closed == ["all"]
    assert {"clear_session", "close"} <= runtime_hooks.KNOWN_CLEANUP_NAMES


# ---- Nagle ----


def _nodelay(sock: socket.socket) -> bool:
    return bool(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))


@contextlib.contextmanager
def _listener_like_streamlits() -> Iterator[socket.socket]:
    """A listening socket made the way Streamlit 1.67 makes its own: `proto` left at 0, so no TCP_NODELAY."""
    with socket.socket(family=socket.AF_INET) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        assert listener.proto == 0 and not _nodelay(listener)
        yield listener


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="the fix reads /proc (Linux, where classes are served)")
def test_connections_accepted_after_the_fix_send_without_delay() -> None:
    with _listener_like_streamlits() as listener, socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as local, \
            socket.create_connection(listener.getsockname()):
        open_before, _ = listener.accept()
        with open_before:
            assert not _nodelay(open_before)
            assert send_without_delay() >= 2
            assert send_without_delay() == 0  # nothing left to change; the local (non-TCP) socket is left alone
            assert local.family == socket.AF_UNIX
            assert _nodelay(open_before)  # a connection already open is changed
        with socket.create_connection(listener.getsockname()):
            accepted, _ = listener.accept()
            with accepted:
                assert _nodelay(accepted)  # inherited from the listener: what makes one call enough


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="the fix reads /proc (Linux, where classes are served)")
def test_a_listener_opened_after_the_first_fix_is_fixed_too() -> None:
    """Later calls skip the look at every socket only while the listeners they fixed are still the ones open: a
    server that closes its listener and opens another (a restart in the same process) gets the fix again."""
    with _listener_like_streamlits():
        send_without_delay()
        assert send_without_delay() == 0
    with _listener_like_streamlits() as second:
        assert send_without_delay() >= 1
        assert _nodelay(second)


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="the fix reads /proc (Linux, where classes are served)")
def test_a_run_of_the_app_turns_nagle_off() -> None:
    with _listener_like_streamlits() as listener:
        run = AppTest.from_file(APP, default_timeout=120)
        run.run()
        assert not run.exception
        assert _nodelay(listener)


def test_odd_entries_and_no_proc_are_skipped(tmp_path: Path) -> None:
    assert send_without_delay(str(tmp_path / "no-such-dir")) == 0  # macOS, Windows: nothing to do
    fds = tmp_path / "fd"
    fds.mkdir()
    (fds / "3").write_text("")  # not a link: readlink fails
    os.symlink("/dev/null", fds / "4")  # not a socket
    os.symlink("socket:[1]", fds / "name")  # not a descriptor number
    os.symlink("socket:[1]", fds / "999999")  # a socket that has been closed meanwhile
    assert send_without_delay(str(fds)) == 0


# ---- one wake-up of the event loop per batch ----


class _CountingLoop:
    """A real asyncio loop on a thread of its own, counting the wake-ups asked of it (call_soon_threadsafe)."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.wakeups = 0
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def call_soon_threadsafe(self, callback: Callable[[], None]) -> None:
        self.wakeups += 1
        self.loop.call_soon_threadsafe(callback)

    def is_closed(self) -> bool:
        return self.loop.is_closed()

    def settle(self) -> None:
        """Wait until everything asked of the loop so far has run."""
        done = threading.Event()
        self.loop.call_soon_threadsafe(done.set)
        assert done.wait(10)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


class _SessionLike:
    """What AppSession's method touches: its event loop (and its own __dict__, for the batch)."""

    def __init__(self, loop: Any) -> None:
        self._event_loop = loop


def _streamlits_call_soon() -> Callable[..., None]:
    return getattr(AppSession, "_convviz_replaced_call_soon", AppSession._call_soon_on_event_loop)


def _send_a_run(method: Callable[..., None], session: _SessionLike, messages: int) -> list[int]:
    """The script thread hands the loop `messages` callbacks, as a run hands it its messages; the order they ran in."""
    ran: list[int] = []

    def script() -> None:
        for number in range(messages):
            method(session, lambda number=number: ran.append(number))

    thread = threading.Thread(target=script)
    thread.start()
    thread.join(10)
    return ran


def test_a_run_of_the_app_batches_the_wakeups_of_streamlits_sessions() -> None:
    run = AppTest.from_file(APP, default_timeout=120)
    run.run()
    assert not run.exception
    assert getattr(AppSession._call_soon_on_event_loop, "_convviz_batches_wakeups", False)
    assert batch_wakeups() is True  # already batched: idempotent


def test_a_runs_messages_wake_the_loop_far_fewer_times_and_arrive_in_order() -> None:
    """The control is Streamlit's own method, one wake-up a message; batched, the same 45 messages arrive in the
    same order with at most a few wake-ups (the loop drains what the script thread queued meanwhile)."""
    counting = _CountingLoop()
    try:
        session = _SessionLike(counting)
        ran = _send_a_run(_streamlits_call_soon(), session, 45)
        counting.settle()
        assert ran == list(range(45)) and counting.wakeups == 45
        counting.wakeups = 0
        blocked = threading.Event()
        counting.loop.call_soon_threadsafe(lambda: blocked.wait(10))  # the loop busy with other sessions meanwhile
        ran = _send_a_run(runtime_hooks._call_soon_batched, session, 45)
        blocked.set()
        counting.settle()
        assert ran == list(range(45)) and counting.wakeups == 1
        ran = _send_a_run(runtime_hooks._call_soon_batched, session, 3)  # an idle loop drains each message
        counting.settle()
        assert ran == [0, 1, 2] and 2 <= counting.wakeups <= 4  # at once: never more than one wake-up a message
    finally:
        counting.close()


def test_a_callback_that_raises_is_logged_and_the_rest_still_run(caplog: pytest.LogCaptureFixture) -> None:
    batch = runtime_hooks._Batch()
    ran: list[str] = []
    assert batch.add(lambda: ran.append("first")) is True
    assert batch.add(lambda: 1 / 0) is False  # joins the batch: no second wake-up
    assert batch.add(lambda: ran.append("last")) is False
    with caplog.at_level(logging.ERROR, logger=runtime_hooks.__name__):
        batch.drain()
    assert ran == ["first", "last"] and "ZeroDivisionError" in caplog.text
    assert batch.add(lambda: None) is True  # drained: the next callback wakes the loop again


def test_a_closed_loops_callbacks_are_dropped_and_a_working_loops_error_is_not() -> None:
    closed = asyncio.new_event_loop()
    closed.close()
    session = _SessionLike(closed)
    runtime_hooks._call_soon_batched(session, lambda: None)  # dropped, as Streamlit drops it
    batch = session.__dict__["_convviz_batch"]
    assert not batch.calls and not batch.scheduled  # nothing left waiting for a drain that never comes

    class Refusing:
        def call_soon_threadsafe(self, callback: Callable[[], None]) -> None:
            raise RuntimeError("not a closed loop")

        def is_closed(self) -> bool:
            return False

    with pytest.raises(RuntimeError, match="not a closed loop"):
        runtime_hooks._call_soon_batched(_SessionLike(Refusing()), lambda: None)


def test_the_wakeup_guard_leaves_an_unknown_method_alone() -> None:
    class ChangedSession:
        def _call_soon_on_event_loop(self, callback: Callable[[], None]) -> None:
            self._event_loop.call_soon(callback)  # type: ignore[attr-defined]  # not thread-safe: not the one we know

    original = ChangedSession._call_soon_on_event_loop
    assert batch_wakeups(ChangedSession) is False
    assert ChangedSession._call_soon_on_event_loop is original
    assert batch_wakeups(type("NoMethod", (), {})) is False
    known = type("KnownSession", (), {"_call_soon_on_event_loop": _streamlits_call_soon()})
    assert batch_wakeups(known) is True and known._call_soon_on_event_loop is runtime_hooks._call_soon_batched
