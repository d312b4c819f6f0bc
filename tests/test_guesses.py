"""The class's guesses drawn (convviz/figures/guesses.py): every guess counted once, the true value marked."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from hypothesis import given, settings
from hypothesis import strategies as st

from convviz.figures.guesses import MAX_BINS, bin_size, guesses_figure, is_right


def figure(guesses, truth=12.0, decimals=0):
    return guesses_figure(guesses, truth, decimals, title="t", truth_label="true value {value}", x_title="guess",
                          y_title="students")


def bar_counts(spec) -> np.ndarray:
    """The bars as Plotly draws them: each guess counted in the bin [start + k·size, start + (k+1)·size)."""
    trace = spec["data"][0]
    bins = trace["xbins"]
    edges = np.arange(bins["start"], bins["end"] + bins["size"], bins["size"])
    return np.histogram(trace["x"], bins=edges)[0]


def test_a_guess_is_right_when_it_is_the_value_as_written():
    assert is_right(12, 12.0, 0) and not is_right(13, 12.0, 0)
    assert is_right(1.23, 1.2349, 2) and not is_right(1.22, 1.2349, 2)
    assert is_right(-0.5, -0.504, 2)


def test_written_values_each_get_their_bar_while_they_are_few():
    spec = figure([11, 12, 12, 15])
    go.Figure(spec)  # valid against Plotly's schema
    assert spec["data"][0]["type"] == "histogram" and spec["data"][0]["xbins"]["size"] == 1
    counts = bar_counts(spec)
    assert counts.sum() == 4 and sorted(counts[counts > 0].tolist()) == [1, 1, 2]
    assert spec["layout"]["shapes"][0]["x0"] == 12.0
    assert spec["layout"]["annotations"][0]["text"] == "true value 12"


def test_no_guesses_yet_draws_the_true_value_alone():
    spec = figure([], truth=-3.25, decimals=2)
    go.Figure(spec)
    assert spec["data"][0]["x"] == [] and spec["layout"]["annotations"][0]["text"] == "true value -3.25"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), max_size=200), st.floats(-1e4, 1e4, allow_nan=False),
       st.sampled_from([0, 2]))
def test_any_guesses_are_all_counted_in_at_most_a_lecture_halls_bars(guesses, truth, decimals):
    spec = figure(guesses, truth, decimals)
    counts = bar_counts(spec)
    assert counts.sum() == len(guesses)  # every guess lands in a bar
    span = max([*guesses, truth]) - min([*guesses, truth])
    assert span / bin_size(guesses, truth, decimals) <= MAX_BINS + 1


def test_the_count_axis_steps_by_whole_students():
    assert figure([3, 3, 4])["layout"]["yaxis"]["dtick"] == 1
    assert figure([5] * 40)["layout"]["yaxis"]["dtick"] == 5  # 40 on one bar: 8 ticks of 5
    assert figure([])["layout"]["yaxis"]["dtick"] == 1
