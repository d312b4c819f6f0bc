"""The 1×1 explorer: convolution as channel mixing."""

import streamlit as st


def render_mixing_view() -> None:
    st.write("1×1 view: under construction")
