"""convviz: `streamlit run app.py`. The page, its two views, and nothing else; the work lives in `convviz/`."""

import streamlit as st

from convviz.strings import text
from convviz.ui.common import freeze_startup_heap
from convviz.ui.main_view import render_main_view
from convviz.ui.mixing_view import render_mixing_view
from convviz.ui.runtime_hooks import keep_keras_session, send_without_delay


def main() -> None:
    st.set_page_config(page_title=text("page_title"), page_icon="🔳", layout="wide")
    freeze_startup_heap()  # once per server: keeps garbage collection from stalling re-runs
    keep_keras_session()  # Streamlit would reset TensorFlow's Keras state after every run (~160 ms; see the module)
    send_without_delay()  # Streamlit's sockets keep Nagle's algorithm on: ~40 ms more per run (see the module)
    # The open tab is in the URL (?view=...), and only the open tab's code runs.
    main_tab, mixing_tab = st.tabs(
        [text("tab_main"), text("tab_mixing")], key="view", bind="query-params", on_change="rerun"
    )
    if mixing_tab.open:
        with mixing_tab:
            render_mixing_view()
    else:
        with main_tab:
            render_main_view()


main()
