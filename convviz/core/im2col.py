"""im2col: a k_h×k_w convolution as one matrix product, the way TensorFlow's and cuDNN's GEMM kernels compute it.

X is (c_i, h, w). Every place the window visits becomes one column of the unfolded matrix (output positions
row-major, n = i·w_o + j); row c·k_h·k_w + a·k_w + b holds X[c] under kernel cell (a, b). With K (c_o, c_i, k_h, k_w)
reshaped to a c_o × (c_i·k_h·k_w) matrix, K_mat @ im2col(X) reshaped to (c_o, h_o, w_o) is the correlation, and for
a 1×1 kernel it is the chapter's `corr2d_multi_in_out_1x1`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from convviz.core.correlation import _expect_rank, as_float32
from convviz.core.geometry import Geometry, IntPair, as_pair, conv_geometry
from convviz.core.lazy import LazyModule

if TYPE_CHECKING:
    import tensorflow as tf
else:
    tf = LazyModule("tensorflow")


def unfold_geometry(x_shape: tuple[int, ...], kh: object, kw: object, *, stride: IntPair = 1, padding: IntPair = 0,
                    dilation: IntPair = 1) -> Geometry:
    """The shapes of unfolding X (c_i, h, w) with a kh×kw window, or a ValueError that says what does not fit."""
    k_h, k_w = as_pair("the kernel size (kh, kw)", (kh, kw))
    return conv_geometry(x_shape, (1, x_shape[0], k_h, k_w), stride=stride, padding=padding, dilation=dilation)


def im2col(X: object, kh: int, kw: int, *, stride: IntPair = 1, padding: IntPair = 0,
           dilation: IntPair = 1) -> tf.Tensor:
    """X (c_i, h, w) unfolded: (c_i·k_h·k_w, h_o·w_o), one column per window position, as a `tf.Tensor`."""
    X = as_float32("X", X)
    _expect_rank("im2col", "X", X, "c_i, h, w")
    geo = unfold_geometry(X.shape, kh, kw, stride=stride, padding=padding, dilation=dilation)
    (p_h, p_w), (s_h, s_w), (d_h, d_w) = geo.padding, geo.stride, geo.dilation
    images = tf.pad(X.transpose(1, 2, 0)[None], [[0, 0], [p_h, p_h], [p_w, p_w], [0, 0]])  # (1, H_p, W_p, c_i)
    patches = tf.image.extract_patches(images, sizes=[1, geo.k_h, geo.k_w, 1], strides=[1, s_h, s_w, 1],
                                       rates=[1, d_h, d_w, 1], padding="VALID")  # (1, h_o, w_o, k_h·k_w·c_i)
    n = geo.out_h * geo.out_w
    patches = tf.reshape(patches, (n, geo.k_h, geo.k_w, geo.c_in))  # each window in (a, b, c) order
    return tf.reshape(tf.transpose(patches, (3, 1, 2, 0)), (geo.c_in * geo.k_h * geo.k_w, n))  # (c·a·b, n)
