"""The Chinese table says what the English one says: same keys, same placeholders, and Chinese words on screen."""

from __future__ import annotations

import re
import string

import pytest

from convviz.i18n.strings import EN
from convviz.i18n.strings_zh import ZH

# Entries whose English is maths symbols and names only (no words), so the Chinese entry is the same text.
SAME_AS_ENGLISH = {
    "counts_bias_term",  # " + c\\_o"
    "fig_kernel",  # "K[{o},{c}]"
    "fig_block",  # "X[{c}] ⋆ K[{o},{k}] → Σ"
    "fig_block_flipped",  # "X[{c}] ∗ K[{o},{k}] → Σ"
    "pool_fig_output_hover",  # "Y[{c}] = %{{z}}"
    "tr_fig_input_hover",  # "X[{c}] = %{{z}}"
    "st_fig_hover",  # "{name} = %{{z}}"
    "tr_fig_kernel_hover",
    "tr_fig_z_hover",
    "tr_fig_f_hover",
    "tr_fig_vec_x_hover",
    "tr_fig_matrix_hover",
    "tr_fig_vec_y_hover",
    "col_fig_input_hover",  # "X[{c}] = %{{z}}"
    "col_fig_k_hover",
    "col_fig_x_col_hover",
    "col_fig_output_hover",
    "fig_final",  # "Y[{o}]"
    "fig_products_short",  # "× K"
    "img_fig_channel",  # "X[{c}] ({name})"
    "mix_matmul_shapes",  # "({c_out} × {c_in}) · ({c_in} × {n}) = ..."
    "mix_fig_w_hover",  # "W[%{y}, %{x}] = %{z}"
    "mix_fig_in_map",  # "X[{c}]"
    "mix_fig_out_map",  # "Y[{o}]"
    "mix_fig_w",
    "mix_fig_x",
    "mix_fig_y",
    "mix_fig_products",  # "W[o, c] · x[c]"
    "mix_fig_xflat",  # "X_flat: ({c_in} × {n})"
    "mix_fig_w_short",  # "W: ({c_out} × {c_in})"
    "mix_fig_yflat",  # "Y_flat = W · X_flat: ({c_out} × {n})"
    "mix_fig_general_map",  # "Y_general[{o}]"
    "sep_cost_pointwise",  # "(b) 1×1, {c_in} → {c_out}"
    "player_prev",  # "◀"
    "player_next",  # "▶"
}

CJK = re.compile(r"[\u4e00-\u9fff]")
# A mark that touches a word (not one standing alone between spaces, like the separator in "用 ; 分隔"),
# with only spaces between it and a Chinese character.
_MARK = r"(?:(?<!\s)[,.:;?!]|[,.:;?!](?!\s))"
HALF_WIDTH_IN_CHINESE = re.compile(rf"[\u4e00-\u9fff]\s*{_MARK}|{_MARK}\s*[\u4e00-\u9fff]")
HOVER_TOKEN = re.compile(r"%\{+[^{}]*\}+")  # Plotly's %{z}, or %{{z}} in a template that str.format fills


def fields(template: str) -> set[str]:
    """The str.format field names in `template` ("diff" for "{diff:.1e}", "customdata[2]" for "%{customdata[2]}")."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def fields_with_specs(template: str) -> set[tuple[str, str | None, str | None]]:
    """(name, format spec, conversion) of every field: "{diff:.1e}" gives ("diff", ".1e", None)."""
    return {(name, spec, conv) for _, name, spec, conv in string.Formatter().parse(template) if name is not None}


def dummy_values(template: str) -> dict[str, object]:
    """A value for every field of `template`: a float (it takes specs such as .1e), a list where a field indexes."""
    values: dict[str, object] = {}
    for name in fields(template):
        base = re.split(r"[.\[]", name, maxsplit=1)[0]
        values[base] = [1.5] * 10 if "[" in name else 1.5
    return values


def test_every_english_key_has_a_chinese_entry_and_no_more():
    assert set(EN) - set(ZH) == set(), "English keys without a Chinese entry"
    assert set(ZH) - set(EN) == set(), "Chinese keys that the app never asks for"


@pytest.mark.parametrize("key", sorted(EN))
def test_placeholders_and_hover_tokens_match(key):
    # A missing or renamed {placeholder} would raise KeyError at run time, or show a number in one language only.
    assert fields(ZH[key]) == fields(EN[key])
    assert fields_with_specs(ZH[key]) == fields_with_specs(EN[key])  # "{diff:.1e}" must not become "{diff:.1f}"
    # Plotly fills %{z} in the browser; %{{z}} becomes %{z} only after str.format, so the exact spelling matters.
    assert HOVER_TOKEN.findall(ZH[key]) == HOVER_TOKEN.findall(EN[key])
    # Markdown emphasis and code spans come in the same numbers, so nothing turns bold or code by accident.
    assert ZH[key].count("**") == EN[key].count("**")
    assert ZH[key].count("`") == EN[key].count("`")


@pytest.mark.parametrize("key", sorted(EN))
def test_chinese_entry_formats_with_the_values_the_english_one_takes(key):
    values = dummy_values(EN[key])
    EN[key].format(**values)  # the dummies are good enough for the English template
    shown = ZH[key].format(**values)
    assert "{" not in HOVER_TOKEN.sub("", shown), "a brace left over after formatting"


@pytest.mark.parametrize("key", sorted(EN))
def test_chinese_entry_is_chinese_unless_the_english_is_symbols(key):
    if key in SAME_AS_ENGLISH:
        assert ZH[key] == EN[key]
    else:
        assert CJK.search(ZH[key]), f"{key!r} has no Chinese character: {ZH[key]!r}"


def test_symbol_only_list_names_real_keys():
    assert SAME_AS_ENGLISH - set(EN) == set(), "listed keys that are not in EN"


@pytest.mark.parametrize("key", sorted(EN))
def test_chinese_sentences_use_full_width_punctuation(key):
    # An ASCII , . : ; ? ! next to a Chinese word is a half-width mark in a Chinese sentence: it should be ，。：；？！
    assert not HALF_WIDTH_IN_CHINESE.search(ZH[key]), ZH[key]
