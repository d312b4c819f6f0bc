"""Picture mode on every classroom screen, in English and Chinese (issue 21): the same checks as the 1×1 and
separable tabs' (tests/test_screens_tabs_browser.py), in a module of its own so that the two run on both workers.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.test_screens_tabs_browser import check_no_modebar, check_screens, swept

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def sweep(chromium: Any, request: pytest.FixtureRequest) -> Iterator[dict[tuple[str, str], dict]]:
    yield from swept(chromium, request.getfixturevalue("streamlit_server"), ("pictures",))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_pictures_on_every_screen_no_text_overlaps_or_is_cut_off(sweep: dict, lang: str):
    check_screens(sweep, "pictures", lang)


def test_no_picture_chart_shows_a_modebar(sweep: dict):
    check_no_modebar(sweep)
