"""Streamlit views and their plumbing: the only code below app.py that calls st.*."""
