"""Layers in a row: the receptive field that grows through them, and the one layer that does the same as two.

Correlation is linear, so two layers with nothing between them are one layer. With Y1 = corr(X, K1) at stride s1
and Y2 = corr(Y1, K2) at stride s2 (shapes as in the book: K1 (c_1, c_0, k1_h, k1_w), K2 (c_2, c_1, k2_h, k2_w)),

    Y2[o, i, j] = Σ_{c, t, u} K[o, c, t, u] · X[c, i·s1·s2 + t, j·s1·s2 + u]
    with K[o, c] = Σ_{m, a, b} K2[o, m, a, b] · K1[m, c] placed at (a·s1, b·s1),

a (c_2, c_0, (k2_h - 1)·s1 + k1_h, (k2_w - 1)·s1 + k1_w) kernel at stride s1·s2: `compose_kernels`. At stride 1 its
side is k1 + k2 - 1. A dilated kernel is first written out with its zeros (`dilated_dense`). The first layer's
padding becomes the composed layer's; padding in a later layer puts zeros into Y1 that no padding of X makes, so
there the two agree only on the cells that never see it. A nonlinearity between the layers (ReLU) breaks the
equality wherever Y1 has a negative number that reaches the output.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from convviz.core.correlation import as_float32


def dilated_dense(K: object, dilation: int) -> np.ndarray:
    """K (c_o, c_i, k_h, k_w) with dilation d written out as the dense kernel it is: d - 1 zeros between taps,
    (c_o, c_i, (k_h - 1)·d + 1, (k_w - 1)·d + 1)."""
    K = as_float32("K", K)
    if dilation < 1:
        raise ValueError(f"The dilation must be at least 1, but got {dilation}.")
    c_o, c_i, k_h, k_w = K.shape
    dense = np.zeros((c_o, c_i, (k_h - 1) * dilation + 1, (k_w - 1) * dilation + 1), dtype=np.float32)
    dense[:, :, ::dilation, ::dilation] = K
    return dense


def compose_kernels(K1: object, K2: object, stride1: int = 1) -> np.ndarray:
    """The one kernel that does what K1 (c_1, c_0, k1_h, k1_w) at stride `stride1` then K2 (c_2, c_1, k2_h, k2_w)
    do, with no nonlinearity between: (c_2, c_0, (k2_h - 1)·stride1 + k1_h, (k2_w - 1)·stride1 + k1_w), to be used
    at stride stride1·stride2 (the module's docstring has the sum)."""
    K1, K2 = as_float32("K1", K1), as_float32("K2", K2)
    if K1.ndim != 4 or K2.ndim != 4:
        raise ValueError(f"compose_kernels expects K1 and K2 as (c_o, c_i, k_h, k_w), but got shapes {K1.shape} and "
                         f"{K2.shape}.")
    if K2.shape[1] != K1.shape[0]:
        raise ValueError(f"K2 reads {K2.shape[1]} channel(s) but K1 makes {K1.shape[0]}: K2's c_i must be K1's c_o.")
    if stride1 < 1:
        raise ValueError(f"The stride must be at least 1, but got {stride1}.")
    _, c_0, k1_h, k1_w = K1.shape
    c_2, _, k2_h, k2_w = K2.shape
    K = np.zeros((c_2, c_0, (k2_h - 1) * stride1 + k1_h, (k2_w - 1) * stride1 + k1_w), dtype=np.float64)
    for a in range(k2_h):
        for b in range(k2_w):  # tap (a, b) of K2 reads K1's window placed a·s1, b·s1 further on
            K[:, :, a * stride1 : a * stride1 + k1_h, b * stride1 : b * stride1 + k1_w] += np.einsum(
                "om,mcuv->ocuv", K2[:, :, a, b], K1)  # (c_2, c_1) · (c_1, c_0, k1_h, k1_w) -> (c_2, c_0, k1_h, k1_w)
    return K.astype(np.float32)


@dataclass(frozen=True)
class Layer:
    """One layer's geometry (square kernels, the same stride, padding and dilation on both axes)."""

    c_out: int
    k: int
    stride: int = 1
    padding: int = 0
    dilation: int = 1

    @property
    def span(self) -> int:
        """The cells one window covers along an axis: (k - 1)·d + 1."""
        return (self.k - 1) * self.dilation + 1


def receptive_field(layers: Sequence[Layer]) -> int:
    """The side of the square of input cells one output cell of the last layer depends on:
    r = 1 + Σ_l (span_l - 1)·Π_{m<l} s_m."""
    size, jump = 1, 1
    for layer in layers:
        size += (layer.span - 1) * jump
        jump *= layer.stride
    return size


def field_rows(layers: Sequence[Layer], row: int, sizes: Sequence[int]) -> list[tuple[int, int] | None]:
    """Row `row` of the last layer's output traced back: the first and last row it depends on in each layer's
    input (`sizes[l]` rows: the network's input first). Rows in the padding depend on nothing and a dilated
    kernel skips the rows in its holes, so the rows are traced as a set, cut to each map; None where none is
    left."""
    ranges: list[tuple[int, int] | None] = []
    rows = {row}
    for layer, size in zip(reversed(layers), reversed(sizes), strict=True):
        rows = {r * layer.stride - layer.padding + t * layer.dilation for r in rows for t in range(layer.k)}
        rows = {r for r in rows if 0 <= r < size}
        ranges.append((min(rows), max(rows)) if rows else None)
    return ranges[::-1]


def composed_layer(layers: Sequence[Layer], kernels: Sequence[np.ndarray]) -> tuple[np.ndarray, int, int]:
    """The one layer for the whole row: its kernel (c_last, c_0, k, k), stride and padding. It equals the stack
    where no layer after the first has padding (the module's docstring)."""
    K = dilated_dense(kernels[0], layers[0].dilation)
    stride, padding = layers[0].stride, layers[0].padding
    for layer, kernel in zip(layers[1:], kernels[1:], strict=True):
        K = compose_kernels(K, dilated_dense(kernel, layer.dilation), stride1=stride)
        padding += layer.padding * stride
        stride *= layer.stride
    return K, stride, padding
