"""An editable matrix W kept in the page and in the link: a preset, or the user's last good edit.

The 1×1 tab and the separable tab both let a teacher type W. Each has its own keys (`MatrixEdit`); this module
holds what they share: the last good W in session state, the text box's contents, the link's `<prefix>_W`, an
edit that does not parse (kept out, with the reason), and the way back to the preset.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import streamlit as st

from convviz.i18n.strings import text
from convviz.model import mixing
from convviz.ui import link_state


@dataclass(frozen=True)
class MatrixEdit:
    """The keys of one editable W: its session state, its text box, its key in the link."""

    state_key: str  # session_state: {"basis", "W", "custom", "error"}; W is the last good matrix
    text_key: str  # the text area holding the editable W
    url_key: str  # the link's key of an edited W (checked against the sizes when the link is read)

    def _fresh(self, basis: tuple, W: np.ndarray, custom: bool) -> dict[str, Any]:
        st.session_state[self.text_key] = mixing.matrix_to_text(W)
        return {"basis": basis, "W": W.tolist(), "custom": custom, "error": None}

    def state(self, preset: str, c_out: int, c_in: int, seed: int) -> dict[str, Any]:
        """The last good W for this preset and these sizes: a preset, or an edit (from the text box or the link).

        Changing the preset, the channel counts or the seed starts again from the preset.
        """
        basis = (preset, c_out, c_in, seed)
        state = st.session_state.get(self.state_key)
        if state is not None and state["basis"] == basis:
            if self.text_key not in st.session_state:  # the text box was away (another tab): show W again
                st.session_state[self.text_key] = mixing.matrix_to_text(np.asarray(state["W"]))
                state["error"] = None
            return state
        W = mixing.preset_matrix(preset, c_out, c_in, seed)
        raw = link_state.values()[self.url_key]
        custom = state is None and bool(raw)  # the view opens: the link may carry an edited W (checked on reading)
        if custom:
            W = mixing.parse_matrix(raw, c_out, c_in)
        else:
            link_state.set_value(self.url_key, "")
        state = self._fresh(basis, W, custom)
        st.session_state[self.state_key] = state
        return state

    def on_edit(self) -> None:
        """Keep an edit that parses; otherwise keep the last good W and say what is wrong."""
        state = st.session_state[self.state_key]  # the text box is drawn only after the state exists
        _, c_out, c_in, _ = state["basis"]
        try:
            W = mixing.parse_matrix(st.session_state.get(self.text_key) or "", c_out, c_in)
        except ValueError as err:
            state["error"] = str(err)
            return
        state.update(W=W.tolist(), custom=True, error=None)
        link_state.set_value(self.url_key, mixing.matrix_to_param(W))

    def editor(self, label: str, state: dict[str, Any], preset: str, c_out: int, reset_key: str) -> None:
        """The text box holding W, what is wrong with an edit that does not parse, and the way back to the preset."""
        st.text_area(label, value=None,  # the text lives in session_state[text_key]
                     key=self.text_key, on_change=self.on_edit, height=max(100, 28 * c_out + 24),
                     max_chars=mixing.MAX_TEXT_CHARS, help=text("mix_edit_help"))
        if state["error"]:
            st.error(text("mix_edit_bad", problem=state["error"]))
        if state["custom"]:
            st.caption(text("mix_edit_custom"))
            st.button(text("mix_reset"), key=reset_key, on_click=self.reset)
        else:
            st.caption(text("mix_edit_preset", preset=preset))

    def reset(self) -> None:
        """Back to the preset: the edit leaves the text box and the link."""
        state = st.session_state[self.state_key]  # the button is drawn only after the state exists
        preset, c_out, c_in, seed = state["basis"]
        st.session_state[self.state_key] = self._fresh(state["basis"], mixing.preset_matrix(preset, c_out, c_in, seed),
                                                       False)
        link_state.set_value(self.url_key, "")
