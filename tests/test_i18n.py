"""The page's language: chosen per session, never leaking into another student's page."""

from __future__ import annotations

import threading

from convviz.strings import current_language, speaking, text


def test_text_answers_in_the_language_of_the_block_and_english_outside():
    assert text("tab_main") == "Multi-channel correlation"
    with speaking("zh"):
        assert current_language() == "zh"
        assert text("tab_main") == "多通道互相关运算"
        assert text("fig_output", o=1, h=4, w=4).startswith("输出")
        assert text("tab_main", language="en") == "Multi-channel correlation"  # an explicit language wins
    assert current_language() == "en" and text("tab_main") == "Multi-channel correlation"


def test_an_unknown_language_falls_back_to_english():
    with speaking("klingon"):
        assert current_language() == "en"
        assert text("tab_mixing") == "1×1 convolution"


def test_two_sessions_in_two_threads_keep_their_own_language():
    # Streamlit runs each session's script in a thread of its own: one student's Chinese stays on their page.
    seen: dict[str, str] = {}
    ready = threading.Barrier(2)

    def session(language: str) -> None:
        with speaking(language):
            ready.wait(timeout=10)  # both are inside their blocks at once
            seen[language] = text("tab_main")

    threads = [threading.Thread(target=session, args=(lang,)) for lang in ("zh", "en")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert seen == {"zh": "多通道互相关运算", "en": "Multi-channel correlation"}
