"""convviz/ui/runtime_hooks.py: Streamlit no longer clears the Keras session after each script run, and its
sockets send without Nagle's delay.

The Keras probe is Keras' own public counter `keras.backend.get_uid(prefix)`: it counts up, and
`keras.backend.clear_session()` resets it. A run that leaves the counter going kept the session.
"""

from __future__ import annotations

import contextlib
import os
import socket
import sys
import types
from collections.abc import Iterator
from pathlib import Path

import keras
import pytest
from streamlit.runtime.scriptrunner import script_runner
from streamlit.testing.v1 import AppTest

from convviz.ui import runtime_hooks
from convviz.ui.runtime_hooks import keep_keras_session, send_without_delay

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
