"""The floor for the load benchmark: a one-widget Streamlit app, served the same way as convviz.

`bench/bench_load.py` runs it on another port in the same run; whatever Streamlit itself costs per session and per
re-run shows up here too, so convviz's figures are quoted as ratios to these.
"""

import streamlit as st

n = st.number_input("n", 1, 1000, 6, step=1, key="h", bind="query-params")
st.markdown(f"n squared is {int(n) ** 2}")
