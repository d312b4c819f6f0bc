"""Shapes of a 2-D cross-correlation: output size, parameter count, multiply-adds, and the checks behind them.

Shapes follow the textbook's channel-first convention: X is (c_i, h, w) and K is (c_o, c_i, k_h, k_w).
Per axis the output size is h_o = floor((h + 2p - d(k - 1) - 1) / s) + 1.
With `groups` = g the channels split into g groups that never mix: K is (c_o, c_i/g, k_h, k_w) and output
channel o sees only the c_i/g input channels of its group (g = c_i is a depthwise layer).
This module is plain Python so that the app can validate a setting before any tensor is made.
"""

from __future__ import annotations

import functools
import numbers
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

IntPair = int | tuple[int, int]


def as_pair(name: str, value: object) -> tuple[int, int]:
    """Read `value` as a (rows, cols) pair of whole numbers; a single number serves both axes."""
    # A sequence (tuple, list, array, TensorShape) is read as a pair; a string or a number is not.
    items = list(value) if isinstance(value, Iterable) and not isinstance(value, str) else [value, value]
    if len(items) != 2:
        raise ValueError(f"{name} must be one whole number or a (rows, cols) pair, but got {value!r}.")
    pair = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, numbers.Integral):
            raise ValueError(f"{name} must be a whole number or a (rows, cols) pair of them, but got {value!r}.")
        pair.append(int(item))
    return pair[0], pair[1]


def as_count(value: object, name: str = "groups") -> int:
    """Read `value` as a whole number (a count such as the number of groups); its range is checked later."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be a whole number, but got {value!r}.")
    return int(value)


@dataclass(frozen=True)
class Geometry:
    """The shapes of one cross-correlation and what it costs."""

    c_in: int
    c_out: int
    h: int
    w: int
    k_h: int
    k_w: int
    stride: tuple[int, int]
    padding: tuple[int, int]
    dilation: tuple[int, int]
    has_bias: bool
    out_h: int
    out_w: int
    groups: int = 1  # g: output channel o sees only the c_i/g input channels of its group

    @property
    def group_in(self) -> int:
        """Input channels each output channel sees: c_i/g (all c_i when g = 1)."""
        return self.c_in // self.groups

    @property
    def group_out(self) -> int:
        """Output channels per group: c_o/g."""
        return self.c_out // self.groups

    def input_channels(self, o: int) -> range:
        """The input channels output channel `o` reads: those of its group, o // (c_o/g)."""
        group = o // self.group_out
        return range(group * self.group_in, (group + 1) * self.group_in)

    @property
    def out_shape(self) -> tuple[int, int, int]:
        """(c_o, h_o, w_o)"""
        return (self.c_out, self.out_h, self.out_w)

    @property
    def padded_shape(self) -> tuple[int, int]:
        """Height and width of the input with its ring of zeros."""
        return (self.h + 2 * self.padding[0], self.w + 2 * self.padding[1])

    @property
    def span(self) -> tuple[int, int]:
        """Rows and columns one window covers in the padded input: d(k - 1) + 1 per axis."""
        return (self.dilation[0] * (self.k_h - 1) + 1, self.dilation[1] * (self.k_w - 1) + 1)

    @property
    def n_positions(self) -> int:
        """How many places the window visits: h_o * w_o."""
        return self.out_h * self.out_w

    @property
    def params(self) -> int:
        """Learnable numbers: c_o * (c_i/g) * k_h * k_w weights, plus c_o biases when there is a bias."""
        weights = self.c_out * self.group_in * self.k_h * self.k_w
        return weights + (self.c_out if self.has_bias else 0)

    @property
    def mult_adds(self) -> int:
        """Multiplications (each followed by an addition): c_i/g * k_h * k_w per output value."""
        return self.c_out * self.out_h * self.out_w * self.group_in * self.k_h * self.k_w


def conv_geometry(
    x_shape: Sequence[int],
    k_shape: Sequence[int],
    *,
    stride: IntPair = 1,
    padding: IntPair = 0,
    dilation: IntPair = 1,
    bias: bool = False,
    groups: int = 1,
) -> Geometry:
    """Check a setting and describe it: x_shape is (c_i, h, w), k_shape is (c_o, c_i/groups, k_h, k_w).

    Raises ValueError, in a sentence that names the numbers, when the setting is impossible.
    """
    stride, padding, dilation = as_pair("stride", stride), as_pair("padding", padding), as_pair("dilation", dilation)
    return _checked_geometry(
        tuple(map(int, x_shape)), tuple(map(int, k_shape)), stride, padding, dilation, bool(bias), as_count(groups)
    )


@functools.lru_cache(maxsize=1024)  # the same shapes come back on every call: checking them costs ~20 µs
def _checked_geometry(
    x_shape: tuple[int, ...],
    k_shape: tuple[int, ...],
    stride: tuple[int, int],
    padding: tuple[int, int],
    dilation: tuple[int, int],
    bias: bool,
    groups: int,
) -> Geometry:
    if len(x_shape) != 3:
        raise ValueError(f"X must have shape (c_i, h, w), three numbers, but got shape {x_shape}.")
    if len(k_shape) != 4:
        raise ValueError(f"K must have shape (c_o, c_i, k_h, k_w), four numbers, but got shape {k_shape}.")
    c_in, h, w = (int(n) for n in x_shape)
    c_out, k_c_in, k_h, k_w = (int(n) for n in k_shape)
    if min(c_in, h, w) < 1:
        raise ValueError(f"X of shape {x_shape} is empty: every size must be at least 1.")
    if min(c_out, k_c_in, k_h, k_w) < 1:
        raise ValueError(f"K of shape {k_shape} is empty: every size must be at least 1.")
    if groups < 1:
        raise ValueError(f"groups must be at least 1, but got {groups}.")
    if c_in % groups or c_out % groups:
        raise ValueError(
            f"With groups={groups}, both channel counts must divide by {groups}, "
            f"but c_i = {c_in} and c_o = {c_out}: each group needs c_i/g input and c_o/g output channels."
        )
    if k_c_in != c_in // groups and groups > 1:
        raise ValueError(
            f"With groups={groups}, K needs c_i/g = {c_in}/{groups} = {c_in // groups} input channel(s) per output "
            f"channel, but K has {k_c_in} (shape {k_shape} = (c_o, c_i/g, k_h, k_w))."
        )
    if k_c_in != c_in // groups:
        raise ValueError(
            f"X has {c_in} input channel(s) (shape {x_shape}) but K expects {k_c_in} "
            f"(shape {k_shape} = (c_o, c_i, k_h, k_w)): the two c_i must match."
        )
    if min(stride) < 1:
        raise ValueError(f"The stride must be at least 1, but got {stride}.")
    if min(dilation) < 1:
        raise ValueError(f"The dilation must be at least 1, but got {dilation}.")
    if min(padding) < 0:
        raise ValueError(f"The padding cannot be negative, but got {padding}.")

    out = []
    for axis, size, k, s, p, d in (
        ("height", h, k_h, stride[0], padding[0], dilation[0]),
        ("width", w, k_w, stride[1], padding[1], dilation[1]),
    ):
        span = d * (k - 1) + 1
        padded = size + 2 * p
        if span > padded:
            raise ValueError(
                f"The kernel does not fit: its {axis} {k} with dilation {d} spans {span} cells, "
                f"but the padded input is only {padded} cells ({size} + 2·{p}). "
                f"Each axis needs d·(k − 1) + 1 ≤ size + 2·padding."
            )
        out.append((padded - span) // s + 1)

    return Geometry(
        c_in=c_in, c_out=c_out, h=h, w=w, k_h=k_h, k_w=k_w,
        stride=stride, padding=padding, dilation=dilation, has_bias=bool(bias),
        out_h=out[0], out_w=out[1], groups=groups,
    )
