"""The floor for the load benchmark: a one-widget Streamlit app, served the same way as convviz.

`bench/bench_load.py` runs it on another port in the same run; whatever Streamlit itself costs per session and per
re-run shows up here too, so convviz's figures are quoted as ratios to these. It gets the one server-level fix
convviz applies that is not about convviz's own work (no Nagle delay on the sockets, convviz/ui/runtime_hooks.py),
loaded once per process by file path so that the floor does not import TensorFlow through the convviz package.
"""

import importlib.util
import sys
from pathlib import Path

import streamlit as st

if "trivial_app_runtime_hooks" not in sys.modules:
    _spec = importlib.util.spec_from_file_location(
        "trivial_app_runtime_hooks", Path(__file__).resolve().parent.parent / "convviz" / "ui" / "runtime_hooks.py")
    assert _spec is not None and _spec.loader is not None
    sys.modules["trivial_app_runtime_hooks"] = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(sys.modules["trivial_app_runtime_hooks"])
sys.modules["trivial_app_runtime_hooks"].send_without_delay()

n = st.number_input("n", 1, 1000, 6, step=1, key="h", bind="query-params")
st.markdown(f"n squared is {int(n) ** 2}")
