"""The textbook's loop form of cross-correlation, kept as a readable reference.

Each function builds on the previous one, as the chapter does: `corr2d_loop` slides one kernel over one channel,
`corr2d_multi_in_loop` sums it over input channels, `corr2d_multi_in_out_loop` stacks that over output channels,
`corr2d_grouped_loop` runs one multi-in-out layer per group of channels.
It visits every output position in Python, so it is slow (seconds at 8x32x32); the tests, the benchmark and the
app's "how it is computed" text use it, the app itself uses `convviz.core.correlation`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from convviz.core.correlation import as_float32
from convviz.core.geometry import IntPair, conv_geometry
from convviz.core.lazy import LazyModule

if TYPE_CHECKING:
    import tensorflow as tf
else:
    tf = LazyModule("tensorflow")  # imported by the first computation, not by this module's import


def corr2d_loop(X: object, K: object, *, stride: IntPair = 1, padding: IntPair = 0, dilation: IntPair = 1) -> tf.Tensor:
    """Y[i, j] = sum(X_padded[window at (i, j)] * K), one output position at a time. X (h, w), K (k_h, k_w)."""
    X, K = as_float32("X", X), as_float32("K", K)
    if X.ndim != 2 or K.ndim != 2:
        raise ValueError(f"corr2d_loop expects X (h, w) and K (k_h, k_w), but got shapes {X.shape} and {K.shape}.")
    geo = conv_geometry((1, *X.shape), (1, 1, *K.shape), stride=stride, padding=padding, dilation=dilation)
    (s_h, s_w), (p_h, p_w), (d_h, d_w) = geo.stride, geo.padding, geo.dilation
    X_padded = tf.pad(X, [[p_h, p_h], [p_w, p_w]])
    k_h, k_w = K.shape
    Y = []
    for i in range(geo.out_h):
        for j in range(geo.out_w):
            rows = slice(i * s_h, i * s_h + d_h * (k_h - 1) + 1, d_h)
            cols = slice(j * s_w, j * s_w + d_w * (k_w - 1) + 1, d_w)
            window = X_padded[rows, cols]
            Y.append(tf.reduce_sum(window * K))
    return tf.reshape(tf.stack(Y), (geo.out_h, geo.out_w))


def corr2d_multi_in_loop(X: object, K: object, **geometry: IntPair) -> tf.Tensor:
    """Correlate each input channel with its kernel slice and add the results. X (c_i, h, w), K (c_i, k_h, k_w)."""
    X, K = as_float32("X", X), as_float32("K", K)
    if len(X) != len(K):
        raise ValueError(f"X has {len(X)} input channel(s) but K has {len(K)}: the two c_i must match.")
    return tf.add_n([corr2d_loop(x, k, **geometry) for x, k in zip(X, K, strict=True)])


def corr2d_multi_in_out_loop(X: object, K: object, bias: object | None = None, **geometry: IntPair) -> tf.Tensor:
    """Stack one multi-input correlation per output channel. X (c_i, h, w), K (c_o, c_i, k_h, k_w)."""
    Y = tf.stack([corr2d_multi_in_loop(X, k, **geometry) for k in as_float32("K", K)])  # (c_o, h_o, w_o)
    if bias is not None:
        Y += np.reshape(as_float32("bias", bias), (-1, 1, 1))  # (c_o, 1, 1) broadcast over positions
    return Y


def corr2d_grouped_loop(
    X: object,
    K: object,
    bias: object | None = None,
    *,
    groups: int,
    stride: IntPair = 1,
    padding: IntPair = 0,
    dilation: IntPair = 1,
) -> tf.Tensor:
    """A grouped layer: split X's channels and K's output channels into `groups` slices, in order, and run each
    group as its own multi-in-out layer. X (c_i, h, w), K (c_o, c_i/g, k_h, k_w), bias (c_o,) or None.
    """
    X, K = as_float32("X", X), as_float32("K", K)
    conv_geometry(X.shape, K.shape, groups=groups, stride=stride, padding=padding, dilation=dilation)  # the checks
    geometry: dict[str, IntPair] = {"stride": stride, "padding": padding, "dilation": dilation}
    X_groups = np.split(X, groups)  # g slices of (c_i/g, h, w)
    K_groups = np.split(K, groups)  # g slices of (c_o/g, c_i/g, k_h, k_w)
    Y = tf.concat(
        [corr2d_multi_in_out_loop(x, k, **geometry) for x, k in zip(X_groups, K_groups, strict=True)], axis=0
    )  # (c_o, h_o, w_o)
    if bias is not None:
        Y += np.reshape(as_float32("bias", bias), (-1, 1, 1))  # (c_o, 1, 1) broadcast over positions
    return Y
