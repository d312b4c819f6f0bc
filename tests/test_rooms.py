"""The room store (issue 23): codes a class can type, secrets only the teacher holds, rooms that expire, and answers
taken once each, bounded in size, count and rate; shared by every process that opens the same store.

Every rule is tested on both stores: SQLite (one machine) and a real Redis server (a class across machines),
started here on a free loopback port (skipped locally only when `redis-server` is missing; never when CI=true).
"""

from __future__ import annotations

import itertools
import math
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convviz.rooms import store
from convviz.rooms.store import Answer, RedisRooms, SqliteRooms
from tests.conftest import free_port, skip_or_fail, stop_process_group

T0 = 1_800_000_000.0  # a fixed "now"; every call takes its time from the caller
LOOK_ALIKES = set("0O1IL")
Rooms = SqliteRooms | RedisRooms
_prefixes = itertools.count()


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Redis server of its own, on a free loopback port, keeping nothing on disk."""
    server = shutil.which("redis-server")
    if server is None:
        skip_or_fail("redis-server is not installed (Debian: apt-get install redis-server)")
    port = free_port()
    process = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
                                "no", "--dir", str(tmp_path_factory.mktemp("redis"))],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        import redis

        client = redis.Redis.from_url(url)
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        yield url
    finally:
        stop_process_group(process)


def make_rooms(kind: str, where: Path | str) -> Rooms:
    """A fresh, empty store: a new SQLite file in `where`, or a new key prefix on the Redis server at `where`."""
    if kind == "sqlite":
        return SqliteRooms(Path(where) / f"rooms-{next(_prefixes)}.sqlite")
    return RedisRooms(str(where), prefix=f"test{next(_prefixes)}")


def location(rooms: Rooms) -> str:
    return rooms.path if isinstance(rooms, SqliteRooms) else rooms.url


@pytest.fixture(params=["sqlite", "redis"])
def rooms(request: pytest.FixtureRequest, tmp_path: Path) -> Rooms:
    where = tmp_path if request.param == "sqlite" else request.getfixturevalue("redis_url")
    return make_rooms(request.param, where)


@pytest.fixture
def sqlite_rooms(tmp_path: Path) -> SqliteRooms:
    return SqliteRooms(tmp_path / "rooms.sqlite")


def asking(rooms: Rooms, code: str, secret: str, question: int, now: float = T0) -> None:
    assert rooms.publish(code, secret, {"step": 3, "question": {"id": question, "revealed": False}}, now) is not None


def test_codes_are_short_free_of_look_alikes_and_never_collide(rooms: Rooms) -> None:
    codes = [rooms.open_room(T0)[0] for _ in range(2000)]
    assert len(set(codes)) == len(codes)
    assert all(4 <= len(code) <= 6 and not LOOK_ALIKES & set(code) for code in codes)


def test_a_drawn_code_already_in_use_is_drawn_again(rooms: Rooms, monkeypatch: pytest.MonkeyPatch) -> None:
    taken, _ = rooms.open_room(T0)
    draws = iter([taken, taken, "ABCDE"])
    monkeypatch.setattr(store, "new_code", lambda: next(draws))
    code, secret = rooms.open_room(T0)
    assert code == "ABCDE" and rooms.is_teacher(code, secret) and not rooms.is_teacher(taken, secret)


def test_the_secret_has_128_bits_and_the_file_keeps_only_its_digest(sqlite_rooms: SqliteRooms,
                                                                    tmp_path: Path) -> None:
    rooms = sqlite_rooms
    code, secret = rooms.open_room(T0)
    assert len(secret) >= 22  # token_urlsafe(16): 16 random bytes
    kept = b"".join(path.read_bytes() for path in tmp_path.iterdir())
    assert secret.encode() not in kept and code.encode() in kept


@pytest.mark.parametrize("typed", ["abcde", " AB CDE ", "AB-CDE"])
def test_a_typed_code_is_forgiven_its_case_spaces_and_dash(typed: str) -> None:
    assert store.checked_code(typed) == "ABCDE"


@pytest.mark.parametrize("raw", [None, 12345, "", "ABCD", "ABCDEF", "ABCD0", "ABCDI", "<b>X</b>", "A" * 100])
def test_anything_else_is_no_code(raw: object) -> None:
    assert store.checked_code(raw) is None


def test_only_the_secret_drives_the_room(rooms: Rooms) -> None:
    code, secret = rooms.open_room(T0)
    other_code, other_secret = rooms.open_room(T0)
    for key in (None, "", "wrong", other_secret, secret + "x", 42):
        assert not rooms.is_teacher(code, key)
        assert rooms.publish(code, key, {"step": 1}, T0) is None
        assert rooms.answers(code, key, 1) is None
    assert not rooms.is_teacher("NOPE2", secret)
    assert rooms.room(code, T0) == store.Room(code, 0, {})
    assert rooms.publish(code, secret, {"view": "main", "step": 4}, T0 + 1) == 1
    assert rooms.publish(code, secret, {"view": "main", "step": 5}, T0 + 2) == 2
    assert rooms.room(code, T0 + 3) == store.Room(code, 2, {"step": 5, "view": "main"})
    assert rooms.room(other_code, T0 + 3) == store.Room(other_code, 0, {})


def test_a_state_too_large_or_not_plain_data_is_not_published(rooms: Rooms) -> None:
    code, secret = rooms.open_room(T0)
    assert rooms.publish(code, secret, {"h": "9" * store.MAX_STATE_BYTES}, T0) is None
    assert rooms.publish(code, secret, {"step": math.nan}, T0) is None
    assert rooms.publish(code, secret, {"step": object()}, T0) is None
    assert rooms.room(code, T0).version == 0


def test_an_idle_room_expires_and_its_code_is_cleared_for_new_rooms(rooms: Rooms) -> None:
    code, secret = rooms.open_room(T0)
    asking(rooms, code, secret, 1)
    rooms.seen(code, "s1", T0 + 10)
    assert rooms.answer(code, 1, "s1", 4.0, T0 + 10) is Answer.TAKEN
    assert rooms.room(code, T0 + store.IDLE_S - 1) is not None
    later = T0 + store.IDLE_S + 1
    assert rooms.room(code, later) is None
    rooms.open_room(later)  # opening a room clears the idle ones (Redis forgets them by itself), answers too
    if isinstance(rooms, SqliteRooms):
        assert rooms.room(code, T0) is None, "gone, not just idle"
        assert rooms.students(code, T0 + 10) == 0 and rooms.answers(code, secret, 1) is None


def test_students_in_the_room_keep_it_alive_and_are_counted_while_seen(rooms: Rooms) -> None:
    code, _ = rooms.open_room(T0)
    for n in range(5):
        rooms.seen(code, f"student-{n}", T0 + 100)
    rooms.seen(code, "student-0", T0 + 100)  # seen again: still one student
    rooms.seen(code, "x" * (store.MAX_STUDENT_ID + 1), T0 + 100)  # no such student id: not counted
    rooms.seen(code, "tab\there", T0 + 100)
    assert rooms.students(code, T0 + 101) == 5
    assert rooms.students(code, T0 + 100 + store.PRESENT_S + 1) == 0
    late = T0 + store.IDLE_S + 50  # the teacher has not published, but students came within IDLE_S
    rooms.seen(code, "student-9", T0 + store.IDLE_S - 10)
    assert rooms.room(code, late) is not None


def test_an_answer_is_taken_once_per_student_and_question(rooms: Rooms) -> None:
    code, secret = rooms.open_room(T0)
    asking(rooms, code, secret, 1)
    assert rooms.answer(code, 1, "s1", 12.5, T0) is Answer.TAKEN
    assert rooms.answer(code, 1, "s1", 13.0, T0 + 5) is Answer.ALREADY
    assert rooms.answer(code, 1, "s2", -3, T0) is Answer.TAKEN
    assert rooms.answers(code, secret, 1) == [12.5, -3.0]
    assert rooms.my_answer(code, 1, "s1") == 12.5 and rooms.my_answer(code, 1, "s3") is None


def test_answers_only_go_to_the_open_question_of_a_room(rooms: Rooms) -> None:
    code, secret = rooms.open_room(T0)
    assert rooms.answer(code, 1, "s1", 1.0, T0) is Answer.CLOSED  # nothing asked yet
    asking(rooms, code, secret, 2)
    assert rooms.answer(code, 1, "s1", 1.0, T0) is Answer.CLOSED  # an earlier question
    assert rooms.answer("NOPE2", 2, "s1", 1.0, T0) is Answer.CLOSED
    rooms.publish(code, secret, {"question": {"id": 2, "revealed": True}}, T0)
    assert rooms.answer(code, 2, "s1", 1.0, T0) is Answer.CLOSED  # revealed: the round is over
    assert rooms.answers(code, secret, 2) == []


@pytest.mark.parametrize(("revealed", "verdict"), [(True, Answer.CLOSED), (False, Answer.TAKEN),
                                                  ("yes", Answer.TAKEN), (1, Answer.TAKEN)])
def test_only_a_reveal_of_true_closes_a_question_on_either_store(rooms: Rooms, revealed: object,
                                                                 verdict: Answer) -> None:
    # The teacher's page publishes a boolean; both stores read anything else the same way (SQLite in Python,
    # Redis in Lua, where 1 and "yes" are no `true`).
    code, secret = rooms.open_room(T0)
    rooms.publish(code, secret, {"question": {"id": 1, "revealed": revealed}}, T0)
    assert rooms.answer(code, 1, "s1", 2.0, T0) is verdict


def test_a_student_answers_at_most_once_a_second(rooms: Rooms) -> None:
    code, secret = rooms.open_room(T0)
    asking(rooms, code, secret, 1)
    assert rooms.answer(code, 1, "s1", 1.0, T0) is Answer.TAKEN
    asking(rooms, code, secret, 2, T0 + 0.2)
    assert rooms.answer(code, 2, "s1", 1.0, T0 + 0.5) is Answer.TOO_FAST
    assert rooms.answer(code, 2, "s1", 1.0, T0 + store.ANSWER_GAP_S + 0.1) is Answer.TAKEN


def test_a_question_takes_a_bounded_number_of_answers(rooms: Rooms, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store, "MAX_ANSWERS", 3)
    code, secret = rooms.open_room(T0)
    asking(rooms, code, secret, 1)
    verdicts = [rooms.answer(code, 1, f"s{n}", n, T0) for n in range(5)]
    assert verdicts == [Answer.TAKEN] * 3 + [Answer.FULL] * 2
    assert len(rooms.answers(code, secret, 1)) == 3


@pytest.mark.parametrize(("student", "value"), [
    ("s1", math.nan), ("s1", math.inf), ("s1", -2e6), ("s1", True), ("s1", "12"), ("", 1.0), ("é", 1.0),
    ("x" * 65, 1.0), (None, 1.0),
])
def test_no_guess_that_is_not_a_bounded_number_is_taken(rooms: Rooms, student: object, value: object) -> None:
    code, secret = rooms.open_room(T0)
    asking(rooms, code, secret, 1)
    assert rooms.answer(code, 1, student, value, T0) is Answer.INVALID  # type: ignore[arg-type]
    assert rooms.answers(code, secret, 1) == []


@pytest.mark.parametrize("kind", ["sqlite", "redis"])
@settings(max_examples=150, deadline=None)
@given(student=st.text(max_size=80), value=st.one_of(st.floats(), st.integers(), st.booleans(), st.text(max_size=5)))
def test_any_answer_a_page_could_send_gets_a_verdict_and_only_valid_ones_are_kept(
        request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, kind: str, student: str,
        value: object) -> None:
    where = tmp_path_factory.getbasetemp() if kind == "sqlite" else request.getfixturevalue("redis_url")
    rooms = make_rooms(kind, where)
    code, secret = rooms.open_room(T0)
    asking(rooms, code, secret, 1)
    verdict = rooms.answer(code, 1, student, value, T0)  # type: ignore[arg-type]
    kept = rooms.answers(code, secret, 1)
    number = isinstance(value, int | float) and not isinstance(value, bool) and abs(value) <= 1e6  # NaN fails too
    named = 0 < len(student) <= 64 and all(" " <= c <= "~" for c in student)  # printable ASCII
    if number and named:
        assert verdict is Answer.TAKEN and kept == [float(value)]  # type: ignore[arg-type]
    else:
        assert verdict is Answer.INVALID and kept == []


def test_a_failure_inside_an_answer_leaves_no_transaction_open(sqlite_rooms: SqliteRooms,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    rooms = sqlite_rooms
    code, secret = rooms.open_room(T0)
    asking(rooms, code, secret, 1)

    def broken(*_: object) -> Answer:
        raise sqlite3_error()

    monkeypatch.setattr(SqliteRooms, "_check_answer", broken)
    with pytest.raises(RuntimeError):
        rooms.answer(code, 1, "s1", 1.0, T0)
    monkeypatch.undo()
    assert rooms.answer(code, 1, "s1", 1.0, T0) is Answer.TAKEN  # the connection still works


def sqlite3_error() -> RuntimeError:
    return RuntimeError("the disk went away")


WORKER = textwrap.dedent("""
    import sys
    from convviz.rooms.store import RedisRooms, open_rooms
    where, prefix, code, first, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    rooms = RedisRooms(where, prefix) if where.startswith("redis") else open_rooms(where)
    print(rooms.room(code, 1_800_000_000.0).state["step"])
    for n in range(first, first + count):
        rooms.seen(code, f"s{n}", 1_800_000_000.0)
        print(rooms.answer(code, 1, f"s{n}", float(n), 1_800_000_000.0).value)
""")


def test_every_process_that_opens_the_file_shares_the_rooms(rooms: Rooms) -> None:
    # Four processes (as behind serve-class.sh 4) read what the teacher published and answer at once: every one of
    # the 200 answers is taken, once, and the teacher's process sees them all.
    code, secret = rooms.open_room(T0)
    asking(rooms, code, secret, 1)
    prefix = rooms.prefix if isinstance(rooms, RedisRooms) else ""
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, location(rooms), prefix, code, str(50 * k), "50"],
                                stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parent.parent)
               for k in range(4)]
    outputs = [worker.communicate(timeout=120)[0].split() for worker in workers]
    assert all(worker.returncode == 0 for worker in workers)
    assert all(lines[0] == "3" and lines[1:] == ["taken"] * 50 for lines in outputs), outputs
    assert sorted(rooms.answers(code, secret, 1)) == [float(n) for n in range(200)]
    assert rooms.students(code, T0) == 200


def test_the_setting_names_the_store(tmp_path: Path, redis_url: str) -> None:
    assert isinstance(store.open_rooms(str(tmp_path / "class.sqlite")), SqliteRooms)
    assert isinstance(store.open_rooms(redis_url), RedisRooms)


def test_one_sqlite_store_serves_many_threads_at_once(tmp_path: Path) -> None:
    """Streamlit runs every script run on a thread of its own, and they share the process's pool of connections."""
    import threading

    rooms = SqliteRooms(tmp_path / "rooms.sqlite3")
    code, key = rooms.open_room(time.time())
    failures: list[BaseException] = []

    def student(n: int) -> None:
        try:
            for i in range(40):
                rooms.seen(code, f"s{n}", time.time())
                assert rooms.room(code, time.time()) is not None
                if i % 10 == 0:
                    assert rooms.publish(code, key, {"step": i}, time.time()) is not None
        except BaseException as err:
            failures.append(err)

    threads = [threading.Thread(target=student, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert rooms.students(code, time.time()) == 12
    room = rooms.room(code, time.time())
    assert room is not None and room.version == 12 * 4  # every publication counted, none lost
