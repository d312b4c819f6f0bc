"""The main screen: the animated multi-channel correlation."""

import streamlit as st


def render_main_view() -> None:
    st.write("main view: under construction")
