"""The im2col view's steps as plain NumPy data: one step per output position (row-major, n = i·w_o + j).

At step n the window over the padded X (every channel at once) is column n of the unfolded X; row o of K_mat times
that column is Y[o][i, j]. The whole layer is one product, K_mat (c_o × c_i·k_h·k_w) @ X_col (c_i·k_h·k_w × h_o·w_o),
reshaped to (c_o, h_o, w_o).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from convviz.core.correlation import as_float32
from convviz.core.geometry import Geometry, IntPair, conv_geometry
from convviz.core.im2col import im2col
from convviz.model.examples import example_tensors


@dataclass(frozen=True)
class UnfoldTable:
    """One column (and one output position) per step; n = h_o · w_o."""

    geometry: Geometry
    X: np.ndarray  # (c_i, h, w)
    K: np.ndarray  # (c_o, c_i, k_h, k_w)
    padded: np.ndarray  # (c_i, H_p, W_p): X with its ring of zeros
    X_col: np.ndarray  # (c_i·k_h·k_w, n): the unfolded X, the core's `im2col`
    K_mat: np.ndarray  # (c_o, c_i·k_h·k_w): K, one row per output channel
    product: np.ndarray  # (c_o, n): K_mat @ X_col
    window_origin: np.ndarray  # (n, 2): top-left (row, col) of step n's window in the padded X

    @property
    def n_steps(self) -> int:
        return self.X_col.shape[1]

    def output_maps(self) -> np.ndarray:
        """Y, the product reshaped: (c_o, h_o, w_o)."""
        geo = self.geometry
        return self.product.reshape(geo.c_out, geo.out_h, geo.out_w)

    def running(self, s: int) -> np.ndarray:
        """The product after step s: columns 0..s filled in, the others NaN, (c_o, n)."""
        shown = np.full(self.product.shape, np.nan, dtype=np.float32)
        shown[:, : s + 1] = self.product[:, : s + 1]
        return shown

    def window_cells(self, s: int) -> list[tuple[int, int]]:
        """The padded X's cells (row, col) under step s's window, in kernel order (a, b)."""
        geo = self.geometry
        (r, q), (d_h, d_w) = self.window_origin[s], geo.dilation
        return [(int(r) + a * d_h, int(q) + b * d_w) for a in range(geo.k_h) for b in range(geo.k_w)]


def unfold_table(X: object, K: object, *, stride: IntPair = 1, padding: IntPair = 0,
                 dilation: IntPair = 1) -> UnfoldTable:
    """Every step of X (c_i, h, w) correlated with K (c_o, c_i, k_h, k_w) as K_mat @ im2col(X)."""
    X = as_float32("X", X)
    K = as_float32("K", K)
    geo = conv_geometry(X.shape, K.shape, stride=stride, padding=padding, dilation=dilation)  # checks the shapes
    c_out, _, k_h, k_w = K.shape
    (p_h, p_w), (s_h, s_w) = geo.padding, geo.stride
    padded = np.pad(X, ((0, 0), (p_h, p_h), (p_w, p_w)))  # (c_i, H_p, W_p)
    X_col = im2col(X, k_h, k_w, stride=stride, padding=padding, dilation=dilation).numpy()  # (c_i·k_h·k_w, n)
    K_mat = K.reshape(c_out, -1)  # (c_o, c_i·k_h·k_w)
    product = (K_mat.astype(np.float64) @ X_col).astype(np.float32)  # (c_o, R) @ (R, n) -> (c_o, n)
    row, col = np.divmod(np.arange(geo.out_h * geo.out_w), geo.out_w)
    origin = np.stack([row * s_h, col * s_w], axis=1)  # (n, 2)
    return UnfoldTable(geo, X, K, padded, X_col, K_mat, product, origin)


COL_VALUES = ("book", "integers", "random")
MAX_K = 3
MAX_PADDING = 2
MAX_DILATION = 2


def unfold_inputs(values: str, c_in: int, c_out: int, h: int, w: int, k: int,
                  seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The view's X (c_i, h, w) and K (c_o, c_i, k, k) (`example_tensors`: the book's numbers are d2l's
    `corr2d_multi_in` and `corr2d_multi_in_out` examples)."""
    X, (K,) = example_tensors(values, (c_in, h, w), [(c_out, c_in, k, k)], seed)
    return X, K


def k_high(h: int, w: int) -> int:
    """The largest kernel the view offers: MAX_K, and never wider than the input (so the window always fits)."""
    return max(1, min(MAX_K, h, w))


def padding_high(k: int) -> int:
    """The most padding the view offers: k − 1 (more would add output cells that see only zeros)."""
    return max(0, min(MAX_PADDING, k - 1))


def dilation_high(h: int, w: int, k: int, padding: int) -> int:
    """The largest dilation whose window, d·(k − 1) + 1 cells, fits the padded input; at most MAX_DILATION."""
    if k == 1:
        return MAX_DILATION  # a 1×1 window is one cell whatever the dilation
    return max(1, min(MAX_DILATION, (min(h, w) + 2 * padding - 1) // (k - 1)))


def max_steps(max_side: int) -> int:
    """The most output positions any bounded setting has (stride 1, the most padding)."""
    return max((max_side + 2 * padding_high(k) - k + 1) ** 2 for k in range(1, MAX_K + 1))
