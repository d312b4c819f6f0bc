"""Benchmark: a class following its teacher through `scripts/serve-class.sh N` (issue 23, item 6).

Run with `.venv/bin/python bench/bench_class.py --students 40 100 200 --processes 2` (about 2 minutes per class
size; `--processes 1 2` runs each size on one and on two processes). It prints Markdown tables.

One run, on fresh servers that share one room store (CONVVIZ_ROOMS: a SQLite file in a temporary folder):
- the teacher opens `?room=new` (one `bench.stclient.Session`, as a browser tab) and learns the room's code and key
  from the address bar the server writes (`page_info_changed`);
- S students open `?room=CODE` within `--spread` seconds, each as a browser new to the page does (bench_load's
  `_open_as_a_browser`), then stay open as a browser tab does (`Session.live()`): every message is read, and the
  page's `st.fragment(run_every=1)` (class mode's `_student_live`) runs on the browser's timer;
- after `--settle` seconds (the quiet window: nothing but the fragments' runs, which gives the server CPU per
  fragment run), the teacher moves the player K times (`--steps`), one step every `--every` seconds, the way
  player.js reports a step (the `player` component's state `{"step": s, "room": [...]}`, a full run);
- a follow is the delay from the teacher's page publishing the step (at the end of its run; the time is the store's
  `used` of the room, which a publication writes) to a student's page receiving that step: the `lead_beacon`
  component's data `{"seq", "step", "hide", "locked", "beat"}` in a fragment run (the beacon is drawn on every
  poll, `beat` growing), or the player's `lead` in a full run. No arrival within 10 s is a missed follow;
- then a predict round: the teacher clicks "class_ask"; each student's next poll (a fragment run) draws the
  question ("Predict: ..." markdown) and the guess form, and hands the beacon `locked: true`: the question is shown
  when both have arrived, timed from the ask's publication; each student sends a guess within `--guess-spread`
  seconds through the form inside the fragment (number input `class_guess` and its submit button: one
  `rerun_script` with every widget state and the fragment's id, answered by a fragment run that draws the verdict);
  the store must hold all S answers (`SqliteRooms.answers`); the teacher clicks "class_reveal", and each
  student's next poll draws the result ("... the value was ..."), timed from the reveal's publication; the
  histogram sent to the teacher (the `class_guesses` plotly chart) must carry S values in data[0].x. Full runs the
  server starts on students' pages during the round are counted (none is expected now).
The server's CPU time is read from /proc per process for each phase. A run that ends otherwise than
FINISHED_SUCCESSFULLY (or FINISHED_FRAGMENT_RUN_SUCCESSFULLY), or with an exception element, counts as failed; a
run whose `script_finished` never came (Streamlit drops a stopped ScriptRunner's last events when a poll starts a
new one) and a tab left with no fragment timer (it no longer polls) are counted apart. The player's watchdog (a
full run after 5 s without a beacon, player.js) is not emulated: a tab whose polling stopped stays stopped here,
and is counted. The client (this process) shares the machine with the servers: its own CPU time is printed too.
`--logs DIR` keeps the processes' logs, `--dump DIR` every tab's timeline (runs, leads, the messages' order),
`--profile DIR` py-spy's samples of the follow phase, and of the predict round with the threads that wait (if
py-spy is installed beside this Python; it is not in the requirements).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere without installing

import streamlit

from bench.bench_load import ROOM, RUN_TIMEOUT_S, Server, _open_as_a_browser, class_server, ms, quantile, warm
from bench.machine import load_average, machine_line, table
from bench.stclient import NO_FINISH, Session
from convviz.rooms.store import SqliteRooms

MISS_S = 10.0  # a follow that has not arrived within this long is missed
GOAL_S = 1.0  # issue 23: each student's step follows within 1 s p95
WATCH = ("lead_beacon", "player")
QUESTION, VERDICT, RESULT = "predict:", "sent. wait", "the value was"  # the texts watched (lower case, English)
_LEAD = re.compile(rb'"lead":(\{[^{}]*\}|null)')


# ---- what a student's page received ----


def lead_of(key: str, data: bytes) -> int | None:
    """The step a component's data leads the player to: the beacon's `step`, or the player's `lead.step`."""
    if key == "lead_beacon":
        return json.loads(data).get("step")
    found = list(_LEAD.finditer(data[-4000:]))  # the small values follow the figure's bytes (player_data)
    lead = json.loads(found[-1].group(1)) if found else None
    return lead.get("step") if isinstance(lead, dict) else None


def locked_at(session: Session, after: float) -> float:
    """When the beacon first handed this tab `locked: true` after `after` (nan: never)."""
    return next((c.at for c in session.component_changes
                 if c.key == "lead_beacon" and c.at >= after and json.loads(c.data).get("locked") is True),
                float("nan"))


def text_at(session: Session, phrase: str, after: float) -> float:
    """When a text holding `phrase` first reached this tab after `after` (nan: never)."""
    return min((at for body, (at, _) in session.texts_seen.items() if phrase in body.lower() and at >= after),
               default=float("nan"))


@dataclass
class Pupil:
    index: int
    session: Session | None = None
    worker: str = ""  # the process nginx sent it to (X-Convviz-Worker)
    open_s: float = float("nan")
    open_ok: bool = False
    error: str = ""
    guess: float = 0.0
    guess_run: float = float("nan")
    guess_ok: bool = False
    guess_fragment: bool = False  # the guess was answered by a fragment run
    asked_at: float = float("nan")  # when its page showed the question (perf_counter)
    result_at: float = float("nan")  # when its page showed the revealed answer


@dataclass
class Step:
    step: int
    sent: float
    finished: float  # the teacher's run finished (its script_finished arrived)
    ok: bool
    published: float = float("nan")  # when its page published (the store's time of the room's last use)

    @property
    def start(self) -> float:
        """What a follow is timed from: the publication, else the run's end."""
        return self.published if self.published == self.published else self.finished


def published_at(rooms_file: Path, code: str) -> float:
    """When the room was last published to, on this process's perf_counter clock: the store writes a room's `used`
    with every publication (students' pages touch it only once it is a minute old)."""
    with contextlib.closing(sqlite3.connect(rooms_file, timeout=10)) as db:
        row = db.execute("SELECT used FROM rooms WHERE code = ?", (code,)).fetchone()
    return float("nan") if row is None else row[0] - time.time() + time.perf_counter()


@dataclass
class Phases:
    """perf_counter marks and the servers' CPU seconds (per process) at each."""

    marks: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, list[float]] = field(default_factory=dict)
    client_cpu: dict[str, float] = field(default_factory=dict)

    def mark(self, name: str, server: Server) -> None:
        self.marks[name] = time.perf_counter()
        self.cpu[name] = [Server("", [pid]).cpu_seconds() for pid in server.pids]
        self.client_cpu[name] = time.process_time()

    def cpu_between(self, a: str, b: str) -> list[float]:
        return [y - x for x, y in zip(self.cpu[a], self.cpu[b], strict=True)]

    def seconds(self, a: str, b: str) -> float:
        return self.marks[b] - self.marks[a]


def _cookie_and_worker(base_url: str) -> tuple[str | None, str]:
    """GET the page as a browser does first: the stickiness cookie nginx sets, and which process answered."""
    with urllib.request.urlopen(base_url.rstrip("/") + "/", timeout=30) as response:
        cookies = [value.split(";", 1)[0] for name, value in response.getheaders() if name.lower() == "set-cookie"]
        return "; ".join(cookies) or None, response.headers.get("X-Convviz-Worker", "")


async def _arrive(base_url: str, query: str, pupil: Pupil, at: float, returning: bool, trace: bool) -> None:
    await asyncio.sleep(max(0.0, at - time.perf_counter()))
    start = time.perf_counter()
    try:
        jar, pupil.worker = await asyncio.to_thread(_cookie_and_worker, base_url)
    except OSError as err:
        pupil.error = f"first GET: {err!r}"[:200]
        return
    session, opened = await _open_as_a_browser(base_url, query, jar, returning)
    pupil.session, pupil.open_ok, pupil.error = session, opened.ok, opened.error
    pupil.open_s = time.perf_counter() - start
    session.watch = set(WATCH)
    session.watch_texts = (QUESTION, VERDICT, RESULT)
    session.trace = [] if trace else None
    if opened.ok:
        await session.live()


async def _guess(pupil: Pupil, at: float) -> None:
    session = pupil.session
    assert session is not None
    await asyncio.sleep(max(0.0, at - time.perf_counter()))
    form = next(iter(session.form_submitters), None)
    if form is None:
        pupil.error = pupil.error or "no guess form on the page"
        return
    sent = time.perf_counter()
    result = await session.submit_form(form, {"class_guess": pupil.guess}, timeout=RUN_TIMEOUT_S)
    pupil.guess_fragment = result.fragment
    # What the student waits for: the verdict ("Sent. Wait for your teacher ..."). The run submit_form waited for
    # may be a timer's fragment run that the server had under way, with the form's run queued behind it.
    while text_at(session, VERDICT, sent) != text_at(session, VERDICT, sent) and \
            time.perf_counter() - sent < RUN_TIMEOUT_S and (result.ok or NO_FINISH in result.error):
        await asyncio.sleep(0.05)
    pupil.guess_run = text_at(session, VERDICT, sent) - sent
    pupil.guess_ok = pupil.guess_run == pupil.guess_run
    if not pupil.guess_ok:
        pupil.error = pupil.error or f"guess: {result.error or 'no verdict'}"


async def _teacher_click(teacher: Session, key: str, errors: list[str], rooms_file: Path, code: str) -> Step:
    sent = time.perf_counter()
    result = await teacher.change(key, True, timeout=RUN_TIMEOUT_S)
    if not result.ok:
        errors.append(f"teacher's {key}: {result.error}")
    return Step(-1, sent, time.perf_counter(), result.ok, published_at(rooms_file, code))


def _server_full_runs(session: Session, start: float, end: float) -> int:
    return sum(1 for run in session.runs if not run.fragment and run.cause == "server" and start <= run.started <= end)


# ---- one class ----


@dataclass
class Outcome:
    students: int
    processes: int
    pupils: list[Pupil]
    steps: list[Step]
    delays: list[float]  # every follow that arrived (s)
    missed: int
    by_full_run: int  # follows that came in a full run rather than the beacon
    server_full_runs: int  # full runs the server started on students' pages during the follow phase
    fragment_latency: list[float]  # fragment run asked for (timer tick) until it finished, follow phase
    fragment_runs_quiet: int
    fragment_runs_follow: tuple[int, int]  # fragment runs in the follow phase, and how many of them were cut short
    present: int
    phases: Phases
    answers: int
    histogram_x: int
    asked_s: list[float]
    result_s: list[float]
    round_full_runs: int  # full runs the server started on students' pages during the predict round
    failed_runs: int
    lost: tuple[int, int]  # full runs whose script_finished never came, of all full runs the tabs saw
    deaf: int  # students' tabs left with no fragment timer at the end (they no longer poll the room)
    errors: list[str]
    log_lines: list[str]


async def _class(server: Server, rooms_file: Path, args: argparse.Namespace, students: int,
                 phases: Phases) -> Outcome:
    rng = random.Random(args.seed)
    base = server.base_url
    errors: list[str] = []
    jar, _ = await asyncio.to_thread(_cookie_and_worker, base)
    teacher, opened = await _open_as_a_browser(base, "room=new", jar, args.returning)
    if not opened.ok or "room=" not in teacher.query_string:
        raise RuntimeError(f"the teacher's page did not open a room: {opened.error} {teacher.query_string!r}")
    link = dict(part.split("=", 1) for part in teacher.query_string.split("&") if "=" in part)
    code, key = link["room"], link["key"]
    await teacher.live()
    pupils = [Pupil(i, guess=float(rng.randint(-5, 5))) for i in range(students)]
    try:
        phases.mark("arrive", server)
        now = time.perf_counter()
        await asyncio.wait_for(asyncio.gather(*(
            _arrive(base, f"room={code}", p, now + args.spread * i / max(students - 1, 1), args.returning,
                    bool(args.dump))
            for i, p in enumerate(pupils))), args.spread + 4 * RUN_TIMEOUT_S)
        errors += [f"student {p.index}: {p.error}" for p in pupils if p.error]
        live = [p for p in pupils if p.open_ok and p.session is not None]
        phases.mark("opened", server)
        await asyncio.sleep(args.settle / 2)  # the arrivals' last runs and timers settle
        phases.mark("quiet", server)
        await asyncio.sleep(args.settle / 2)
        phases.mark("follow", server)
        present = SqliteRooms(rooms_file).students(code, time.time())
        spies = _spy(server.pids, args.steps * args.every + 2, Path(args.profile)) if args.profile else []

        # the teacher moves the player
        steps: list[Step] = []
        for k in range(args.steps):
            target = phases.marks["follow"] + k * args.every
            await asyncio.sleep(max(0.0, target - time.perf_counter()))
            step = 1 + k % 15  # the default setting has 16 steps; each step differs from the one before
            sent = time.perf_counter()
            result = await teacher.change("player", {"step": step, "room": ROOM}, timeout=RUN_TIMEOUT_S)
            steps.append(Step(step, sent, time.perf_counter(), result.ok, published_at(rooms_file, code)))
            if not result.ok:
                errors.append(f"teacher's step {step}: {result.error}")
        await asyncio.sleep(max(0.0, steps[-1].start + MISS_S - time.perf_counter()))
        phases.mark("followed", server)
        for spy in spies:
            with contextlib.suppress(subprocess.TimeoutExpired):
                await asyncio.to_thread(spy.wait, 60)

        delays, missed, by_full = [], 0, 0
        for pupil in live:
            arrivals = [(c.at, lead_of(c.key, c.data), c.key) for c in pupil.session.component_changes]
            for s in steps:
                got = next(((at, k) for at, step, k in arrivals if step == s.step and at >= s.sent), None)
                if got is None or got[0] - s.start > MISS_S:
                    missed += 1
                else:
                    delays.append(max(0.0, got[0] - s.start))
                    by_full += got[1] == "player"
        start, end = phases.marks["follow"], phases.marks["followed"]
        server_full = sum(_server_full_runs(p.session, start, end) for p in live)
        latency = [x for p in live for x in _fragment_latencies(p.session, start, end)]
        in_follow = [r for p in live for r in p.session.runs if r.fragment and start <= r.started <= end]
        cut = sum(r.status == "FINISHED_EARLY_FOR_RERUN" for r in in_follow)
        q0, q1 = phases.marks["quiet"], phases.marks["follow"]
        quiet_runs = sum(1 for s in [teacher, *(p.session for p in live)] for r in s.runs
                         if r.fragment and q0 <= r.started <= q1)

        # the predict round
        round_spies = _spy(server.pids, 2 + args.guess_spread + 6, Path(args.profile) / "round",
                           idle=True) if args.profile else []
        asked = await _teacher_click(teacher, "class_ask", errors, rooms_file, code)
        asked_done = asked.start
        phases.mark("ask", server)
        question = (SqliteRooms(rooms_file).room(code, time.time()).state.get("question") or {})
        deadline = asked_done + MISS_S
        while time.perf_counter() < deadline and not all(p.session.form_submitters for p in live):
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)  # the beacon follows the form in the same fragment run
        for p in live:  # shown: the question's markdown and the beacon's lock have both arrived
            p.asked_at = max(text_at(p.session, QUESTION, asked.sent), locked_at(p.session, asked.sent))
        asked_s = [max(0.0, p.asked_at - asked_done) for p in live if p.asked_at - asked_done <= MISS_S]
        now = time.perf_counter()
        await asyncio.wait_for(asyncio.gather(*(_guess(p, now + rng.uniform(0, args.guess_spread)) for p in live
                                                if p.session.form_submitters)),
                               args.guess_spread + 2 * RUN_TIMEOUT_S)
        await asyncio.sleep(1.0)
        stored = SqliteRooms(rooms_file).answers(code, key, question.get("id", -1)) or []
        phases.mark("guessed", server)
        revealed = await _teacher_click(teacher, "class_reveal", errors, rooms_file, code)
        revealed_done = revealed.start
        spec = json.loads(teacher.plotly_specs.get("class_guesses", "{}") or "{}")
        histogram_x = len((spec.get("data") or [{}])[0].get("x") or [])
        await asyncio.sleep(MISS_S)
        for p in live:
            p.result_at = text_at(p.session, RESULT, revealed.sent)
        result_s = [max(0.0, p.result_at - revealed_done) for p in live if p.result_at - revealed_done <= MISS_S]
        phases.mark("end", server)
        for spy in round_spies:
            with contextlib.suppress(subprocess.TimeoutExpired):
                await asyncio.to_thread(spy.wait, 60)
        round_full = sum(_server_full_runs(p.session, asked.sent, phases.marks["end"]) for p in live)

        errors += [f"student {p.index}: {p.error}" for p in live if p.error]
        sessions = [teacher, *(p.session for p in live)]
        if args.dump:
            _dump(Path(args.dump) / f"{students}-students-{len(server.pids)}-proc.json", phases, steps, teacher, pupils)
        failed = sum(1 for s in sessions for r in s.runs
                     if r.status not in ("FINISHED_SUCCESSFULLY", "FINISHED_FRAGMENT_RUN_SUCCESSFULLY",
                                         "FINISHED_EARLY_FOR_RERUN", NO_FINISH) or r.exceptions)
        deaf = sum(1 for p in live if not p.session.auto_reruns)  # no fragment timer left: the tab polls no more
        lost = (sum(1 for s in sessions for r in s.runs if r.status == NO_FINISH and not r.fragment),
                sum(1 for s in sessions for r in s.runs if not r.fragment and r.started >= phases.marks["arrive"]))
        errors += [f"a tab's connection: {s.closed_error}" for s in sessions if s.closed_error]
        return Outcome(students, len(server.pids), pupils, steps, delays, missed, by_full, server_full, latency,
                       quiet_runs, (len(in_follow), cut), present, phases, len(stored), histogram_x, asked_s,
                       result_s, round_full, failed, lost, deaf, errors, [])
    finally:
        await asyncio.gather(teacher.close(), *(p.session.close() for p in pupils if p.session is not None))


def _spy(pids: list[int], seconds: float, folder: Path, idle: bool = False) -> list[subprocess.Popen[bytes]]:
    """py-spy (if installed beside this Python) sampling each server process for `seconds`, as collapsed stacks
    (`idle`: threads that wait are sampled too, so a wait on a lock shows)."""
    spy = Path(sys.executable).parent / "py-spy"
    if not spy.exists():
        print("  (no py-spy beside this Python: no profile)", file=sys.stderr)
        return []
    folder.mkdir(parents=True, exist_ok=True)
    return [subprocess.Popen([str(spy), "record", "--pid", str(pid), "--rate", "100", "--duration",
                              str(int(seconds)), "--format", "raw", "--output",
                              str(folder / f"{pid}.txt"), *(["--idle"] if idle else [])],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for pid in pids]


# Where a thread waits (py-spy's own idle test does not tell them apart here): left out of the profile.
IDLE_LEAVES = ("EpollSelector.select (selectors.py)", "Condition.wait (threading.py)", "Event.wait (threading.py)",
               "_worker (thread.py)", "PollingPathWatcher._schedule.<locals>.task (polling_path_watcher.py)")
COMMON_FRAMES = re.compile(r"^(Thread\.|_run_module|_run_code|<module>|main_run|_main_run|Command\.|Context\.|Group\.|"
                           r"run \((bootstrap|runners)|Runner\.run|_run_server_loop|BaseEventLoop\.run_)")


def profile_summary(folder: Path, top: int = 30) -> str:
    """The functions the sampled processes spent their busy samples in: inclusive (anywhere on the stack, less the
    frames every sample shares) and self. Samples whose innermost frame is a wait are left out."""
    inclusive: dict[str, int] = {}
    own: dict[str, int] = {}
    total = idle = 0
    for path in sorted(folder.glob("*.txt")):
        for line in path.read_text(errors="replace").splitlines():
            stack, _, count = line.rpartition(" ")
            if not count.isdigit():
                continue
            frames = [re.sub(r" \((.*/)?([^/]+\.py):\d+\)$", r" (\2)", f) for f in stack.split(";")]
            n = int(count)
            if frames and frames[-1] in IDLE_LEAVES:
                idle += n
                continue
            frames = [f for f in frames if not COMMON_FRAMES.match(f)]
            total += n
            for frame in set(frames):
                inclusive[frame] = inclusive.get(frame, 0) + n
            if frames:
                own[frames[-1]] = own.get(frames[-1], 0) + n
    lines = [f"{total} busy samples (100 Hz, every thread of every process; {idle} waiting left out)"]
    for title, counts in (("inclusive", inclusive), ("self", own)):
        lines.append(f"{title}:")
        lines += [f"  {100 * n / max(total, 1):5.1f} %  {frame}"
                  for frame, n in sorted(counts.items(), key=lambda kv: -kv[1])[:top]]
    return "\n".join(lines)


def _dump(path: Path, phases: Phases, steps: list[Step], teacher: Session, pupils: list[Pupil]) -> None:
    """Every run and every lead each tab saw (perf_counter seconds), for a look at one class's timeline."""
    def tab(session: Session) -> dict[str, object]:
        return {"runs": [[r.fragment, r.cause, r.started, r.finished, r.status, r.exceptions] for r in session.runs],
                "leads": [[c.at, c.key, lead_of(c.key, c.data), c.fragment] for c in session.component_changes],
                "ticks": session.auto_sent, "trace": session.trace or [], "sent": session.sent}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({
        "marks": phases.marks, "cpu": phases.cpu,
        "steps": [[s.step, s.sent, s.finished, s.ok, s.published] for s in steps],
        "teacher": tab(teacher),
        "students": [{"worker": p.worker, "open_s": p.open_s, "error": p.error, **tab(p.session)}
                     for p in pupils if p.session is not None]}))


def _fragment_latencies(session: Session, start: float, end: float) -> list[float]:
    """For each fragment run that finished within [start, end]: from the earliest timer tick it served until it
    finished (the server coalesces waiting ticks, and a tick arriving during a fragment run may cut it short:
    FINISHED_EARLY_FOR_RERUN, its ticks then wait for the next run)."""
    ticks = sorted(session.auto_sent)
    out: list[float] = []
    waiting: list[float] = []
    i = 0
    for run in sorted((r for r in session.runs if r.fragment), key=lambda r: r.started):
        while i < len(ticks) and ticks[i] <= run.started:
            waiting.append(ticks[i])
            i += 1
        if run.status == "FINISHED_FRAGMENT_RUN_SUCCESSFULLY" and waiting:
            if start <= run.finished <= end:
                out.append(run.finished - waiting[0])
            waiting = []
    return out


def run_class(processes: int, students: int, args: argparse.Namespace) -> Outcome:
    with tempfile.TemporaryDirectory(prefix="convviz-bench-class-") as folder:
        rooms_file = Path(folder) / "rooms.sqlite3"
        logs = Path(args.logs) / f"{students}-students-{processes}-proc" if args.logs else Path(folder)
        logs.mkdir(parents=True, exist_ok=True)
        before = os.environ.get("CONVVIZ_ROOMS")
        os.environ["CONVVIZ_ROOMS"] = str(rooms_file)  # every process of the server shares this file
        try:
            with class_server(processes, logs) as server:
                for worker in server.workers:  # each process imports TensorFlow on its first run: not measured
                    warm(Server(worker, []))
                phases = Phases()
                outcome = asyncio.run(_class(server, rooms_file, args, students, phases))
        finally:
            if before is None:
                os.environ.pop("CONVVIZ_ROOMS", None)
            else:
                os.environ["CONVVIZ_ROOMS"] = before
        outcome.log_lines = _log_trouble(logs)
    return outcome


def _log_trouble(logs: Path) -> list[str]:
    """The processes' log lines that say something went wrong (the first few, and how many)."""
    lines = []
    for log in sorted(logs.glob("worker-*.log")):
        for line in log.read_text(errors="replace").splitlines():
            if re.search(r"Traceback|Error|Exception|WARNING|CRITICAL", line) and "absl::InitializeLog" not in line:
                lines.append(f"{log.name}: {line.strip()[:240]}")
    return lines


# ---- the report ----


def _spread(values: list[float]) -> str:
    if not values:
        return "—"
    return f"{ms(quantile(values, 0.5))} / {ms(quantile(values, 0.95))} / {ms(max(values))}"


def _cpu(outcome: Outcome, a: str, b: str) -> str:
    seconds = outcome.phases.seconds(a, b)
    per = outcome.phases.cpu_between(a, b)
    return " + ".join(f"{c:.1f} s ({100 * c / seconds:.0f} %)" for c in per) + f" in {seconds:.0f} s"


def report(outcomes: list[Outcome]) -> None:
    rows = []
    for o in outcomes:
        follows = len(o.steps) * sum(1 for p in o.pupils if p.open_ok)
        p95 = quantile(o.delays, 0.95) if o.delays else float("inf")
        verdict = "met" if p95 <= GOAL_S and not o.missed else "**missed**"
        opens = [p.open_s for p in o.pupils if p.open_ok]
        rows.append([str(o.students), str(o.processes),
                     f"{ms(quantile(opens, 0.5))} / {ms(quantile(opens, 0.95))}",
                     _spread(o.delays), f"{o.missed} of {follows}", f"{o.by_full_run} / {o.server_full_runs}",
                     _spread(o.fragment_latency), _spread([s.finished - s.sent for s in o.steps]), verdict])
    print(table(["students", "processes", "page open p50 / p95", "follow p50 / p95 / max", "missed (> 10 s)",
                 "follows by a full run / full runs the server started", "fragment run (tick to end) p50 / p95 / max",
                 "teacher's step run p50 / p95 / max", "goal: follow p95 ≤ 1 s"], rows))
    print()
    rows = []
    for o in outcomes:
        quiet = o.phases.cpu_between("quiet", "follow")
        per_run = 1000 * sum(quiet) / max(o.fragment_runs_quiet, 1)
        workers = sorted({p.worker for p in o.pupils if p.open_ok})
        split = " / ".join(str(sum(p.worker == w for p in o.pupils if p.open_ok)) for w in workers)
        rows.append([str(o.students), str(o.processes), f"{o.present}; {split}", f"{per_run:.1f} ms",
                     _cpu(o, "quiet", "follow"), _cpu(o, "follow", "followed"),
                     f"{o.fragment_runs_follow[0]:,} ({o.fragment_runs_follow[1]})",
                     f"{o.phases.client_cpu['followed'] - o.phases.client_cpu['follow']:.1f} s"])
    print(table(["students", "processes", "present (store); per process", "server CPU per fragment run (quiet)",
                 "server CPU, quiet (per process, % of a core)", "server CPU, follow phase",
                 "fragment runs, follow phase (cut short)",
                 "client CPU, follow phase"], rows))
    print()
    rows = []
    for o in outcomes:
        live = [p for p in o.pupils if p.open_ok]
        guesses = [p.guess_run for p in live if p.guess_ok]
        by_fragment = sum(p.guess_fragment for p in live if p.guess_ok)
        rows.append([str(o.students), str(o.processes),
                     f"{len(o.asked_s)} of {len(live)}; {_spread(o.asked_s)}",
                     f"{len(guesses)} of {len(live)} ({by_fragment} by a fragment run); {_spread(guesses)}",
                     f"{o.answers}", f"{o.histogram_x}", f"{len(o.result_s)} of {len(live)}; {_spread(o.result_s)}",
                     str(o.round_full_runs),
                     f"{o.lost[0]} of {o.lost[1]:,}", str(o.deaf),
                     "met" if o.answers == o.histogram_x == o.students and not o.deaf else "**missed**"])
    print(table(["students", "processes", "question shown (after the ask) p50 / p95 / max",
                 "guess run p50 / p95 / max", "answers stored", "histogram values", "answer shown (after the reveal)",
                 "full runs the server started on students' pages, predict round",
                 "full runs with no script_finished", "tabs that stopped polling",
                 "goal: all S in the histogram"], rows))
    for o in outcomes:
        if o.errors or o.failed_runs or o.log_lines:
            print(f"\n{o.students} students / {o.processes} processes: {o.failed_runs} failed run(s); "
                  f"{len(o.errors)} error(s); {len(o.log_lines)} log line(s) of trouble")
            for line in [*o.errors[:8], *o.log_lines[:8]]:
                print(f"  {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, nargs="+", default=[40])
    parser.add_argument("--processes", type=int, nargs="+", default=[2])
    parser.add_argument("--spread", type=float, default=5.0, help="seconds over which the students' tabs open")
    parser.add_argument("--settle", type=float, default=10.0,
                        help="seconds after the last tab opened before the teacher moves (the second half is the "
                             "quiet window)")
    parser.add_argument("--steps", type=int, default=10, help="how many times the teacher moves the player")
    parser.add_argument("--every", type=float, default=3.0, help="seconds between the teacher's steps")
    parser.add_argument("--guess-spread", type=float, default=5.0, help="seconds over which the guesses come")
    parser.add_argument("--returning", action="store_true",
                        help="browsers that opened the page before (the room in a cookie: one run per open)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--logs", default="", help="keep the server processes' logs in this folder")
    parser.add_argument("--dump", default="", help="write each class's timeline (every run, every lead) here")
    parser.add_argument("--profile", default="", help="sample the servers with py-spy during the follow phase; "
                        "the collapsed stacks go to this folder (one subfolder per class)")
    args = parser.parse_args()
    if not all(1 <= n <= 400 for n in args.students) or not all(1 <= n <= 8 for n in args.processes) \
            or not 1 <= args.steps <= 60 or not 1 <= args.every <= 30 or not 0 <= args.spread <= 60:
        parser.error("bounds: 1–400 students, 1–8 processes, 1–60 steps, 1–30 s apart, spread 0–60 s")
    print(f"Load average at start: {load_average()}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(machine_line(Streamlit=streamlit.__version__))
    print(f"students opening within {args.spread} s, {args.steps} teacher's steps {args.every} s apart, "
          f"guesses within {args.guess_spread} s\n")
    outcomes = []
    for processes in args.processes:
        for students in args.students:
            print(f"  {students} students / {processes} processes (load average {load_average()})", file=sys.stderr)
            folder = str(Path(args.profile) / f"{students}-{processes}") if args.profile else ""
            outcome = run_class(processes, students, argparse.Namespace(**{**vars(args), "profile": folder}))
            outcomes.append(outcome)
            print(f"  ... follow {_spread(outcome.delays)}, missed {outcome.missed}, answers {outcome.answers}, "
                  f"histogram {outcome.histogram_x}", file=sys.stderr)
    report(outcomes)
    if args.profile:
        for processes in args.processes:
            for students in args.students:
                print(f"\nProfile of the follow phase, {students} students, {processes} processes:\n")
                print(profile_summary(Path(args.profile) / f"{students}-{processes}"))
                print(f"\nProfile of the predict round (the ask, the guesses), waits on locks included, {students} "
                      f"students, {processes} processes:\n")
                print(profile_summary(Path(args.profile) / f"{students}-{processes}" / "round"))
    print(f"\nLoad average at end: {load_average()}")


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
