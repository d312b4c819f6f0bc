"""The chapter's four cross-correlation functions, vectorized with TensorFlow.

Shapes are channel-first, as in the book: X is (c_i, h, w), K is (c_o, c_i, k_h, k_w), Y is (c_o, h_o, w_o).
A grouped layer (`groups` = g) has K (c_o, c_i/g, k_h, k_w): output channel o sees only its group's inputs.
Every function takes keyword-only `stride`, `padding` (zeros on both sides) and `dilation`, each a whole number
or a (rows, cols) pair. Inputs may be NumPy arrays, nested lists or eager tensors of any real dtype; the work is
done in float32 by TensorFlow's NHWC convolution kernel and the result is a `tf.Tensor`.

One `Conv2D` op does the work; the textbook's loop form lives in `reference.py`.
"""

from __future__ import annotations

import math
import sys
from typing import TYPE_CHECKING

import numpy as np

from convviz.core.geometry import Geometry, IntPair, as_count, conv_geometry
from convviz.core.lazy import LazyModule

if TYPE_CHECKING:
    import tensorflow as tf
else:
    tf = LazyModule("tensorflow")  # imported by the first computation, not by this module's import


def as_float32(name: str, value: object) -> np.ndarray:
    """Read `value` (array, nested list or tensor of real numbers) as a float32 NumPy array."""
    imported = sys.modules.get("tensorflow")  # no tensor can exist before TensorFlow is imported
    if imported is not None and isinstance(value, getattr(imported, "Tensor", ())):
        tensor: tf.Tensor = value
        if not (tensor.dtype.is_floating or tensor.dtype.is_integer or tensor.dtype.is_bool):
            raise ValueError(f"{name} must hold real numbers, but its dtype is {tensor.dtype.name}.")
        if tensor.dtype not in (tf.float32, tf.float64, tf.bool) and not tensor.dtype.is_integer:
            tensor = tf.cast(tensor, tf.float32)  # bfloat16 and float16 have no plain NumPy dtype
        value = tensor.numpy()
    try:
        array = np.asarray(value)
    except ValueError as err:  # ragged nested lists
        raise ValueError(f"{name} must be a rectangular array of numbers: {err}") from None
    if array.dtype.kind not in "biuf":
        raise ValueError(f"{name} must hold real numbers, but its dtype is {array.dtype}.")
    return array.astype(np.float32, copy=False)


def _expect_rank(function: str, name: str, array: np.ndarray, axes: str) -> None:
    rank = len(axes.split(","))
    if array.ndim != rank:
        raise ValueError(
            f"{function} expects {name} of shape ({axes}), a {rank}-D array, "
            f"but got a {array.ndim}-D array of shape {array.shape}."
        )
    if array.size == 0:
        raise ValueError(f"{function}: {name} of shape {array.shape} is empty: every size must be at least 1.")


def as_bias(bias: object, c_out: int) -> np.ndarray:
    """Read a bias as float32 (c_out,), one number per output channel."""
    b = as_float32("bias", bias)
    if b.shape != (c_out,):
        raise ValueError(f"The bias needs one number per output channel, {c_out} in all, but has shape {b.shape}.")
    return b


# Each eager op costs ~0.1 ms here and `tf.constant` copies its input twice, so the layout changes are done in
# NumPy, into buffers TensorFlow then shares through DLPack without a copy. Measured in bench/bench_core.py.
_ALIGN_BYTES = 64  # TensorFlow aborts the whole process on a DLPack buffer less aligned than its kernels expect


def _aligned_empty(shape: tuple[int, ...]) -> np.ndarray:
    """An uninitialised float32 array whose data starts on a 64-byte boundary."""
    size = math.prod(shape)
    buffer = np.empty(size + _ALIGN_BYTES // 4, dtype=np.float32)
    start = (-buffer.__array_interface__["data"][0] % _ALIGN_BYTES) // 4
    return buffer[start : start + size].reshape(shape)


def _share(aligned: np.ndarray) -> tf.Tensor:
    """The tensor over an array from `_aligned_empty`, sharing its memory (which it keeps alive)."""
    return tf.experimental.dlpack.from_dlpack(aligned.__dlpack__())


def _to_tensor(values: np.ndarray) -> tf.Tensor:
    """A float32 tensor holding `values` (any strides), for one copy."""
    aligned = _aligned_empty(values.shape)
    aligned[...] = values
    return _share(aligned)


def _correlate(X: np.ndarray, K: np.ndarray, geo: Geometry) -> np.ndarray:
    """X (c_i, h, w) float32 and K (c_o, c_i/g, k_h, k_w) float32 -> Y (c_o, h_o, w_o), one Conv2D op.

    TensorFlow reads the number of groups from the depths: a filter of depth c_i/g gives g groups (on the CPU too).
    """
    x_nhwc = _aligned_empty((1, geo.h, geo.w, geo.c_in))
    for c in range(geo.c_in):  # channel by channel the reads stay contiguous: 4x faster than one strided copy
        x_nhwc[0, :, :, c] = X[c]
    (s_h, s_w), (p_h, p_w), (d_h, d_w) = geo.stride, geo.padding, geo.dilation
    y_nhwc = tf.raw_ops.Conv2D(
        input=_share(x_nhwc),
        filter=_to_tensor(K.transpose(2, 3, 1, 0)),  # (k_h, k_w, c_i/g, c_o)
        strides=[1, s_h, s_w, 1],
        padding="EXPLICIT",
        explicit_paddings=[0, 0, p_h, p_h, p_w, p_w, 0, 0],
        dilations=[1, d_h, d_w, 1],
    )  # (1, h_o, w_o, c_o)
    return np.asarray(y_nhwc)[0].transpose(2, 0, 1)  # (c_o, h_o, w_o), a view (.numpy() would copy)


def corr2d(X: object, K: object, *, stride: IntPair = 1, padding: IntPair = 0, dilation: IntPair = 1) -> tf.Tensor:
    """Single-channel cross-correlation: X (h, w) with K (k_h, k_w) gives (h_o, w_o)."""
    X, K = as_float32("X", X), as_float32("K", K)
    _expect_rank("corr2d", "X", X, "h, w")
    _expect_rank("corr2d", "K", K, "k_h, k_w")
    X, K = X[np.newaxis], K[np.newaxis, np.newaxis]  # (1, h, w), (1, 1, k_h, k_w)
    geo = conv_geometry(X.shape, K.shape, stride=stride, padding=padding, dilation=dilation)
    return _to_tensor(_correlate(X, K, geo)[0])


def corr2d_multi_in(
    X: object, K: object, *, stride: IntPair = 1, padding: IntPair = 0, dilation: IntPair = 1
) -> tf.Tensor:
    """Multiple input channels: correlate each X[c] with K[c] and sum over c. X (c_i, h, w), K (c_i, k_h, k_w)."""
    X, K = as_float32("X", X), as_float32("K", K)
    _expect_rank("corr2d_multi_in", "X", X, "c_i, h, w")
    _expect_rank("corr2d_multi_in", "K", K, "c_i, k_h, k_w")
    if X.shape[0] != K.shape[0]:
        raise ValueError(
            f"X has {X.shape[0]} input channel(s) (shape {X.shape}) but K expects {K.shape[0]} "
            f"(shape {K.shape} = (c_i, k_h, k_w)): the two c_i must match."
        )
    K = K[np.newaxis]  # (1, c_i, k_h, k_w): one output channel
    geo = conv_geometry(X.shape, K.shape, stride=stride, padding=padding, dilation=dilation)
    return _to_tensor(_correlate(X, K, geo)[0])


def corr2d_multi_in_out(
    X: object,
    K: object,
    bias: object | None = None,
    *,
    groups: int = 1,
    stride: IntPair = 1,
    padding: IntPair = 0,
    dilation: IntPair = 1,
) -> tf.Tensor:
    """Multiple input and output channels: output channel o is corr2d_multi_in(X, K[o]) + bias[o].

    X (c_i, h, w), K (c_o, c_i, k_h, k_w), bias (c_o,) or None -> (c_o, h_o, w_o).
    With `groups` = g, K is (c_o, c_i/g, k_h, k_w): the channels split into g groups in order, and output channel
    o is corr2d_multi_in(X[its group's c_i/g channels], K[o]) + bias[o]. g = c_i is a depthwise layer.
    """
    X, K = as_float32("X", X), as_float32("K", K)
    _expect_rank("corr2d_multi_in_out", "X", X, "c_i, h, w")
    _expect_rank("corr2d_multi_in_out", "K", K, "c_o, c_i/g, k_h, k_w" if groups != 1 else "c_o, c_i, k_h, k_w")
    geo = conv_geometry(
        X.shape, K.shape, stride=stride, padding=padding, dilation=dilation, bias=bias is not None, groups=groups
    )
    Y = _correlate(X, K, geo)
    if bias is not None:
        Y = Y + as_bias(bias, geo.c_out)[:, np.newaxis, np.newaxis]  # (c_o, h_o, w_o) + (c_o, 1, 1)
    return _to_tensor(Y)


def convolve2d_multi_in_out(
    X: object,
    K: object,
    bias: object | None = None,
    *,
    groups: int = 1,
    stride: IntPair = 1,
    padding: IntPair = 0,
    dilation: IntPair = 1,
) -> tf.Tensor:
    """True (mathematical) convolution: `corr2d_multi_in_out` with every kernel slice flipped in both spatial
    axes, K[..., ::-1, ::-1]. Shapes and arguments as there.

    Deep-learning libraries skip the flip: the kernel is learned, and a learned flipped kernel is just another
    kernel, so their "convolution" is the correlation.
    """
    K = as_float32("K", K)
    _expect_rank("convolve2d_multi_in_out", "K", K, "c_o, c_i/g, k_h, k_w" if groups != 1 else "c_o, c_i, k_h, k_w")
    return corr2d_multi_in_out(X, flipped(K), bias, groups=groups, stride=stride, padding=padding,
                               dilation=dilation)


def flipped(K: np.ndarray) -> np.ndarray:
    """Every kernel slice turned half a circle: flipped in both spatial axes (the last two), as a new array."""
    return np.ascontiguousarray(K[..., ::-1, ::-1])


def corr2d_multi_in_out_1x1(
    X: object, K: object, *, stride: IntPair = 1, padding: IntPair = 0, dilation: IntPair = 1
) -> tf.Tensor:
    """A 1x1 convolution as one matrix product: (c_o, c_i) @ (c_i, h*w), reshaped back to (c_o, h, w).

    X (c_i, h, w), K (c_o, c_i, 1, 1). Padding adds zero pixels and stride skips pixels; dilation has no effect.
    """
    X, K = as_float32("X", X), as_float32("K", K)
    _expect_rank("corr2d_multi_in_out_1x1", "X", X, "c_i, h, w")
    _expect_rank("corr2d_multi_in_out_1x1", "K", K, "c_o, c_i, 1, 1")
    if K.shape[2:] != (1, 1):
        raise ValueError(
            f"corr2d_multi_in_out_1x1 needs a 1×1 kernel, but K has shape {K.shape} "
            f"(k_h×k_w = {K.shape[2]}×{K.shape[3]})."
        )
    geo = conv_geometry(X.shape, K.shape, stride=stride, padding=padding, dilation=dilation)
    (s_h, s_w), (p_h, p_w) = geo.stride, geo.padding
    X = np.pad(X, ((0, 0), (p_h, p_h), (p_w, p_w)))[:, ::s_h, ::s_w]  # (c_i, h_o, w_o): the pixels the kernel visits
    c_i, h_o, w_o = X.shape
    X_flat = tf.reshape(X, (c_i, h_o * w_o))  # (c_i, h*w): one column per pixel
    K_flat = tf.reshape(K, (geo.c_out, c_i))  # (c_o, c_i): the channel-mixing matrix
    Y_flat = tf.matmul(K_flat, X_flat)  # (c_o, c_i) @ (c_i, h*w) -> (c_o, h*w)
    return tf.reshape(Y_flat, (geo.c_out, h_o, w_o))


def dense_kernel(K: object, groups: int) -> np.ndarray:
    """The grouped kernel K (c_o, c_i/g, k_h, k_w) as the full kernel (c_o, c_i, k_h, k_w) of the same layer.

    Output channel o keeps its weights on its group's input channels and has zeros on every other channel, so
    `corr2d_multi_in_out(X, dense_kernel(K, g))` equals `corr2d_multi_in_out(X, K, groups=g)`. The step model can
    show a grouped layer this way: the partial sums of the channels outside o's group are zero.
    """
    groups = as_count(groups)
    if groups < 1:
        raise ValueError(f"groups must be at least 1, but got {groups}.")
    K = as_float32("K", K)
    _expect_rank("dense_kernel", "K", K, "c_o, c_i/g, k_h, k_w")
    c_o, c_group, k_h, k_w = K.shape
    geo = conv_geometry((c_group * groups, k_h, k_w), K.shape, groups=groups)  # checks c_o and c_i divide by g
    dense = np.zeros((c_o, geo.c_in, k_h, k_w), np.float32)  # (c_o, c_i, k_h, k_w)
    for o in range(c_o):
        seen = geo.input_channels(o)
        dense[o, seen.start : seen.stop] = K[o]  # (c_i/g, k_h, k_w) into its group's slice of the c_i channels
    return dense
