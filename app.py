"""convviz: `streamlit run app.py`. The page, its three views, and nothing else; the work lives in `convviz/`."""

import streamlit as st

from convviz.strings import text
from convviz.ui import main_view, mixing_view, separable_view
from convviz.ui.common import ChoiceSetting, adopt_url, drop_unknown_keys, freeze_startup_heap
from convviz.ui.runtime_hooks import keep_keras_session


def main() -> None:
    st.set_page_config(page_title=text("page_title"), page_icon="🔳", layout="wide")
    freeze_startup_heap()  # once per server: keeps garbage collection from stalling re-runs
    keep_keras_session()  # Streamlit would reset TensorFlow's Keras state after every run (~160 ms; see the module)
    tabs = (text("tab_main"), text("tab_mixing"), text("tab_separable"))
    # A link's typos and impossible values are dropped or clamped before any widget reads them, each with a notice.
    notices = drop_unknown_keys(("view", *main_view.URL_KEYS, *mixing_view.URL_KEYS, *separable_view.URL_KEYS))
    notices += adopt_url([ChoiceSetting("view", tabs[0], tabs)])
    # The open tab is in the URL (?view=...), and only the open tab's code runs.
    main_tab, mixing_tab, separable_tab = st.tabs(tabs, key="view", bind="query-params", on_change="rerun")
    if mixing_tab.open:
        with mixing_tab:
            mixing_view.render_mixing_view(notices)
    elif separable_tab.open:
        with separable_tab:
            separable_view.render_separable_view(notices)
    else:
        with main_tab:
            main_view.render_main_view(notices)


main()
