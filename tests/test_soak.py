"""A lecture-long class leaves nothing behind: sessions that are gone are gone (issue 14).

The app runs in Streamlit's own Runtime in this process (no HTTP): sessions connect, run the page with a link of
their own, change a control, and disconnect, round after round, as students' tabs do. Once a gone session's
reconnect window has passed, Streamlit forgets it; then nothing may still hold it:
- every gone session's AppSession and its SessionState (widget values, st.session_state) can be collected;
- every st.cache of the app holds at most its max_entries, and every one has a max_entries;
- the Python objects that survive a garbage collection do not grow from round to round.

Two control scripts prove the harness can fail: one keeps each session's state in a module-level list, one caches
per session without a limit.
"""

from __future__ import annotations

import asyncio
import gc
import sys
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime import Runtime, RuntimeConfig
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.runtime.memory_session_storage import MemorySessionStorage
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.state.session_state import SessionState

REPO = Path(__file__).resolve().parent.parent
APP = REPO / "app.py"
RECONNECT_WINDOW_S = 0.5  # server.disconnectedSessionTTL, shortened: the test waits for it to pass
RUN_TIMEOUT_S = 120.0


class _Client:
    """A browser tab as the Runtime sees it: collects what the server sends and notices finished runs."""

    def __init__(self) -> None:
        self.finished = threading.Event()
        self.failed: list[str] = []
        self.widget_ids: dict[str, str] = {}  # user key -> widget id, learnt from the elements sent

    def write_forward_msg(self, msg: ForwardMsg) -> None:
        kind = msg.WhichOneof("type")
        if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            element_type = element.WhichOneof("type")
            if element_type == "exception":
                self.failed.append(element.exception.message)
            widget_id = getattr(getattr(element, element_type), "id", "")
            if isinstance(widget_id, str) and widget_id.startswith("$$ID-") and widget_id.count("-") >= 2:
                self.widget_ids[widget_id.split("-", 2)[2]] = widget_id
        if kind == "script_finished" and msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
            if msg.script_finished != ForwardMsg.FINISHED_SUCCESSFULLY:
                self.failed.append(ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished))
            self.finished.set()

    @property
    def client_context(self) -> None:
        return None


@dataclass
class Round:
    sessions: int
    alive_sessions: int  # AppSession objects of this round's (gone) sessions still alive
    alive_states: int  # SessionState objects (widget values, st.session_state) alive beyond those before the soak
    tracked_objects: int  # gc-tracked objects after a full collection


async def _run(runtime: Runtime, session_id: str, client: _Client, query: str, widgets: dict[str, int]) -> None:
    client.finished.clear()
    msg = BackMsg()
    msg.rerun_script.query_string = query
    for key, value in widgets.items():
        widget = msg.rerun_script.widget_states.widgets.add()
        widget.id = client.widget_ids[key]
        widget.int_value = value
    runtime.handle_backmsg(session_id, msg)
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while not client.finished.is_set():
        assert time.monotonic() < deadline, "a script run did not finish"
        await asyncio.sleep(0.01)
    assert not client.failed, client.failed


async def _one_visit(runtime: Runtime, query: str) -> None:
    client = _Client()
    session_id = runtime.connect_session(client=client, user_info={})  # type: ignore[arg-type]
    await _run(runtime, session_id, client, query, {})
    runtime.disconnect_session(session_id)


async def _soak(script: Path, rounds: int, per_round: int, query: Callable[[int], str], change: str) -> list[
        Round]:
    runtime = Runtime(RuntimeConfig(
        script_path=str(script),
        media_file_storage=MemoryMediaFileStorage("/media"),
        uploaded_file_manager=MemoryUploadedFileManager("/upload"),
        session_storage=MemorySessionStorage(ttl_seconds=RECONNECT_WINDOW_S),
    ))
    await runtime.start()
    gc.collect()
    states_before = sum(1 for o in gc.get_objects() if type(o) is SessionState)  # other tests' AppTests
    results = []
    try:
        for r in range(rounds):
            refs: list[weakref.ref[Any]] = []
            ids = []
            for i in range(per_round):
                client = _Client()
                session_id = runtime.connect_session(client=client, user_info={})  # type: ignore[arg-type]
                ids.append(session_id)
                await _run(runtime, session_id, client, query(r * per_round + i), {})
                if change in client.widget_ids:
                    await _run(runtime, session_id, client, query(r * per_round + i), {change: 5 + i % 4})
                session = runtime.get_app_session(session_id)
                refs.append(weakref.ref(session))
                del session
            for session_id in ids:
                runtime.disconnect_session(session_id)  # the tab is closed: kept for a reconnect for a while
            await asyncio.sleep(RECONNECT_WINDOW_S + 0.2)
            # Streamlit forgets expired sessions on its next write to the store, i.e. when the next tab closes:
            await _one_visit(runtime, "")
            await asyncio.sleep(0.2)  # let the sessions' script threads end
            gc.collect()
            objects = gc.get_objects()
            states = sum(1 for o in objects if type(o) is SessionState) - states_before - 1  # - the last visit's
            results.append(Round(per_round, sum(ref() is not None for ref in refs), states, len(objects)))
            del objects
    finally:
        runtime.stop()
        await runtime.stopped
        Runtime._instance = None  # the next test (AppTest) runs without a Runtime, as it expects
    return results


def soak(script: Path, rounds: int, per_round: int, query: Callable[[int], str], change: str = "") -> list[
        Round]:
    return asyncio.run(_soak(script, rounds, per_round, query, change))


def _own_link(i: int) -> str:
    return f"values=random&seed={i}&c_in={1 + i % 4}&w={4 + i % 5}"


def _own_link_either_tab(i: int) -> str:
    """Every third student is on the 1×1 tab, with a picture of its own."""
    return f"view=1%C3%971+convolution&mix_seed={i}&mix_h={1 + i % 8}" if i % 3 == 2 else _own_link(i)


def test_gone_sessions_leave_nothing_behind() -> None:
    rounds = soak(APP, rounds=3, per_round=12, query=_own_link, change="h")
    for r in rounds:
        assert r.alive_sessions == 0 and r.alive_states == 0, rounds
    growth = rounds[-1].tracked_objects - rounds[1].tracked_objects
    assert growth < 5_000, rounds  # a leak of one session's page is tens of thousands of objects


def test_every_cache_of_the_app_has_a_limit_and_keeps_to_it() -> None:
    soak(APP, rounds=1, per_round=30, query=_own_link_either_tab, change="h")  # more settings than a cache holds
    caches = {name: (limit, entries) for name, limit, entries in cache_sizes() if name.startswith("convviz.")}
    assert {"convviz.ui.main_view._steps", "convviz.ui.main_view._animation", "convviz.ui.mixing_view._input_image",
            "convviz.ui.common._freeze_heap"} <= set(caches)
    assert caches["convviz.ui.main_view._steps"][1] == caches["convviz.ui.main_view._steps"][0]  # full, not over
    assert not cache_problems(caches), cache_problems(caches)


def cache_sizes() -> list[tuple[str, float | None, int]]:
    """(function, max_entries, entries held) for every st.cache_data / st.cache_resource cache in the process."""
    from streamlit.runtime.caching.cache_data_api import _data_caches
    from streamlit.runtime.caching.cache_resource_api import _resource_caches

    sizes = []
    for manager in (_data_caches, _resource_caches):
        for caches in list(manager._function_caches.values()):
            for cache in list(caches.values()):
                if hasattr(cache, "_mem_cache"):  # st.cache_resource: its entries are objects in a dict
                    entries = len(cache._mem_cache)
                else:  # st.cache_data: one memory statistic per pickled entry
                    entries = sum(len(stats) for stats in cache.get_stats().values())
                sizes.append((cache.display_name, cache.max_entries, entries))
    return sizes


def cache_problems(caches: dict[str, tuple[float | None, int]]) -> list[str]:
    problems = []
    for name, (limit, entries) in caches.items():
        if limit is None or limit == float("inf"):
            problems.append(f"{name} has no max_entries")
        elif entries > limit:
            problems.append(f"{name} holds {entries} > {limit}")
    return problems


# ---- controls: the harness catches a leak ----

LEAKY = """
import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
import tests.soak_control_store as store
store.KEPT.append(get_script_run_ctx().session_state)  # what a careless app does: state in a module global
st.write("hello")
"""

UNBOUNDED = """
import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
@st.cache_data
def per_session(session_id):
    return [session_id] * 1000
per_session(get_script_run_ctx().session_id)
"""


@pytest.fixture
def control_store(monkeypatch: pytest.MonkeyPatch) -> None:
    module = type(sys)("tests.soak_control_store")
    module.KEPT = []  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tests.soak_control_store", module)


def test_control_a_session_kept_in_a_module_global_is_caught(tmp_path: Path, control_store: None) -> None:
    script = tmp_path / "leaky.py"
    script.write_text(LEAKY)
    rounds = soak(script, rounds=1, per_round=5, query=lambda i: "")
    assert rounds[0].alive_states == 5  # every gone session's state is still held: the first test would fail


def test_control_an_unbounded_per_session_cache_is_caught(tmp_path: Path) -> None:
    script = tmp_path / "unbounded.py"
    script.write_text(UNBOUNDED)
    soak(script, rounds=1, per_round=5, query=lambda i: "")
    caches = {name: (limit, entries) for name, limit, entries in cache_sizes() if name.endswith("per_session")}
    assert [entries for _, entries in caches.values()] == [6]  # one entry per session that came and went (5 + 1)
    assert cache_problems(caches) == [f"{name} has no max_entries" for name in caches]
