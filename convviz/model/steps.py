"""The step model: everything one animation step shows, as plain NumPy data.

A step is one output position (i, j), visited in row-major order. At that step the window sits at
(i * s_h, j * s_w) in the zero-padded input; for every output channel o and input channel c the student sees
the element-wise products X_padded[c, window] * K[o, c], their sum (the partial sum of channel c), and the
output value Y[o, i, j] = sum over c of the partial sums + bias[o].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from convviz.core.correlation import as_bias, as_float32, dense_kernel, flipped
from convviz.core.geometry import Geometry, IntPair, conv_geometry


@dataclass(frozen=True)
class StepTable:
    """One row per output position, in row-major order; n = h_o * w_o."""

    geometry: Geometry
    X_padded: np.ndarray  # (c_i, h + 2p_h, w + 2p_w)
    K: np.ndarray  # (c_o, c_i, k_h, k_w)
    bias: np.ndarray  # (c_o,), zeros when the layer has no bias
    window_origin: np.ndarray  # (n, 2): top-left (row, col) of the window in X_padded
    products: np.ndarray  # (n, c_o, c_i, k_h, k_w)
    partial_sums: np.ndarray  # (n, c_o, c_i)
    outputs: np.ndarray  # (n, c_o)
    flipped: bool = False  # true convolution: K holds the flipped slices, the ones that slide

    @property
    def n_steps(self) -> int:
        return self.outputs.shape[0]

    def output_position(self, step: int) -> tuple[int, int]:
        """The (row, col) of the output cell that `step` computes."""
        return divmod(step, self.geometry.out_w)

    def window_cells(self, step: int) -> tuple[np.ndarray, np.ndarray]:
        """Rows (k_h,) and columns (k_w,) of X_padded that the kernel touches at `step` (dilation spreads them)."""
        (d_h, d_w), (row, col) = self.geometry.dilation, self.window_origin[step]
        return row + d_h * np.arange(self.geometry.k_h), col + d_w * np.arange(self.geometry.k_w)

    def output_maps(self) -> np.ndarray:
        """The finished output, (c_o, h_o, w_o), assembled from the steps."""
        geo = self.geometry
        return self.outputs.T.reshape(geo.c_out, geo.out_h, geo.out_w)  # (n, c_o) -> (c_o, h_o, w_o)


def step_table(
    X: object,
    K: object,
    bias: object | None = None,
    *,
    stride: IntPair = 1,
    padding: IntPair = 0,
    dilation: IntPair = 1,
    groups: int = 1,
    flip: bool = False,
) -> StepTable:
    """Compute every step of the correlation of X (c_i, h, w) with K (c_o, c_i/g, k_h, k_w), vectorized in NumPy.

    The windows are gathered by index and multiplied in float32, so each product is the one TensorFlow's Conv2D
    forms; the sums may differ from the core's in the last bits (their order differs). NumPy rather than a few
    TensorFlow ops because TensorFlow's per-op dispatch cost the app ~1.5 ms on every new classroom setting
    (about 7× the gather; bench/README.md), and a class computes one on nearly every change.

    With `groups` = g > 1 the table holds the layer's full kernel (zeros outside each output channel's group, see
    `dense_kernel`), so the channels an output does not see add partial sums of 0; `geometry.groups` says which.
    With `flip` the layer is a true convolution: the table holds each kernel slice flipped in both spatial axes
    (what multiplies the windows) and says so (`flipped`).
    """
    X, K = as_float32("X", X), as_float32("K", K)
    K = flipped(K) if flip else K
    geo = conv_geometry(X.shape, K.shape, stride=stride, padding=padding, dilation=dilation, bias=bias is not None,
                        groups=groups)
    K = dense_kernel(K, groups) if groups > 1 else K  # (c_o, c_i, k_h, k_w)
    b = np.zeros(geo.c_out, np.float32) if bias is None else as_bias(bias, geo.c_out)
    (s_h, s_w), (p_h, p_w), (d_h, d_w) = geo.stride, geo.padding, geo.dilation

    X_padded = np.pad(X, ((0, 0), (p_h, p_h), (p_w, p_w)))  # (c_i, h + 2p_h, w + 2p_w)
    rows = (np.arange(geo.out_h) * s_h)[:, np.newaxis] + d_h * np.arange(geo.k_h)  # (h_o, k_h): rows read
    cols = (np.arange(geo.out_w) * s_w)[:, np.newaxis] + d_w * np.arange(geo.k_w)  # (w_o, k_w)
    windows = X_padded[:, rows[:, np.newaxis, :, np.newaxis], cols[np.newaxis, :, np.newaxis, :]].transpose(
        1, 2, 0, 3, 4)  # (c_i, h_o, w_o, k_h, k_w) -> (h_o, w_o, c_i, k_h, k_w)
    windows = windows.reshape(geo.n_positions, geo.c_in, geo.k_h, geo.k_w)  # (n, c_i, k_h, k_w)
    products = windows[:, np.newaxis] * K[np.newaxis]  # (n, c_o, c_i, k_h, k_w)
    partial_sums = products.sum(axis=(3, 4))  # (n, c_o, c_i)
    outputs = partial_sums.sum(axis=2) + b  # (n, c_o)

    out_row, out_col = np.divmod(np.arange(geo.n_positions), geo.out_w)
    window_origin = np.stack([out_row * s_h, out_col * s_w], axis=1)  # (n, 2)
    return StepTable(
        geometry=geo,
        X_padded=X_padded,
        K=K,
        bias=b,
        window_origin=window_origin,
        products=products,
        partial_sums=partial_sums,
        outputs=outputs,
        flipped=flip,
    )
