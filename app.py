"""convviz: `streamlit run app.py`. The page, its views, and nothing else; the work lives in `convviz/`."""

import streamlit as st

from convviz.i18n.strings import speaking, text
from convviz.model.link import LANGUAGES, VIEWS
from convviz.ui import (
    class_room,
    im2col_view,
    link_state,
    main_view,
    mixing_view,
    pooling_view,
    separable_view,
    stack_view,
    transposed_view,
)
from convviz.ui.common import freeze_startup_heap
from convviz.ui.runtime_hooks import batch_wakeups, keep_keras_session, send_without_delay

TAB_LABELS = ("tab_main", "tab_mixing", "tab_separable", "tab_pooling", "tab_transposed", "tab_stack",
              "tab_im2col")


def main() -> None:
    keep_keras_session()  # Streamlit would reset TensorFlow's Keras state after every run (~160 ms; see the module)
    send_without_delay()  # Streamlit's sockets keep Nagle's algorithm on: ~40 ms more per run (see the module)
    batch_wakeups()  # Streamlit wakes its event loop once per message of a run: once per batch instead (ditto)
    browser_language = _browser_language()
    link_state.open_link(browser_language)  # the link is read once; its problems become notices that stay
    seat = class_room.join()  # class mode: a room's teacher or student (a follower takes the teacher's values here)
    language = link_state.choice("lang", "Language · 语言", st.sidebar.radio, horizontal=True,
                                 captions=("English", "中文"))
    with speaking(language):
        st.set_page_config(page_title=text("page_title"), page_icon="🔳", layout="wide")
        notice_slot = st.empty()
        link_state.show_notices(notice_slot)  # first, so that a slow run does not hold them back
        class_slot = st.container()  # class mode's panel: above the tabs, drawn after them (so it shows a question
        _views(language)  # asked in this very run)
        class_room.panel(seat, class_slot)
        link_state.settle_notices(notice_slot)
        class_room.settle(seat)  # the teacher's page publishes what it shows
    link_state.write_link(browser_language)  # once, at the end: the shortest link for every view's values
    freeze_startup_heap()  # once per server, and once more after TensorFlow: garbage collection stays short


def _browser_language() -> str:
    """The browser's language when the link names none: Chinese for any zh locale, else English."""
    locale = (st.context.locale or "").lower()
    return "zh" if locale.startswith("zh") and "zh" in LANGUAGES else "en"


def _views(language: str) -> None:
    """The tabs, labelled in the page's language; the open one is in the link (`view`) and only it runs.

    The tabs element keeps one identity per language (a fixed default, the open tab in session state), so a click
    never lands on a replaced element and bounces back.
    """
    labels = tuple(text(key) for key in TAB_LABELS)
    key = link_state.tabs_key(language)
    if key not in st.session_state:  # the link's view, or the one open before the language changed
        st.session_state[key] = labels[VIEWS.index(link_state.values()["view"])]
    tabs = st.tabs(labels, key=key, on_change="rerun")
    opened = next(i for i, tab in enumerate(tabs) if tab.open)
    link_state.set_value("view", VIEWS[opened])
    render = (main_view.render_main_view, mixing_view.render_mixing_view, separable_view.render_separable_view,
              pooling_view.render_pooling_view, transposed_view.render_transposed_view,
              stack_view.render_stack_view, im2col_view.render_im2col_view)
    with tabs[opened]:
        render[opened]()


main()
