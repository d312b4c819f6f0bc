"""A second floor for the load benchmark: convviz's page with all its controls and none of what they control.

The language choice, the tabs and the main view's sidebar (the same widgets, keys and URL binding as the app), with
app.py's server fixes, and no player, figure, counts, check or panels. `bench/bench_load.py` serves it beside the
trivial app and convviz: what Streamlit charges for these ~20 widgets on every run is a cost no page with these
controls avoids, so it shows how much of convviz's run is its own work.
"""

import streamlit as st

from convviz.i18n.strings import LANGUAGES, speaking, text
from convviz.ui import main_view
from convviz.ui.common import freeze_startup_heap
from convviz.ui.runtime_hooks import keep_keras_session, send_without_delay

freeze_startup_heap()
keep_keras_session()
send_without_delay()
language = st.sidebar.radio("Language · 语言", tuple(LANGUAGES), key="lang", bind="query-params", horizontal=True,
                            captions=("English", "中文"))
with speaking(language):
    st.set_page_config(page_title=text("page_title"), layout="wide")
    labels = (text("tab_main"), text("tab_mixing"), text("tab_separable"))
    tabs = st.tabs(labels, key=f"view_tabs_{language}", default=labels[0], on_change="rerun")
    with tabs[0]:
        notices: list[str] = []
        setting, out, frame_ms, _ = main_view._controls(notices)
        st.markdown(f"{setting} · out {out} · {frame_ms} ms")
