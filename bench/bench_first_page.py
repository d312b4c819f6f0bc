"""Benchmark: the first page on a cold server, and each tab's first run on a warm one.

Run with `.venv/bin/python bench/bench_first_page.py [--runs N]` (about a minute per run). It prints Markdown:

(a) Each run starts a fresh `streamlit run app.py` (a cold server: nothing imported, nothing cached), waits until
    it answers its health check, then opens the bare link in headless Chromium (1280×720) and records the time
    from that answer until the sidebar's first number input is on screen (**sidebar**), until the player has drawn
    its figure (**diagram**), and until the first run has finished (**done**, Streamlit's script state). The floor
    is a cold one-widget app (`bench/trivial_app.py`) served and opened the same way: what Streamlit and the
    browser cost before any of convviz's own work.
(b) In this process, once the app has run here (TensorFlow imported: a warm server), each tab is opened as a link
    in a new session, on a setting no earlier run has cached, and the script's own run is timed from inside it
    (the in-script clock of `bench_app.py`, which leaves out AppTest's harness).

Medians over the runs; the machine line and the load average are printed, since a busy machine slows every figure.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import types
import urllib.request
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere without installing

import streamlit
from streamlit.testing.v1 import AppTest

from bench.bench_app import _CLOCK, TIMED_APP
from bench.machine import load_average, machine_line, table
from tests.conftest import CHROMIUM_ARGS, find_chromium, running_streamlit

GOALS_S = {"sidebar": 1.5, "diagram": 3.0}
TAB_GOAL_S = 0.5
TABS = {"main": {}, "1×1": {"view": "1×1 convolution"}, "separable": {"view": "Depthwise-separable"},
        "picture": {"values": "image"}}
SIDEBAR = "[data-testid='stSidebar'] [data-testid='stNumberInput']"
DIAGRAM = ".cvp[data-settled='true']"
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
CONNECTED = "[data-testid='stApp'][data-test-connection-state='CONNECTED']"


def _wait_visible(page: Any, selector: str, timeout_ms: float = 120_000) -> float:
    """Seconds from navigation start until `selector` is on screen (the page's own clock)."""
    page.wait_for_selector(selector, state="visible", timeout=timeout_ms)
    return page.evaluate("() => performance.now()") / 1000


def cold_floor(browser: Any) -> float:
    """The floor: a cold one-widget app (bench/trivial_app.py), from its health answer to its widget on screen."""
    with running_streamlit("bench/trivial_app.py") as base_url:
        answered = time.perf_counter()
        context = browser.new_context(viewport={"width": 1280, "height": 720}, base_url=base_url)
        page = context.new_page()
        page.goto("/", wait_until="commit")
        to_navigation = time.perf_counter() - answered - page.evaluate("() => performance.now()") / 1000
        shown = to_navigation + _wait_visible(page, "[data-testid='stNumberInput']")
        context.close()
    return shown


def cold_first_page(browser: Any) -> dict[str, float]:
    """One cold server: from its health answer to the sidebar, the diagram, and the first run done."""
    with running_streamlit("app.py") as base_url:
        answered = time.perf_counter()
        with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=5):
            pass
        context = browser.new_context(viewport={"width": 1280, "height": 720}, base_url=base_url)
        page = context.new_page()
        page.goto("/", wait_until="commit")
        to_navigation = time.perf_counter() - answered - page.evaluate("() => performance.now()") / 1000
        result = {"sidebar": to_navigation + _wait_visible(page, SIDEBAR),
                  "diagram": to_navigation + _wait_visible(page, DIAGRAM)}
        page.wait_for_selector(CONNECTED, timeout=120_000)
        page.wait_for_selector(IDLE, timeout=120_000)
        result["done"] = to_navigation + page.evaluate("() => performance.now()") / 1000
        context.close()
    return result


def tab_first_runs(seed: int) -> dict[str, float]:
    """Each tab opened as a link in a new session on a setting not cached yet: its first run, timed in-script."""
    clock = types.ModuleType(_CLOCK)
    clock.times = []
    sys.modules[_CLOCK] = clock
    warm = AppTest.from_string(TIMED_APP, default_timeout=120)
    warm.query_params["seed"] = str(seed)
    warm.run()  # imports TensorFlow: the server is warm from here on
    times = {}
    for name, query in TABS.items():
        at = AppTest.from_string(TIMED_APP, default_timeout=120)
        for key, value in query.items():
            at.query_params[key] = value
        for key in ("seed", "mix_seed", "sep_seed"):
            at.query_params[key] = str(seed + 1 if key == "seed" else seed % 10_000)
        clock.times.clear()
        at.run()
        if at.exception:
            raise RuntimeError(f"the {name} tab raised: {at.exception[0].value}")
        times[f"tab {name}"] = clock.times[-1]
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    executable = find_chromium()
    if executable is None:
        sys.exit("Chromium is needed: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    print(machine_line(streamlit=streamlit.__version__))
    print(f"Load average (1 min) at the start: {load_average()}\n")
    runs: list[dict[str, float]] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        for run in range(args.runs):
            runs.append({"floor: a one-widget app's widget": cold_floor(browser)})
            runs[-1].update(cold_first_page(browser))
            runs[-1].update(tab_first_runs(seed=1000 + run))
        browser.close()
    rows = []
    for key in runs[0]:
        values = [run[key] for run in runs]
        goal = GOALS_S.get(key, TAB_GOAL_S if key.startswith("tab") else None)
        verdict = "" if goal is None else ("met" if statistics.median(values) <= goal else "missed")
        rows.append([key, f"{statistics.median(values):.2f} s", f"{min(values):.2f}–{max(values):.2f} s",
                     "" if goal is None else f"≤ {goal} s, {verdict}"])
    print(table(["from the health answer (cold) / a tab's first run (warm)", "median", "range", "goal"], rows))
    print(f"\nLoad average (1 min) at the end: {load_average()}")


if __name__ == "__main__":
    main()
