"""One text-fit rule for the tabs' figures: how wide a text is, which font fits a cell, and titles wrapped to a width.

The figures are laid out for the width the page measured (`convviz/ui/width_probe.py`), in CSS pixels. Widths of
text are estimated from DejaVu Sans' advance widths (the figures' first font; CJK characters take a full em), so a
figure can promise that its titles fit and its numbers are at least MIN_TEXT_PX tall, or else not drawn.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

MIN_TEXT_PX = 12  # no number or title is drawn smaller than this
MAX_DIGIT_PX = 22  # numbers in cells grow with their cells up to this (a projector's large cells)
LINE = 1.3  # a line of text is this many font sizes tall
CELL_PAD_PX = 4  # room left free around a number in its cell
DEFAULT_WIDTH = 1000  # a chart's width before the page has measured it (a laptop's main column)
NARROW_WIDTH = 240  # the narrowest chart a layout is made for
# DejaVu Sans advance widths in em (PIL's getlength at 1000 px), for the characters the figures write.
_EM = {
    " ": 0.318, "(": 0.39, ")": 0.39, "[": 0.39, "]": 0.39, ",": 0.318, ".": 0.318, ":": 0.337, ";": 0.337,
    "-": 0.361, "+": 0.838, "=": 0.838, "|": 0.337, "/": 0.337, "_": 0.5, "·": 0.318, "×": 0.838, "→": 0.838,
    "↓": 0.838, "⋆": 0.626, "−": 0.838, "–": 0.5, "±": 0.838, "▶": 0.77, "❚": 0.45, "'": 0.275, "Σ": 0.72,
    "I": 0.295, "J": 0.295, "M": 0.863, "W": 0.989, "f": 0.352, "i": 0.278, "j": 0.278, "l": 0.278, "m": 0.974,
    "r": 0.411, "t": 0.392, "w": 0.818,
}
_DIGIT_EM = 0.636
_UPPER_EM = 0.79  # the widest of the other capitals (O, Q)
_LOWER_EM = 0.64  # the widest of the other small letters (b, d, g, h, n, p, q, u)
_OTHER_EM = 0.84


def char_em(char: str) -> float:
    """The advance width of one character, in em (an estimate that errs on the wide side)."""
    if char in _EM:
        return _EM[char]
    if char.isdigit() and char.isascii():
        return _DIGIT_EM
    if _is_wide(char):
        return 1.0
    if char.isascii() and char.isupper():
        return _UPPER_EM
    if char.isascii() and char.islower():
        return _LOWER_EM
    return _OTHER_EM


def text_px(words: str, size: float) -> float:
    """How wide `words` is in pixels at font size `size` (one line)."""
    return sum(char_em(char) for char in words) * size


def number_font(cell_px: float, numbers: Iterable[str], cell_high_px: float | None = None) -> int:
    """The font size for numbers written into cells cell_px wide (and cell_high_px tall, by default as wide).

    The largest size up to MAX_DIGIT_PX (and a line within the cell's height) at which the widest of `numbers` fits with
    CELL_PAD_PX to spare; 0 when that is under MIN_TEXT_PX, so the numbers are not drawn at all.
    """
    widest = max((sum(char_em(char) for char in number) for number in numbers), default=1.0) or 1.0
    high = cell_px if cell_high_px is None else cell_high_px
    size = min(MAX_DIGIT_PX, (high - CELL_PAD_PX) / LINE, (cell_px - CELL_PAD_PX) / widest)
    return int(size) if size >= MIN_TEXT_PX else 0


def _is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def _tokens(words: str) -> list[str]:
    """Pieces a line may break between: words with their trailing space, and each CJK character on its own."""
    tokens: list[str] = []
    for char in words:
        if not tokens or _is_wide(char) or tokens[-1].endswith(" ") or _is_wide(tokens[-1][-1]):
            tokens.append(char)
        else:
            tokens[-1] += char
    return tokens


def wrap(words: str, width_px: float, size: float) -> list[str]:
    """`words` broken into lines no wider than width_px at `size`: between words, between CJK characters, and inside
    a word only when the word alone is too wide."""
    lines: list[str] = []
    line = ""
    for token in _tokens(words):
        if line and text_px((line + token).rstrip(), size) > width_px:
            lines.append(line.rstrip())
            line = token
        else:
            line += token
        while len(line.rstrip()) > 1 and text_px(line.rstrip(), size) > width_px:  # a word wider than a line
            cut = len(line) - 1
            while cut > 1 and text_px(line[:cut], size) > width_px:
                cut -= 1
            lines.append(line[:cut])
            line = line[cut:]
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]


def wrapped(words: str, width_px: float, size: float) -> tuple[str, int]:
    """`wrap` joined for Plotly (`<br>` between lines), and how many lines it takes."""
    lines = wrap(words, width_px, size)
    return "<br>".join(lines), len(lines)


def label_px(width: int) -> int:
    """The titles' font size for a chart `width` pixels wide: 13 px on a laptop, up to 20 px on a 4K projector."""
    return int(min(20, max(13, width / 95)))
