"""The class's guesses for one output cell: a histogram with the true value marked (data in, figure dict out)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from convviz.figures import style

MAX_BINS = 40  # a lecture hall's guesses spread over at most this many bars


def is_right(guess: float, truth: float, decimals: int) -> bool:
    """Whether a guess is the value as the diagram writes it: equal once both are rounded to `decimals` places."""
    return abs(guess - truth) <= 0.5 * 10.0 ** -decimals + 1e-9 * max(1.0, abs(truth))


def _extent(guesses: Sequence[float], truth: float) -> tuple[float, float]:
    """The lowest and the highest of the guesses and the true value."""
    return min(min(guesses, default=truth), truth), max(max(guesses, default=truth), truth)


def bin_size(guesses: Sequence[float], truth: float, decimals: int) -> float:
    """One bar per written value (10^-decimals) while that keeps to MAX_BINS bars, else a round wider size."""
    unit = 10.0 ** -decimals
    low, high = _extent(guesses, truth)
    span = high - low
    if span / unit < MAX_BINS:
        return unit
    rough = span / MAX_BINS
    power = 10.0 ** math.floor(math.log10(rough))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= rough)


def guesses_figure(guesses: Sequence[float], truth: float, decimals: int, *, title: str, truth_label: str,
                   x_title: str, y_title: str) -> dict[str, Any]:
    """Every guess in a histogram whose bars are centred on written values, the true value a line over them."""
    size = bin_size(guesses, truth, decimals)
    low, high = _extent(guesses, truth)
    start = math.floor(low / size + 0.5) * size - size / 2  # bars centred on multiples of the size
    values = np.round(np.asarray(guesses, dtype=np.float64), decimals)
    shown = f"{truth:.{decimals}f}"
    end = high + size
    tallest = int(np.histogram(values, bins=np.arange(start, end + size, size))[0].max(initial=0))
    step = max(1, math.ceil(tallest / 8))  # whole students on the axis: no 0.5 of one
    return {
        "data": [{
            "type": "histogram", "x": values.tolist(), "autobinx": False,
            "xbins": {"start": start, "end": end, "size": size},
            "marker": {"color": style.GUESS_BAR, "line": {"color": "white", "width": 1}},
            "hovertemplate": "%{x}: %{y}<extra></extra>",
        }],
        "layout": {
            "title": {"text": title}, "height": 380, "margin": {"l": 50, "r": 20, "t": 60, "b": 50},
            "xaxis": {"title": {"text": x_title}},
            "yaxis": {"title": {"text": y_title}, "rangemode": "tozero", "tick0": 0, "dtick": step},
            "bargap": 0.05, "plot_bgcolor": "white", "showlegend": False,
            "shapes": [{"type": "line", "xref": "x", "yref": "paper", "x0": truth, "x1": truth, "y0": 0, "y1": 1,
                        "line": {"color": style.GUESS_TRUTH, "width": 3}}],
            "annotations": [{"xref": "x", "yref": "paper", "x": truth, "y": 1, "yanchor": "bottom",
                             "text": truth_label.replace("{value}", shown), "showarrow": False,
                             "font": {"color": style.GUESS_TRUTH, "size": 16}}],
        },
    }
