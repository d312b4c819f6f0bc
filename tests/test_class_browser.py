"""Class mode in Chromium, through nginx in front of two processes (`scripts/serve-class.sh 2`).

A teacher and three students, each a browser of its own, pinned to the processes so that the teacher and at
least one student are served by different ones: everything they share goes through the room store (one SQLite
file). The students follow a step and a setting change; a predict round with three guesses shows three in the
teacher's histogram; a page with a wrong key cannot drive the room.

Skipped only when Chromium or nginx is missing and CI is not "true".
"""

from __future__ import annotations

import re
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench.stclient import first_cookie
from convviz.i18n.strings import text
from convviz.model.setting import Setting, make_tensors
from convviz.model.steps import step_table
from convviz.rooms.store import SqliteRooms
from convviz.ui import class_room
from tests.conftest import serving_class, wait_for_app

PLAYER = "[data-testid='convviz-player']"
FOLLOW_S = 5.0  # a student's page polls every second: a step or a setting arrives well within this
COOKIE = "convviz_worker"


@pytest.fixture(scope="module")
def classroom(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    rooms = tmp_path_factory.mktemp("rooms") / "rooms.sqlite3"
    with serving_class(2, {class_room.ROOMS_ENV: str(rooms)}) as url:
        yield url, rooms


def _worker(url: str, cookie: str) -> str:
    request = urllib.request.Request(f"{url}/_stcore/health", headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.headers["X-Convviz-Worker"]


def cookies_by_worker(url: str) -> dict[str, str]:
    """One stickiness cookie for each of the two processes (nginx hashes a random id: a few tries find both)."""
    found: dict[str, str] = {}
    for _ in range(64):
        cookie = first_cookie(url)
        assert cookie is not None
        found.setdefault(_worker(url, cookie), cookie.split("=", 1)[1])
        if len(found) == 2:
            return found
    pytest.fail("nginx sent every browser to one process")


def open_page(chromium: Any, url: str, path: str, worker_cookie: str, **context: Any) -> Any:
    browser = chromium.new_context(base_url=url, **context)
    browser.add_cookies([{"name": COOKIE, "value": worker_cookie, "url": url}])
    page = browser.new_page()
    page.goto(path)
    wait_for_app(page)
    page.wait_for_selector(PLAYER + "[data-settled='true']", timeout=60_000)
    return page


def attribute_becomes(page: Any, name: str, value: str, timeout_s: float = FOLLOW_S) -> str | None:
    """Wait for the player's `data-<name>` to read `value`; return what it read last."""
    deadline = time.monotonic() + timeout_s
    seen = page.get_attribute(PLAYER, f"data-{name}")
    while seen != value and time.monotonic() < deadline:
        time.sleep(0.05)
        seen = page.get_attribute(PLAYER, f"data-{name}")
    return seen


def test_a_class_follows_predicts_and_cannot_be_driven_by_a_wrong_key(chromium: Any,
                                                                       classroom: tuple[str, Path]) -> None:
    url, rooms_file = classroom
    workers = list(cookies_by_worker(url).values())
    teacher = open_page(chromium, url, "/?room=new", workers[0], viewport={"width": 1280, "height": 720})
    match = re.search(r"room=([A-Z0-9]{5})&key=([\w-]+)", teacher.url)
    assert match, teacher.url
    code, key = match.groups()
    assert text("class_teacher_title", code=code) in teacher.inner_text("body")
    phone = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
             "user_agent": "Mozilla/5.0 (Linux; Android 14; Pixel 8) Mobile"}
    students = [open_page(chromium, url, f"/?room={code}", workers[1], **phone),
                open_page(chromium, url, f"/?room={code}&lang=zh", workers[0],
                          viewport={"width": 1024, "height": 768}),
                open_page(chromium, url, f"/?room={code}", workers[1], viewport={"width": 360, "height": 740})]
    assert all("key=" not in student.url for student in students)

    # Follow a step: the teacher steps twice; every student's player comes to rest on step 2.
    for _ in range(2):
        teacher.click(".cvp-next")
        wait_for_app(teacher)
    assert [attribute_becomes(student, "step", "2") for student in students] == ["2"] * 3

    # Follow a setting: stride 2 on the teacher's page reaches every student's controls and link.
    stride = teacher.locator("[data-testid='stNumberInput']").filter(has_text="Stride").locator("input")
    stride.fill("2")
    stride.press("Enter")
    wait_for_app(teacher)
    for student in students:
        student.wait_for_url(re.compile(r"stride=2"), timeout=FOLLOW_S * 1000)
        assert "key=" not in student.url

    # A predict round: three guesses, two of them right.
    teacher.get_by_role("button", name=text("class_ask")).click()
    wait_for_app(teacher)
    assert attribute_becomes(teacher, "locked", "true") == "true"
    store = SqliteRooms(rooms_file)
    room = store.room(code, time.time())
    assert room is not None
    question = room.state["question"]
    assert store.answers(code, key, question["id"]) == []
    setting = Setting(stride=2)
    X, K, bias = make_tensors(setting)
    truth = float(step_table(X, K, bias, stride=2).outputs[question["step"], 0])  # Y[0] at the asked step
    for student in students:
        assert attribute_becomes(student, "locked", "true") == "true"
        assert student.locator(".cvp-next").is_disabled()  # the players wait for the reveal
    guesses = [truth, truth + 1, truth]
    for student, guess, language in zip(students, guesses, ("en", "zh", "en"), strict=True):
        student.get_by_label(text("class_guess", language)).fill(f"{guess:g}")
        student.get_by_role("button", name=text("class_send", language)).click()
        student.get_by_text(text("class_verdict_taken", language)).wait_for(timeout=10_000)
    assert sorted(store.answers(code, key, question["id"]) or []) == sorted(guesses)
    teacher.get_by_text(re.compile(r"answers:\s*3")).wait_for(timeout=10_000)

    teacher.get_by_role("button", name=text("class_reveal")).click()
    wait_for_app(teacher)
    teacher.wait_for_selector("[data-testid='stPlotlyChart'] .js-plotly-plot", timeout=10_000)
    drawn = teacher.evaluate("document.querySelector(\"[data-testid='stPlotlyChart'] .js-plotly-plot\").data[0].x")
    assert sorted(drawn) == sorted(guesses)
    assert attribute_becomes(teacher, "step", str(question["step"])) == str(question["step"])
    for student, guess, language in zip(students, guesses, ("en", "zh", "en"), strict=True):
        shown = f"{truth:.0f}"
        expected = (text("class_result_right", language, value=shown, guess=f"{guess:g}") if guess == truth
                    else text("class_result_wrong", language, value=shown, guess=f"{guess:g}"))
        student.get_by_text(expected).wait_for(timeout=FOLLOW_S * 1000)
        assert attribute_becomes(student, "locked", "false") == "false"
        assert attribute_becomes(student, "step", str(question["step"])) == str(question["step"])

    # A wrong key: a student's page, which explores on its own and moves nobody.
    intruder = open_page(chromium, url, f"/?room={code}&key={'A' * 22}", workers[1],
                         viewport={"width": 1280, "height": 720})
    assert text("class_wrong_key", code=code) in intruder.inner_text("body")
    assert intruder.get_by_role("button", name=text("class_ask")).count() == 0
    assert "key=" not in intruder.url
    before = store.room(code, time.time())
    intruder.click(".cvp-next")
    wait_for_app(intruder)
    stride = intruder.locator("[data-testid='stNumberInput']").filter(has_text="Stride").locator("input")
    stride.fill("1")
    stride.press("Enter")
    wait_for_app(intruder)
    after = store.room(code, time.time())
    assert before is not None and after is not None and after.version == before.version  # nothing published
    assert [attribute_becomes(student, "step", str(question["step"])) for student in students] == [
        str(question["step"])] * 3

    # Another tab's player leads too: the teacher opens the pooling tab and steps; every student follows.
    teacher.get_by_role("tab", name=text("tab_pooling")).click()
    wait_for_app(teacher)
    teacher.wait_for_selector(PLAYER + "[data-settled='true']", timeout=60_000)
    teacher.click(".cvp-next")
    wait_for_app(teacher)
    for student in students:
        student.wait_for_url(re.compile(r"view=Pooling"), timeout=FOLLOW_S * 1000)
    assert [attribute_becomes(student, "step", "1") for student in students] == ["1"] * 3
    for page in (teacher, intruder, *students):
        assert page.locator("[data-testid='stException']").count() == 0
        page.context.close()



WAKES = """() => {
  const box = document.querySelector("[data-testid='convviz-player']");
  let node = box;
  while (node && !node.__convvizPlayer) node = node.parentElement;
  const p = node.__convvizPlayer;
  window.__wakes = [];
  const send = p.setStateValue;
  p.setStateValue = (name, value) => { if (name === "wake") window.__wakes.push(value); return send(name, value); };
  window.__beats = 0;
  const dispatch = window.dispatchEvent.bind(window);  // the beacon announces by window.dispatchEvent: hold it back
  window.dispatchEvent = (e) => (e.type === "convviz:lead" ? (window.__beats += 1, true) : dispatch(e));
}"""


def test_a_students_page_whose_polling_stops_asks_for_a_full_run(chromium: Any,
                                                                 classroom: tuple[str, Path]) -> None:
    url, _ = classroom
    workers = list(cookies_by_worker(url).values())
    teacher = open_page(chromium, url, "/?room=new", workers[0])
    code = re.search(r"room=([A-Z0-9]{5})", teacher.url).group(1)  # type: ignore[union-attr]
    student = open_page(chromium, url, f"/?room={code}", workers[1])
    time.sleep(2)  # the beats have begun, and the watchdog with them
    student.evaluate(WAKES)  # from now on the player hears no beat, as if the page's polling had ended
    time.sleep(3)
    assert student.evaluate("window.__beats") >= 2 and student.evaluate("window.__wakes.length") == 0
    deadline = time.monotonic() + 10
    while student.evaluate("window.__wakes.length") == 0 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert student.evaluate("window.__wakes.length") == 1  # once, after 5 s of silence
    wait_for_app(student)
    assert student.locator("[data-testid='stException']").count() == 0
    for page in (teacher, student):
        page.context.close()
