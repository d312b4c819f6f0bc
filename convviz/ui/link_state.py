"""The link in a running page: read once, held in the session, drawn into widgets, written back once per run.

`open_link` parses the address (`convviz.model.link.parse`) on a session's first run, or when the address changed
under the page, and keeps every view's values in session state; widgets are seeded from those values and write
their choice back (`number`, `toggle`, `choice`), so a view's keys survive while another view is open, and
`write_link` puts the shortest link for them in the address bar once, at the end of the run.

The notices the parse found are drawn first, as plain text (`show_notices`), and stay on the page until a setting
changes (`settle_notices`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from convviz.i18n.strings import text
from convviz.model import link
from convviz.model.link import Values

STATE = "_link"  # session_state: {"values", "notices", "basis", "written", "fixed"}
MAX_NOTICES_SHOWN = 10  # then "and N more"
_NOT_SETTINGS = frozenset({"view", "lang", "step", "room", "key"})  # changing these keeps the notices on the page


def _address() -> dict[str, list[str]]:
    """The address bar's query: each key with every value it was given."""
    return {key: st.query_params.get_all(key) for key in st.query_params}


def _settings(values: Values) -> Values:
    return {key: value for key, value in values.items() if key not in _NOT_SETTINGS}


def open_link(browser_language: str) -> Values:
    """Every view's values: parsed from the address on the session's first run (or when the address is not the
    one this page last wrote), else as the widgets left them."""
    state = st.session_state.get(STATE)
    address = _address()
    ours = {key: raws for key, raws in address.items() if key not in link.STREAMLIT_KEYS}
    if state is None or ours != state["written"]:
        values, notices = link.parse(address, browser_language)
        state = {"values": values, "notices": notices, "basis": _settings(values), "written": None,
                 "fixed": set(), "browser_language": browser_language}
        st.session_state[STATE] = state
    return state["values"]


def values() -> Values:
    return st.session_state[STATE]["values"]


def set_value(key: str, value: Any) -> None:
    """Change one value of the link (for callbacks and editors that are not widgets of their own)."""
    st.session_state[STATE]["values"][key] = value


def add_notice(sentence: str, **args: str | int) -> None:
    """One more notice about the link, found after it was read (class mode: a room that is not there)."""
    state = st.session_state[STATE]
    notice = link.Notice(sentence, tuple(sorted(args.items())))
    if notice not in state["notices"]:
        state["notices"] = (*state["notices"], notice)


def replace_values(new: Values, widget_state: Sequence[str] = ()) -> None:
    """Take `new` as every view's values (a follower taking the teacher's): every widget is seeded from them anew.

    `widget_state` names the session keys the views' own widgets keep beside the link's keys (they start afresh).
    """
    state = st.session_state[STATE]
    state["values"], state["fixed"] = dict(new), set()
    state["basis"] = _settings(new)  # values the page was handed, not a change of the user's: notices stay
    for key in [*link.FIELDS, *widget_state]:
        st.session_state.pop(key, None)
    forget_tabs()


def tabs_key(language: str) -> str:
    """The session key of the tabs element in `language` (app.py: one element per language)."""
    return f"view_tabs_{language}"


def forget_tabs() -> None:
    """The tabs open on the link's `view` at the next run, in either language (the open tab was set elsewhere)."""
    for language in link.LANGUAGES:
        st.session_state.pop(tabs_key(language), None)


# ---- widgets seeded from the link ----


def _seed(key: str, value: Any, *, fixed: bool = False) -> None:
    """Give the widget `key` its value before it is drawn: the link's, or the one the values fix."""
    state = st.session_state[STATE]
    if fixed:
        st.session_state[key] = value
        state["fixed"].add(key)
    elif key in state["fixed"] or key not in st.session_state:  # released from a fixed value, or drawn anew
        state["fixed"].discard(key)
        st.session_state[key] = value


def bound(key: str, draw: Callable[[], Any], *, to_widget: Callable[[Any], Any] = lambda v: v,
          to_link: Callable[[Any], Any] = lambda v: v, fixed: Any = None, widget_key: str | None = None) -> Any:
    """Draw a widget whose state is the link's `key`: seeded from the link, its choice written back.

    The widget's key is `key` unless `widget_key` names another. With `fixed` (textbook mode, a picture's shapes)
    the widget shows that value and the link keeps the user's.
    """
    _seed(widget_key or key, to_widget(values()[key] if fixed is None else fixed), fixed=fixed is not None)
    chosen = draw()
    if fixed is None:
        set_value(key, to_link(chosen))
    return chosen


def number(key: str, label: str, *, high: int | None = None, fixed: int | None = None, **kwargs: Any) -> int:
    """A whole-number input for the link's `key` within its range (`high` lowers the top, for keys that depend
    on others)."""
    field = link.FIELDS[key]
    assert isinstance(field, link.Int)
    top = max(field.high if high is None else high, field.low, fixed or 0)  # a picture is wider than any input
    if fixed is None and values()[key] > top:  # a range that shrank: keep the value inside it
        set_value(key, top)
        st.session_state[key] = top
    disabled = kwargs.pop("disabled", False) or fixed is not None
    return int(bound(key, lambda: st.number_input(label, field.low, top, step=1, key=key, disabled=disabled,
                                                  **kwargs), fixed=fixed))


def toggle(key: str, label: str, **kwargs: Any) -> bool:
    return bool(bound(key, lambda: st.toggle(label, key=key, **kwargs)))


def choice(key: str, label: str, widget: Callable[..., Any], *, options: Sequence[Any] | None = None,
           labels: Callable[[Any], str] | None = None, **kwargs: Any) -> str:
    """A choice among the link key's options, labelled in the page's language (the link keeps the option).

    `options` are the widget's own values when they are not the link's strings (say, kernel sizes as numbers).
    """
    field = link.FIELDS[key]
    assert isinstance(field, link.Choice)
    shown = list(field.options if options is None else options)
    by_text = {str(option): option for option in shown}
    chosen = bound(key, lambda: widget(label, shown, key=key, format_func=labels or str, **kwargs),
                   to_widget=lambda v: by_text[v], to_link=str)
    return str(chosen)


# ---- the notices and the address bar ----


def show_notices(slot: Any) -> None:
    """Draw the link's notices in `slot` (an `st.empty()`) at the top of a run, before anything slow: each one as
    plain text, at most MAX_NOTICES_SHOWN, then how many more."""
    notices = st.session_state[STATE]["notices"]
    if not notices:
        return
    lines = [text(n.sentence, **n.args()) for n in notices[:MAX_NOTICES_SHOWN]]
    if len(notices) > MAX_NOTICES_SHOWN:
        lines.append(text("link_more", count=len(notices) - MAX_NOTICES_SHOWN))
    with slot.container(border=True, key="link_notices"):
        st.markdown(":material/warning: **" + text("url_notice_title") + "**")
        for line in lines:
            st.text("• " + line)  # st.text draws text as it is: no Markdown, no HTML, no math


def settle_notices(slot: Any) -> None:
    """At the end of a run: once a setting differs from the link as it was read, its notices are over."""
    state = st.session_state[STATE]
    if state["notices"] and _settings(state["values"]) != state["basis"]:
        state["notices"] = ()
        slot.empty()


def write_link(language_default: str) -> None:
    """Put the shortest link for the current values in the address bar, if it is not there already."""
    state = st.session_state[STATE]
    query = link.to_query(state["values"], language_default)
    written = {key: [value] for key, value in query.items()}
    address = _address()
    if {key: raws for key, raws in address.items() if key not in link.STREAMLIT_KEYS} != written:
        kept = {key: raws[-1] for key, raws in address.items() if key in link.STREAMLIT_KEYS}
        st.query_params.from_dict({**query, **kept})
    state["written"] = written
