"""What the user chose on the main screen, and the tensors it stands for.

`Setting` is plain data (hashable, so the app can cache by it); `make_tensors` turns it into X (c_i, h, w),
K (c_o, c_i, k_h, k_w) and the bias (c_o,) or None, deterministically from the seed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

NUMBER_KINDS = ("random", "integers", "textbook")  # values that make_tensors draws
VALUE_KINDS = (*NUMBER_KINDS, "image")  # a picture's values come from convviz.model.images

# The chapter's example: two 3×3 input channels, a 2-channel 2×2 kernel, stacked with K + 1 and K + 2.
TEXTBOOK_X = np.array([[[0, 1, 2], [3, 4, 5], [6, 7, 8]], [[1, 2, 3], [4, 5, 6], [7, 8, 9]]], dtype=np.float32)
TEXTBOOK_K = np.array([[[0, 1], [2, 3]], [[1, 2], [3, 4]]], dtype=np.float32)  # (c_i, k_h, k_w)
# Whole-number biases for integer and textbook values: small, never 0.
BIAS_CHOICES = np.array([-2, -1, 1, 2])
TEXTBOOK_SHAPES = {"c_in": 2, "c_out": 3, "h": 3, "w": 3, "kh": 2, "kw": 2}


@dataclass(frozen=True)
class Setting:
    """The main screen's controls, one field per widget key."""

    c_in: int = 3
    c_out: int = 2
    h: int = 6
    w: int = 6
    kh: int = 3
    kw: int = 3
    stride: int = 1
    padding: int = 0
    dilation: int = 1
    bias: bool = False
    values: str = "integers"
    seed: int = 0
    groups: int = 1  # g: output channel o sees only the c_i/g input channels of its group
    flip: bool = False  # true convolution: every kernel slice flipped in both spatial axes before it slides

    def effective(self) -> Setting:
        """The setting actually computed: textbook mode fixes the shapes to the chapter's example."""
        if self.values == "textbook":
            shapes = TEXTBOOK_SHAPES
            return replace(self, c_in=shapes["c_in"], c_out=shapes["c_out"], h=shapes["h"], w=shapes["w"],
                           kh=shapes["kh"], kw=shapes["kw"], groups=1)
        return self

    @property
    def x_shape(self) -> tuple[int, int, int]:
        return (self.c_in, self.h, self.w)

    @property
    def k_shape(self) -> tuple[int, int, int, int]:
        return (self.c_out, self.c_in // self.groups, self.kh, self.kw)  # (c_o, c_i/g, k_h, k_w)


def make_tensors(setting: Setting) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """X (c_i, h, w), K (c_o, c_i, k_h, k_w) and bias (c_o,) or None, as float32, for the effective setting."""
    s = setting.effective()
    if s.values not in NUMBER_KINDS:
        raise ValueError(
            f"make_tensors draws {', '.join(NUMBER_KINDS)} values; a picture's come from convviz.model.images.")
    rng = np.random.default_rng(s.seed)
    X: np.ndarray
    K: np.ndarray
    if s.values == "textbook":
        X = TEXTBOOK_X
        K = np.stack([TEXTBOOK_K, TEXTBOOK_K + 1, TEXTBOOK_K + 2])  # (3, 2, 2, 2)
    elif s.values == "integers":
        X = rng.integers(0, 5, size=s.x_shape)  # 0..4: easy to multiply in one's head
        K = rng.integers(-1, 3, size=s.k_shape)  # -1..2: signs make the colours tell
    else:  # "random": normal values as in the notebook, rounded to two decimals so the screen shows them exactly
        X = np.round(rng.standard_normal(s.x_shape), 2)
        K = np.round(rng.standard_normal(s.k_shape), 2)
    bias = _bias(rng, s) if s.bias else None  # drawn last, so the toggle leaves X and K as they were
    return (
        np.asarray(X, dtype=np.float32),
        np.asarray(K, dtype=np.float32),
        None if bias is None else np.asarray(bias, dtype=np.float32),
    )


def _bias(rng: np.random.Generator, s: Setting) -> np.ndarray:
    """(c_o,) biases that are never 0, so that turning the bias on visibly changes every sum."""
    if s.values == "random":
        magnitude = np.maximum(np.round(np.abs(rng.standard_normal(s.c_out)), 2), 0.1)  # 0.1 or more
        return magnitude * rng.choice([-1.0, 1.0], size=s.c_out)
    return rng.choice(BIAS_CHOICES, size=s.c_out)  # small whole numbers, as X and K are
