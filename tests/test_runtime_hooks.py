"""Streamlit no longer clears the Keras session after each script run (convviz/ui/runtime_hooks.py).

The probe is Keras' own public counter `keras.backend.get_uid(prefix)`: it counts up, and
`keras.backend.clear_session()` resets it. A run that leaves the counter going kept the session.
"""

from __future__ import annotations

import sys
import types
from pathlib import Path

import keras
import pytest
from streamlit.runtime.scriptrunner import script_runner
from streamlit.testing.v1 import AppTest

from convviz.ui import runtime_hooks
from convviz.ui.runtime_hooks import keep_keras_session

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
