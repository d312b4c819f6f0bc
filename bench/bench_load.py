"""Benchmark: a class of students on one server, over Streamlit's own websocket protocol, against a trivial app.

Run with `.venv/bin/python bench/bench_load.py` (about 6 minutes; `--soak 5` adds the lecture-long soak, about 5
more per run, and `--soak-runs 5` repeats it on fresh servers and pools each round's samples, which is what a 10 %
comparison needs here; `--processes 1 2` runs the load through `scripts/serve-class.sh` with one and with two
processes, about 4 more; `--server-arg=--runner.postScriptGC=true` tries a Streamlit option on both apps). It prints
Markdown tables.

Each student is one `bench.stclient.Session` (one browser tab): the tabs open within `--spread` seconds, then each
changes a control every `--think` seconds (± 1/3, random) until `--duration` seconds have passed, then closes.
Page open = websocket opened until the diagram is laid out for the room the browser measured: the first run's
`script_finished`, then the player's room report and its run's (a browser new to the page; with `--returning` the
room comes in the player's cookie and the first run is the only one); re-run = widget change sent until its run's
`script_finished`. A run that times out, ends otherwise than FINISHED_SUCCESSFULLY or shows an exception is a
failed session.

Loads:
- one link: every student opens the default page and toggles h between 7 and 6 (the class follows the teacher);
- settings: student i opens a setting of its own (random values, seed i, its own sizes) and steps h through four
  values, so nearly every re-run is a setting no one has computed yet;
- settings + largest: the same, plus one student on the largest setting (c_i = c_o = 8, 32×32, 7×7, padding 3,
  random) who changes its seed every think time (a miss every time); the table is the others' figures.

The floor: `bench/trivial_app.py` (one number input keyed `h`, one line of Markdown) on another port, with the
same students doing the same things (its h takes the same values), run right before convviz in each row. A second
floor, `bench/controls_app.py`, is convviz's page with all its controls and nothing they control: what Streamlit
charges for those widgets alone, on every run of any page that has them.
The server's resident memory (RSS, from /proc) is read after each load, and its CPU time over the load divided by
the number of runs ("server CPU per run"): on a shared machine the waits move with everyone else's work, the CPU
time a run costs hardly does.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere without installing

import streamlit

from bench.machine import load_average, machine_line, table
from bench.stclient import RunResult, Session, first_cookie
from tests.conftest import stop_process_group

REPO = Path(__file__).resolve().parent.parent
APPS = {"trivial app": "bench/trivial_app.py", "controls only": "bench/controls_app.py", "convviz": "app.py"}
LARGEST = "c_in=8&c_out=8&h=32&w=32&kh=7&kw=7&padding=3&values=random"
RUN_TIMEOUT_S = 60.0
COLUMNS = ["page open p50 / p95", "re-run p50 / p95 / max", "failed runs", "server CPU per run", "server RSS after"]


# ---- servers ----


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def healthy(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def wait_healthy(base_url: str, process: subprocess.Popen, timeout_s: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not healthy(base_url):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{base_url} did not come up (exit code {process.poll()})")
        time.sleep(0.25)


@dataclass
class Server:
    base_url: str
    pids: list[int]  # the Streamlit processes whose memory is reported
    workers: list[str] = field(default_factory=list)  # behind a proxy: each process's own URL (for warming up)

    def cpu_seconds(self) -> float:
        """User + system CPU time the server's processes have used: unlike waits, barely moved by a busy machine."""
        total = 0.0
        for pid in self.pids:
            with contextlib.suppress(OSError):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total

    def rss_mb(self) -> float:
        total = 0
        for pid in self.pids:
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        return total / 1024


@contextlib.contextmanager
def streamlit_server(app: str, extra_args: tuple[str, ...] = ()) -> Iterator[Server]:
    """`python -m streamlit run <app>` on a free loopback port, with the repo's config, until the block ends."""
    port = free_port()
    command = [sys.executable, "-m", "streamlit", "run", app, "--server.port", str(port),
               "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
               *extra_args]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                               start_new_session=True)
    try:
        base_url = f"http://127.0.0.1:{port}"
        wait_healthy(base_url, process)
        yield Server(base_url, [process.pid])
    finally:
        stop_process_group(process)


@contextlib.contextmanager
def class_server(processes: int, logs: Path | None = None) -> Iterator[Server]:
    """`scripts/serve-class.sh N` on loopback: N Streamlit processes behind nginx on one port. With `logs` (a
    folder), the script's output and each process's log are copied there before the server stops."""
    port, first_worker = free_port(), free_port()
    env = {"PYTHON": sys.executable, **os.environ, "CONVVIZ_LISTEN": "127.0.0.1",  # the bench's Python, as
           "CONVVIZ_WORKER_PORT": str(first_worker), "TF_CPP_MIN_LOG_LEVEL": "2"}  # streamlit_server uses
    out = open(logs / "serve-class.out", "wb") if logs else subprocess.DEVNULL  # noqa: SIM115 - closed below
    process = subprocess.Popen(["bash", "scripts/serve-class.sh", str(processes), str(port)], cwd=REPO, env=env,
                               stdout=out, stderr=subprocess.STDOUT if logs else subprocess.DEVNULL,
                               start_new_session=True)
    try:
        base_url = f"http://127.0.0.1:{port}"
        wait_healthy(base_url, process)
        workers = [first_worker + i for i in range(processes)]
        for worker in workers:
            wait_healthy(f"http://127.0.0.1:{worker}", process)
        yield Server(base_url, _pids_listening(workers), [f"http://127.0.0.1:{w}" for w in workers])
    finally:
        if logs:
            _copy_logs(logs)
        stop_process_group(process)
        if logs:
            out.close()


def _copy_logs(logs: Path) -> None:
    """serve-class.sh's processes' logs (in the folder it names when it has started; removed when it stops)."""
    said = [line for line in (logs / "serve-class.out").read_text(errors="replace").splitlines() if "(logs in " in line]
    run_dir = Path(said[0].rsplit("(logs in ", 1)[-1].rstrip(")")) if said else None
    for log in sorted(run_dir.glob("*.log")) if run_dir and run_dir.is_dir() else []:
        with contextlib.suppress(OSError):
            (logs / log.name).write_bytes(log.read_bytes())


def _pids_listening(ports: list[int]) -> list[int]:
    """The Streamlit processes serving `ports` (found by their command line), for their memory."""
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            cmd = (proc / "cmdline").read_bytes().split(b"\0")
            if b"streamlit" in b" ".join(cmd) and any(str(p).encode() in cmd for p in ports):
                pids.append(int(proc.name))
    return pids


# ---- students ----


@dataclass
class Student:
    query: str  # the link it opens
    changes: Callable[[int], tuple[str, int | bool | str]]  # j-th change -> (widget key, value)


@dataclass
class Outcome:
    opens: list[RunResult] = field(default_factory=list)
    reruns: list[RunResult] = field(default_factory=list)


# The room a browser's player measures for the diagram (convviz/ui/player): a 1280×720 laptop with the sidebar
# open. A browser that opened the page before sends it in a cookie; one new to the page draws the first run's
# layout for it if one serves it (within the player's 40 px slack), else reports it and waits for another run.
ROOM = [816, 384]
ROOM_SLACK = 40


def _served(data: bytes | None) -> bool:
    """Whether the player's data carries a layout for ROOM, as player.js judges it (`near`)."""
    choices = json.loads(data).get("choices") if data else None
    return any(abs(c["room"][0] - ROOM[0]) <= ROOM_SLACK and abs(c["room"][1] - ROOM[1]) <= ROOM_SLACK
               for c in choices or [])


async def _open_as_a_browser(base_url: str, query: str, jar: str | None, returning: bool) -> tuple[Session, RunResult]:
    """Open the page as a browser tab does: the first run, then, if none of its layouts serves the browser's room,
    the run the player's room report causes; the page open lasts until the diagram is laid out for the room."""
    if returning:
        jar = "; ".join(part for part in (jar, f"convviz_room={ROOM[0]},{ROOM[1]}") if part)
    session, opened = await Session.open(base_url, query, timeout=RUN_TIMEOUT_S, cookie=jar)
    if not opened.ok or returning or "player" not in session.widget_ids:
        return session, opened
    if _served(session.component_data.get("player")):
        return session, opened
    reported = await session.change("player", {"step": 0, "room": ROOM}, timeout=RUN_TIMEOUT_S)
    return session, RunResult(opened.seconds + reported.seconds, reported.ok, reported.error,
                              opened.exceptions + reported.exceptions, opened.texts + reported.texts)


async def _student(base_url: str, plan: Student, start_at: float, end_at: float, think: float, rng: random.Random,
                   cookie: bool, own: Outcome, returning: bool = False, changes: int | None = None) -> None:
    await asyncio.sleep(max(0.0, start_at - time.monotonic()))
    jar = await asyncio.to_thread(first_cookie, base_url) if cookie else None
    session, opened = await _open_as_a_browser(base_url, plan.query, jar, returning)
    own.opens.append(opened)
    try:
        j = 0
        while opened.ok and (changes is None or j < changes):
            wait = think * rng.uniform(2 / 3, 4 / 3)
            if changes is None and time.monotonic() + wait > end_at:
                break
            await asyncio.sleep(wait)
            key, value = plan.changes(j)
            result = await session.change(key, value, timeout=RUN_TIMEOUT_S)
            own.reruns.append(result)
            j += 1
            if not result.ok:
                break
    finally:
        await session.close()


async def _run_class(base_url: str, plans: list[Student], *, spread: float, duration: float, think: float,
                     seed: int, cookie: bool, returning: bool = False) -> list[Outcome]:
    rng = random.Random(seed)
    now = time.monotonic()
    outcomes = [Outcome() for _ in plans]
    tasks = [
        _student(base_url, plan, now + rng.uniform(0, spread), now + duration, think, random.Random(rng.random()),
                 cookie, outcome, returning)
        for plan, outcome in zip(plans, outcomes, strict=True)
    ]
    await asyncio.wait_for(asyncio.gather(*tasks), duration + 4 * RUN_TIMEOUT_S)
    return outcomes


async def _lecture_hall(base_url: str, n: int, *, think: float, seed: int, cookie: bool,
                        returning: bool = False) -> list[Outcome]:
    """n students on one link arriving at 100 a second, each changing h 4 times, `think` s apart (± 1/3)."""
    rng = random.Random(seed)
    now = time.monotonic()
    outcomes = [Outcome() for _ in range(n)]
    arrivals = enumerate(zip(one_link(n), outcomes, strict=True))
    tasks = [_student(base_url, plan, now + i / 100, now + 10**6, think, random.Random(rng.random()), cookie, outcome,
                      returning, changes=4) for i, (plan, outcome) in arrivals]
    await asyncio.wait_for(asyncio.gather(*tasks), n / 100 + 4 * think * 2 + 4 * RUN_TIMEOUT_S)
    return outcomes


def hall_section(args: argparse.Namespace) -> None:
    """The lecture hall: each class size in `--hall`, on one process (`streamlit run app.py`, as the README's own
    command) and behind `scripts/serve-class.sh 2`, with the one-widget app on one process as the floor."""
    rows = []
    goals = {1: (1.0, 0.5), 2: (0.5, 0.3)}  # page open p95, re-run p95 (s), by processes (issue 22)
    for processes in (1, 2):
        for n in args.hall:
            with contextlib.ExitStack() as stack:
                if processes == 1:
                    server = stack.enter_context(streamlit_server(APPS["convviz"]))
                    warm(server)
                else:
                    server = stack.enter_context(class_server(processes))
                    for worker in server.workers:
                        warm(Server(worker, []))
                cpu = server.cpu_seconds()
                outcomes = asyncio.run(_lecture_hall(server.base_url, n, think=args.think, seed=args.seed,
                                                     cookie=processes > 1, returning=args.returning))
                figures = Figures.of(outcomes, server.rss_mb(), server.cpu_seconds() - cpu)
            open_goal, rerun_goal = goals[processes]
            verdict = goal(figures.open_p95 <= open_goal and figures.rerun_p95 <= rerun_goal and not figures.failed)
            target = f"≤ {ms(open_goal)} / ≤ {ms(rerun_goal)}: {verdict}"
            rows.append([str(n), f"{processes}", *figures.cells(), target])
            print(f"  hall {n} / {processes} proc: {figures.cells()} {figures.errors}", file=sys.stderr)
    for n in args.hall:
        with streamlit_server(APPS["trivial app"]) as trivial:
            warm(trivial)
            outcomes = asyncio.run(_lecture_hall(trivial.base_url, n, think=args.think, seed=args.seed, cookie=False))
            rows.append([str(n), "1, the one-widget app", *Figures.of(outcomes, trivial.rss_mb()).cells(), "floor"])
    print(table(["students", "processes", *COLUMNS, "goal: page open p95 / re-run p95"], rows))


def one_link(n: int) -> list[Student]:
    return [Student("", lambda j: ("h", 7 if j % 2 == 0 else 6)) for _ in range(n)]


def own_settings(n: int) -> list[Student]:
    """Student i: seed i, its own input sizes; h steps through 5, 6, 7, 8 (new settings nearly every change)."""
    plans = []
    for i in range(n):
        query = f"values=random&seed={i}&c_in={1 + i % 4}&c_out={1 + (i // 4) % 4}&w={4 + i % 5}&kh={1 + i % 3}"
        plans.append(Student(query, lambda j: ("h", 5 + j % 4)))
    return plans


def largest_student() -> Student:
    return Student(LARGEST, lambda j: ("seed", 1000 + j))


def trivial_version(plans: list[Student]) -> list[Student]:
    """The same students against the trivial app: the same link shape is meaningless there, so only h carries over;
    a change of any other key becomes a change of h (to a value no one else uses)."""
    out = []
    for i, plan in enumerate(plans):
        def change(j: int, plan: Student = plan, i: int = i) -> tuple[str, int | bool | str]:
            key, value = plan.changes(j)
            return ("h", int(value)) if key == "h" else ("h", 100 + 10 * i + j % 10)
        out.append(Student("", change))
    return out


# ---- figures ----


def quantile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1]


@dataclass
class Figures:
    open_p50: float
    open_p95: float
    open_max: float
    rerun_p50: float
    rerun_p95: float
    rerun_max: float
    runs: int
    failed: int
    rss_mb: float
    errors: list[str]
    cpu_ms_per_run: float = float("nan")  # the server's CPU time over the load, per run (opens and re-runs)

    @classmethod
    def of(cls, outcomes: list[Outcome], rss_mb: float, cpu_s: float = float("nan")) -> Figures:
        opens = [r for o in outcomes for r in o.opens]
        reruns = [r for o in outcomes for r in o.reruns]
        failed = [r for r in opens + reruns if not r.ok]
        o = [r.seconds for r in opens if r.ok]
        r = [x.seconds for x in reruns if x.ok]
        runs = len(opens) + len(reruns)
        return cls(quantile(o, 0.5), quantile(o, 0.95), max(o, default=float("nan")), quantile(r, 0.5),
                   quantile(r, 0.95), max(r, default=float("nan")), runs, len(failed), rss_mb,
                   sorted({f.error for f in failed}), 1000 * cpu_s / max(runs, 1))

    def cells(self) -> list[str]:
        cpu = "—" if self.cpu_ms_per_run != self.cpu_ms_per_run else f"{self.cpu_ms_per_run:.0f} ms"
        return [f"{ms(self.open_p50)} / {ms(self.open_p95)}", f"{ms(self.rerun_p50)} / {ms(self.rerun_p95)} / "
                f"{ms(self.rerun_max)}", f"{self.failed} of {self.runs}", cpu,
                f"{self.rss_mb:,.0f} MB"]


def ms(seconds: float) -> str:
    if seconds != seconds:  # NaN
        return "—"
    return f"{seconds * 1000:,.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def run_load(server: Server, plans: list[Student], args: argparse.Namespace, cookie: bool = False) -> Figures:
    return Figures.of(*load_samples(server, plans, args, cookie))


def load_samples(server: Server, plans: list[Student], args: argparse.Namespace,
                 cookie: bool = False) -> tuple[list[Outcome], float, float]:
    """One load: every student's outcome, the server's RSS after it and the CPU seconds it took."""
    cpu = server.cpu_seconds()
    outcomes = asyncio.run(_run_class(server.base_url, plans, spread=args.spread, duration=args.duration,
                                      think=args.think, seed=args.seed, cookie=cookie,
                                      returning=getattr(args, "returning", False)))
    return outcomes, server.rss_mb(), server.cpu_seconds() - cpu


def run_load_split(server: Server, plans: list[Student], heavy: Student, args: argparse.Namespace) -> tuple[
        Figures, Figures]:
    """The class plus one heavy student; figures for the class and for the heavy student separately."""
    outcomes, rss, cpu = load_samples(server, [*plans, heavy], args)
    return Figures.of(outcomes[:-1], rss, cpu), Figures.of(outcomes[-1:], rss)


def alone(server: Server, visits: int = 12) -> Figures:
    """Students one after another on an idle server: what opening a session and a re-run cost by themselves."""
    async def go() -> list[Outcome]:
        outcomes = []
        for _ in range(visits):
            outcome = Outcome()
            session, opened = await Session.open(server.base_url, "", timeout=RUN_TIMEOUT_S)
            outcome.opens.append(opened)
            for value in (7, 6, 7):
                outcome.reruns.append(await session.change("h", value, timeout=RUN_TIMEOUT_S))
            await session.close()
            outcomes.append(outcome)
        return outcomes
    cpu = server.cpu_seconds()
    outcomes = asyncio.run(go())
    return Figures.of(outcomes, server.rss_mb(), server.cpu_seconds() - cpu)


def warm(server: Server, queries: tuple[str, ...] = ("",)) -> None:
    """Open and close a session per query: the first run imports TensorFlow, which is not what is measured."""
    async def go() -> None:
        for query in queries:
            session, result = await Session.open(server.base_url, query, timeout=180)
            await session.close()
            if not result.ok:
                raise RuntimeError(f"warm-up run failed: {result.error}")
    asyncio.run(go())


# ---- the report ----


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b > 0 else "—"


def goal(ok: bool) -> str:
    return "met" if ok else "**missed**"


def load_section(args: argparse.Namespace, extra: tuple[str, ...]) -> None:
    n = args.students
    rows, results = [], {}
    loads = [("one link", one_link(n)), ("settings", own_settings(n))]
    with streamlit_server(APPS["trivial app"], extra) as trivial, \
            streamlit_server(APPS["controls only"], extra) as controls, \
            streamlit_server(APPS["convviz"], extra) as app:
        warm(trivial)
        warm(controls)
        warm(app, ("", LARGEST))
        apps = (("trivial app", trivial), ("controls only", controls), ("convviz", app))
        for app_name, server in apps:
            figures = alone(server)
            rows.append(["1 student alone, one at a time", app_name, *figures.cells()])
            print(f"  alone / {app_name}: {figures.cells()} {figures.errors}", file=sys.stderr)
        for name, plans in loads:
            for app_name, server in apps:
                figures = run_load(server, trivial_version(plans) if server is trivial else plans, args)
                results[name, app_name] = figures
                rows.append([f"{n} students, {name}", app_name, *figures.cells()])
                print(f"  {name} / {app_name}: {figures.cells()} {figures.errors}", file=sys.stderr)
        heavy_class, heavy = run_load_split(app, own_settings(n), largest_student(), args)
        results["heavy", "convviz"] = heavy_class
        rows.append([f"{n} students, settings, + 1 on the largest", f"convviz (the {n})", *heavy_class.cells()])
        rows.append(["", "convviz (the largest)", *heavy.cells()])
    print(table(["load", "app", *COLUMNS], rows))
    t1, c1 = results["one link", "trivial app"], results["one link", "convviz"]
    t2, c2 = results["settings", "trivial app"], results["settings", "convviz"]
    c3 = results["heavy", "convviz"]
    worst2, worst3 = max(c2.open_max, c2.rerun_max), max(c3.open_max, c3.rerun_max)
    print()
    print(table(["goal (against the trivial app, same run)", "figure", "verdict"], [
        ["one link: page open p95 ≤ 2×", ratio(c1.open_p95, t1.open_p95), goal(c1.open_p95 <= 2 * t1.open_p95)],
        ["one link: re-run p95 ≤ 2×", ratio(c1.rerun_p95, t1.rerun_p95), goal(c1.rerun_p95 <= 2 * t1.rerun_p95)],
        ["settings: re-run p95 ≤ 3×", ratio(c2.rerun_p95, t2.rerun_p95), goal(c2.rerun_p95 <= 3 * t2.rerun_p95)],
        ["settings: no wait over 10 s", ms(worst2), goal(worst2 <= 10)],
        ["+ largest: the others' re-run p95 ≤ 3×", ratio(c3.rerun_p95, t2.rerun_p95),
         goal(c3.rerun_p95 <= 3 * t2.rerun_p95)],
        ["+ largest: no wait over 10 s", ms(worst3), goal(worst3 <= 10)],
        ["no failed run", str(sum(f.failed for f in results.values())),
         goal(sum(f.failed for f in results.values()) == 0)],
    ]))
    k1, k2 = results["one link", "controls only"], results["settings", "controls only"]
    print()
    print(table(["the controls alone (no figure, no computation), against the trivial app", "figure"], [
        ["one link: page open p95", ratio(k1.open_p95, t1.open_p95)],
        ["one link: re-run p95", ratio(k1.rerun_p95, t1.rerun_p95)],
        ["settings: re-run p95", ratio(k2.rerun_p95, t2.rerun_p95)],
        ["server CPU per run, one link", ratio(k1.cpu_ms_per_run, t1.cpu_ms_per_run)],
        ["convviz's server CPU per run, one link, against the controls alone",
         ratio(c1.cpu_ms_per_run, k1.cpu_ms_per_run)],
    ]))


def soak_section(args: argparse.Namespace, extra: tuple[str, ...]) -> None:
    """`--soak R` rounds of the settings load, each app on one server for all rounds; the two apps take turns
    round by round, so a busy spell on the shared machine shows in both. With `--soak-runs S` the whole soak is
    run S times on fresh servers, and round r's waits pool the samples of every run's round r: one round's p95
    rests on ~340 re-runs and 40 page opens, and on this VM it moved by up to ±50 % between identical runs, so
    one run alone cannot tell a 10 % drift from noise. RSS is compared within each run (its own server)."""
    plans = own_settings(args.students)
    samples: dict[tuple[str, int], list[tuple[list[Outcome], float, float]]] = {}
    rss_drift: list[float] = []
    for run in range(1, args.soak_runs + 1):
        with streamlit_server(APPS["trivial app"], extra) as trivial, \
                streamlit_server(APPS["convviz"], extra) as app:
            warm(trivial)
            warm(app)
            for r in range(1, args.soak + 1):
                for app_name, server, these in (("trivial app", trivial, trivial_version(plans)),
                                                ("convviz", app, plans)):
                    sample = load_samples(server, these, args)
                    samples.setdefault((app_name, r), []).append(sample)
                    print(f"  soak run {run} {app_name} round {r}: {Figures.of(*sample).cells()}", file=sys.stderr)
        rss = [samples["convviz", r][-1][1] for r in range(2, args.soak + 1)]
        rss_drift.append(max(abs(x - rss[0]) / rss[0] for x in rss[1:]) if len(rss) > 1 else 0.0)
    per_app: dict[str, list[Figures]] = {"trivial app": [], "convviz": []}
    rows = []
    for (app_name, r), runs in sorted(samples.items(), key=lambda item: (item[0][0] != "trivial app", item[0][1])):
        pooled = Figures.of([o for outcomes, _, _ in runs for o in outcomes], max(rss for _, rss, _ in runs),
                            sum(cpu for _, _, cpu in runs))
        per_app[app_name].append(pooled)
        rows.append([app_name, str(r), *pooled.cells()])
    print(f"{args.soak_runs} run(s) of {args.soak} rounds; each round's figures pool its samples from every run "
          "(RSS: the largest of the runs)\n")
    print(table(["app", "round", *COLUMNS], rows))
    c, t = per_app["convviz"], per_app["trivial app"]
    checks = []
    for label, field_name in (("page open p50", "open_p50"), ("page open p95", "open_p95"),
                              ("re-run p50", "rerun_p50"), ("re-run p95", "rerun_p95"), ("re-run max", "rerun_max")):
        first, last = getattr(c[0], field_name), getattr(c[-1], field_name)
        floor = getattr(t[-1], field_name) / getattr(t[0], field_name)
        checks.append([f"convviz {label}: last round ≤ 1.10 × round 1", f"{ratio(last, first)} (trivial app: "
                       f"{floor:.2f}×)", goal(last <= 1.10 * first)])
    if len(c) >= 3:
        for label, field_name in (("re-run p95", "rerun_p95"), ("server CPU per run", "cpu_ms_per_run")):
            second, last = getattr(c[1], field_name), getattr(c[-1], field_name)
            floor = getattr(t[-1], field_name) / getattr(t[1], field_name)
            checks.append([f"convviz {label}: last round ≤ 1.10 × round 2 (round 1 fills the caches)",
                           f"{ratio(last, second)} (trivial app: {floor:.2f}×)", goal(last <= 1.10 * second)])
        drift = max(rss_drift)
        checks.append(["convviz RSS after round 2 flat within 5 % (each run)", f"{drift * 100:.1f} %",
                       goal(drift <= 0.05)])
    print()
    print(table(["goal", "figure (the floor's own drift)", "verdict"], checks))


def processes_section(args: argparse.Namespace) -> None:
    rows, p95 = [], {}
    for processes in args.processes:
        with class_server(processes) as server:
            for worker in server.workers:  # each process imports TensorFlow on its first run: not measured
                warm(Server(worker, []), ("", LARGEST))
            for name, plans in (("one link", one_link(args.students)), ("settings", own_settings(args.students))):
                figures = run_load(server, plans, args, cookie=True)
                p95[processes, name] = figures
                rows.append([f"{args.students} students, {name}", f"{processes} behind nginx", *figures.cells()])
                print(f"  {processes} proc / {name}: {figures.cells()} {figures.errors}", file=sys.stderr)
    print(table(["load", "processes", "page open p50 / p95", "re-run p50 / p95 / max", "failed runs",
                 "CPU per run", "RSS of all processes"], rows))
    if len(args.processes) == 2:
        a, b = args.processes
        print()
        print(table(["load", f"page open p95, {b} / {a}", f"re-run p95, {b} / {a}"], [
            [name, ratio(p95[b, name].open_p95, p95[a, name].open_p95),
             ratio(p95[b, name].rerun_p95, p95[a, name].rerun_p95)] for name in ("one link", "settings")]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--spread", type=float, default=2.0, help="seconds over which the tabs open")
    parser.add_argument("--think", type=float, default=3.0, help="seconds between a student's changes (± 1/3)")
    parser.add_argument("--duration", type=float, default=25.0, help="seconds each load lasts")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--returning", action="store_true",
                        help="students' browsers have opened the page before (the room in a cookie: one run per open)")
    parser.add_argument("--no-load", action="store_true", help="skip the load table")
    parser.add_argument("--soak", type=int, default=0, metavar="ROUNDS", help="also run ROUNDS soak rounds")
    parser.add_argument("--soak-runs", type=int, default=1, metavar="RUNS",
                        help="run the soak RUNS times on fresh servers and pool each round's samples")
    parser.add_argument("--processes", type=int, nargs="*", default=[], help="also run through serve-class.sh")
    parser.add_argument("--hall", type=int, nargs="*", default=[], metavar="N",
                        help="the lecture hall: N students arriving at 100 a second, 4 changes each (one and two "
                             "processes), e.g. --hall 40 100 200 400")
    parser.add_argument("--server-arg", action="append", default=[], help="extra `streamlit run` option (variants)")
    args = parser.parse_args()
    if not 1 <= args.students <= 200 or not 1 <= args.duration <= 600 or not 0 <= args.soak <= 20 \
            or not 1 <= args.soak_runs <= 10:
        parser.error("bounds: 1–200 students, 1–600 s, 0–20 soak rounds, 1–10 soak runs")
    if not all(1 <= n <= 500 for n in args.hall):
        parser.error("bounds: 1–500 students in the hall")
    print(f"Load average at start: {load_average()}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(machine_line(Streamlit=streamlit.__version__))
    print(f"{args.students} students, opening within {args.spread} s, a change every ~{args.think} s, "
          f"{args.duration} s per load\n")
    extra = tuple(args.server_arg)
    if not args.no_load:
        load_section(args, extra)
    if args.soak:
        print()
        soak_section(args, extra)
    if args.processes:
        print()
        processes_section(args)
    if args.hall:
        print()
        hall_section(args)
    print(f"\nLoad average at end: {load_average()}")


if __name__ == "__main__":
    main()
