"""Class mode as Streamlit runs it (AppTest): a teacher's page and students' pages sharing one room store.

Each AppTest is a session of its own, as each browser is; they meet only through the SQLite file CONVVIZ_ROOMS
names, as pages on several processes do. What the player is handed (its lead, the hidden cell, the lock) is read
from the component's data, which AppTest sees but cannot run.
"""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import numpy as np
import pytest
import segno
from PIL import Image
from streamlit.testing.v1 import AppTest

from convviz.i18n.strings import text
from convviz.model.link import STEP_KEYS, VIEWS
from convviz.model.setting import Setting, make_tensors
from convviz.model.steps import step_table
from convviz.rooms.store import CODE_ALPHABET, CODE_LENGTH, SqliteRooms
from convviz.ui import class_room

APP = str(Path(__file__).resolve().parents[1] / "app.py")
TIMEOUT = 120


@pytest.fixture
def rooms_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "rooms.sqlite3"
    monkeypatch.setenv(class_room.ROOMS_ENV, str(path))
    return path


def page(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def player_data(at: AppTest, key: str = "player") -> dict:
    return json.loads(next(c for c in at.get("bidi_component") if c.key == key).proto.bytes)


def beacon(at: AppTest) -> dict:
    """What the lead beacon (drawn in a follower's poll) hands the player between runs."""
    found = [c for c in at.get("bidi_component") if c.key == "lead_beacon"]
    assert len(found) == 1
    return json.loads(found[0].proto.json)


def notices(at: AppTest) -> list[str]:
    return [t.value[2:] for t in at.text if t.value.startswith("• ")]


def rest_on(at: AppTest, step: int, key: str = "player") -> AppTest:
    """The browser's player (the main view's, or the one `key` names) comes to rest on `step` and says so (a run)."""
    at.session_state[key] = {"step": step, "room": None}
    return at.run()


def teacher_page() -> tuple[AppTest, str, str]:
    at = page(room="new")
    assert not at.exception
    code, key = at.query_params["room"], at.query_params["key"]
    return at, code, key


def asked_with_a_student() -> tuple[AppTest, AppTest, str]:
    """A teacher's page that has asked the class a question, a student's page locked by it, and the room."""
    teacher, code, _ = teacher_page()
    student = page(room=code)
    teacher.button(key="class_ask").click().run()
    student.run()
    assert player_data(student)["locked"] is True
    return teacher, student, code


def seat(at: AppTest) -> class_room.Seat:
    value = at.session_state[class_room.STATE]
    assert isinstance(value, class_room.Seat)
    return value


def test_room_new_opens_a_room_and_puts_the_teachers_link_in_the_address_bar(rooms_file: Path) -> None:
    at, code, key = teacher_page()
    assert len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET)
    assert len(key) >= 22  # 128 bits in URL-safe base64
    store = SqliteRooms(rooms_file)
    assert store.is_teacher(code, key)
    shown = [c.value for c in at.code]
    assert shown == [class_room.students_link(code, None)] and key not in shown[0]  # the students' link: no key
    assert seat(at).teacher
    # A second room=new elsewhere gets another code.
    assert teacher_page()[1] != code


def test_the_teachers_page_publishes_its_setting_and_step_and_a_student_takes_them(rooms_file: Path) -> None:
    teacher, code, _ = teacher_page()
    teacher.number_input(key="h").set_value(8).run()
    rest_on(teacher, 5)
    room = SqliteRooms(rooms_file).room(code, time.time())
    assert room is not None and room.state["values"]["h"] == "8" and room.state["values"]["step"] == "5"
    assert "key" not in room.state["values"] and "room" not in room.state["values"]  # nothing of the teacher's own

    student = page(room=code, lang="zh")
    assert not student.exception
    assert student.number_input(key="h").value == 8  # the teacher's setting
    assert student.query_params["lang"] == "zh"  # the student's own language
    data = player_data(student)
    assert data["step"] == 5 and data["lead"]["step"] == 5 and data["locked"] is False
    assert "key" not in student.query_params  # a student's page never holds a key
    assert not seat(student).teacher


def test_a_follower_takes_each_change_and_a_new_step_goes_by_the_beacon(rooms_file: Path) -> None:
    teacher, code, _ = teacher_page()
    student = page(room=code)
    teacher.number_input(key="stride").set_value(2).run()
    student.run()  # the student's poll found news: the page runs again
    assert student.number_input(key="stride").value == 2
    rest_on(teacher, 3)
    student.run()
    beat = beacon(student)
    assert beat == {"seq": seat(student).leads, "step": 3, "hide": None, "locked": False, "beat": seat(student).beats}
    student.run()
    assert beacon(student)["beat"] == beat["beat"] + 1  # a heartbeat: the player's watchdog hears each poll
    assert player_data(student)["lead"] == {"seq": seat(student).leads, "step": 3, "report": False}


def test_a_student_who_changes_a_setting_explores_and_comes_back_with_follow(rooms_file: Path) -> None:
    teacher, code, _ = teacher_page()
    student = page(room=code)
    student.number_input(key="kh").set_value(2).run()
    assert seat(student).follow is False
    assert student.toggle(key=class_room.FOLLOW_KEY).value is False
    teacher.number_input(key="w").set_value(9).run()
    student.run()
    assert student.number_input(key="w").value == 6  # exploring: the teacher's change is not taken
    assert student.number_input(key="kh").value == 2
    student.toggle(key=class_room.FOLLOW_KEY).set_value(True).run()
    assert student.number_input(key="w").value == 9 and student.number_input(key="kh").value == 3


def test_a_student_who_steps_the_player_explores(rooms_file: Path) -> None:
    _, code, _ = teacher_page()
    student = page(room=code)
    rest_on(student, 4)  # the student pressed ▶ four times
    assert seat(student).follow is False
    assert player_data(student)["step"] == 4


# Every view with a player but the main one: the view, its player's key and the link key of its step.
PLAYER_VIEWS = [(VIEWS[3], "pool_player", "pool_step"), (VIEWS[4], "tr_player", "tr_step"),
                (VIEWS[5], "st_player", "st_step"), (VIEWS[6], "col_player", "col_step")]
TAB_LABEL = {VIEWS[3]: "tab_pooling", VIEWS[4]: "tab_transposed", VIEWS[5]: "tab_stack", VIEWS[6]: "tab_im2col"}


@pytest.mark.parametrize(("view", "player_key", "step_key"), PLAYER_VIEWS)
def test_every_tabs_player_follows_the_teacher_without_running_the_students_page(
        rooms_file: Path, view: str, player_key: str, step_key: str) -> None:
    assert STEP_KEYS[view] == step_key
    teacher, code, _ = teacher_page()
    teacher.session_state["view_tabs_en"] = text(TAB_LABEL[view])
    teacher.run()
    student = page(room=code)
    assert student.query_params["view"] == view  # the teacher's tab
    rest_on(teacher, 2, player_key)
    room = SqliteRooms(rooms_file).room(code, time.time())
    assert room is not None and room.state["values"][step_key] == "2"
    # The step alone is news a poll hands the player (the beacon): the student's page need not run.
    assert class_room.poll(seat(student), SqliteRooms(rooms_file), time.time()) is False
    assert seat(student).lead_step == 2
    student.run()
    assert beacon(student)["step"] == 2 and seat(student).follow is True
    data = player_data(student, player_key)
    assert data["lead"]["step"] == 2 and data["locked"] is False
    # A student who steps this player explores on their own, and the teacher's next step does not move it.
    rest_on(student, 1, player_key)
    assert seat(student).follow is False and player_data(student, player_key)["step"] == 1
    rest_on(teacher, 3, player_key)
    student.run()
    assert player_data(student, player_key)["step"] == 1 and beacon(student)["seq"] == -1
    student.toggle(key=class_room.FOLLOW_KEY).set_value(True).run()  # back with the teacher: on the teacher's step
    assert player_data(student, player_key)["lead"]["step"] == 3


def test_a_student_following_into_another_tab_starts_on_the_teachers_step_there(rooms_file: Path) -> None:
    teacher, code, _ = teacher_page()
    student = page(room=code)
    rest_on(teacher, 6)
    student.run()
    rest_on(student, 6)  # the student's main player came to rest where it was led
    teacher.session_state["view_tabs_en"] = text("tab_pooling")
    teacher.run()
    rest_on(teacher, 1, "pool_player")
    student.run()
    assert student.query_params["view"] == VIEWS[3]
    assert player_data(student, "pool_player")["lead"]["step"] == 1
    rest_on(student, 1, "pool_player")  # the new tab's player comes to rest on its lead: no exploring
    assert seat(student).follow is True


def test_a_teacher_who_opens_another_tab_withdraws_the_main_tabs_question(rooms_file: Path) -> None:
    teacher, student, code = asked_with_a_student()
    teacher.session_state["view_tabs_en"] = text("tab_pooling")
    teacher.run()
    assert seat(teacher).open_question() is None and player_data(teacher, "pool_player")["locked"] is False
    room = SqliteRooms(rooms_file).room(code, time.time())
    assert room is not None and room.state["question"] is None  # the class is no longer asked
    student.run()
    assert student.query_params["view"] == VIEWS[3] and player_data(student, "pool_player")["locked"] is False


@pytest.mark.parametrize(("query", "step"), [
    ({"view": VIEWS[3], "pool_step": "7", "step": "2"}, 7), ({"view": "pooling", "pool_step": "7"}, 7),
    ({"view": VIEWS[3], "step": "2"}, 0), ({"step": "2", "pool_step": "7"}, 2),
    ({"view": VIEWS[1], "step": "2"}, 2), ({"view": "<b>x</b>", "step": "2"}, 2)])
def test_the_published_step_is_the_published_views_players(query: dict[str, str], step: int) -> None:
    assert class_room._step_of(query) == step


def test_a_wrong_key_gives_a_students_page_that_cannot_drive(rooms_file: Path) -> None:
    _, code, _ = teacher_page()
    intruder = page(room=code, key="A" * 22)
    assert not intruder.exception
    assert not seat(intruder).teacher
    assert any(code in line for line in notices(intruder))
    assert "key" not in intruder.query_params
    assert not [b for b in intruder.button if b.key == "class_ask"]  # no question to ask
    intruder.toggle(key=class_room.FOLLOW_KEY).set_value(False).run()
    intruder.number_input(key="h").set_value(12).run()
    room = SqliteRooms(rooms_file).room(code, time.time())
    assert room is not None and room.state.get("values", {}).get("h") is None  # the room is the teacher's


def test_a_room_that_is_not_there_and_a_code_that_cannot_be_one_get_a_sentence(rooms_file: Path) -> None:
    missing = page(room="ZZZZZ")
    assert not missing.exception
    assert any("ZZZZZ" in line for line in notices(missing))
    assert "room" not in missing.query_params
    malformed = page(room="<b>x</b>")
    assert any("<b>x</b>" in line for line in notices(malformed))  # quoted as plain text
    assert not [m for m in malformed.markdown if "<b>" in m.value]


def test_a_store_that_cannot_be_reached_gives_a_sentence_not_a_traceback(tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(class_room.ROOMS_ENV, str(tmp_path / "no" / "such" / "folder" / "rooms.sqlite3"))
    at = page(room="new")
    assert not at.exception
    assert notices(at) and "room" not in at.query_params


def test_a_predict_round_from_question_to_histogram(rooms_file: Path) -> None:
    teacher, code, key = teacher_page()
    rest_on(teacher, 2)
    students = [page(room=code) for _ in range(3)]
    teacher.button(key="class_ask").click().run()
    question = seat(teacher).question
    assert question is not None and question["step"] == 3 and question["revealed"] is False
    data = player_data(teacher)
    assert data["hide"] == 3 and data["locked"] is True and data["step"] == 2  # the projector hides it too

    X, K, bias = make_tensors(Setting())
    truth = float(step_table(X, K, bias).outputs[3, 0])  # Y[0] at step 3: the NumPy-checked step table
    assert seat(teacher).truth == truth
    guesses = [truth, truth + 1, truth]
    for student, guess in zip(students, guesses, strict=True):
        student.run()
        assert player_data(student)["hide"] == 3 and player_data(student)["locked"] is True
        student.number_input(key=class_room.GUESS_KEY).set_value(guess)
        next(b for b in student.button if b.label == text("class_send")).click().run()
        assert seat(student).answer_verdict == "taken"
    assert SqliteRooms(rooms_file).answers(code, key, question["id"]) == guesses

    teacher.button(key="class_reveal").click().run()
    figure = json.loads(teacher.get("plotly_chart")[0].proto.spec)
    histogram = figure["data"][0]
    assert histogram["type"] == "histogram" and sorted(histogram["x"]) == sorted(guesses)
    assert figure["layout"]["shapes"][0]["x0"] == truth
    assert "2 of 3" in figure["layout"]["title"]["text"]
    assert player_data(teacher)["lead"]["step"] == 3 and player_data(teacher)["lead"]["report"] is True

    results = []
    for student in students:
        student.run()
        results.append([s.value for s in student.success] + [i.value for i in student.info])
        assert player_data(student)["locked"] is False and player_data(student)["hide"] is None
    assert [bool(r) and text("class_result_right", value=f"{truth:.0f}", guess=f"{truth:g}") in r
            for r in results] == [True, False, True]


def test_changing_the_setting_withdraws_an_open_question(rooms_file: Path) -> None:
    teacher, _, _ = teacher_page()
    teacher.button(key="class_ask").click().run()
    assert seat(teacher).open_question()
    teacher.number_input(key="h").set_value(7).run()
    assert seat(teacher).question is None
    assert player_data(teacher)["locked"] is False


def test_the_qr_code_holds_the_students_link() -> None:
    url = "http://10.0.0.5:8501/?room=K7QX3"
    picture = np.asarray(Image.open(io.BytesIO(class_room.qr_png(url))).convert("L"))
    expected = np.array([[bool(v) for v in row] for row in segno.make(url, error="m").matrix])
    scale, border = 10, 4
    assert picture.shape == ((expected.shape[0] + 2 * border) * scale,) * 2
    centres = picture[border * scale + scale // 2::scale, border * scale + scale // 2::scale][:expected.shape[0],
                                                                                               :expected.shape[1]]
    assert np.array_equal(centres < 128, expected)  # dark modules where the code has them, and only there


@pytest.mark.parametrize(("page_url", "link"), [
    ("http://10.0.0.5:8501/?room=AAAAA&key=secret", "http://10.0.0.5:8501/?room=K7QX3"),
    ("https://school.example/convviz/", "https://school.example/convviz/?room=K7QX3"),
    ("http://127.0.0.1:8501", "http://127.0.0.1:8501/?room=K7QX3"),
    (None, "/?room=K7QX3"),
])
def test_the_students_link_is_the_page_with_the_code_alone(page_url: str | None, link: str) -> None:
    assert class_room.students_link("K7QX3", page_url) == link


# ---- a student's poll, between full runs ----


def test_the_poll_takes_a_new_step_at_once_and_asks_a_full_run_for_anything_more(rooms_file: Path) -> None:
    store = SqliteRooms(rooms_file)
    code, key = store.open_room(time.time())
    store.publish(code, key, {"values": {"h": "8"}, "question": None}, time.time())
    student = class_room.Seat(code, "")
    student.taken, student.applied = {"h": "8"}, 1
    now = time.time()
    assert class_room.poll(student, store, now) is False and store.students(code, now) == 1  # nothing new
    store.publish(code, key, {"values": {"h": "8", "step": "4"}, "question": None}, now)
    assert class_room.poll(student, store, now + 1) is False  # a new step: taken here, for the beacon
    assert (student.lead_step, student.leads, student.applied) == (4, 1, 2)
    store.publish(code, key, {"values": {"h": "9", "step": "4"}, "question": None}, now)
    assert class_room.poll(student, store, now + 2) is True  # a new setting: the page must run
    student.follow = False
    assert class_room.poll(student, store, now + 3) is False  # ... unless the student explores
    asked = {"id": 1, "step": 5, "revealed": False}
    store.publish(code, key, {"values": {"h": "8", "step": "4"}, "question": asked}, now)
    assert class_room.poll(student, store, now + 4) is False  # a question is taken in the poll: no full run ...
    assert student.question == asked and student.follow is True  # ... and puts the explorer back on the teacher
    assert store.students(code, now + 4) == 1  # said it was there, at most every SEEN_EVERY_S
    assert student.seen_at == now + 4


@pytest.mark.parametrize("raw", ["7", "", "x", "-1", "٣", "1" * 9])
def test_a_published_step_is_read_as_a_whole_number_or_zero(raw: str) -> None:
    assert class_room._step_of({"step": raw}) == (7 if raw == "7" else 0)


# ---- the teacher's other buttons, and what breaks ----


def test_the_teacher_closes_the_join_panel_and_asks_from_another_tab(rooms_file: Path) -> None:
    teacher, _, _ = teacher_page()
    teacher.session_state[class_room.JOIN_KEY] = False
    teacher.run()
    assert not teacher.code and not teacher.get("imgs")  # the link and its QR code are put away
    teacher.session_state["view_tabs_en"] = "1×1 convolution"
    teacher.run()
    assert teacher.query_params["view"] == "1×1 convolution"
    teacher.button(key="class_ask").click().run()
    assert "view" not in teacher.query_params  # the question is the main view's: its tab opens
    assert seat(teacher).open_question() and player_data(teacher)["locked"] is True


def test_withdrawing_a_question_unlocks_every_player(rooms_file: Path) -> None:
    teacher, student, _ = asked_with_a_student()
    teacher.button(key="class_cancel").click().run()
    assert seat(teacher).question is None and player_data(teacher)["locked"] is False
    student.run()
    assert player_data(student)["locked"] is False and not seat(student).open_question()


def test_a_student_who_sends_nothing_is_told_and_one_who_did_not_answer_learns_the_value(rooms_file: Path) -> None:
    teacher, code, _ = teacher_page()
    student = page(room=code)
    teacher.button(key="class_ask").click().run()
    student.run()
    next(b for b in student.button if b.label == text("class_send")).click().run()
    assert text("class_verdict_invalid") in [t.value for t in student.text]
    teacher.button(key="class_reveal").click().run()
    student.run()
    value = seat(teacher).truth
    assert text("class_result_none", value=f"{value:.0f}") in [t.value for t in student.text]


def test_a_malformed_question_in_the_room_breaks_no_students_page(rooms_file: Path) -> None:
    store = SqliteRooms(rooms_file)
    code, key = store.open_room(time.time())
    student = page(room=code)
    store.publish(code, key, {"values": [], "question": {"id": "x", "revealed": True, "value": "?"}}, time.time())
    student.run()
    assert not student.exception
    store.publish(code, key, {"values": {"h": "5"}, "question": {"revealed": False, "cell": "?"}}, time.time())
    student.run()
    assert not student.exception and student.number_input(key="h").value == 5
    assert text("class_predict", o=0, i=0, j=0) in [m.value for m in student.markdown]


class BrokenRooms:
    """A room store that has gone away (a Redis server stopped, a disk full): every call fails."""

    def __getattr__(self, name: str):
        def fail(*args, **kwargs):
            raise __import__("sqlite3").OperationalError("disk I/O error")
        return fail


def test_a_store_that_goes_away_mid_lesson_leaves_every_page_working(rooms_file: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    teacher, code, _ = teacher_page()
    student = page(room=code)
    teacher.button(key="class_ask").click().run()
    student.run()
    working = class_room.store
    monkeypatch.setattr(class_room, "store", BrokenRooms)
    student.number_input(key=class_room.GUESS_KEY).set_value(3)
    next(b for b in student.button if b.label == text("class_send")).click().run()
    assert text("class_verdict_down") in [t.value for t in student.text]
    teacher.button(key="class_reveal").click().run()
    student.run()
    for at in (teacher, student):
        assert not at.exception
    assert text("class_store_down") in [w.value for w in teacher.warning]
    assert text("class_store_down") in [c.value for c in teacher.caption]
    monkeypatch.setattr(class_room, "store", working)  # back: the teacher's page publishes the reveal it missed
    teacher.run()
    student.run()
    assert seat(student).question["revealed"] is True
    monkeypatch.setattr(class_room, "store", BrokenRooms)  # and gone again while both pages run
    for at in (teacher.run(), student.run()):
        assert not at.exception


def test_a_teacher_whose_room_no_longer_takes_the_view_is_told(rooms_file: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    teacher, _, _ = teacher_page()
    monkeypatch.setattr(SqliteRooms, "publish", lambda *args: None)
    teacher.number_input(key="h").set_value(5).run()
    assert text("class_publish_failed") in [w.value for w in teacher.warning]


def test_a_wrong_keys_notice_stays_while_the_page_takes_the_teachers_setting(rooms_file: Path) -> None:
    teacher, code, _ = teacher_page()
    teacher.number_input(key="stride").set_value(2).run()
    intruder = page(room=code, key="B" * 22)
    assert intruder.number_input(key="stride").value == 2
    assert notices(intruder) == [text("class_wrong_key", code=code)]
    intruder.run()
    assert notices(intruder) == [text("class_wrong_key", code=code)]  # not swept away by the values it took


# ---- several pages holding the key: a reload, a second tab, a phone as a remote ----


def test_a_reloaded_teachers_page_goes_on_with_the_lesson(rooms_file: Path) -> None:
    teacher, code, key = teacher_page()
    teacher.number_input(key="h").set_value(8).run()
    rest_on(teacher, 4)
    teacher.button(key="class_ask").click().run()
    asked = seat(teacher).question
    reloaded = page(room=code, key=key)  # the same link, opened afresh (no step, no h in it)
    assert reloaded.number_input(key="h").value == 8
    assert seat(reloaded).question == asked and seat(reloaded).truth == seat(teacher).truth
    data = player_data(reloaded)
    assert (data["step"], data["hide"], data["locked"]) == (4, 5, True)
    reloaded.button(key="class_reveal").click().run()
    figure = json.loads(reloaded.get("plotly_chart")[0].proto.spec)
    assert figure["layout"]["shapes"][0]["x0"] == seat(teacher).truth


def test_a_second_teacher_page_leads_and_the_first_follows_it(rooms_file: Path) -> None:
    first, code, key = teacher_page()
    remote = page(room=code, key=key)
    remote.number_input(key="padding").set_value(1).run()
    rest_on(remote, 6)
    first.run()  # its poll found the room led elsewhere
    assert first.number_input(key="padding").value == 1
    assert player_data(first)["lead"] == {"seq": seat(first).leads, "step": 6, "report": True}
    student = page(room=code)
    assert student.number_input(key="padding").value == 1 and player_data(student)["step"] == 6


def test_the_teachers_count_speaks_the_pages_language_in_its_own_runs(rooms_file: Path) -> None:
    def script() -> None:
        from convviz.ui import class_room

        class_room._teacher_live(class_room.Seat("K7QX3", "key"), "zh")  # as its fragment runs: outside `speaking`

    at = AppTest.from_function(script, default_timeout=TIMEOUT).run()
    assert [m.value for m in at.markdown] == [text("class_present", "zh", count=0)]


def test_a_notice_found_after_the_link_was_read_is_shown_once() -> None:
    def script() -> None:
        from convviz.ui import link_state

        link_state.open_link("en")
        for _ in range(2):
            link_state.add_notice("class_no_room", raw="ZZZZZ")
        link_state.show_notices(__import__("streamlit").empty())

    at = AppTest.from_function(script, default_timeout=TIMEOUT).run()
    assert notices(at) == [text("class_no_room", raw="ZZZZZ")]


def test_each_page_keeps_its_own_presentation_mode_and_text_size(rooms_file: Path) -> None:
    teacher, code, _ = teacher_page()
    student = page(room=code, zoom="1.5")
    teacher.toggle(key="present").set_value(True).run()
    teacher.selectbox(key="zoom").set_value("2").run()
    teacher.number_input(key="h").set_value(7).run()
    student.run()
    assert student.number_input(key="h").value == 7  # the setting is followed ...
    assert student.toggle(key="present").value is False and student.selectbox(key="zoom").value == "1.5"
    student.selectbox(key="zoom").set_value("1.25").run()
    assert seat(student).follow is True  # ... and a page's own text size is no departure from the teacher


def test_a_follower_opens_the_tab_the_teacher_opens_with_its_matrix(rooms_file: Path) -> None:
    teacher, code, _ = teacher_page()
    student = page(room=code)  # (in English: AppTest cannot send back a radio whose labels are not its options)
    teacher.session_state["view_tabs_en"] = "1×1 convolution"
    teacher.run()
    teacher.number_input(key="mix_c_out").set_value(2).run()
    student.run()
    assert student.query_params["view"] == "1×1 convolution"
    assert student.number_input(key="mix_c_out").value == 2
    assert student.session_state["mix_matrix_state"]["basis"] == teacher.session_state["mix_matrix_state"]["basis"]
    assert not student.exception


def test_a_room_that_closes_under_a_students_page_leaves_it_working(rooms_file: Path) -> None:
    import sqlite3

    _, code, _ = teacher_page()
    student = page(room=code)
    with sqlite3.connect(rooms_file) as db:  # as if the room had been idle for hours and was cleared
        db.execute("DELETE FROM rooms WHERE code = ?", (code,))
    student.run()
    assert not student.exception and player_data(student)["locked"] is False
