"""The code behind the picture: a Python script (NumPy and TensorFlow only) that reproduces a setting's numbers.

The script writes X, K and the bias out as literals, computes Y twice, the textbook's way (`corr2d`,
`corr2d_multi_in`, `corr2d_multi_in_out`, as loops) and with `tf.nn.conv2d` on NHWC tensors, checks that the two
agree, and prints Y. It runs as it is in a fresh interpreter: a student can paste it into a notebook.
"""

from __future__ import annotations

import io
import zipfile

import numpy as np

_TEMPLATE = '''\
# convviz: {title}
import numpy as np
import tensorflow as tf

# X: (c_i, h, w) = {x_shape}; K: (c_o, c_i, k_h, k_w) = {k_shape}
X = np.array({X}, dtype=np.float32)
K = np.array({K}, dtype=np.float32)
bias = {bias}
stride, padding, dilation = {stride}, {padding}, {dilation}


def corr2d(X, K):
    """Cross-correlation of one channel X (h, w) with one kernel K (k_h, k_w), with the setting's geometry."""
    X = np.pad(X, padding)
    k_h, k_w = K.shape
    span_h, span_w = dilation * (k_h - 1) + 1, dilation * (k_w - 1) + 1
    Y = np.zeros(((X.shape[0] - span_h) // stride + 1, (X.shape[1] - span_w) // stride + 1), dtype=np.float32)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            window = X[i * stride : i * stride + span_h : dilation, j * stride : j * stride + span_w : dilation]
            Y[i, j] = (window * K).sum()
    return Y


def corr2d_multi_in(X, K):
    """Sum over input channels: X (c_i, h, w), K (c_i, k_h, k_w)."""
    return sum(corr2d(x, k) for x, k in zip(X, K))


def corr2d_multi_in_out(X, K):
    """Stack over output channels: K (c_o, c_i, k_h, k_w) gives Y (c_o, h_o, w_o)."""
    return np.stack([corr2d_multi_in(X, k) for k in K])


Y = corr2d_multi_in_out(X, K)
if bias is not None:
    Y = Y + bias[:, None, None]

# The same layer in TensorFlow: NHWC input (1, h, w, c_i), filter (k_h, k_w, c_i, c_o).
Y_tf = tf.nn.conv2d(
    X.transpose(1, 2, 0)[None],
    K.transpose(2, 3, 1, 0),
    strides=stride,
    padding=[[0, 0], [padding, padding], [padding, padding], [0, 0]],
    dilations=dilation,
).numpy()[0].transpose(2, 0, 1)  # back to (c_o, h_o, w_o)
if bias is not None:
    Y_tf = Y_tf + bias[:, None, None]

assert np.allclose(Y, Y_tf, atol=1e-4), "the loops and tf.nn.conv2d disagree"
np.set_printoptions(precision=4, suppress=True, threshold=100_000, linewidth=120)
print("Y", Y.shape)
print(Y)
'''


def _literal(array: np.ndarray) -> str:
    """A NumPy array as a nested-list literal that reads back exactly (whole numbers without '.0')."""
    values = np.asarray(array, dtype=np.float64)
    if np.all(values == np.round(values)):
        return repr(values.astype(np.int64).tolist())
    return repr(values.tolist())


def setting_code(X: np.ndarray, K: np.ndarray, bias: np.ndarray | None, *, stride: int, padding: int,
                 dilation: int, title: str) -> str:
    """The script for X (c_i, h, w), K (c_o, c_i, k_h, k_w), bias (c_o,) or None, and one stride/padding/dilation."""
    return _TEMPLATE.format(
        title=title, x_shape=tuple(X.shape), k_shape=tuple(K.shape), X=_literal(X), K=_literal(K),
        bias="None" if bias is None else f"np.array({_literal(bias)}, dtype=np.float32)",
        stride=stride, padding=padding, dilation=dilation,
    )


def arrays_zip(arrays: dict[str, np.ndarray]) -> bytes:
    """Every array as NAME.npy and NAME.csv (2-D slices one after another, a comment line naming each) in a zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, array in arrays.items():
            npy = io.BytesIO()
            np.save(npy, np.asarray(array))
            archive.writestr(f"{name}.npy", npy.getvalue())
            archive.writestr(f"{name}.csv", _csv(name, np.asarray(array)))
    return buffer.getvalue()


def _csv(name: str, array: np.ndarray) -> str:
    """An array of any rank as CSV: a 2-D array as rows; higher ranks as their 2-D slices, each under '# name[i, j]'."""
    if array.ndim <= 2:
        rows = np.atleast_2d(array)
        return "\n".join(",".join(f"{v:g}" for v in row) for row in rows) + "\n"
    parts = []
    for index in np.ndindex(*array.shape[:-2]):
        label = ", ".join(str(i) for i in index)
        parts.append(f"# {name}[{label}]\n" + _csv(name, array[index]))
    return "".join(parts)
