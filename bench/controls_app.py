"""A second floor for the load benchmark: convviz's page with all its controls and none of what they control.

The language choice, the tabs and the main view's sidebar (the same widgets, keys and link handling as the app), with
app.py's server fixes, and no player, figure, counts, check or panels. `bench/bench_load.py` serves it beside the
trivial app and convviz: what Streamlit charges for these ~20 widgets on every run is a cost no page with these
controls avoids, so it shows how much of convviz's run is its own work.
"""

import streamlit as st

from convviz.i18n.strings import speaking, text
from convviz.ui import link_state, main_view
from convviz.ui.common import freeze_startup_heap
from convviz.ui.runtime_hooks import keep_keras_session, send_without_delay

keep_keras_session()
send_without_delay()
link_state.open_link("en")
language = link_state.choice("lang", "Language · 语言", st.sidebar.radio, horizontal=True, captions=("English", "中文"))
with speaking(language):
    st.set_page_config(page_title=text("page_title"), layout="wide")
    labels = (text("tab_main"), text("tab_mixing"), text("tab_separable"))
    tabs = st.tabs(labels, key=f"view_tabs_{language}", on_change="rerun")
    with tabs[0]:
        setting, out, frame_ms, _ = main_view._controls()
        st.markdown(f"{setting} · out {out} · {frame_ms} ms")
link_state.write_link("en")
freeze_startup_heap()
