"""Pure figure builders, one module per view: data in, a Plotly figure dict out, never `st.*`; plus the shared
plotting helpers and the colours. Imports from model, core and i18n only.
"""
