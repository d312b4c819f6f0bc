"""Hostile input that is not a file: links and the player's reports, fuzzed with seeded, reproducible generators.

Whatever a student types into the address bar, or a tampered browser reports as the player's state, the page
reads it into bounded values (or falls back), says what it changed in a bounded list of plain-text notices, and
never raises. Memory is checked too: reading a link allocates a bounded amount, whatever its size.
"""

from __future__ import annotations

import math
import random
import tracemalloc

from hypothesis import given, settings
from hypothesis import strategies as st
from test_app import link_notices, run_app

from convviz.model import link
from convviz.model.link import FIELDS, Int, parse, to_query
from convviz.ui.player import ROOM_LIMITS, read_state, room_from_cookie

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=500, deadline=None)
@given(st.one_of(json_values, st.fixed_dictionaries({"step": json_values, "room": json_values})),
       st.integers(1, link.MAX_STEPS), st.data())
def test_any_player_report_gives_a_step_that_exists_and_a_bounded_room(report, n_steps, data):
    url_step = data.draw(st.integers(0, n_steps - 1))
    state = read_state(report, n_steps, url_step)
    assert isinstance(state.step, int) and 0 <= state.step < n_steps
    if state.room is not None:
        (w_low, w_high), (h_low, h_high) = ROOM_LIMITS
        assert w_low <= state.room.width <= w_high and h_low <= state.room.height <= h_high


def test_a_tampered_report_in_the_running_page_falls_back_without_an_error():
    at = run_app()
    for report in ({"step": math.nan, "room": [math.nan, math.nan]}, {"step": 10**400, "room": [math.inf, 1e308]},
                   {"step": [1], "room": {"w": 1}}, {"step": -(2**70), "room": [True, False]}, "🙂" * 1000):
        at.session_state["player"] = report
        at.run()
        assert not at.exception, report
        assert at.get("bidi_component"), "the player is still drawn"


# ---- links ----

_ALPHABET = "abcdefghijklmnopqrstuvwxyz_0123456789,;.-+eE `$![]()<>#*\\/%٣８\x00\n"


def _random_link(rng: random.Random) -> dict[str, list[str]]:
    """Real keys with mangled values, misspelt keys, repeats, and values of any length and alphabet."""
    keys = list(FIELDS)
    query: dict[str, list[str]] = {}
    for _ in range(rng.randint(0, 40)):
        key = rng.choice(keys)
        if rng.random() < 0.2:  # a typo
            key = key[: rng.randint(0, len(key))] + rng.choice(_ALPHABET) + key[rng.randint(0, len(key)):]
        length = rng.choice((0, 1, 3, 12, 200, 5000))
        value = "".join(rng.choices(_ALPHABET, k=length))
        if rng.random() < 0.3:  # a value of the right shape, a little off
            field = FIELDS.get(key)
            value = str(rng.randint(-5, 40)) if isinstance(field, Int) else value
        query.setdefault(key, []).append(value)
    return query


def test_a_thousand_random_links_are_read_into_bounded_values_and_reread_without_a_notice():
    rng = random.Random(20261201)
    for _ in range(1000):
        raw = _random_link(rng)
        values, notices = parse(raw)
        for key, field in FIELDS.items():
            if isinstance(field, Int):
                assert field.low <= values[key] <= field.high, (key, raw)
        assert len(notices) <= len(raw) + 40  # a handful per key at most, each distinct problem once
        assert all(len(str(v)) <= 200 for n in notices for name, v in n.values if name == "raw")
        assert parse({k: [v] for k, v in to_query(values).items()}) == (values, ())


def test_reading_a_large_link_allocates_little():
    flood = {f"k{i}": ["x" * 60] for i in range(999)}  # Streamlit ignores links of 1,000 keys or more
    flood["kernels"] = [",".join(["nope"] * 10_000)]
    flood["mix_W"] = ["1," * 2000]
    tracemalloc.start()
    try:
        parse(flood)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * 2**20, f"reading the link peaked at {peak / 2**20:.1f} MB"


def test_the_issues_hostile_links_open_with_their_notices_in_plain_text():
    at = run_app(values="image", kernels=",".join(["a"] * 9000))  # a 18 kB link of one repeated unknown name
    assert not at.exception
    assert link_notices(at) == [
        "“a” is not a kernel in the library (identity, box_blur, gaussian_blur, sharpen, outline, sobel_x, sobel_y, "
        "laplacian, emboss, random), so it was left out."]


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.none(), st.text(max_size=60), st.tuples(st.floats(), st.floats()).map(lambda t: f"{t[0]},{t[1]}")))
def test_any_room_cookie_gives_a_bounded_room_or_none(raw):
    room = room_from_cookie(raw)
    if room is not None:
        (w_low, w_high), (h_low, h_high) = ROOM_LIMITS
        assert w_low <= room.width <= w_high and h_low <= room.height <= h_high


def test_the_room_cookie_the_player_writes_is_read_back():
    assert room_from_cookie("1456,768") == read_state({"room": [1456, 768]}, 1, 0).room
    assert room_from_cookie("nan,768") is None and room_from_cookie("1,2,3") is None and room_from_cookie("") is None
    assert room_from_cookie(None) is None and room_from_cookie(["1456", "768"]) is None  # only text is a cookie


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_any_upload_guard_report_is_a_size_over_the_limit_or_none(report):
    from convviz.ui.upload_guard import refused_size

    refused = refused_size(report, 5_000_000)
    assert refused is None or 5_000_000 < refused[0] <= 10**13


def test_the_upload_guards_own_report_is_read():
    from convviz.ui.upload_guard import refused_size

    assert refused_size([5_500_000, 1_796_146_000_000], 5_000_000) == (5_500_000, 1_796_146_000_000.0)
    assert refused_size([4_000_000, 1], 5_000_000) is None  # within the limit: no refusal
    assert refused_size([math.nan, 1], 5_000_000) is None and refused_size("5500000", 5_000_000) is None
