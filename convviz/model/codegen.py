"""The code behind the picture: a Python script (NumPy and TensorFlow only) that reproduces a setting's numbers.

The script writes X, K and the bias out as literals, computes Y twice, the textbook's way (`corr2d`,
`corr2d_multi_in`, `corr2d_multi_in_out`, as loops) and with `tf.nn.conv2d` on NHWC tensors, checks that the two
agree, and prints Y. It runs as it is in a fresh interpreter: a student can paste it into a notebook.

A grouped layer keeps its own kernel shape, (c_o, c_i/g, k_h, k_w), and the loops take `groups`: output channel o
reads only its group's c_i/g input channels. Each float32 number is written the shortest way that reads back as
the same float32 (-0.8, not -0.800000011920929).

`pool_code` does the same for the pooling tab: d2l's `pool2d` loop (with padding) and `tf.nn.max_pool2d` /
`tf.nn.avg_pool2d` on the padded input; a picture's X is written as its pixels.
"""

from __future__ import annotations

import base64
import io
import zipfile

import numpy as np

_TEMPLATE = '''\
# convviz: {title}
import numpy as np
import tensorflow as tf

# X: (c_i, h, w) = {x_shape}; K: (c_o, c_i/g, k_h, k_w) = {k_shape} with g = groups
X = np.array({X}, dtype=np.float32)
K = np.array({K}, dtype=np.float32)
bias = {bias}
stride, padding, dilation, groups = {stride}, {padding}, {dilation}, {groups}
{flip}

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


def corr2d_multi_in_out(X, K, groups=1):
    """Stack over output channels: K (c_o, c_i/g, k_h, k_w) gives Y (c_o, h_o, w_o).

    The channels are split into `groups` in order: output channel o reads only the c_i/g inputs of its group.
    """
    c_group, per_group = K.shape[1], K.shape[0] // groups  # input and output channels per group
    return np.stack([corr2d_multi_in(X[o // per_group * c_group : (o // per_group + 1) * c_group], k)
                     for o, k in enumerate(K)])


Y = corr2d_multi_in_out(X, K, groups)
if bias is not None:
    Y = Y + bias[:, None, None]

# The same layer in TensorFlow: NHWC input (1, h, w, c_i), filter (k_h, k_w, c_i/g, c_o): a filter of depth c_i/g
# makes tf.nn.conv2d run g groups.
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


def float32_text(value: float) -> str:
    """The shortest decimal that reads back as the same float32: -0.8 for np.float32(-0.8), 3 for 3.0."""
    return np.format_float_positional(np.float32(value), unique=True, trim="-")


def _literal(array: np.ndarray) -> str:
    """A float32 array as a nested-list literal whose every number reads back as the same float32."""
    values = np.asarray(array, dtype=np.float32)
    if values.ndim == 0:
        return float32_text(float(values))
    return "[" + ", ".join(_literal(part) for part in values) + "]"


def setting_code(X: np.ndarray, K: np.ndarray, bias: np.ndarray | None, *, stride: int, padding: int,
                 dilation: int, title: str, groups: int = 1, flip: bool = False) -> str:
    """The script for X (c_i, h, w), K (c_o, c_i/g, k_h, k_w), bias (c_o,) or None, stride, padding, dilation, g;
    with `flip`, a true convolution (the script flips K, then correlates as before)."""
    return _TEMPLATE.format(
        title=title, x_shape=tuple(X.shape), k_shape=tuple(K.shape), X=_literal(X), K=_literal(K),
        bias="None" if bias is None else f"np.array({_literal(bias)}, dtype=np.float32)",
        stride=stride, padding=padding, dilation=dilation, groups=groups, flip=_FLIP if flip else "",
    )


_FLIP = """
# True convolution: every kernel slice turned half a circle (both spatial axes), then correlated as below.
K = K[..., ::-1, ::-1].copy()
"""


_POOL_TEMPLATE = '''\
# convviz: {title}
import numpy as np
import tensorflow as tf
{X}
pool_size, stride, padding, mode = ({k}, {k}), {stride}, {padding}, "{mode}"


def pool2d(X, pool_size, mode="max"):
    """d2l's pool2d on one channel X (h, w), with the setting's stride and padding: max ignores padded cells (they
    are -inf), avg counts them as zeros and divides by the whole window."""
    p_h, p_w = pool_size
    X = np.pad(X, padding, constant_values=-np.inf if mode == "max" else 0)
    Y = np.zeros(((X.shape[0] - p_h) // stride + 1, (X.shape[1] - p_w) // stride + 1), dtype=np.float32)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            window = X[i * stride : i * stride + p_h, j * stride : j * stride + p_w]
            if mode == "max":
                Y[i, j] = window.max()
            elif mode == "avg":
                Y[i, j] = window.mean()
    return Y


Y = np.stack([pool2d(x, pool_size, mode) for x in X])  # every channel on its own: (c, h_o, w_o)

# The same pooling in TensorFlow: the input padded the same way, NHWC (1, h + 2p, w + 2p, c), and 'VALID' windows.
X_padded = np.pad(X, ((0, 0), (padding, padding), (padding, padding)), constant_values=-np.inf if mode == "max" else 0)
pool = tf.nn.max_pool2d if mode == "max" else tf.nn.avg_pool2d
Y_tf = pool(X_padded.transpose(1, 2, 0)[None], ksize=pool_size, strides=stride, padding="VALID")
Y_tf = Y_tf.numpy()[0].transpose(2, 0, 1)  # back to (c, h_o, w_o)

assert np.allclose(Y, Y_tf, atol=1e-5), "the loops and TensorFlow's pooling disagree"
np.set_printoptions(precision=4, suppress=True, threshold=100_000, linewidth=120)
print("Y", Y.shape)
print(Y)
'''

_PICTURE = '''import base64

# The picture's pixels, (h, w, 3) uint8, in base64: {h}×{w}×3 numbers are too many to write out one by one.
pixels = np.frombuffer(base64.b64decode(
{lines}
), dtype=np.uint8).reshape({h}, {w}, 3)
X = (pixels.astype(np.float32) / 255).transpose(2, 0, 1)  # R, G and B in 0..1: X (c, h, w) = (3, {h}, {w})'''
_GREY = '''
X = (X.transpose(1, 2, 0) @ np.array([0.299, 0.587, 0.114], dtype=np.float32))[None]  # one grey channel (1, h, w)'''


def pool_code(X: np.ndarray, *, k: int, stride: int, padding: int, mode: str, title: str,
              rgb: np.ndarray | None = None, grey: bool = False) -> str:
    """The pooling script for X (c, h, w), a k×k window, stride, padding and mode ('max' or 'avg'): d2l's pool2d
    loop and TensorFlow's pooling op, checked against each other. With `rgb` (h, w, 3) uint8, X is that picture's
    channels (grey: one channel), written as its pixels in base64 and turned into X as the page does."""
    if rgb is None:
        source = f"\n# X: (c, h, w) = {tuple(X.shape)}\nX = np.array({_literal(X)}, dtype=np.float32)"
    else:
        h, w = rgb.shape[:2]
        encoded = base64.b64encode(np.ascontiguousarray(rgb, dtype=np.uint8).tobytes()).decode()
        lines = "\n".join(f'    "{encoded[i : i + 100]}"' for i in range(0, len(encoded), 100))
        source = _PICTURE.format(h=h, w=w, lines=lines) + (_GREY if grey else "")
    return _POOL_TEMPLATE.format(title=title, X=source, k=k, stride=stride, padding=padding, mode=mode)


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


_TRANSPOSED_TEMPLATE = '''\
# convviz: {title}
import numpy as np
import tensorflow as tf

# X: (c_i, h, w) = {x_shape}; K: (c_i, c_o, k_h, k_w) = {k_shape} (a transposed convolution's kernels: inputs first)
X = np.array({X}, dtype=np.float32)
K = np.array({K}, dtype=np.float32)
stride, padding = {stride}, {padding}


def trans_conv(X, K):
    """d2l's trans_conv for one channel X (h, w) and kernel K (k_h, k_w), with a stride: each input cell adds
    X[i, j] * K into its block of the full output."""
    h, w = X.shape
    k_h, k_w = K.shape
    Y = np.zeros(((h - 1) * stride + k_h, (w - 1) * stride + k_w), dtype=np.float32)
    for i in range(h):
        for j in range(w):
            Y[i * stride : i * stride + k_h, j * stride : j * stride + k_w] += X[i, j] * K
    return Y


def trans_conv_multi_in_out(X, K):
    """Every input channel c sends trans_conv(X[c], K[c, o]) to every output channel o; padding crops the sum."""
    full = np.stack([sum(trans_conv(X[c], K[c, o]) for c in range(K.shape[0])) for o in range(K.shape[1])])
    return full[:, padding : full.shape[1] - padding, padding : full.shape[2] - padding]


Y = trans_conv_multi_in_out(X, K)

# The same layer in TensorFlow: NHWC input (1, h, w, c_i), filter (k_h, k_w, c_o, c_i); 'VALID' gives the full
# output, cropped by the padding as above.
c_i, h, w = X.shape
_, c_o, k_h, k_w = K.shape
full = tf.nn.conv2d_transpose(
    X.transpose(1, 2, 0)[None],
    K.transpose(2, 3, 1, 0),
    output_shape=(1, (h - 1) * stride + k_h, (w - 1) * stride + k_w, c_o),
    strides=stride,
    padding="VALID",
).numpy()[0].transpose(2, 0, 1)  # back to (c_o, full_h, full_w)
Y_tf = full[:, padding : full.shape[1] - padding, padding : full.shape[2] - padding]

assert np.allclose(Y, Y_tf, atol=1e-4), "the loops and tf.nn.conv2d_transpose disagree"
np.set_printoptions(precision=4, suppress=True, threshold=100_000, linewidth=120)
print("Y", Y.shape)
print(Y)
'''


def transposed_code(X: np.ndarray, K: np.ndarray, *, stride: int, padding: int, title: str) -> str:
    """The script for a transposed convolution of X (c_i, h, w) with K (c_i, c_o, k_h, k_w), stride and padding:
    d2l's loop and `tf.nn.conv2d_transpose`, checked against each other, Y printed."""
    return _TRANSPOSED_TEMPLATE.format(title=title, x_shape=tuple(X.shape), k_shape=tuple(K.shape), X=_literal(X),
                                       K=_literal(K), stride=stride, padding=padding)


_STACK_TEMPLATE = '''\
# convviz: {title}
import numpy as np
import tensorflow as tf

# X: (c_i, h, w) = {x_shape}; each layer's K: (c_o, c_i, k, k), with its stride, padding and dilation
X = np.array({X}, dtype=np.float32)
layers = [
{layers}]
relu = {relu}  # max(0, .) between the layers (not after the last)


def corr2d(X, K, stride, padding, dilation):
    """Cross-correlation of one channel X (h, w) with one kernel K (k, k)."""
    X = np.pad(X, padding)
    span = dilation * (K.shape[0] - 1) + 1
    Y = np.zeros(((X.shape[0] - span) // stride + 1, (X.shape[1] - span) // stride + 1), dtype=np.float32)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            window = X[i * stride : i * stride + span : dilation, j * stride : j * stride + span : dilation]
            Y[i, j] = (window * K).sum()
    return Y


def layer(X, K, stride, padding, dilation):
    """One layer, the chapter's way: output channel o sums corr2d over the input channels."""
    return np.stack([sum(corr2d(x, k, stride, padding, dilation) for x, k in zip(X, K_o)) for K_o in K])


Y = X
for n, (K, stride, padding, dilation) in enumerate(layers):
    Y = layer(Y, K, stride, padding, dilation)
    if relu and n < len(layers) - 1:
        Y = np.maximum(Y, 0)

# The same row in TensorFlow: NHWC maps, filters (k, k, c_i, c_o)
Y_tf = X.transpose(1, 2, 0)[None]
for n, (K, stride, padding, dilation) in enumerate(layers):
    Y_tf = tf.nn.conv2d(Y_tf, K.transpose(2, 3, 1, 0), strides=stride,
                        padding=[[0, 0], [padding, padding], [padding, padding], [0, 0]], dilations=dilation)
    if relu and n < len(layers) - 1:
        Y_tf = tf.nn.relu(Y_tf)
Y_tf = Y_tf.numpy()[0].transpose(2, 0, 1)

assert np.allclose(Y, Y_tf, atol=1e-3), "the loops and tf.nn.conv2d disagree"
np.set_printoptions(precision=4, suppress=True, threshold=100_000, linewidth=120)
print("Y", Y.shape)
print(Y)
'''


def stack_code(X: np.ndarray, kernels: list[np.ndarray], layers: tuple, *, relu: bool, title: str) -> str:
    """The script for a row of layers (each a `convviz.core.stacking.Layer` with its K): the chapter's loops and
    `tf.nn.conv2d` one layer after another, checked against each other, the last map printed."""
    rows = "".join(f"    (np.array({_literal(K)}, dtype=np.float32), {layer.stride}, {layer.padding}, "
                   f"{layer.dilation}),\n" for K, layer in zip(kernels, layers, strict=True))
    return _STACK_TEMPLATE.format(title=title, x_shape=tuple(X.shape), X=_literal(X), layers=rows, relu=relu)


_IM2COL_TEMPLATE = '''\
# convviz: {title}
import numpy as np
import tensorflow as tf

# X: (c_i, h, w) = {x_shape}; K: (c_o, c_i, k_h, k_w) = {k_shape}
X = np.array({X}, dtype=np.float32)
K = np.array({K}, dtype=np.float32)
stride, padding, dilation = {stride}, {padding}, {dilation}


def im2col(X, k_h, k_w):
    """Unfold X (c_i, h, w): one column per place the window visits (row-major), row c*k_h*k_w + a*k_w + b holding
    X[c] under kernel cell (a, b). Returns the (c_i*k_h*k_w, h_o*w_o) matrix and (h_o, w_o)."""
    X = np.pad(X, ((0, 0), (padding, padding), (padding, padding)))
    c_i = X.shape[0]
    span_h, span_w = dilation * (k_h - 1) + 1, dilation * (k_w - 1) + 1
    h_o, w_o = (X.shape[1] - span_h) // stride + 1, (X.shape[2] - span_w) // stride + 1
    X_col = np.zeros((c_i * k_h * k_w, h_o * w_o), dtype=np.float32)
    for i in range(h_o):
        for j in range(w_o):
            for c in range(c_i):
                for a in range(k_h):
                    for b in range(k_w):
                        row, col = c * k_h * k_w + a * k_w + b, i * w_o + j
                        X_col[row, col] = X[c, i * stride + a * dilation, j * stride + b * dilation]
    return X_col, (h_o, w_o)


c_o, c_i, k_h, k_w = K.shape
X_col, (h_o, w_o) = im2col(X, k_h, k_w)  # (c_i*k_h*k_w, h_o*w_o)
K_mat = K.reshape(c_o, c_i * k_h * k_w)  # (c_o, c_i*k_h*k_w): one row per output channel
Y = (K_mat @ X_col).reshape(c_o, h_o, w_o)  # (c_o, c_i*k_h*k_w) @ (c_i*k_h*k_w, h_o*w_o) -> (c_o, h_o, w_o)

# The same layer in TensorFlow: NHWC input (1, h, w, c_i), filter (k_h, k_w, c_i, c_o).
Y_tf = tf.nn.conv2d(
    X.transpose(1, 2, 0)[None],
    K.transpose(2, 3, 1, 0),
    strides=stride,
    padding=[[0, 0], [padding, padding], [padding, padding], [0, 0]],
    dilations=dilation,
).numpy()[0].transpose(2, 0, 1)  # back to (c_o, h_o, w_o)

assert np.allclose(Y, Y_tf, atol=1e-4), "K_mat @ im2col(X) and tf.nn.conv2d disagree"
np.set_printoptions(precision=4, suppress=True, threshold=100_000, linewidth=120)
print("Y", Y.shape)
print(Y)
'''


def im2col_code(X: np.ndarray, K: np.ndarray, *, stride: int, padding: int, dilation: int, title: str) -> str:
    """The script for X (c_i, h, w) and K (c_o, c_i, k_h, k_w) as one matrix product: im2col by loops, K reshaped,
    the product checked against `tf.nn.conv2d`, Y printed."""
    return _IM2COL_TEMPLATE.format(title=title, x_shape=tuple(X.shape), k_shape=tuple(K.shape), X=_literal(X),
                                   K=_literal(K), stride=stride, padding=padding, dilation=dilation)
