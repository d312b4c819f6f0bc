"""The transposed convolution view's steps as plain NumPy data, and the two other ways to see the same numbers.

At step n (row-major over X's cells) input cell (i, j) of every channel scatters: X[c, i, j]·K[c, o] lands in the
k_h×k_w block of output channel o's full map whose top-left corner is (i·s_h, j·s_w), and the running sums grow.
Cropping p cells from every side of the finished full map gives Y. The same Y is
- an ordinary correlation of X spread out by the stride (s - 1 zeros between cells), padded by k - 1 - p zeros,
  with every kernel slice flipped in both axes and the channel axes swapped (`as_correlation`);
- Cᵀ·vec(X), where C is the matrix of the ordinary correlation (stride s, padding p) that maps an array of Y's shape
  to one of X's shape (`correlation_matrix`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from convviz.core.correlation import as_float32
from convviz.core.geometry import IntPair
from convviz.core.transposed import TransposeGeometry, transpose_geometry
from convviz.model.examples import example_tensors


@dataclass(frozen=True)
class TransposeTable:
    """One row per input cell, row-major; n = h · w."""

    geometry: TransposeGeometry
    X: np.ndarray  # (c_i, h, w)
    K: np.ndarray  # (c_i, c_o, k_h, k_w)
    products: np.ndarray  # (n, c_i, c_o, k_h, k_w): X[c, i, j]·K[c, o] at step n
    running: np.ndarray  # (n, c_o, full_h, full_w): the full maps after step n, NaN where a block lands later
    block_origin: np.ndarray  # (n, 2): top-left (row, col) of step n's block in the full maps

    @property
    def n_steps(self) -> int:
        return self.products.shape[0]

    def full_maps(self) -> np.ndarray:
        """The finished full output before cropping, (c_o, full_h, full_w)."""
        return np.nan_to_num(self.running[-1])

    def output_maps(self) -> np.ndarray:
        """Y, the full maps cropped by the padding: (c_o, h_o, w_o)."""
        geo = self.geometry
        p_h, p_w = geo.padding
        return self.full_maps()[:, p_h : p_h + geo.out_h, p_w : p_w + geo.out_w]


def transpose_table(X: object, K: object, *, stride: IntPair = 1, padding: IntPair = 0) -> TransposeTable:
    """Every step of the transposed convolution of X (c_i, h, w) with K (c_i, c_o, k_h, k_w), in NumPy (the core's
    `corr2d_transpose` is the TensorFlow answer)."""
    X = as_float32("X", X)
    K = as_float32("K", K)
    geo = transpose_geometry(X.shape, K.shape, stride=stride, padding=padding)
    (s_h, s_w) = geo.stride
    n = geo.h * geo.w
    products = (X.reshape(geo.c_in, n).T[:, :, np.newaxis, np.newaxis, np.newaxis]
                * K[np.newaxis])  # (n, c_i, 1, 1, 1) · (1, c_i, c_o, k_h, k_w) -> (n, c_i, c_o, k_h, k_w)
    blocks = products.sum(axis=1)  # (n, c_o, k_h, k_w): what step n adds, over the input channels
    row, col = np.divmod(np.arange(n), geo.w)
    origin = np.stack([row * s_h, col * s_w], axis=1)  # (n, 2)
    added = np.zeros((n, geo.c_out, geo.full_h, geo.full_w), dtype=np.float64)
    landed = np.zeros((n, geo.full_h, geo.full_w), dtype=bool)
    for step, (r, q) in enumerate(origin):  # at most 6·6 steps: each writes its own block
        added[step, :, r : r + geo.k_h, q : q + geo.k_w] = blocks[step]
        landed[step, r : r + geo.k_h, q : q + geo.k_w] = True
    running = np.cumsum(added, axis=0)  # (n, c_o, full_h, full_w)
    seen = np.logical_or.accumulate(landed, axis=0)  # (n, full_h, full_w)
    seen = (seen | ~seen[-1])[:, np.newaxis]  # cells no block reaches (a stride over k) are zeros from the start
    running = np.where(seen, running, np.nan).astype(np.float32)
    return TransposeTable(geo, X, K, products.astype(np.float32), running, origin)


@dataclass(frozen=True)
class AsCorrelation:
    """The transposed convolution as an ordinary correlation (stride 1, no padding) of Z with the kernels F."""

    Z: np.ndarray  # (c_i, h_z, w_z): X spread out by the stride and padded
    real: np.ndarray  # (c_i, h_z, w_z) bool: True on X's own cells, False on the zeros put in between and around
    F: np.ndarray  # (c_o, c_i, k_h, k_w): F[o, c] = K[c, o] flipped in both spatial axes


def as_correlation(table: TransposeTable) -> AsCorrelation:
    """Z and F such that correlating Z with F (stride 1, no padding) gives the table's Y."""
    geo = table.geometry
    (s_h, s_w), (p_h, p_w) = geo.stride, geo.padding
    spread = np.zeros((geo.c_in, geo.full_h - geo.k_h + 1, geo.full_w - geo.k_w + 1), dtype=np.float32)
    spread[:, ::s_h, ::s_w] = table.X  # (c_i, (h - 1)·s_h + 1, (w - 1)·s_w + 1): s - 1 zeros between cells
    real = np.zeros(spread.shape, dtype=bool)
    real[:, ::s_h, ::s_w] = True
    e_h, e_w = geo.k_h - 1 - p_h, geo.k_w - 1 - p_w  # the zeros around it (a negative number crops instead)
    pads = ((0, 0), (max(e_h, 0), max(e_h, 0)), (max(e_w, 0), max(e_w, 0)))
    Z, real = np.pad(spread, pads), np.pad(real, pads)
    crop_h, crop_w = max(-e_h, 0), max(-e_w, 0)
    Z = Z[:, crop_h : Z.shape[1] - crop_h, crop_w : Z.shape[2] - crop_w]
    real = real[:, crop_h : real.shape[1] - crop_h, crop_w : real.shape[2] - crop_w]
    F = np.ascontiguousarray(table.K[:, :, ::-1, ::-1].transpose(1, 0, 2, 3))  # (c_o, c_i, k_h, k_w)
    return AsCorrelation(Z, real, F)


def correlation_matrix(table: TransposeTable) -> np.ndarray:
    """C, (c_i·h·w, c_o·h_o·w_o): the ordinary correlation with K (stride s, padding p) that maps an array V of Y's
    shape to one of X's shape, as a matrix on row-major vectors; the transposed convolution is Y = Cᵀ·vec(X)."""
    geo = table.geometry
    (s_h, s_w), (p_h, p_w) = geo.stride, geo.padding
    C = np.zeros((geo.c_in, geo.h, geo.w, geo.c_out, geo.out_h, geo.out_w), dtype=np.float32)
    for i in range(geo.h):
        for j in range(geo.w):
            for a in range(geo.k_h):
                for b in range(geo.k_w):
                    r, q = i * s_h + a - p_h, j * s_w + b - p_w  # V's cell under kernel cell (a, b) ...
                    if 0 <= r < geo.out_h and 0 <= q < geo.out_w:  # ... unless it is padding
                        C[:, i, j, :, r, q] = table.K[:, :, a, b]  # (c_i, c_o)
    return C.reshape(geo.c_in * geo.h * geo.w, geo.c_out * geo.out_h * geo.out_w)


TR_VALUES = ("book", "integers", "random")


def transpose_inputs(values: str, c_in: int, c_out: int, h: int, w: int, k: int,
                     seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The view's X (c_i, h, w) and K (c_i, c_o, k, k) (`example_tensors`: with the book's numbers and 2×2 sizes,
    d2l's example, 0 1 / 2 3 for both)."""
    X, (K,) = example_tensors(values, (c_in, h, w), [(c_in, c_out, k, k)], seed)
    return X, K


def padding_high(h: int, w: int, k: int, stride: int) -> int:
    """The most padding the view offers: k - 1 (Z's zeros around X, k - 1 - p, are never fewer than none), and
    never so much that it crops the whole output."""
    return max(0, min(k - 1, ((h - 1) * stride + k - 1) // 2, ((w - 1) * stride + k - 1) // 2))
