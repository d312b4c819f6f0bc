"""Three changes to how Streamlit serves the app: no Keras reset after every run, no Nagle delay on its sockets,
one wake-up of the event loop per batch of a run's messages.

1. Keras. After each script run, Streamlit's script runner calls `_clean_problem_modules()`
(streamlit/runtime/scriptrunner/script_runner.py), which calls `keras.backend.clear_session()` whenever `keras` is
in `sys.modules` -- and `import tensorflow` puts it there, although convviz never uses Keras. That call resets
TensorFlow's default graph and Keras' global state and runs a full `gc.collect()`: ~160 ms per run with the
server doing nothing else, ~9 % of the server's time under a class's load, and (with the garbage each session leaves
for the collector) the reason a lecture's later rounds of students waited longer than the first. See
docs/serving.md.

There is no setting for it, so `keep_keras_session()` replaces that one function of Streamlit's with one that does
the rest of what it does (closing Matplotlib's figures) and leaves Keras alone. It is guarded: it replaces only
the function it knows (the same global names, checked on its code object), and otherwise leaves Streamlit as it
is and returns False. tests/test_runtime_hooks.py proves that a script run keeps the Keras session, so a Streamlit
release that changes this code fails that test instead of silently bringing the cost back.

Why not keep Keras out of `sys.modules` instead: `import tensorflow` imports it eagerly (its optimizers are
registered at import time), and blocking the import with `sys.modules["keras"] = None` would break `tf.keras`
for every user of the process and still leave the name in `sys.modules`.

2. Nagle. Streamlit 1.67 binds its listening socket itself (`socket.socket(family=...)`, so `proto` is 0) and hands
it to uvicorn; asyncio turns on TCP_NODELAY only for sockets that report `proto == IPPROTO_TCP`, so every websocket
keeps Nagle's algorithm on (uvicorn#3149 describes the same for pre-bound sockets). A run's messages after the first
few then wait for the browser's delayed ACK: measured alone on loopback, every run of even a one-widget app
finished ~40 ms after it started, of which ~1 ms was the script. `send_without_delay()` sets TCP_NODELAY on the
process's TCP sockets: the listening one (Linux hands the option on to every connection it accepts later) and the
connections already open.

3. Wake-ups. Each message a script run produces (a run of the main tab sends ~45) reaches the server's event loop
by its own `call_soon_threadsafe` (AppSession._call_soon_on_event_loop), and each of those writes a byte to the
loop's self-pipe: a system call on the script thread, which gives up the GIL and waits to take it back from the
event loop thread. Under a class's load py-spy put about a third of a run's CPU samples there
(bench/README.md). `batch_wakeups()` keeps the session's callbacks in a queue of its own and wakes the loop only
for the first of a batch; the loop then runs every callback queued by then, in order. Guarded like the first.
"""

from __future__ import annotations

import logging
import os
import socket
import sys
import threading
import types
from collections import deque
from collections.abc import Callable
from typing import Any

# The global names used by Streamlit's `_clean_problem_modules` as shipped in 1.67 (read when this was
# written): Keras' clear_session and Matplotlib's close, nothing else. Any other set means Streamlit changed the
# function, and it is left alone.
KNOWN_CLEANUP_NAMES = frozenset({"sys", "modules", "cast", "backend", "clear_session", "Exception", "close"})
_MARK = "_convviz_keeps_keras_session"


def _clean_problem_modules_keeping_keras() -> None:
    """Streamlit's post-run clean-up without the Keras reset: close Matplotlib's figures if pyplot is loaded."""
    pyplot: Any = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")


setattr(_clean_problem_modules_keeping_keras, _MARK, True)


def keep_keras_session(runner_module: types.ModuleType | None = None) -> bool:
    """Stop Streamlit from clearing the Keras session after each script run; True if it is (now) stopped.

    Idempotent and cheap, so `app.py` calls it on every run. `runner_module` is Streamlit's script_runner module
    (a parameter only so that the guard can be tested on a stand-in).
    """
    if runner_module is None:
        from streamlit.runtime.scriptrunner import script_runner

        runner_module = script_runner
    return _replace_known(runner_module, "_clean_problem_modules", KNOWN_CLEANUP_NAMES,
                          _clean_problem_modules_keeping_keras, _MARK, "_convviz_replaced_cleanup")


def _replace_known(owner: Any, name: str, known_names: frozenset[str], replacement: Callable[..., Any], mark: str,
                   saved_as: str) -> bool:
    """Put `replacement` (which carries `mark`) in the place of `owner.<name>`, but only where that is the function
    this module was written against: its code uses exactly `known_names`. The original is kept as
    `owner.<saved_as>` (for the tests' control runs). True if the replacement is (now) in place."""
    current = getattr(owner, name, None)
    if getattr(current, mark, False):
        return True
    code = getattr(current, "__code__", None)
    if code is None or frozenset(code.co_names) != known_names:
        return False
    setattr(owner, saved_as, current)
    setattr(owner, name, replacement)
    return True


# Per fd directory, the listening sockets given TCP_NODELAY: (descriptor, its link) pairs; a later call that finds
# them all still open has nothing to do.
_FIXED_LISTENERS: dict[str, tuple[tuple[str, str], ...]] = {}


def send_without_delay(fd_dir: str = "/proc/self/fd") -> int:
    """Set TCP_NODELAY on every TCP socket of this process that lacks it; return how many were changed.

    `app.py` calls it on every run. The first call looks at each open file of the process; once the listening
    sockets have the option (connections accepted later inherit it), later calls only check that those listeners
    are still the ones open, which is one `readlink` each: a look at every socket of a class of 40 cost ~1.7 ms of
    every run. Where there is no `/proc` (macOS, Windows) it does nothing: the fix is for the Linux servers a
    class is served from.
    """
    known = _FIXED_LISTENERS.get(fd_dir)
    if known and all(_link(os.path.join(fd_dir, name)) == link for name, link in known):
        return 0
    try:
        names = os.listdir(fd_dir)
    except OSError:
        return 0
    changed, listeners = 0, []
    for name in names:
        link = _link(os.path.join(fd_dir, name))
        if not link.startswith("socket:"):
            continue
        try:
            sock = socket.socket(fileno=os.dup(int(name)))  # a second handle on the same socket
        except (OSError, ValueError):
            continue  # closed meanwhile, or not a socket after all
        with sock:
            tcp = sock.family in (socket.AF_INET, socket.AF_INET6) and sock.type == socket.SOCK_STREAM
            if tcp and not sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                changed += 1
            if tcp and sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN):
                listeners.append((name, link))
    _FIXED_LISTENERS[fd_dir] = tuple(listeners)
    return changed


def _link(path: str) -> str:
    """What a /proc/<pid>/fd entry points at ("socket:[inode]" for a socket), or "" if it is gone or not a link."""
    try:
        return os.readlink(path)
    except OSError:
        return ""


# The global names used by AppSession._call_soon_on_event_loop as shipped in 1.67: the loop's call_soon_threadsafe,
# and a closed loop's RuntimeError dropped with a debug line. Any other set means Streamlit changed it.
KNOWN_CALL_SOON_NAMES = frozenset({"_event_loop", "call_soon_threadsafe", "RuntimeError", "is_closed", "_LOGGER",
                                   "debug"})
_BATCH_MARK = "_convviz_batches_wakeups"
_LOGGER = logging.getLogger(__name__)


class _Batch:
    """One session's callbacks for its event loop, queued by the script thread and run by the loop in order."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.calls: deque[Callable[[], None]] = deque()
        self.scheduled = False  # a drain is on the loop's way: later callbacks join its batch

    def add(self, callback: Callable[[], None]) -> bool:
        """Queue `callback`; True when it starts a batch (the loop must be woken for it)."""
        with self.lock:
            self.calls.append(callback)
            if self.scheduled:
                return False
            self.scheduled = True
            return True

    def drain(self) -> None:
        """On the event loop: run every callback queued so far, in order (one that raises is logged, as asyncio
        logs a callback's exception, and the rest still run)."""
        with self.lock:
            calls, self.calls, self.scheduled = self.calls, deque(), False
        for callback in calls:
            try:
                callback()
            except Exception:
                _LOGGER.exception("A Streamlit event-loop callback failed")


def _call_soon_batched(self: Any, callback: Callable[[], None]) -> None:
    """AppSession._call_soon_on_event_loop with one wake-up per batch; a closed loop's callbacks are dropped."""
    batch = self.__dict__.get("_convviz_batch")
    if batch is None:
        batch = self.__dict__.setdefault("_convviz_batch", _Batch())  # (atomic: two threads get the same one)
    if not batch.add(callback):
        return
    try:
        self._event_loop.call_soon_threadsafe(batch.drain)
    except RuntimeError:
        with batch.lock:  # nothing will drain: start afresh, as Streamlit drops a closed loop's callbacks
            batch.calls.clear()
            batch.scheduled = False
        if not self._event_loop.is_closed():
            raise


setattr(_call_soon_batched, _BATCH_MARK, True)


def batch_wakeups(session_class: type | None = None) -> bool:
    """Let each Streamlit session wake its event loop once per batch of callbacks; True if it does (now).

    Idempotent and cheap, so `app.py` calls it on every run (the first run's own messages still go one by one).
    `session_class` is Streamlit's AppSession (a parameter only so that the guard can be tested on a stand-in).
    """
    if session_class is None:
        from streamlit.runtime.app_session import AppSession

        session_class = AppSession
    return _replace_known(session_class, "_call_soon_on_event_loop", KNOWN_CALL_SOON_NAMES, _call_soon_batched,
                          _BATCH_MARK, "_convviz_replaced_call_soon")
