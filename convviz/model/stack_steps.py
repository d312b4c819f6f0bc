"""The stacked layers view as plain data: every layer's maps, each output cell's receptive field in every layer, and
the one layer that does the same as the row of layers (convviz/core/stacking.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from convviz.core.correlation import corr2d_multi_in_out
from convviz.core.geometry import conv_geometry
from convviz.core.stacking import Layer, composed_layer, field_rows, receptive_field
from convviz.model.examples import example_tensors

ST_VALUES = ("integers", "random")


@dataclass(frozen=True)
class StackTable:
    """A row of layers run on X: `maps[0]` is X (c_0, h, w), `maps[l]` what layer l hands on (after ReLU when
    `relu`, except the last); the steps are the last map's cells, row-major."""

    layers: tuple[Layer, ...]
    kernels: tuple[np.ndarray, ...]  # layer l's K, (c_l, c_{l-1}, k, k)
    maps: tuple[np.ndarray, ...]
    relu: bool

    @property
    def n_steps(self) -> int:
        return self.maps[-1].shape[1] * self.maps[-1].shape[2]

    def field(self, step: int) -> list[tuple[tuple[int, int], tuple[int, int]] | None]:
        """Step's output cell traced back: its rows and columns (first, last) in every map before the last, the
        input first; None in a map it depends on nowhere (a cell made of padding alone)."""
        i, j = divmod(step, self.maps[-1].shape[2])
        rows = field_rows(self.layers, i, [m.shape[1] for m in self.maps[:-1]])
        cols = field_rows(self.layers, j, [m.shape[2] for m in self.maps[:-1]])
        return [None if r is None or q is None else (r, q) for r, q in zip(rows, cols, strict=True)]


def stack_table(X: object, layers: Sequence[Layer], kernels: Sequence[np.ndarray], *, relu: bool = False) -> StackTable:
    """Run X (c_0, h, w) through the layers (each with its kernel) with the core's correlation; ReLU between them
    when `relu`. A layer that does not fit raises the core's ValueError, which names the layer's numbers."""
    maps = [np.asarray(X, dtype=np.float32)]
    for n, (layer, K) in enumerate(zip(layers, kernels, strict=True)):
        Y = corr2d_multi_in_out(maps[-1], K, stride=layer.stride, padding=layer.padding,
                                dilation=layer.dilation).numpy()  # (c_l, h_l, w_l)
        maps.append(np.maximum(Y, 0) if relu and n < len(layers) - 1 else Y)
    return StackTable(tuple(layers), tuple(np.asarray(K, np.float32) for K in kernels), tuple(maps), relu)


@dataclass(frozen=True)
class Composed:
    """The one layer: its kernel (c_last, c_0, k, k), stride and padding, its output, and how it differs from the
    row of layers (the row's output minus its own, cell by cell)."""

    K: np.ndarray
    stride: int
    padding: int
    Y: np.ndarray  # (c_last, h_o, w_o)
    difference: np.ndarray  # (c_last, h_o, w_o)
    exact: bool  # no padding after the first layer and no ReLU: equal by construction (up to float rounding)


def composed(table: StackTable) -> Composed:
    """The one layer for the table's row of layers, run on X with the core's correlation."""
    K, stride, padding = composed_layer(table.layers, table.kernels)
    Y = corr2d_multi_in_out(table.maps[0], K, stride=stride, padding=padding).numpy()
    exact = not table.relu and all(layer.padding == 0 for layer in table.layers[1:])
    return Composed(K, stride, padding, Y, table.maps[-1] - Y, exact)


def steps_count(c_in: int, h: int, w: int, layers: Sequence[Layer]) -> int:
    """The last map's cells for these shapes, or 0 when a layer does not fit."""
    channels = c_in
    try:
        for layer in layers:
            geo = conv_geometry((channels, h, w), (layer.c_out, channels, layer.k, layer.k), stride=layer.stride,
                                padding=layer.padding, dilation=layer.dilation)
            channels, h, w = layer.c_out, geo.out_h, geo.out_w
    except ValueError:
        return 0
    return h * w


def stack_inputs(values: str, c_in: int, h: int, w: int, layers: Sequence[Layer],
                 seed: int) -> tuple[np.ndarray, list[np.ndarray]]:
    """X (c_0, h, w) and each layer's K (`example_tensors`: small whole numbers or normal random numbers)."""
    shapes, channels = [], c_in
    for layer in layers:
        shapes.append((layer.c_out, channels, layer.k, layer.k))
        channels = layer.c_out
    return example_tensors(values, (c_in, h, w), shapes, seed)


def field_formula(layers: Sequence[Layer]) -> tuple[str, int]:
    """The receptive field's sum with the layers' numbers, r = 1 + (3 − 1) + (3 − 1)·1 = 5, and r."""
    terms = ["1"]
    for n, layer in enumerate(layers):
        span = f"({layer.k} − 1)·{layer.dilation} + 1" if layer.dilation > 1 else str(layer.k)
        strides = "·".join(str(prior.stride) for prior in layers[:n])
        terms.append(f"({span} − 1)" + (f"·{strides}" if strides else ""))
    return " + ".join(terms), receptive_field(layers)
