"""Two changes to how Streamlit serves the app: no Keras reset after every run, no Nagle delay on its sockets.

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
"""

from __future__ import annotations

import os
import socket
import sys
import types
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
    current = getattr(runner_module, "_clean_problem_modules", None)
    if getattr(current, _MARK, False):
        return True
    code = getattr(current, "__code__", None)
    if code is None or frozenset(code.co_names) != KNOWN_CLEANUP_NAMES:
        return False
    runner_module._convviz_replaced_cleanup = current  # type: ignore[attr-defined]  # for the tests' control run
    runner_module._clean_problem_modules = _clean_problem_modules_keeping_keras  # type: ignore[attr-defined]
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
