"""Shared fixtures: a real `streamlit run app.py` server and a headless Chromium page driving it.

The helpers (`running_streamlit`, `find_chromium`, `launch_chromium`, `wait_for_app`) are plain functions so that
other tests and `bench/bench_app.py` can reuse them outside pytest fixtures.

Browser tests are skipped when no Chromium is installed, except on CI (`CI=true`), where a missing browser fails
the run instead of hiding every browser test. On CI, hypothesis draws the same examples on every run.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import settings

# On CI every hypothesis test draws the same examples on every run (derandomized, no example database), so that a
# submission's result is reproducible; a developer's runs draw new examples each time and keep the failing ones.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI") == "true":
    settings.load_profile("ci")

REPO_ROOT = Path(__file__).resolve().parent.parent
DEBIAN_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SERVER_START_TIMEOUT_S = 90.0  # the first start imports TensorFlow; a shared, loaded machine is slow
FIRST_LOAD_TIMEOUT_MS = 90_000  # the first page load runs the script for the first time (TensorFlow, caches)
VIEWPORT = {"width": 1400, "height": 1000}


# ---- the server ----


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as response:
            return response.status == 200 and response.read().decode().strip() == "ok"
    except (urllib.error.URLError, OSError):
        return False


def stop_process_group(process: subprocess.Popen) -> None:
    """Terminate the server's whole process group (SIGTERM, then SIGKILL after 10 s)."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@contextlib.contextmanager
def running_streamlit(
    app: str = "app.py",
    *,
    log_path: Path | None = None,
    timeout_s: float = SERVER_START_TIMEOUT_S,
    extra_args: tuple[str, ...] = (),
) -> Iterator[str]:
    """Run `python -m streamlit run <app>` from the repo root on a free local port; yield its base URL.

    The server gets its own process group, which is terminated on exit. Its output goes to `log_path` (or is
    discarded) and is quoted when it fails to start.
    """
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    command = [
        sys.executable, "-m", "streamlit", "run", app,
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",  # others edit the tree while tests run: no reruns, no banners
        *extra_args,
    ]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "2")}
    with contextlib.ExitStack() as stack:
        log = stack.enter_context(open(log_path, "wb")) if log_path else subprocess.DEVNULL
        process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT, env=env,
                                   start_new_session=True)
        stack.callback(stop_process_group, process)
        deadline = time.monotonic() + timeout_s
        while not _healthy(base_url):
            if process.poll() is not None or time.monotonic() > deadline:
                tail = log_path.read_text(errors="replace")[-2000:] if log_path and log_path.exists() else ""
                state = f"exited with {process.returncode}" if process.poll() is not None else "timed out"
                raise RuntimeError(f"streamlit run {app} {state} before answering /_stcore/health.\n{tail}")
            time.sleep(0.25)
        yield base_url


@pytest.fixture(scope="session")
def streamlit_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of `streamlit run app.py`, shared by the whole session."""
    log_path = tmp_path_factory.mktemp("streamlit") / "server.log"
    with running_streamlit("app.py", log_path=log_path) as base_url:
        yield base_url


# ---- the browser ----


def find_chromium() -> str | None:
    """Debian's Chromium (Playwright's own download is not used), or whatever `chromium` is on the PATH."""
    override = os.environ.get("CHROMIUM")
    if override and Path(override).exists():
        return override
    if Path(DEBIAN_CHROMIUM).exists():
        return DEBIAN_CHROMIUM
    return shutil.which("chromium")


def skip_or_fail(reason: str) -> None:
    """Skip locally; on CI (CI=true) a missing browser, nginx or Redis is a failure, so tests cannot vanish silently."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: every test must run)", pytrace=False)
    pytest.skip(reason)


def launch_chromium(playwright: Any, executable: str) -> Any:
    return playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)


def wait_for_app(page: Any, timeout_ms: float = FIRST_LOAD_TIMEOUT_MS) -> None:
    """Wait until the page is connected and the script has finished its run, as Streamlit's own e2e tests do."""
    page.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']", timeout=timeout_ms)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout_ms)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """A headless Chromium browser for one test module (skipped, or failed on CI, when unavailable).

    Module-scoped on purpose: Playwright's sync API refuses to start while another sync Playwright is running in
    the same thread, so a browser kept for the whole session would break any later module that starts its own.
    """
    executable = find_chromium()
    if executable is None:
        skip_or_fail(f"Chromium not found at {DEBIAN_CHROMIUM} nor on the PATH")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("Playwright for Python is not installed")
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright, executable)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def browser_context(chromium: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """One browser context per module, so plotly.js and Streamlit's bundles are fetched and compiled once.

    Each page still opens its own websocket, so each test gets its own Streamlit session. Relative URLs go to the
    server. The server is asked for only once the browser exists (pytest would set up the session-scoped server
    before the module-scoped browser), so a missing browser skips without starting it.
    """
    streamlit_server = request.getfixturevalue("streamlit_server")
    context = chromium.new_context(viewport=VIEWPORT, base_url=streamlit_server)
    yield context
    context.close()


@pytest.fixture
def browser_page(browser_context: Any) -> Iterator[Any]:
    """A fresh page (its own Streamlit session): `page.goto("/?h=8")` opens the app with that link."""
    page = browser_context.new_page()
    yield page
    page.close()


# ---- scripts/serve-class.sh: processes behind nginx ----

DEBIAN_NGINX = "/usr/sbin/nginx"
CLASS_START_TIMEOUT_S = 90.0


def find_nginx() -> str | None:
    return shutil.which("nginx") or (DEBIAN_NGINX if Path(DEBIAN_NGINX).exists() else None)


def _up(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status == 200
    except OSError:
        return False


def free_run(n: int) -> int:
    """The first of `n` consecutive free loopback ports (serve-class.sh numbers its workers from it), drawn below
    the kernel's ephemeral range, so that `free_port` never hands one of them to another test running beside."""
    rng = random.Random()
    while True:
        first = rng.randrange(20_000, 32_000 - n)
        with contextlib.ExitStack() as held:
            try:
                for port in range(first, first + n):
                    sock = held.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
                    sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        return first


@contextlib.contextmanager
def serving_class(processes: int, env: dict[str, str] | None = None) -> Iterator[str]:
    """`scripts/serve-class.sh N` on free loopback ports; yields nginx's URL (skipped, or failed on CI, without
    nginx). The processes run on the Python running the tests, which has the requirements."""
    nginx = find_nginx()
    if nginx is None:
        skip_or_fail("nginx is not installed (Debian: apt-get install nginx)")
    port, first_worker = free_port(), free_run(processes)
    full_env = {**os.environ, **(env or {}), "NGINX": str(nginx), "CONVVIZ_LISTEN": "127.0.0.1",
                "CONVVIZ_WORKER_PORT": str(first_worker), "PYTHON": sys.executable}
    process = subprocess.Popen(["bash", "scripts/serve-class.sh", str(processes), str(port)], cwd=REPO_ROOT,
                               env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + CLASS_START_TIMEOUT_S
        urls = [f"http://127.0.0.1:{p}/_stcore/health" for p in (port, *range(first_worker, first_worker + processes))]
        while not all(_up(url) for url in urls):
            if process.poll() is not None or time.monotonic() > deadline:
                out = process.stdout.read().decode(errors="replace") if process.poll() is not None else ""
                pytest.fail(f"serve-class.sh did not come up (exit {process.poll()}):\n{out[-2000:]}")
            time.sleep(0.25)
        yield f"http://127.0.0.1:{port}"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


# ---- the lecture kits' scripts ----


def run_alone(scripts: list[str]) -> list[str]:
    """Each script's printed output, every one run in its own namespace in one fresh interpreter."""
    runner = ("import io, json, sys, contextlib\nresults = []\n"
              "for source in json.load(sys.stdin):\n"
              "    out = io.StringIO()\n"
              "    with contextlib.redirect_stdout(out):\n"
              "        exec(compile(source, 'setting.py', 'exec'), {'__name__': '__main__'})\n"
              "    results.append(out.getvalue())\n"
              "print(json.dumps(results))\n")
    done = subprocess.run([sys.executable, "-c", runner], input=json.dumps(scripts), capture_output=True, text=True,
                          timeout=300, env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def printed_array(output: str) -> tuple[tuple[int, ...], np.ndarray]:
    header, body = output.split("\n", 1)
    shape = tuple(int(n) for n in re.findall(r"\d+", header))
    return shape, np.array([float(v) for v in re.findall(r"-?\d+\.?\d*(?:e[-+]?\d+)?", body)])


# ---- a tab's page: in AppTest, and in Chromium on a classroom screen ----

APP = str(Path(__file__).resolve().parents[1] / "app.py")
APP_TIMEOUT = 120
LAPTOP_ROOM = [816, 384]  # the usual room whose layout the AppTest helpers read
SCREENS = {"phone-390": (390, 844, True), "phone-360": (360, 740, True), "1024": (1024, 768, False),
           "1280": (1280, 720, False), "1366": (1366, 768, False), "1920": (1920, 1080, False)}
PHONE_UA = "Mozilla/5.0 (Linux; Android 14; Pixel 8) Mobile"
PLAYER = "[data-testid='convviz-player']"


def run_view(view: str, **query: str) -> Any:
    """The app run once by AppTest on a link to `view` with `query`."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=APP_TIMEOUT)
    at.query_params["view"] = view
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def player_figure(at: Any, key: str) -> dict:
    """The figure the player `key` was handed (laid out for the laptop's room when it came in several layouts)."""
    data = json.loads(next(c for c in at.get("bidi_component") if c.key == key).proto.bytes)
    if data.get("choices"):
        return next(data["layouts"][c["layout"]] for c in data["choices"] if c["room"] == LAPTOP_ROOM)
    return data["figure"]


def open_tab(chromium: Any, server: str, screen: str, path: str, *, player: bool = True) -> Any:
    """A page on `path` in a fresh context of `screen` (SCREENS), once its player has drawn (`player`: the tab has
    one; else once its charts have)."""
    w, h, phone = SCREENS[screen]
    options: dict[str, Any] = {"viewport": {"width": w, "height": h}, "base_url": server}
    if phone:
        options.update(is_mobile=True, has_touch=True, user_agent=PHONE_UA)
    page = chromium.new_context(**options).new_page()
    page.goto(path)
    wait_for_app(page)
    page.wait_for_selector(PLAYER + "[data-settled='true']" if player else ".stPlotlyChart .main-svg", timeout=60_000)
    return page


def wait_for_link(page: Any, part: str, timeout_ms: float = 15_000) -> None:
    """Wait until the page's link holds `part` (say `tr_step=8`): a player at rest reports its step, and the run
    that writes it into the link starts a moment later."""
    page.wait_for_function("(part) => location.search.includes(part)", arg=part, timeout=timeout_ms)


def assert_scripts_print(scripts: list[str], expected: list[np.ndarray]) -> None:
    """Each script, run alone, prints its expected array (shape and numbers, to its printed 4 decimals)."""
    for output, Y in zip(run_alone(scripts), expected, strict=True):
        shape, values = printed_array(output)
        assert shape == Y.shape
        np.testing.assert_allclose(values, Y.ravel(), atol=1e-4 * max(1.0, float(np.abs(Y).max())))


def int_bounds(key: str) -> tuple[int, int]:
    """A whole-number link key's range, for hypothesis to draw from."""
    from convviz.model.link import FIELDS, Int

    field = FIELDS[key]
    assert isinstance(field, Int)
    return field.low, field.high


# The screen point of cell (row, col) of the player's first trace whose cells are steps and whose shape `pick`
# accepts (the player's meta.output_traces), for a click on it.
_CELL_POINT = """([row, col, rows]) => {
    const plot = document.querySelector('.cvp-plot');
    const [index] = Object.entries(plot.layout.meta.output_traces).find(([, shape]) => !rows || shape[0] === rows);
    const trace = plot.data[Number(index)];
    const xa = plot._fullLayout.xaxis, ya = plot._fullLayout.yaxis, r = plot.getBoundingClientRect();
    return {x: r.left + xa._offset + xa.l2p(trace.x0 + col), y: r.top + ya._offset + ya.l2p(trace.y0 + row)};
}"""


def click_step_cell(page: Any, row: int, col: int, rows: int = 0) -> None:
    """Click cell (row, col) of the player's first trace whose cells are steps (with `rows` rows, if given)."""
    point = page.evaluate(_CELL_POINT, [row, col, rows])
    page.mouse.click(point["x"], point["y"])


# Each diagram's box against the column's, and every number written into a cell, with its font size.
MEASURE_TAB = """() => {
  const column = document.querySelector("[data-testid='convviz-player']").clientWidth;
  const plots = [...document.querySelectorAll('.cvp-plot, .stPlotlyChart')].map(p => p.querySelector('.main-svg'));
  const numbers = (root) => [...root.querySelectorAll('.heatmaplayer text')].filter(t => t.textContent.trim())
      .map(t => parseFloat(getComputedStyle(t).fontSize));
  const cellPx = [...document.querySelectorAll('.stPlotlyChart .js-plotly-plot')].map(p => p._fullLayout.xaxis._m);
  return {column, widths: plots.map(s => s.getBoundingClientRect().width), plots: plots.length, cellPx,
          player: numbers(document.querySelector('.cvp-plot')),
          others: [...document.querySelectorAll('.stPlotlyChart')].map(numbers),
          overflow: document.querySelector('[data-testid=stMain]').scrollWidth - window.innerWidth};
}"""
