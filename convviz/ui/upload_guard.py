"""The upload limit in the page's language: a tiny component (components v2, in the page, no iframe) beside the
file uploader that stops a file over the limit in the browser, before Streamlit's uploader sees it, and tells
Python its size, so that the page says why in its own words ("只接受不超过 5 MB 的图片") instead of the uploader's
English "File must be 5.0MB or smaller".

The server's limit (`server.maxUploadSize`) is the same number of bytes (`convviz.model.images.MAX_UPLOAD_BYTES`):
the guard only speaks first. It listens, in the capture phase on the document, for the file input's `change` and
for a drop on the uploader, both of which reach the uploader's own handlers after it. This leans on two things of
Streamlit's page that no API offers: the uploader's `data-testid="stFileUploader"` and its `input[type=file]`;
tests/test_upload_browser.py fails if either changes.
"""

from __future__ import annotations

import math
from typing import Any

import streamlit as st

_JS = """
export default function (component) {
  const { data, setStateValue } = component;
  const page = window.__convvizUploadGuard || (window.__convvizUploadGuard = {});
  page.limit = data.limit;
  page.report = setStateValue;  // the latest mount's: a re-run hands a new one
  if (page.listening) return;
  page.listening = true;
  const uploader = (node) => node && node.closest && node.closest("[data-testid='stFileUploader']");
  const tooLarge = (files) => Array.from(files || []).find((file) => file.size > page.limit);
  const refuse = (file) => page.report("refused", [file.size, Date.now()]);
  document.addEventListener("change", (event) => {
    const input = event.target;
    if (!uploader(input) || input.type !== "file") return;
    const file = tooLarge(input.files);
    if (file) {
      event.stopImmediatePropagation();  // the uploader never sees it
      input.value = "";
      refuse(file);
    }  // a good file goes to the uploader untouched: the page drops the refusal when the uploader's file changes
  }, true);
  document.addEventListener("drop", (event) => {
    const file = uploader(event.target) && tooLarge(event.dataTransfer && event.dataTransfer.files);
    if (!file) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    refuse(file);
  }, true);
}
"""


def _rerun() -> None:
    """The refusal arrives with the re-run; nothing to do in the callback."""


def refused_size(raw: Any, limit: int) -> tuple[int, float] | None:
    """The file the guard stopped, as it reports it ([bytes, time]): its size and the report's time; None for no
    refusal or a report that is not one (a tampered browser: not two finite numbers, or a size within the limit)."""
    if not (isinstance(raw, list) and len(raw) == 2 and all(
            isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in raw)):
        return None
    size = int(raw[0])
    return (size, float(raw[1])) if limit < size <= 10**13 else None


def upload_guard(key: str, limit: int) -> tuple[int, float] | None:
    """Mount the guard beside the uploader; return the last file it stopped (size, time of the report), or None."""
    state = st.session_state.get(key)
    guard = st.components.v2.component("convviz.upload_guard", js=_JS, isolate_styles=False)
    guard(data={"limit": limit}, key=key, default={"refused": None}, on_refused_change=_rerun, height=0)
    return refused_size(state.get("refused") if isinstance(state, dict) else None, limit)
