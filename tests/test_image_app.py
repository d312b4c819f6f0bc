"""Pictures on the main screen, as Streamlit runs it (AppTest): the maps, the kernels, the region, the edits."""

from __future__ import annotations

import json

import numpy as np
import pytest
import tensorflow as tf
from test_app import chart, decode, link_notices, run_app, trace_by_hover

from convviz.model import images, kernels

SHAPE_KEYS = ("c_in", "c_out", "h", "w", "kh", "kw")


def shapes(at) -> list[int]:
    return [at.number_input(key=k).value for k in SHAPE_KEYS]


def full_maps(name: str, names: tuple[str, ...], grey: bool = False, padding: int = 0, edit=None) -> np.ndarray:
    """Y (c_o, h_o, w_o) by tf.nn.conv2d, independently of the app: the picture in 0..1, the library kernels."""
    X = images.as_channels(images.load_picture(name), grey)
    K = kernels.kernel_stack(names, X.shape[0], seed=0)
    if edit is not None:
        K[0] = np.broadcast_to(np.asarray(edit, np.float32) / X.shape[0], K[0].shape)
    Y = tf.nn.conv2d(X.transpose(1, 2, 0)[None], K.transpose(2, 3, 1, 0), strides=1,
                     padding=[[0, 0], [padding] * 2, [padding] * 2, [0, 0]])
    return Y.numpy()[0].transpose(2, 0, 1)


def region_map(at, o: int) -> np.ndarray:
    """The region's output map as the player's figure fills it, over every frame (row-major)."""
    figure = chart(at)
    meta = figure["layout"]["meta"]
    meta = json.loads(meta) if isinstance(meta, str) else meta
    n = len(figure["frames"])
    totals = [decode(frame["data"][-2]["z"])[0, 0] for frame in figure["frames"]]
    rows = decode(trace_by_hover(figure, f"Y[{o}]")["z"]).shape[0]
    assert n == meta["n_steps"] and n % rows == 0
    return np.array(totals).reshape(rows, n // rows)


def test_a_picture_fixes_the_shapes_and_shows_every_feature_map():
    at = run_app(values="image")
    assert not at.exception
    assert shapes(at) == [3, 3, 85, 128, 3, 3]  # the cat: 3 colour channels, 3 default kernels, 3×3 each
    assert all(at.number_input(key=k).disabled for k in SHAPE_KEYS)
    assert [c.key for c in at.get("plotly_chart")] == ["img_pick"]
    assert [c.key for c in at.get("bidi_component")] == ["img_width", "player"]  # the width probe, the player
    assert "kernels" not in at.query_params  # the default kernels: the shortest link leaves them out


def test_the_region_players_cells_equal_the_full_maps_cells():
    at = run_app(values="image", image="shapes", kernels="sobel_x,laplacian", padding="1", region="40,30", out="1")
    assert not at.exception
    Y = full_maps("shapes", ("sobel_x", "laplacian"), padding=1)
    np.testing.assert_allclose(region_map(at, 1), Y[1, 40:44, 30:34], atol=1e-2)  # cells carry 2 decimals
    assert chart(at)["layout"]["meta"]["numbers"], "the region's cells are big enough for their numbers"


def test_kernels_from_a_link_are_kept_and_unknown_names_are_named():
    at = run_app(values="image", kernels="emboss,fuzzy,outline")
    assert not at.exception
    assert at.multiselect(key="kernels_pick").value == ["emboss", "outline"]
    assert shapes(at)[1] == 2  # one output channel per kernel
    assert any("“fuzzy” is not a kernel in the library" in notice for notice in link_notices(at))


def test_grey_is_one_input_channel_and_the_picture_can_change():
    at = run_app(values="image", grey="true", image="astronaut")
    assert not at.exception
    assert shapes(at)[:4] == [1, 3, 128, 128]


def test_choosing_no_kernel_keeps_one():
    at = run_app(values="image")
    at.multiselect(key="kernels_pick").set_value([]).run()
    assert not at.exception
    assert shapes(at)[1] == 1
    assert any("No kernel picked: sobel_x is used." in c.value for c in at.caption)


def test_an_edited_kernel_goes_into_the_link_and_into_the_maps():
    at = run_app(values="image", image="stripes", region="0,0")
    editor = at.get("data_editor")[0]
    at.session_state[editor.key] = {"edited_rows": {1: {"1": 7}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception
    assert at.query_params["kernel_0"] in ("-1,0,1;-2,7,2;-1,0,1", ["-1,0,1;-2,7,2;-1,0,1"])
    edited = [[-1, 0, 1], [-2, 7, 2], [-1, 0, 1]]
    Y = full_maps("stripes", kernels.DEFAULT, edit=edited)
    np.testing.assert_allclose(region_map(at, 0), Y[0, :4, :4], atol=1e-2)
    reset = next(b for b in at.button if b.key == "img_reset_0")
    reset.click().run()
    assert not at.exception and "kernel_0" not in at.query_params


@pytest.mark.parametrize(
    ("query", "notice"),
    [
        ({"kernel_0": "1,2;3,4"}, "“kernel_0” in the link is not a 3×3 kernel"),
        ({"kernel_1": "0,0,0;0,500,0;0,0,0"}, "has a weight larger than 100 in size"),
        ({"region": "left"}, "“region=left” is not two whole numbers"),
        # h_o = 85 − 3 + 1 = 83 rows, so a 4-row region starts at row 79 at the latest
        ({"region": "500,-3"}, "“region=500,-3” reaches past the map, so the region starts at 79,0."),
        ({"image": "dog"}, "“image=dog” is not one of"),
    ],
)
def test_bad_picture_values_in_a_link_get_a_notice_and_a_working_page(query: dict[str, str], notice: str):
    at = run_app(values="image", **query)
    assert not at.exception
    assert any(notice in shown for shown in link_notices(at)), link_notices(at)
    assert len(at.get("plotly_chart")) == 1 and [c.key for c in at.get("bidi_component")] == ["img_width", "player"]


def test_an_upload_choice_without_a_file_shows_the_first_picture_and_says_so():
    at = run_app(values="image", image="upload")
    assert not at.exception
    assert any("No picture uploaded yet" in c.value for c in at.caption)
    assert shapes(at)[2:4] == [85, 128]


def test_leaving_picture_mode_gives_back_the_users_own_shapes():
    at = run_app(h="7", w="9")
    at.radio(key="values").set_value("image").run()
    assert shapes(at)[2:4] == [85, 128]
    at.radio(key="values").set_value("integers").run()
    assert not at.exception and shapes(at)[2:4] == [7, 9]


def test_a_pictures_tensors_come_from_the_picture_not_from_make_tensors():
    from convviz.model.setting import Setting, make_tensors

    with pytest.raises(ValueError, match=r"a picture's come from convviz\.model\.images"):
        make_tensors(Setting(values="image"))


def test_a_region_picked_on_one_picture_is_dropped_when_the_picture_changes():
    at = run_app(values="image", image="shapes", region="10,12")
    assert at.query_params["region"] in ("10,12", ["10,12"])
    at.selectbox(key="image").set_value("stripes").run()
    assert not at.exception
    assert "region" not in at.query_params  # the new picture opens on its own busiest region
    assert not link_notices(at), "the user changed a control: no notice about the link"
