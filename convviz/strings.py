"""Every sentence the app shows a user, in one place, so that a second language (the seed's Chinese) can follow.

`text("key", **values)` formats the English entry; a translation is another dict with the same keys.
"""

from __future__ import annotations

EN: dict[str, str] = {
    # ---- page ----
    "page_title": "convviz: convolution with many channels",
    "app_title": "Convolution with multiple input and output channels",
    "tab_main": "Multi-channel correlation",
    "tab_mixing": "1×1 convolution",
    "url_notice_title": "Some values in the link were changed:",
    # ---- 1×1 explorer (owned by convviz/ui/mixing_view.py) ----
    # ---- end of 1×1 explorer ----
}

LANGUAGES: dict[str, dict[str, str]] = {"en": EN}


def text(key: str, language: str = "en", **values: object) -> str:
    """The sentence `key` in `language` (English when it has no translation yet), with `values` filled in."""
    template = LANGUAGES.get(language, EN).get(key, EN[key])
    return template.format(**values) if values else template
