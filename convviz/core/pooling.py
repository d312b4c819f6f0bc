"""2-D pooling, the section after this chapter: a window slides over each channel on its own and keeps the largest
value (max) or the mean (avg). Channels are never added up: c channels in, the same c channels out.

X is (c, h, w) and the result (c, h_o, w_o) with, per axis, h_o = floor((h + 2p - k) / s) + 1; the stride defaults
to the pool size, as in d2l and the libraries. Padding puts p cells on every side:
- max ignores them (they are -inf), so a window's maximum is always one of the real values;
- avg counts them as zeros and divides by the whole window (k_h·k_w), as d2l and PyTorch do by default.
Both equal TensorFlow's `max_pool2d` / `avg_pool2d` with 'VALID' on the input padded that way. Padding is at most
half the window on each axis (PyTorch's rule), so every window holds at least one real cell.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from convviz.core.correlation import as_float32
from convviz.core.geometry import IntPair, as_pair
from convviz.core.lazy import LazyModule

if TYPE_CHECKING:
    import tensorflow as tf
else:
    tf = LazyModule("tensorflow")

Mode = Literal["max", "avg"]
MODES: tuple[Mode, ...] = ("max", "avg")


@dataclass(frozen=True)
class PoolGeometry:
    """The shapes of one pooling: c channels of h×w, a k_h×k_w window, its stride and padding, the output size."""

    channels: int
    h: int
    w: int
    k_h: int
    k_w: int
    stride: tuple[int, int]
    padding: tuple[int, int]
    out_h: int
    out_w: int


def checked_mode(mode: object) -> Mode:
    """`mode` if it is 'max' or 'avg', else a ValueError that says so."""
    if mode == "max" or mode == "avg":
        return mode
    raise ValueError(f"mode must be 'max' or 'avg', not {mode!r}.")


def pool_geometry(x_shape: tuple[int, ...], pool_size: IntPair, *, stride: IntPair | None = None,
                  padding: IntPair = 0) -> PoolGeometry:
    """The output size of pooling an input of `x_shape` (c, h, w), or a ValueError that says what does not fit."""
    if len(x_shape) != 3:
        raise ValueError(f"pool2d expects X as (c, h, w), but got shape {tuple(x_shape)}.")
    c, h, w = (int(n) for n in x_shape)
    k_h, k_w = as_pair("pool_size", pool_size)
    s_h, s_w = (k_h, k_w) if stride is None else as_pair("stride", stride)
    p_h, p_w = as_pair("padding", padding)
    if min(k_h, k_w, s_h, s_w) < 1 or min(p_h, p_w) < 0:
        raise ValueError("pool_size and stride must be at least 1, and padding at least 0.")
    if 2 * p_h > k_h or 2 * p_w > k_w:
        raise ValueError(f"padding ({p_h}, {p_w}) may be at most half the window ({k_h}, {k_w}): a window must hold "
                         "at least one real cell.")
    if k_h > h + 2 * p_h or k_w > w + 2 * p_w:
        raise ValueError(f"The {k_h}×{k_w} window does not fit in the padded {h + 2 * p_h}×{w + 2 * p_w} input.")
    return PoolGeometry(c, h, w, k_h, k_w, (s_h, s_w), (p_h, p_w), (h + 2 * p_h - k_h) // s_h + 1,
                        (w + 2 * p_w - k_w) // s_w + 1)


def pool2d(X: object, pool_size: IntPair, *, stride: IntPair | None = None, padding: IntPair = 0,
           mode: Mode = "max") -> tf.Tensor:
    """Max or average pooling of every channel of X (c, h, w) on its own -> (c, h_o, w_o), as a `tf.Tensor`."""
    mode = checked_mode(mode)
    X = as_float32("X", X)
    geo = pool_geometry(X.shape, pool_size, stride=stride, padding=padding)
    (p_h, p_w) = geo.padding
    fill = -np.inf if mode == "max" else 0.0  # max never picks a padded cell; avg counts it as a zero
    X_padded = np.pad(X, ((0, 0), (p_h, p_h), (p_w, p_w)), constant_values=fill)  # (c, h + 2p_h, w + 2p_w)
    images = tf.constant(X_padded.transpose(1, 2, 0)[np.newaxis])  # (1, h_p, w_p, c): NHWC, one image
    pool = tf.nn.max_pool2d if mode == "max" else tf.nn.avg_pool2d
    Y = pool(images, ksize=(geo.k_h, geo.k_w), strides=geo.stride, padding="VALID")  # (1, h_o, w_o, c)
    return tf.transpose(Y[0], (2, 0, 1))  # (c, h_o, w_o)
