"""Transposed convolution, the layer that turns the picture around: each input cell scatters a copy of the kernel,
scaled by its value, into the output, and the copies add up where they overlap.

X is (c_i, h, w) and K is (c_i, c_o, k_h, k_w) (d2l's and PyTorch's order for this layer: input channels first).
Per axis the full output is (h - 1)·s + k; padding p crops p cells from each of its sides, so the result is
(c_o, (h - 1)·s - 2p + k_h, (w - 1)·s - 2p + k_w). For one channel this is d2l's `trans_conv`; in general it equals
`tf.nn.conv2d_transpose`, and it is the transpose of the ordinary correlation (stride s, padding p) that maps an
output-shaped array back to X's shape (see convviz/model/transposed_steps.py for both views).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from convviz.core.correlation import as_float32
from convviz.core.geometry import IntPair, as_pair
from convviz.core.lazy import LazyModule

if TYPE_CHECKING:
    import tensorflow as tf
else:
    tf = LazyModule("tensorflow")


@dataclass(frozen=True)
class TransposeGeometry:
    """The shapes of one transposed convolution: the full output before cropping, and the cropped one."""

    c_in: int
    c_out: int
    h: int
    w: int
    k_h: int
    k_w: int
    stride: tuple[int, int]
    padding: tuple[int, int]
    full_h: int  # (h - 1)·s_h + k_h
    full_w: int
    out_h: int  # full_h - 2·p_h
    out_w: int


def transpose_geometry(x_shape: tuple[int, ...], k_shape: tuple[int, ...], *, stride: IntPair = 1,
                       padding: IntPair = 0) -> TransposeGeometry:
    """The output size of a transposed convolution, or a ValueError that says what does not fit."""
    if len(x_shape) != 3 or len(k_shape) != 4:
        raise ValueError(f"corr2d_transpose expects X as (c_i, h, w) and K as (c_i, c_o, k_h, k_w), but got shapes "
                         f"{tuple(x_shape)} and {tuple(k_shape)}.")
    c_in, h, w = (int(n) for n in x_shape)
    k_in, c_out, k_h, k_w = (int(n) for n in k_shape)
    if min(c_in, h, w, c_out, k_h, k_w) < 1:
        raise ValueError("Every size must be at least 1.")
    if k_in != c_in:
        raise ValueError(f"K has {k_in} input channels but X has {c_in}: K is (c_i, c_o, k_h, k_w).")
    s_h, s_w = as_pair("stride", stride)
    p_h, p_w = as_pair("padding", padding)
    if min(s_h, s_w) < 1 or min(p_h, p_w) < 0:
        raise ValueError("stride must be at least 1, and padding at least 0.")
    full_h, full_w = (h - 1) * s_h + k_h, (w - 1) * s_w + k_w
    if full_h - 2 * p_h < 1 or full_w - 2 * p_w < 1:
        raise ValueError(f"Padding ({p_h}, {p_w}) crops away the whole {full_h}×{full_w} output.")
    return TransposeGeometry(c_in, c_out, h, w, k_h, k_w, (s_h, s_w), (p_h, p_w), full_h, full_w,
                             full_h - 2 * p_h, full_w - 2 * p_w)


def corr2d_transpose(X: object, K: object, *, stride: IntPair = 1, padding: IntPair = 0) -> tf.Tensor:
    """Transposed convolution of X (c_i, h, w) with K (c_i, c_o, k_h, k_w) -> (c_o, h_o, w_o), as a `tf.Tensor`."""
    X = as_float32("X", X)
    K = as_float32("K", K)
    geo = transpose_geometry(X.shape, K.shape, stride=stride, padding=padding)
    images = tf.constant(X.transpose(1, 2, 0)[np.newaxis])  # (1, h, w, c_i): NHWC, one image
    filters = tf.constant(K.transpose(2, 3, 1, 0))  # (k_h, k_w, c_o, c_i): conv2d_transpose's (h, w, out, in)
    full = tf.nn.conv2d_transpose(images, filters, output_shape=(1, geo.full_h, geo.full_w, geo.c_out),
                                  strides=geo.stride, padding="VALID")  # (1, full_h, full_w, c_o)
    (p_h, p_w) = geo.padding
    cropped = full[0, p_h : p_h + geo.out_h, p_w : p_w + geo.out_w, :]  # (h_o, w_o, c_o)
    return tf.transpose(cropped, (2, 0, 1))  # (c_o, h_o, w_o)
