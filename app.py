"""convviz: `streamlit run app.py`. The page, its three views, and nothing else; the work lives in `convviz/`."""

import streamlit as st

from convviz.i18n.strings import LANGUAGES, speaking, text
from convviz.ui import main_view, mixing_view, separable_view
from convviz.ui.common import ChoiceSetting, adopt_url, drop_unknown_keys, freeze_startup_heap
from convviz.ui.runtime_hooks import keep_keras_session, send_without_delay

# The link's `view` values: the same in every language, so a link keeps its meaning when the page speaks Chinese.
VIEWS = ("Multi-channel correlation", "1×1 convolution", "Depthwise-separable")
TAB_LABELS = ("tab_main", "tab_mixing", "tab_separable")
LANGUAGE = ChoiceSetting("lang", "en", tuple(LANGUAGES))


def main() -> None:
    freeze_startup_heap()  # once per server: keeps garbage collection from stalling re-runs
    keep_keras_session()  # Streamlit would reset TensorFlow's Keras state after every run (~160 ms; see the module)
    send_without_delay()  # Streamlit's sockets keep Nagle's algorithm on: ~40 ms more per run (see the module)
    # A link's typos and impossible values are dropped or clamped before any widget reads them, each with a notice.
    notices = drop_unknown_keys(("view", "lang", *main_view.URL_KEYS, *mixing_view.URL_KEYS,
                                 *separable_view.URL_KEYS))
    notices += adopt_url([LANGUAGE, ChoiceSetting("view", VIEWS[0], VIEWS)])
    language = st.sidebar.radio("Language · 语言", LANGUAGE.options, index=_browser_language(), key="lang",
                                bind="query-params", horizontal=True, captions=("English", "中文"))
    with speaking(language):
        st.set_page_config(page_title=text("page_title"), page_icon="🔳", layout="wide")
        _views(notices, language)


def _browser_language() -> int:
    """The browser's language when the link names none: Chinese for any zh locale, else English."""
    locale = (st.context.locale or "").lower()
    return LANGUAGE.options.index("zh" if locale.startswith("zh") else "en")


def _views(notices: list[str], language: str) -> None:
    """The three tabs, labelled in the page's language; the open one is in the link (`view`) and only it runs."""
    labels = tuple(text(key) for key in TAB_LABELS)
    opened = VIEWS.index(st.query_params.get("view", VIEWS[0]))
    # A tab's state is its label: each language keeps its own, and a switch of language opens the link's view.
    tabs = st.tabs(labels, key=f"view_tabs_{language}", default=labels[opened], on_change="rerun")
    opened = next(i for i, tab in enumerate(tabs) if tab.open)
    st.query_params["view"] = VIEWS[opened]
    render = (main_view.render_main_view, mixing_view.render_mixing_view, separable_view.render_separable_view)
    with tabs[opened]:
        render[opened](notices)


main()
