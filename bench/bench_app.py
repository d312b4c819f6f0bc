"""Benchmark: the app's budgets, measured — re-run time, figure size, and what a student sees in Chromium.

Run with `.venv/bin/python bench/bench_app.py` (about 3–4 minutes; `--screenshot PATH` also saves the page
mid-playback). It prints Markdown:

(a) Script re-run time after a widget change, in Streamlit's AppTest, at the defaults and at the largest setting,
    for a change that hits the caches (the seed toggled between two values already seen) and for one that misses
    (a seed never seen). AppTest's wall time includes its own harness, so the app is also timed from inside its
    script run ("in-script"), which excludes the harness but includes everything the script does, figure
    serialisation included. Both are held to the budget. (A trivial script is no fair baseline for the harness:
    its cost moves with the process's garbage-collection state, which the app changes.)
(b) The animated figure's JSON size, as the player is handed it (orjson bytes), at the
    defaults and over a sweep of large settings; built with the pure functions, no Streamlit.
(c) In Chromium against `streamlit run app.py` started here: the time from pressing Enter in the h input
    (6 → 7) until the chart has painted the new figure, and a full playback at the defaults against its nominal
    duration n_steps × frame_ms. Times are taken with the page's own clock (performance.now).

Medians after warm-up. The machine may be shared: the 1-min load average is printed at the start and the end,
and a busy machine makes every figure here slower.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere without installing

import plotly
import streamlit
import tensorflow as tf
from streamlit.testing.v1 import AppTest

from bench.machine import load_average, machine_line, table
from convviz.figures.animation import animation_figure
from convviz.model.setting import Setting, make_tensors
from convviz.model.steps import step_table
from convviz.ui.player import figure_payload
from tests.conftest import CHROMIUM_ARGS, find_chromium, running_streamlit, wait_for_app

REPO = Path(__file__).resolve().parent.parent
APP = REPO / "app.py"
DEFAULTS = Setting()
LARGEST = Setting(c_in=8, c_out=8, h=32, w=32, kh=7, kw=7, padding=3, values="random")

RERUN_BUDGET_S = {"defaults": 0.150, "largest": 0.600}
SIZE_BUDGET_BYTES = {"defaults": 250_000, "largest": 3_000_000}
REDRAW_BUDGET_MS = 500.0
PLAYBACK_BUDGET = 1.25  # × nominal

RERUN_REPEATS = {"defaults": 15, "largest": 9}  # per kind of change, after warm-up
REDRAW_PAGES = 7  # each page: one change new to the server, then two it has cached
PLAYBACKS = 3
CHART = ".cvp-plot"  # the player's plotly.js graph div (convviz/ui/player)
PLAYER = ".cvp[data-settled='true']"  # the player has drawn the figure laid out for the room it measured


# ---- shared ----


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def url_params(setting: Setting) -> dict[str, str]:
    """The link for a setting: only the values that differ from the defaults, as the app writes them."""
    params = {}
    for key, value in vars(setting).items():
        if value != getattr(DEFAULTS, key):
            params[key] = str(value).lower() if isinstance(value, bool) else str(value)
    return params


# ---- (a) re-run time in AppTest ----

# The app run from a wrapper that times the script body; the times land in a module shared with this process.
_CLOCK = "_convviz_bench_clock"
TIMED_APP = f"""
import runpy, time
import {_CLOCK} as clock
start = time.perf_counter()
try:
    runpy.run_path({str(APP)!r}, run_name="__main__")
finally:
    clock.times.append(time.perf_counter() - start)
"""



def timed_reruns(at: AppTest, seeds: list[int], clock: types.ModuleType) -> tuple[list[float], list[float]]:
    """Change the seed input to each value in turn; return AppTest's wall time per run and the in-script time."""
    walls, inside = [], []
    for seed in seeds:
        widget = at.number_input(key="seed").set_value(seed)
        clock.times.clear()
        start = time.perf_counter()
        widget.run()
        walls.append(time.perf_counter() - start)
        inside.append(clock.times[-1] if clock.times else float("nan"))
        if at.exception:
            raise RuntimeError(f"the app raised at seed={seed}: {at.exception[0].value}")
    return walls, inside


def rerun_times() -> dict[str, Any]:
    clock = types.ModuleType(_CLOCK)
    clock.times = []
    sys.modules[_CLOCK] = clock
    results: dict[str, Any] = {}

    fresh_seed = itertools.count(1_000_000)
    for name, setting in (("defaults", DEFAULTS), ("largest", LARGEST)):
        at = AppTest.from_string(TIMED_APP, default_timeout=120)
        for key, value in url_params(setting).items():
            at.query_params[key] = value
        at.run()  # imports TensorFlow on the first setting; fills the caches for seed 0
        if at.exception:
            raise RuntimeError(f"the app raised at {name}: {at.exception[0].value}")
        repeats = RERUN_REPEATS[name]
        timed_reruns(at, [1, 0, 1, 0], clock)  # warm-up, and both seeds now cached
        hit_wall, hit_in = timed_reruns(at, [1, 0] * (repeats // 2) + [1] * (repeats % 2), clock)
        timed_reruns(at, [next(fresh_seed)], clock)  # warm-up for misses
        miss_wall, miss_in = timed_reruns(at, [next(fresh_seed) for _ in range(repeats)], clock)
        results[name] = {
            "hit": (statistics.median(hit_wall), statistics.median(hit_in), max(hit_in)),
            "miss": (statistics.median(miss_wall), statistics.median(miss_in), max(miss_in)),
            "repeats": repeats,
        }
    return results


def print_rerun_times(results: dict[str, Any]) -> list[tuple[str, bool]]:
    print("## (a) Script re-run after a widget change (Streamlit AppTest)")
    print()
    rows, checks = [], []
    for name in ("defaults", "largest"):
        budget = RERUN_BUDGET_S[name]
        for kind, label in (("hit", "cache hit (seed toggled 0 ↔ 1)"), ("miss", "cache miss (a new seed each time)")):
            wall, inside, worst = results[name][kind]
            ok = wall <= budget and inside <= budget
            checks.append((f"re-run at {name}, {kind}", ok))
            rows.append([name, label, str(results[name]["repeats"]), ms(wall), ms(inside), ms(worst),
                         f"≤ {ms(budget)}: {verdict(ok)}"])
    print(table(["setting", "change", "runs", "AppTest wall median (harness included)", "in-script median",
                 "in-script max", "budget (wall and in-script)"], rows))
    print()
    print(f"Largest = {LARGEST}.")
    print()
    return checks


# ---- (b) figure size ----


def figure_json_bytes(setting: Setting, out: int = 0) -> int:
    s = setting.effective()
    X, K, bias = make_tensors(setting)
    table_ = step_table(X, K, bias, stride=s.stride, padding=s.padding, dilation=s.dilation)
    decimals = 2 if setting.values == "random" else 0
    figure = animation_figure(table_, out, decimals=decimals)
    return len(figure_payload(figure)[0])  # the JSON bytes the player is handed


def sweep_settings() -> list[Setting]:
    settings = []
    for k, dilation, padding, stride, values in itertools.product((3, 5, 7), (1, 2, 3), (0, 3), (1, 2),
                                                                   ("random", "integers")):
        settings.append(Setting(c_in=8, c_out=8, h=32, w=32, kh=k, kw=k, stride=stride, padding=padding,
                                dilation=dilation, values=values))
    return settings


def print_figure_sizes() -> list[tuple[str, bool]]:
    print("## (b) The animated figure's JSON size (as the player is handed it: orjson bytes)")
    print()
    start = time.perf_counter()
    default_bytes = figure_json_bytes(DEFAULTS)
    sizes = sorted(((figure_json_bytes(s), s) for s in sweep_settings()), key=lambda pair: -pair[0])
    largest_setting_bytes = figure_json_bytes(LARGEST)
    elapsed = time.perf_counter() - start
    rows = [["defaults", f"{default_bytes / 1000:.1f} kB", f"≤ 250 kB: {verdict(default_bytes <= 250_000)}"],
            ["largest (as in (a))", f"{largest_setting_bytes / 1e6:.2f} MB",
             f"≤ 3 MB: {verdict(largest_setting_bytes <= 3_000_000)}"]]
    for size, s in sizes[:5]:
        rows.append([f"k={s.kh}, dilation={s.dilation}, padding={s.padding}, stride={s.stride}, {s.values}",
                     f"{size / 1e6:.2f} MB", f"≤ 3 MB: {verdict(size <= 3_000_000)}"])
    print(f"Sweep: c_in=8, c_out=8, h=w=32, k ∈ {{3,5,7}}, dilation ∈ {{1,2,3}}, padding ∈ {{0,3}}, "
          f"stride ∈ {{1,2}}, values random/integers — {len(sizes)} settings, output channel 0, "
          f"built in {elapsed:.1f} s. The defaults, the largest setting of (a), and the sweep's five largest:")
    print()
    print(table(["setting", "JSON size", "budget"], rows))
    print()
    smallest = sizes[-1]
    print(f"Smallest in the sweep: {smallest[0] / 1000:.0f} kB (k={smallest[1].kh}, dilation={smallest[1].dilation}, "
          f"padding={smallest[1].padding}, stride={smallest[1].stride}, {smallest[1].values}).")
    print()
    return [("figure size at defaults", default_bytes <= SIZE_BUDGET_BYTES["defaults"]),
            ("figure size, largest of the sweep", sizes[0][0] <= SIZE_BUDGET_BYTES["largest"])]


# ---- (c) in Chromium ----

# Start timing at the Enter keydown; on every animation frame look for the new figure; the first frame after it
# is found has painted it.
# Every message the server sends, with its arrival time and size, to tell the server's share from the browser's.
RECORD_WEBSOCKET = """(() => {
    const Native = window.WebSocket;
    window.__ws = [];
    window.WebSocket = class extends Native {
        constructor(...args) {
            super(...args);
            this.addEventListener('message', e => window.__ws.push([performance.now(),
                e.data.byteLength || e.data.size || e.data.length || 0]));
        }
    };
})();"""

WATCH_REDRAW = """([sel, want]) => {
    const b = window.__bench = {t0: null, running: null, done: null, seen: null, painted: null, busy: 0};
    document.addEventListener('keydown', e => { if (e.key === 'Enter' && b.t0 === null) b.t0 = performance.now(); },
                              true);
    const app = document.querySelector("[data-testid='stApp']");
    const onState = state => {
        if (b.t0 === null) return;
        if (state === 'running' && b.running === null) b.running = performance.now();
        if (state === 'notRunning' && b.running !== null && b.done === null) b.done = performance.now();
    };
    // Each record holds the value before its change: replay them so a running → notRunning pair is not missed.
    new MutationObserver(records => {
        records.slice(1).forEach(r => onState(r.oldValue));
        onState(app.getAttribute('data-test-script-state'));
    }).observe(app, {attributes: true, attributeOldValue: true, attributeFilter: ['data-test-script-state']});
    // Main-thread tasks over 50 ms between the keydown and the paint: the browser's share of the wait.
    new PerformanceObserver(list => list.getEntries().forEach(e => {
        if (b.t0 !== null && e.startTime >= b.t0 && (b.painted === null || e.startTime < b.painted))
            b.busy += e.duration;
    })).observe({type: 'longtask'});
    const poll = () => {
        if (b.seen !== null) { b.painted = performance.now(); return; }
        const gd = document.querySelector(sel);
        if (gd && gd.layout && gd.layout.meta && gd.layout.meta.n_steps === want) b.seen = performance.now();
        requestAnimationFrame(poll);
    };
    requestAnimationFrame(poll);
}"""

# The player marks the step it shows (data-step) and whether it plays (data-playing) on its box: record both.
WATCH_PLAYBACK = """(sel) => {
    const gd = document.querySelector(sel), box = gd.closest('.cvp');
    const meta = gd.layout.meta;
    const b = window.__play = {t0: null, frames: [], ended: null, n: meta.n_steps, frame_ms: meta.frame_ms};
    document.addEventListener('click', () => { if (b.t0 === null) b.t0 = performance.now(); }, true);
    new MutationObserver(() => {
        const step = box.dataset.step;
        if (b.t0 !== null && (!b.frames.length || b.frames[b.frames.length - 1][0] !== step))
            b.frames.push([step, performance.now()]);
        if (b.t0 !== null && box.dataset.playing === 'false' && b.ended === null) b.ended = performance.now();
    }).observe(box, {attributes: true, attributeFilter: ['data-step', 'data-playing']});
}"""

PLAYBACK_DONE = "() => window.__play.ended !== null"


def assert_clean(page: Any) -> None:
    errors = page.locator("[data-testid='stException']")
    if errors.count():
        raise RuntimeError(f"the page shows an exception: {errors.first.inner_text()}")


def open_page(context: Any, query: str = "", timeout_ms: float = 30_000) -> Any:
    page = context.new_page()
    page.goto(f"/{query}")
    wait_for_app(page, timeout_ms)
    page.wait_for_selector(PLAYER, timeout=timeout_ms)
    page.wait_for_timeout(300)
    wait_for_app(page, timeout_ms)
    page.wait_for_selector(PLAYER, timeout=timeout_ms)
    assert_clean(page)
    return page


def measure_redraw(page: Any, new_h: int) -> dict[str, float]:
    """Enter `new_h` in the h input; return ms from the Enter keydown to the first paint of the new figure.

    Also when the page said the script started running and finished (its `data-test-script-state`), when the
    chart first held the new figure, when the last server message before that arrived, and how long the main
    thread was busy with long tasks in between.
    """
    n_steps = (new_h - DEFAULTS.kh + 1) * (DEFAULTS.w - DEFAULTS.kw + 1)
    field = page.locator(".st-key-h input")
    field.fill(str(new_h))
    page.evaluate(WATCH_REDRAW, [CHART, n_steps])
    field.press("Enter")
    page.wait_for_function("() => window.__bench.painted !== null", timeout=20_000)
    wait_for_app(page, 20_000)
    assert_clean(page)
    page.wait_for_timeout(100)  # long-task entries are delivered a little after their task
    b = page.evaluate("() => window.__bench")
    t0 = b["t0"]
    result = {key: b[key] - t0 if b[key] is not None else float("nan")
              for key in ("running", "done", "seen", "painted")}
    result["busy"] = b["busy"]
    # The last message before the chart held the new figure delivered it (or, for a figure the browser has seen,
    # Streamlit's short reference to its cached copy).
    before_seen = [(at - t0, size) for at, size in page.evaluate("() => window.__ws") if t0 <= at <= b["seen"]]
    result["message"], result["message_kb"] = before_seen[-1] if before_seen else (float("nan"), 0)
    result["message_kb"] /= 1000
    return result


def measure_playback(page: Any, screenshot: Path | None) -> dict[str, float]:
    page.evaluate(WATCH_PLAYBACK, CHART)
    page.locator(".cvp-play").click()
    info = page.evaluate("() => window.__play")
    nominal = info["n"] * info["frame_ms"]
    if screenshot is not None:
        page.wait_for_timeout(nominal * 0.4)
        page.screenshot(path=str(screenshot), full_page=True)
    page.wait_for_function(PLAYBACK_DONE, timeout=nominal * 3 + 10_000, polling=20)
    info = page.evaluate("() => window.__play")
    names = [name for name, _ in info["frames"]]
    if names[-1] != str(info["n"] - 1):
        raise RuntimeError(f"playback ended on frame {names[-1]}, not {info['n'] - 1}")
    last = info["frames"][-1][1] - info["t0"]
    return {
        "n": info["n"], "frame_ms": info["frame_ms"], "frames": len(names), "first": names[0],
        "last_shown": last, "done": last + info["frame_ms"],  # the last step also gets its frame_ms on screen
        "ended": info["ended"] - info["t0"], "nominal": nominal,
    }


def browser_times(screenshot: Path | None, viewport: tuple[int, int] = (1400, 1000)) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    executable = find_chromium()
    if executable is None:
        raise RuntimeError("no Chromium found (/usr/bin/chromium or `chromium` on the PATH)")
    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench_app_server_{os.getpid()}.log"
    with running_streamlit("app.py", log_path=log) as base_url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, base_url=base_url)
        context.add_init_script(RECORD_WEBSOCKET)
        start = time.perf_counter()
        open_page(context, timeout_ms=120_000).close()  # TensorFlow import, caches for the defaults, plotly.js
        first_load = time.perf_counter() - start
        misses, hits = [], []
        for seed in range(REDRAW_PAGES):  # seed 0 is the default; h=7 is new to the server each time
            page = open_page(context, f"?seed={seed}" if seed else "")
            misses.append(measure_redraw(page, 7))
            hits.append(measure_redraw(page, 6))
            hits.append(measure_redraw(page, 7))
            page.close()
        plays = []
        for rep in range(PLAYBACKS):
            page = open_page(context)
            plays.append(measure_playback(page, screenshot if rep == 0 else None))
            assert_clean(page)
            page.close()
        version = browser.version
        context.close()
        browser.close()
    log.unlink(missing_ok=True)
    return {"first_load": first_load, "misses": misses, "hits": hits, "plays": plays, "chromium": version}


def print_browser_times(results: dict[str, Any]) -> list[tuple[str, bool]]:
    print(f"## (c) In Chromium {results['chromium']} (headless) against `streamlit run app.py`")
    print()
    print(f"First page load on the fresh server (TensorFlow import included): {results['first_load']:.1f} s.")
    print()
    def med(runs: list[dict[str, float]], key: str) -> float:
        return statistics.median(run[key] for run in runs)

    rows, checks = [], []
    for label, runs, kind in (("h 6 → 7, setting new to the server (cache miss)", results["misses"], "miss"),
                              ("h 7 ↔ 6 again (cache hit)", results["hits"], "hit")):
        painted = med(runs, "painted")
        checks.append((f"redraw after a control change ({kind})", painted <= REDRAW_BUDGET_MS))
        rows.append([label, str(len(runs)), f"{med(runs, 'running'):.0f} ms",
                     f"{med(runs, 'message'):.0f} ms ({med(runs, 'message_kb'):.1f} kB)",
                     f"{med(runs, 'done'):.0f} ms",
                     f"{med(runs, 'seen'):.0f} ms", f"**{painted:.0f} ms**", f"{med(runs, 'busy'):.0f} ms",
                     ", ".join(f"{run['painted']:.0f}" for run in runs),
                     f"≤ {REDRAW_BUDGET_MS:.0f} ms: {verdict(painted <= REDRAW_BUDGET_MS)}"])
    print(f"Control change → new figure painted, in ms after the Enter keydown in the h input, on {REDRAW_PAGES} "
          f"freshly opened pages (seeds 0 to {REDRAW_PAGES - 1}, otherwise default settings; the first change on "
          "each page is also its first, with the browser's code paths still cold). Milestones: the page marks the "
          "script as running; the last websocket "
          "message before the chart changed arrives (it carries the figure, or Streamlit's reference to a copy the "
          "browser cached: an upper bound on the server's share); the page marks the script as not running; the "
          "chart holds the new figure and all its frames; the next animation frame (painted). \"Main thread busy\" "
          "sums the browser's long tasks (> 50 ms) in that time:")
    print()
    print(table(["change", "runs", "script running", "figure message", "script done", "figure in chart",
                 "painted", "main thread busy", "each painted", "budget"], rows))
    print()
    plays = results["plays"]
    p0 = plays[0]
    done = statistics.median(p["done"] for p in plays)
    ratio = done / p0["nominal"]
    rows = [
        ["last step shown (after the Play click)", f"{statistics.median(p['last_shown'] for p in plays):.0f} ms",
         ", ".join(f"{p['last_shown']:.0f}" for p in plays)],
        ["playback done (last step shown + frame_ms)", f"{done:.0f} ms", ", ".join(f"{p['done']:.0f}" for p in plays)],
        ["the player stops on the last step", f"{statistics.median(p['ended'] for p in plays):.0f} ms",
         ", ".join(f"{p['ended']:.0f}" for p in plays)],
    ]
    print(f"Full playback at the defaults: {p0['n']} steps × {p0['frame_ms']} ms = {p0['nominal']} ms nominal; "
          f"{p0['frames']} frames played, from frame {p0['first']}:")
    print()
    print(table(["moment", "median", "each (ms)"], rows))
    print()
    print(f"Playback / nominal = {ratio:.3f} (budget ≤ {PLAYBACK_BUDGET}×): {verdict(ratio <= PLAYBACK_BUDGET)}.")
    print()
    return [*checks, ("full playback", ratio <= PLAYBACK_BUDGET)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--screenshot", type=Path, help="save the page mid-playback (first playback) here")
    parser.add_argument("--skip-browser", action="store_true", help="only (a) and (b)")
    parser.add_argument("--browser-only", action="store_true", help="only (c)")
    parser.add_argument("--viewport", default="1400x1000", help="the browser's window for (c), WIDTHxHEIGHT "
                        "(1280x720 is one of the usual screens the first run lays the diagram out for)")
    args = parser.parse_args()
    width, height = (int(v) for v in args.viewport.split("x"))

    began = time.perf_counter()
    print("# convviz app budgets")
    print()
    print(machine_line(TensorFlow=tf.__version__, Streamlit=streamlit.__version__, Plotly=plotly.__version__))
    print()
    print(f"1-min load average at start: {load_average()} (a shared machine: other work runs alongside, so the "
          "times below are noisy and likely pessimistic).")
    print()
    checks: list[tuple[str, bool]] = []
    stages: list[Callable[[], list[tuple[str, bool]]]] = []
    if not args.browser_only:
        stages += [print_figure_sizes, lambda: print_rerun_times(rerun_times())]
    if not args.skip_browser:
        stages.append(lambda: print_browser_times(browser_times(args.screenshot, (width, height))))
    for stage in stages:
        checks += stage()
        sys.stdout.flush()
    print("## Summary")
    print()
    for name, ok in checks:
        print(f"- {name}: {verdict(ok)}")
    print()
    print(f"1-min load average at the end: {load_average()}; whole run {time.perf_counter() - began:.0f} s.")


if __name__ == "__main__":
    main()
