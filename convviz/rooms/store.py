"""A class's room, kept where every process of the app can read it (issue 23): SQLite in WAL mode on one machine.

A room has a short code the students type or scan, and a secret only the teacher's link carries. The teacher's page
publishes what it shows (the view's link values and the step) and, in a predict round, the question; the students'
pages read it, say they are there, and answer. Nothing about a room lives in one process's memory, so the
processes behind `scripts/serve-class.sh N` all see the same rooms.

Every call takes `now` (seconds since the epoch) from the caller, so that expiry and rates are testable without
waiting. The store keeps a digest of the secret, never the secret itself.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import math
import queue
import secrets
import sqlite3
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: nothing to mistake on a projector
CODE_LENGTH = 5  # 31**5 ≈ 28.6 million codes
SECRET_BYTES = 16  # 128 bits, from `secrets`
IDLE_S = 4 * 3600.0  # a room nobody has used for this long is gone
PRESENT_S = 10.0  # a student seen within this many seconds is in the room
TOUCH_S = 60.0  # a room's last use is written at most this often by its students
MAX_STATE_BYTES = 8_000  # what a teacher publishes: the view's link values, the step, the question
MAX_ANSWERS = 1_000  # per question: a lecture hall, and no more
ANSWER_GAP_S = 1.0  # one answer per student per this many seconds, across questions
MAX_ANSWER = 1e6  # |guess|: anything larger is no guess at an output cell
MAX_STUDENT_ID = 64  # characters


class Answer(Enum):
    """What became of a student's answer."""

    TAKEN = "taken"
    ALREADY = "already"  # this student has answered this question
    CLOSED = "closed"  # no such question open in this room (or no such room)
    FULL = "full"  # the question has MAX_ANSWERS answers
    TOO_FAST = "too_fast"  # this student answered less than ANSWER_GAP_S ago
    INVALID = "invalid"  # not a finite number within ±MAX_ANSWER, or a malformed student id


@dataclass(frozen=True)
class Room:
    """A room as its pages see it: what the teacher published, and a version that grows with each publication."""

    code: str
    version: int
    state: dict[str, Any] = field(default_factory=dict)


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def checked_code(raw: object) -> str | None:
    """A room code as typed or linked (case and spaces forgiven), or None if it cannot be one."""
    if not isinstance(raw, str) or len(raw) > 3 * CODE_LENGTH:
        return None
    code = raw.replace(" ", "").replace("-", "").upper()
    return code if len(code) == CODE_LENGTH and all(c in CODE_ALPHABET for c in code) else None


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "replace")).hexdigest()


_SCHEMA = """
CREATE TABLE IF NOT EXISTS rooms (
    code TEXT PRIMARY KEY, secret TEXT NOT NULL, state TEXT NOT NULL, version INTEGER NOT NULL, used REAL NOT NULL);
CREATE TABLE IF NOT EXISTS presence (
    code TEXT NOT NULL, student TEXT NOT NULL, seen REAL NOT NULL, PRIMARY KEY (code, student));
CREATE TABLE IF NOT EXISTS answers (
    code TEXT NOT NULL, question INTEGER NOT NULL, student TEXT NOT NULL, value REAL NOT NULL, at REAL NOT NULL,
    PRIMARY KEY (code, question, student));
CREATE INDEX IF NOT EXISTS answers_by_student ON answers (code, student, at);
"""


class SqliteRooms:
    """The rooms in one SQLite file that every process on the machine opens (WAL: readers never wait for a writer).

    A small pool of connections per process: a run borrows one and gives it back. (Streamlit runs every script run
    on a new thread: a connection per thread was a new connection, and its two PRAGMAs, for every student's poll,
    12 % of the server under 200 followers; one connection behind a process-wide lock then made every poll wait
    while an answer waited for SQLite's write lock, stalling a process for seconds as 200 guesses came in. With a
    connection each, readers never wait for a writer in WAL mode; bench/README.md.)
    """

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._idle: queue.SimpleQueue[sqlite3.Connection] = queue.SimpleQueue()
        with self._connection() as db:
            db.executescript(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=10.0, isolation_level=None,  # autocommit; BEGIN where needed
                             check_same_thread=False)  # lent to one thread at a time (the pool)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")  # WAL keeps the file consistent; a power cut loses the last use
        return db

    @contextlib.contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        """A connection of the pool's (a new one when all are lent out), given back afterwards."""
        try:
            db = self._idle.get_nowait()
        except queue.Empty:
            db = self._connect()
        try:
            yield db
        finally:
            self._idle.put(db)

    def open_room(self, now: float) -> tuple[str, str]:
        """A new room: its code (never one in use) and its secret. Rooms idle for IDLE_S are cleared first."""
        secret = secrets.token_urlsafe(SECRET_BYTES)
        with self._connection() as db:
            self._forget_idle(db, now)
            while True:
                code = new_code()
                try:
                    db.execute("INSERT INTO rooms VALUES (?, ?, '{}', 0, ?)", (code, _digest(secret), now))
                except sqlite3.IntegrityError:  # taken: draw again
                    continue
                return code, secret

    def room(self, code: str, now: float) -> Room | None:
        """The room `code`, or None if there is none (or it has been idle for IDLE_S)."""
        with self._connection() as db:
            row = db.execute(
                "SELECT version, state FROM rooms WHERE code = ? AND used > ?", (code, now - IDLE_S)).fetchone()
        return None if row is None else Room(code, row[0], json.loads(row[1]))

    def is_teacher(self, code: str, secret: object) -> bool:
        """Whether `secret` is the room's: only its holder drives the room and sees the answers."""
        if not isinstance(secret, str) or not secret:
            return False
        with self._connection() as db:
            row = db.execute("SELECT secret FROM rooms WHERE code = ?", (code,)).fetchone()
        return row is not None and hmac.compare_digest(row[0], _digest(secret))

    def publish(self, code: str, secret: object, state: Mapping[str, Any], now: float) -> int | None:
        """The teacher's page shows `state`: store it and return the room's new version; None if not the teacher or
        the state is over MAX_STATE_BYTES."""
        text = _state_text(state)
        if text is None or not self.is_teacher(code, secret):
            return None
        with self._connection() as db:
            row = db.execute(
                "UPDATE rooms SET state = ?, version = version + 1, used = ? WHERE code = ? RETURNING version",
                (text, now, code)).fetchone()
        return None if row is None else int(row[0])

    def seen(self, code: str, student: str, now: float) -> None:
        """Student `student` is on the room's page now (their page says so every few seconds)."""
        if not _valid_student(student):
            return
        with self._connection() as db:
            db.execute("INSERT INTO presence VALUES (?, ?, ?) "
                       "ON CONFLICT (code, student) DO UPDATE SET seen = excluded.seen", (code, student, now))
            db.execute("UPDATE rooms SET used = ? WHERE code = ? AND used < ?", (now, code, now - TOUCH_S))

    def students(self, code: str, now: float) -> int:
        """How many students have been seen in the room within PRESENT_S."""
        with self._connection() as db:
            row = db.execute(
                "SELECT COUNT(*) FROM presence WHERE code = ? AND seen > ?", (code, now - PRESENT_S)).fetchone()
        return int(row[0])

    def answer(self, code: str, question: int, student: str, value: float, now: float) -> Answer:
        """A student's guess for question `question` of the room: taken once, bounded in size, count and rate."""
        if not _valid_student(student) or not _valid_value(value):
            return Answer.INVALID
        with self._connection() as db:
            db.execute("BEGIN IMMEDIATE")  # the checks and the insert as one step, whichever process comes first
            try:
                verdict = self._check_answer(db, code, question, student, now)
                if verdict is Answer.TAKEN:
                    db.execute("INSERT INTO answers VALUES (?, ?, ?, ?, ?)",
                               (code, question, student, float(value), now))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return verdict

    def _check_answer(self, db: sqlite3.Connection, code: str, question: int, student: str, now: float) -> Answer:
        row = db.execute("SELECT state FROM rooms WHERE code = ? AND used > ?", (code, now - IDLE_S)).fetchone()
        asked = json.loads(row[0]).get("question") if row else None
        if not isinstance(asked, dict) or asked.get("id") != question or asked.get("revealed") is True:
            return Answer.CLOSED
        if db.execute("SELECT 1 FROM answers WHERE code = ? AND question = ? AND student = ?",
                      (code, question, student)).fetchone():
            return Answer.ALREADY
        if db.execute("SELECT 1 FROM answers WHERE code = ? AND student = ? AND at > ?",
                      (code, student, now - ANSWER_GAP_S)).fetchone():
            return Answer.TOO_FAST
        count = db.execute("SELECT COUNT(*) FROM answers WHERE code = ? AND question = ?", (code, question)).fetchone()
        return Answer.FULL if count[0] >= MAX_ANSWERS else Answer.TAKEN

    def answers(self, code: str, secret: object, question: int) -> list[float] | None:
        """Every guess for `question`, for the teacher's page only (None for anyone else)."""
        if not self.is_teacher(code, secret):
            return None
        with self._connection() as db:
            rows = db.execute(
                "SELECT value FROM answers WHERE code = ? AND question = ? ORDER BY at", (code, question)).fetchall()
        return [float(value) for (value,) in rows]

    def my_answer(self, code: str, question: int, student: str) -> float | None:
        """The guess `student` gave for `question`, if any (so their page can say whether it was right)."""
        with self._connection() as db:
            row = db.execute("SELECT value FROM answers WHERE code = ? AND question = ? AND student = ?",
                             (code, question, student)).fetchone()
        return None if row is None else float(row[0])

    def _forget_idle(self, db: sqlite3.Connection, now: float) -> None:
        idle = [code for (code,) in db.execute("SELECT code FROM rooms WHERE used <= ?", (now - IDLE_S,))]
        for table in ("presence", "answers", "rooms"):  # three fixed names, never a user's text
            db.executemany(f"DELETE FROM {table} WHERE code = ?", [(code,) for code in idle])


def _state_text(state: Mapping[str, Any]) -> str | None:
    """What a teacher publishes, as the JSON a store keeps; None if it is not plain JSON data or is over
    MAX_STATE_BYTES (nothing a page would publish)."""
    try:
        text = json.dumps(state, separators=(",", ":"), sort_keys=True, allow_nan=False)
    except (TypeError, ValueError):
        return None
    return text if len(text.encode()) <= MAX_STATE_BYTES else None


def _valid_student(student: object) -> bool:
    return (isinstance(student, str) and 0 < len(student) <= MAX_STUDENT_ID and student.isascii()
            and student.isprintable())


def _valid_value(value: object) -> bool:
    return (isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
            and abs(value) <= MAX_ANSWER)


# Checks and takes an answer in one step on the Redis server, whichever process sends it first.
# KEYS: the room, its answers (student -> value), their order (student by time), each student's last answer time.
# ARGV: question, student, value, now, IDLE_S, ANSWER_GAP_S, MAX_ANSWERS.
_ANSWER_LUA = """
local state = redis.call('HGET', KEYS[1], 'state')
local used = tonumber(redis.call('HGET', KEYS[1], 'used') or '0')
local now = tonumber(ARGV[4])
if not state or used <= now - tonumber(ARGV[5]) then return 'closed' end
local question = cjson.decode(state)['question']
if type(question) ~= 'table' or question['id'] ~= tonumber(ARGV[1]) or question['revealed'] == true then
  return 'closed'
end
if redis.call('HEXISTS', KEYS[2], ARGV[2]) == 1 then return 'already' end
local last = tonumber(redis.call('HGET', KEYS[4], ARGV[2]) or '-1e300')
if now - last < tonumber(ARGV[6]) then return 'too_fast' end
if redis.call('HLEN', KEYS[2]) >= tonumber(ARGV[7]) then return 'full' end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
redis.call('ZADD', KEYS[3], now, ARGV[2])
redis.call('HSET', KEYS[4], ARGV[2], ARGV[4])
return 'taken'
"""


class RedisRooms:
    """The rooms on a Redis server that every machine of a class's deployment reaches (`CONVVIZ_ROOMS=redis://…`).

    The same rules as SqliteRooms. A room's keys also carry a Redis expiry of IDLE_S past their last use, so the
    server forgets idle rooms by itself.
    """

    def __init__(self, url: str, prefix: str = "convviz") -> None:
        import redis  # only a deployment across machines needs the client

        self.url, self.prefix = url, prefix
        # Any: redis-py types every reply as bytes | str | None whatever the connection decodes; here it is str.
        self._redis: Any = redis.Redis.from_url(url, decode_responses=True)
        self._answer = self._redis.register_script(_ANSWER_LUA)

    def _keys(self, code: str) -> tuple[str, str, str, str]:
        base = f"{self.prefix}:room:{code}"
        return base, f"{base}:presence", f"{base}:last", f"{base}:"

    def _answer_keys(self, code: str, question: int) -> list[str]:
        room, _, last, base = self._keys(code)
        return [room, f"{base}answers:{question}", f"{base}order:{question}", last]

    def _keep(self, code: str, *extra: str) -> None:
        """Push the Redis expiry of the room's keys to IDLE_S from now (real time: Redis keeps its own clock)."""
        pipe = self._redis.pipeline(transaction=False)
        for key in (*self._keys(code)[:3], *extra):
            pipe.expire(key, int(IDLE_S) + 60)
        pipe.execute()

    def open_room(self, now: float) -> tuple[str, str]:
        secret = secrets.token_urlsafe(SECRET_BYTES)
        while True:
            code = new_code()
            room = self._keys(code)[0]
            if self._redis.hsetnx(room, "secret", _digest(secret)):
                self._redis.hset(room, mapping={"state": "{}", "version": 0, "used": repr(now)})
                self._keep(code)
                return code, secret

    def _used(self, code: str) -> float | None:
        used = self._redis.hget(self._keys(code)[0], "used")
        return None if used is None else float(used)

    def room(self, code: str, now: float) -> Room | None:
        state, version, used = self._redis.hmget(self._keys(code)[0], ["state", "version", "used"])
        if state is None or used is None or float(used) <= now - IDLE_S:
            return None
        return Room(code, int(version), json.loads(state))

    def is_teacher(self, code: str, secret: object) -> bool:
        if not isinstance(secret, str) or not secret:
            return False
        kept = self._redis.hget(self._keys(code)[0], "secret")
        return kept is not None and hmac.compare_digest(kept, _digest(secret))

    def publish(self, code: str, secret: object, state: Mapping[str, Any], now: float) -> int | None:
        text = _state_text(state)
        if text is None or not self.is_teacher(code, secret):
            return None
        room = self._keys(code)[0]
        pipe = self._redis.pipeline()  # MULTI: the state and its version change together
        pipe.hset(room, mapping={"state": text, "used": repr(now)})
        pipe.hincrby(room, "version", 1)
        version = pipe.execute()[1]
        self._keep(code)
        return int(version)

    def seen(self, code: str, student: str, now: float) -> None:
        if not _valid_student(student):
            return
        room, presence, _, _ = self._keys(code)
        self._redis.zadd(presence, {student: now})
        used = self._used(code)
        if used is not None and used < now - TOUCH_S:
            self._redis.hset(room, "used", repr(now))
            self._keep(code)

    def students(self, code: str, now: float) -> int:
        return int(self._redis.zcount(self._keys(code)[1], f"({now - PRESENT_S!r}", "+inf"))

    def answer(self, code: str, question: int, student: str, value: float, now: float) -> Answer:
        if not _valid_student(student) or not _valid_value(value):
            return Answer.INVALID
        keys = self._answer_keys(code, question)
        verdict = self._answer(keys=keys, args=[question, student, repr(float(value)), repr(now), IDLE_S,
                                                ANSWER_GAP_S, MAX_ANSWERS])
        self._keep(code, keys[1], keys[2])
        return Answer(verdict)

    def answers(self, code: str, secret: object, question: int) -> list[float] | None:
        if not self.is_teacher(code, secret):
            return None
        _, values, order, _ = self._answer_keys(code, question)
        students = self._redis.zrange(order, 0, -1)
        return [float(v) for v in self._redis.hmget(values, students)] if students else []

    def my_answer(self, code: str, question: int, student: str) -> float | None:
        value = self._redis.hget(self._answer_keys(code, question)[1], student)
        return None if value is None else float(value)


def open_rooms(where: str) -> SqliteRooms | RedisRooms:
    """The room store `where` names (the CONVVIZ_ROOMS setting): a redis:// or rediss:// URL, else a SQLite file."""
    if where.startswith(("redis://", "rediss://", "unix://")):
        return RedisRooms(where)
    return SqliteRooms(where)
