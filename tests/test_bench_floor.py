"""The load benchmark's second floor (bench/controls_app.py) is convviz's sidebar and nothing more.

bench/README.md quotes convviz's cost against it as "what the page's controls cost"; that holds only while the
floor draws the same controls, under the same keys, as the app does. A control added to the app and not to the
floor (or the other way round) fails here.
"""

from pathlib import Path

from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parent.parent
WIDGET_KINDS = ("number_input", "radio", "toggle", "selectbox", "select_slider", "checkbox", "slider")


def _sidebar_keys(script: str) -> set[str]:
    at = AppTest.from_file(str(REPO / script), default_timeout=120).run()
    assert not at.exception
    return {widget.key for kind in WIDGET_KINDS for widget in at.sidebar.get(kind)}


def test_the_controls_floor_draws_the_apps_sidebar_controls_and_no_more():
    app_keys = _sidebar_keys("app.py")
    assert {"lang", "values", "c_in", "c_out", "h", "w", "kh", "kw", "stride", "padding", "dilation", "bias",
            "seed", "groups", "out", "speed"} <= app_keys  # the published keys, so the comparison means something
    assert _sidebar_keys("bench/controls_app.py") == app_keys
