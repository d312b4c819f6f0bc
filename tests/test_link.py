"""The link read once (`convviz.model.link`): every key typed and bounded, each problem named once, and what is
written reads back the same. Pure functions: no Streamlit, no browser."""

from __future__ import annotations

import time

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from convviz.model import kernels, link, mixing
from convviz.model.link import FIELDS, Choice, Flag, Int, Text, parse, to_query


def q(**pairs: str | list[str]) -> dict[str, list[str]]:
    """A raw query as the address bar holds it: each key with every value it was given."""
    return {key: value if isinstance(value, list) else [value] for key, value in pairs.items()}


def sentences(notices) -> list[str]:
    return [n.sentence for n in notices]


def test_a_bare_link_is_every_default_with_nothing_to_say():
    values, notices = parse({})
    assert values == link.defaults() and notices == ()
    assert to_query(values) == {}


def test_a_repeated_key_keeps_its_last_value_and_says_so_once():
    values, notices = parse(q(h=["3", "4"], view=[link.VIEWS[1], link.VIEWS[2]]))
    assert values["h"] == 4 and values["view"] == link.VIEWS[2]
    assert sentences(notices) == ["link_repeated", "link_repeated"]
    assert {dict(n.values)["key"] for n in notices} == {"h", "view"}
    assert to_query(values)["h"] == "4"  # the written link holds one h


def test_digits_from_other_scripts_are_not_numbers():
    values, notices = parse(q(c_in="٣", h="８"))
    assert values["c_in"] == link.FIELDS["c_in"].default and values["h"] == link.FIELDS["h"].default
    assert sentences(notices) == ["link_not_number", "link_not_number"]


def test_out_of_range_and_fractional_numbers_are_clamped_with_the_range_named():
    values, notices = parse(q(h="99", w="2.6", stride="-1", seed="1e400"))
    assert (values["h"], values["w"], values["stride"], values["seed"]) == (32, 3, 1, 0)
    assert sentences(notices) == ["link_clamped", "link_clamped", "link_clamped", "link_not_finite"]
    assert dict(notices[0].values) == {"key": "h", "raw": "99", "low": 1, "high": 32, "value": 32}


def test_groups_must_divide_both_channel_counts():
    values, notices = parse(q(groups="3", c_out="2"))  # c_i = 3, c_o = 2: only 1 divides both
    assert values["groups"] == 1 and sentences(notices) == ["link_groups"]
    values, notices = parse(q(groups="2", c_in="4", c_out="6"))
    assert values["groups"] == 2 and notices == ()


def test_a_picture_fixes_the_channel_counts_and_the_link_is_told():
    values, notices = parse(q(values="image", kernels="sobel_x", c_out="5"))
    assert sentences(notices) == ["link_fixed_picture"]
    assert dict(notices[0].values)["value"] == 1  # one kernel: one output channel
    assert "c_out" not in to_query(values)


def test_the_textbook_fixes_the_shapes():
    values, notices = parse(q(values="textbook", c_in="4", kh="2"))  # kh=2 is the textbook's own
    assert sentences(notices) == ["link_fixed_textbook"]
    assert dict(notices[0].values)["key"] == "c_in"
    assert to_query(values) == {"values": "textbook"}  # the written link carries no shapes the example fixes


def test_an_edit_of_a_kernel_the_picture_does_not_have_is_removed():
    values, notices = parse(q(values="image", kernels="sobel_x,sobel_y,box_blur", kernel_7="1,0,0;0,1,0;0,0,1"))
    assert values["kernel_7"] == "" and sentences(notices) == ["link_edit_no_kernel"]


def test_an_edited_kernel_keeps_every_digit():
    values, notices = parse(q(values="image", kernel_0="0.1234567,0,0;0,1,0;0,0,-2.5e-3"))
    assert notices == ()
    assert link.edit_values(values["kernel_0"])[0] == 0.1234567
    assert link.edit_values(values["kernel_0"])[8] == -2.5e-3


def test_edits_that_are_no_kernel_or_too_large_fall_back_to_the_library():
    _, notices = parse(q(values="image", kernel_0="1,2;3,4", kernel_1="1000,0,0;0,0,0;0,0,0"))
    assert sentences(notices) == ["link_edit_not_3x3", "link_edit_too_big"]


def test_the_followed_channel_and_the_step_exist():
    values, notices = parse(q(out="5", step="9999"))  # c_o = 2; 6×6 with a 3×3 kernel: 16 steps
    assert values["out"] == 1 and values["step"] == 15
    assert sentences(notices) == ["link_clamped", "link_clamped"]


def test_an_impossible_setting_keeps_step_zero():
    values, notices = parse(q(h="2", kh="5", step="3"))
    assert values["step"] == 0 and sentences(notices) == ["link_clamped"]


def test_a_region_past_a_shipped_pictures_map_is_moved_and_a_malformed_one_dropped():
    values, notices = parse(q(values="image", region="9999,9999"))
    row, col = link.read_region(values["region"])
    h, w = link.picture_size("cat")
    assert (row, col) == (h - 2 - 4, w - 2 - 4)  # a 3×3 kernel leaves h − 2 rows; the region is 4 cells
    assert sentences(notices) == ["link_region_moved"]
    values, notices = parse(q(values="image", region="٣,1"))
    assert values["region"] == "" and sentences(notices) == ["link_bad_region"]


def test_a_region_for_an_upload_is_kept_for_the_picture_to_place():
    values, notices = parse(q(values="image", image="upload", region="500,7"))
    assert values["region"] == "500,7" and notices == ()


def test_a_pooling_pictures_region_stays_inside_the_pooled_map_and_bounds_the_step():
    values, notices = parse(q(pool_values="image", pool_image="shapes", pool_k="3", pool_stride="2",
                              pool_padding="1", pool_region="9999,-3", pool_step="99"))
    assert values["pool_region"] == "44,0"  # (96 + 2 − 3) // 2 + 1 = 48 pooled rows, a region of 4
    assert values["pool_step"] == 15  # the region's 4×4 cells
    assert sentences(notices) == ["link_pool_region_moved", "link_clamped"]
    values, notices = parse(q(pool_values="image", pool_grey="true", pool_region="2, 3"))
    assert values["pool_region"] == "2,3" and notices == ()  # written the one way, inside the map: nothing to say
    assert link.pool_shape(values) == (1, *link.picture_size("cat"))
    values, notices = parse(q(pool_values="image", pool_region="2;3"))
    assert values["pool_region"] == "" and sentences(notices) == ["link_pool_bad_region"]
    values, notices = parse(q(pool_region=" 7,8"))  # numbers, not a picture: kept for when one is chosen
    assert values["pool_region"] == "7,8" and notices == ()


def test_matrices_are_checked_against_their_views_sizes():
    values, notices = parse(q(mix_W="[LOGIN](//e.vil/x),0,0;0,1,0;0,0,1", sep_W="1,0,0;0,1,0"))
    assert values["mix_W"] == "" and values["sep_W"] == ""
    assert sentences(notices) == ["link_bad_matrix", "link_bad_matrix"]


def test_unknown_keys_are_removed_with_the_nearest_real_key():
    values, notices = parse(q(k_h="5", stirde="2", chanels="3"))
    found = {dict(n.values)["key"]: (n.sentence, dict(n.values).get("nearest")) for n in notices}
    assert found == {"k_h": ("link_unknown_key_hint", "kh"), "stirde": ("link_unknown_key_hint", "stride"),
                     "chanels": ("link_unknown_key", None)}
    assert to_query(values) == {}


def test_streamlits_own_keys_are_no_problem():
    assert parse(q(embed="true", embed_options="show_toolbar"))[1] == ()


def test_a_flood_of_keys_is_read_quickly_and_each_problem_named_once():
    flood = {f"junk{i}": ["x"] for i in range(5000)}
    flood["kernels"] = [",".join(["a"] * 20_000)]
    started = time.perf_counter()
    values, notices = parse({**flood, "values": ["image"]})
    elapsed = time.perf_counter() - started
    assert elapsed < 1.0, f"parsing took {elapsed:.2f} s"
    assert len(notices) == 5000 + 1  # each junk key once, the unknown kernel name once
    assert values["kernels"] == ",".join(kernels.DEFAULT)


def test_quoted_values_are_short_and_printable():
    _, notices = parse(q(h="\x1b[31m" + "9" * 100))
    raw = str(dict(notices[0].values)["raw"])
    assert len(raw) <= link.QUOTE_CHARS + 1 and raw.isprintable()


# ---- the round trip: parse → write → parse is the identity ----


def _raw(field) -> st.SearchStrategy[str]:
    """What a link may hold for a field: mostly sensible, sometimes out of range or malformed."""
    if isinstance(field, Int):
        return st.integers(field.low - 3, min(field.high + 3, 2**31)).map(str)
    if isinstance(field, Flag):
        return st.sampled_from(("true", "false", "1", "0", "on", "no", "maybe"))
    if isinstance(field, Choice):
        return st.one_of(st.sampled_from(field.options), st.text(max_size=5))
    assert isinstance(field, Text)
    if field.key == "kernels":
        return st.lists(st.sampled_from((*kernels.NAMES, "blur?")), min_size=1, max_size=9).map(",".join)
    if field.key == "region":
        return st.tuples(st.integers(0, 200), st.integers(0, 200)).map(lambda rc: f"{rc[0]},{rc[1]}")
    floats = st.floats(-100, 100, allow_nan=False, width=64)
    if field.key.startswith("kernel_"):
        return st.lists(floats, min_size=9, max_size=9).map(lambda v: mixing.matrix_to_param(np.reshape(v, (3, 3))))
    return st.integers(1, 4).flatmap(lambda rows: st.integers(1, 4).flatmap(
        lambda cols: st.lists(floats, min_size=rows * cols, max_size=rows * cols).map(
            lambda v: mixing.matrix_to_param(np.reshape(v, (rows, cols))))))


@st.composite
def raw_links(draw: st.DrawFn) -> dict[str, list[str]]:
    keys = draw(st.lists(st.sampled_from(sorted(FIELDS)), unique=True, max_size=len(FIELDS)))
    return {key: [draw(_raw(FIELDS[key]))] for key in keys}


def test_a_shape_the_textbook_fixes_is_not_kept_from_the_link_even_when_it_agrees():
    # Found by the round trip below: c_out=3 is the textbook's own, so it raised no notice, but it was kept; the
    # link written from it leaves fixed shapes out, and read back gave the default, 2.
    values, notices = parse({"values": ["textbook"], "c_out": ["3"]})
    assert notices == ()
    assert values["c_out"] == link.FIELDS["c_out"].default
    assert parse({key: [value] for key, value in to_query(values).items()})[0] == values


@settings(max_examples=300, deadline=None)
@given(raw_links(), st.sampled_from(link.LANGUAGES))
def test_what_is_written_reads_back_the_same_with_nothing_to_say(raw, language):
    values, _ = parse(raw, language)
    written = to_query(values, language)
    again, notices = parse({key: [value] for key, value in written.items()}, language)
    assert notices == ()
    assert again == values
    assert to_query(again, language) == written


def test_the_text_sizes_in_the_link_are_the_figures_own():
    from convviz.figures.animation import ZOOMS

    assert tuple(float(z) for z in link.ZOOM_OPTIONS) == ZOOMS


def test_a_matrixs_problem_is_told_in_the_links_language():
    _, notices = parse(q(lang="zh", sep_W="1,0,0;0,1,0"))
    problem = str(dict(notices[0].values)["problem"])
    assert any("\u4e00" <= ch <= "\u9fff" for ch in problem), problem
    _, notices = parse(q(sep_W="1,0,0;0,1,0"), "zh")  # no lang in the link: the browser's
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(dict(notices[0].values)["problem"]))


# ---- class mode's keys: their form only (the room store says whether a room and its key exist) ----


def test_a_room_code_and_a_key_are_kept_and_written_back():
    values, notices = parse({"room": ["K7QX3"], "key": ["pf3S-_a5XHyHt8cbyR_w8A"]})
    assert (values["room"], values["key"], notices) == ("K7QX3", "pf3S-_a5XHyHt8cbyR_w8A", ())
    assert to_query(values) == {"room": "K7QX3", "key": "pf3S-_a5XHyHt8cbyR_w8A"}
    assert parse({"room": ["new"]})[0]["room"] == "new"


def test_a_room_or_key_that_cannot_be_one_is_dropped_and_a_key_is_never_quoted():
    values, notices = parse({"room": ["<script>"], "key": ["s3cret!"]})
    assert (values["room"], values["key"]) == ("", "")
    assert sentences(notices) == ["link_bad_room", "link_bad_key"]
    assert notices[0].args()["raw"] == "<script>" and not notices[1].args()  # the page shows it as plain text
    values, notices = parse({"room": ["K7QX3"], "key": ["x" * 65]})
    assert values["key"] == "" and sentences(notices) == ["link_bad_key"]


def test_a_key_without_a_room_opens_nothing():
    values, notices = parse({"key": ["pf3S-_a5XHyHt8cbyR_w8A"]})
    assert values["key"] == "" and notices == () and "key" not in to_query(values)
