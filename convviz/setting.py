"""What the user chose on the main screen, and the tensors it stands for.

`Setting` is plain data (hashable, so the app can cache by it); `make_tensors` turns it into X (c_i, h, w),
K (c_o, c_i, k_h, k_w) and the bias (c_o,) or None, deterministically from the seed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

VALUE_KINDS = ("random", "integers", "textbook")

# The chapter's example: two 3×3 input channels, a 2-channel 2×2 kernel, stacked with K + 1 and K + 2.
TEXTBOOK_X = np.array([[[0, 1, 2], [3, 4, 5], [6, 7, 8]], [[1, 2, 3], [4, 5, 6], [7, 8, 9]]], dtype=np.float32)
TEXTBOOK_K = np.array([[[0, 1], [2, 3]], [[1, 2], [3, 4]]], dtype=np.float32)  # (c_i, k_h, k_w)
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

    def effective(self) -> Setting:
        """The setting actually computed: textbook mode fixes the shapes to the chapter's example."""
        if self.values == "textbook":
            return replace(self, **TEXTBOOK_SHAPES)
        return self

    @property
    def x_shape(self) -> tuple[int, int, int]:
        return (self.c_in, self.h, self.w)

    @property
    def k_shape(self) -> tuple[int, int, int, int]:
        return (self.c_out, self.c_in, self.kh, self.kw)


def make_tensors(setting: Setting) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """X (c_i, h, w), K (c_o, c_i, k_h, k_w) and bias (c_o,) or None, as float32, for the effective setting."""
    s = setting.effective()
    rng = np.random.default_rng(s.seed)
    if s.values == "textbook":
        X = TEXTBOOK_X
        K = np.stack([TEXTBOOK_K, TEXTBOOK_K + 1, TEXTBOOK_K + 2])  # (3, 2, 2, 2)
        bias = rng.integers(-2, 3, size=s.c_out) if s.bias else None
    elif s.values == "integers":
        X = rng.integers(0, 5, size=s.x_shape)  # 0..4: easy to multiply in one's head
        K = rng.integers(-1, 3, size=s.k_shape)  # -1..2: signs make the colours tell
        bias = rng.integers(-2, 3, size=s.c_out) if s.bias else None
    else:  # "random": normal values as in the notebook, rounded to two decimals so the screen shows them exactly
        X = np.round(rng.standard_normal(s.x_shape), 2)
        K = np.round(rng.standard_normal(s.k_shape), 2)
        bias = np.round(rng.standard_normal(s.c_out), 2) if s.bias else None
    return (
        np.asarray(X, dtype=np.float32),
        np.asarray(K, dtype=np.float32),
        None if bias is None else np.asarray(bias, dtype=np.float32),
    )
