"""The page's language: chosen per session, never leaking into another student's page."""

from __future__ import annotations

import json
import re
import threading

import pytest
from streamlit.testing.v1 import AppTest
from test_app import link_notices, run_app

from convviz.i18n.strings import current_language, speaking, text

CJK = re.compile(r"[\u4e00-\u9fff]")


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


# ---- the page in Chinese (AppTest) ----

ENGLISH_SENTENCE = re.compile(r"\b[A-Za-z][a-z]+(?:[ ,]+[A-Za-z][a-z]+){2,}")  # three English words in a row


def shown_texts(at: AppTest) -> list[str]:
    """Every sentence the page shows: text elements, widget labels and help, and the charts' titles and hovers."""
    texts = [e.value for kind in ("markdown", "caption", "subheader", "header", "success", "warning", "error",
                                  "info", "latex") for e in at.get(kind)]
    for kind in ("number_input", "radio", "toggle", "selectbox", "multiselect", "button", "text_area", "expander"):
        texts += [str(getattr(e, attr, "") or "") for e in at.get(kind) for attr in ("label", "help")]
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        texts += [a.get("text", "") for a in spec["layout"].get("annotations", [])]
        texts += [t.get("hovertemplate") or "" for t in spec["data"]]
    return [t for t in texts if t]


def english_sentences(texts: list[str]) -> list[str]:
    """Sentences in English, leaving out code (`...`) and maths ($...$), which stay as they are in every language."""
    stripped = (re.sub(r"`[^`]*`|\$[^$]*\$", "", t) for t in texts)
    return [match.group(0) for t in stripped if (match := ENGLISH_SENTENCE.search(t))]


@pytest.mark.parametrize("query", [
    {"view": "Multi-channel correlation"},
    {"view": "Multi-channel correlation", "values": "textbook", "bias": "true"},
    {"view": "Multi-channel correlation", "values": "image"},
    {"view": "1×1 convolution"},
    {"view": "Depthwise-separable"},
])
def test_a_chinese_page_shows_no_english_sentence(query: dict[str, str]):
    at = run_app(lang="zh", **query)
    assert not at.exception
    texts = shown_texts(at)
    assert len(texts) > 10 and sum(bool(CJK.search(t)) for t in texts) > 10  # the page did say things, in Chinese
    assert english_sentences(texts) == []
    english = english_sentences(shown_texts(run_app(lang="en", **query)))
    assert english, "the same check finds the English page's sentences, so it would find a stray one"


def test_an_english_link_opened_in_chinese_shows_the_same_view_and_setting():
    link = {"view": "1×1 convolution", "mix_c_in": "4", "mix_preset": "average"}
    english, chinese = run_app(**link), run_app(lang="zh", **link)
    for at in (english, chinese):
        assert at.number_input(key="mix_c_in").value == 4 and at.radio(key="mix_preset").value == "average"
        assert len(at.get("plotly_chart")) == 3
    assert [t.label for t in chinese.tabs] == ["多通道互相关运算", "1×1卷积层", "深度可分离卷积", "池化层", "转置卷积",
                                               "多层堆叠", "im2col（矩阵乘法）"]
    assert chinese.query_params["view"] in ("1×1 convolution", ["1×1 convolution"])  # the link's values stay


def test_switching_the_language_keeps_the_view_and_the_setting():
    at = run_app(view="Depthwise-separable", sep_k="5")
    at.radio(key="lang").set_value("zh").run()
    assert not at.exception
    assert at.select_slider(key="sep_k").value == 5
    assert any("深度可分离" in h.value for h in at.header)
    assert at.query_params["view"] in ("Depthwise-separable", ["Depthwise-separable"])


def test_an_unknown_language_in_a_link_gets_a_notice_and_english():
    at = run_app(lang="fr")
    assert any("“lang=fr” is not one of en, zh" in notice for notice in link_notices(at))
    assert at.tabs[0].label == "Multi-channel correlation"


def test_an_impossible_setting_is_explained_in_chinese_too():
    at = run_app(lang="zh", h="3", w="3", kh="5", kw="5")
    assert not at.exception
    message = " ".join(e.value for e in at.error)
    assert "卷积核放不下：它的高 5 在膨胀 1 下跨越 5 个单元，而填充后的输入只有 3 个单元" in message
    assert english_sentences([message]) == []


def test_every_cached_figure_is_built_in_the_language_it_is_cached_by():
    # Called outside any `speaking` block: the argument alone decides the language, so the cache (keyed by it) can
    # never hand a figure in one language to a page in the other.
    import numpy as np

    from convviz.figures.animation import Room
    from convviz.model.setting import Setting
    from convviz.ui import main_view, mixing_view, separable_view

    X, W = np.arange(12.0).reshape(3, 2, 2), np.eye(3)  # (c_i, h, w), (c_o, c_i)
    sizes = separable_view.Sizes(3, 4, 6, 6, 3, 0)
    built = {
        "animation": lambda lang: main_view._animation(Setting(), 0, Room(), lang)[0].decode(),
        "pixel": lambda lang: str(mixing_view._pixel_figure(X, W, 0, 0, lang, 900)),
        "matmul": lambda lang: str(mixing_view._matmul_figure(X, W, 0, 0, lang, 900)),
        "maps": lambda lang: str(separable_view._maps_figure(sizes, np.ones((4, 3)), lang, 900)),
        "kernels": lambda lang: str(separable_view._kernels_figure(sizes, np.ones((4, 3)), lang, 900)),
    }
    for name, build in built.items():
        chinese, english = build("zh"), build("en")
        has_han = [any("\u4e00" <= ch <= "\u9fff" for ch in figure) for figure in (chinese, english)]
        assert has_han == [True, False], name
